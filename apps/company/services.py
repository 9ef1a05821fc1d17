"""Changes to the company settings, audited."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from apps.audit.services import audit_changed, snapshot
from apps.company.models import CompanySettings
from apps.company.selectors import company_get

EDITABLE_FIELDS = [
    field.name
    for field in CompanySettings._meta.get_fields()
    if getattr(field, "editable", False) and field.name not in {"id", "updated_at", "logo"}
]


@transaction.atomic
def company_update(*, actor: Any, **fields: Any) -> CompanySettings:
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"company_update() got unknown fields: {sorted(unknown)}")
    company_get()
    company = CompanySettings.objects.select_for_update().get(pk=1)
    before = snapshot(company, EDITABLE_FIELDS)
    for name, value in fields.items():
        setattr(company, name, value)
    company.full_clean(exclude=["logo"])
    company.save()
    audit_changed(target=company, before=before, actor=actor)
    return company
