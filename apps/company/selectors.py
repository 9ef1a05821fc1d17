from __future__ import annotations

from apps.company.models import CompanySettings


def company_get() -> CompanySettings:
    """The company settings row, created with defaults on first use."""
    company, _created = CompanySettings.objects.get_or_create(pk=1)
    return company
