"""Changes to the company settings, audited."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from apps.audit.models import AuditAction
from apps.audit.services import audit_record, diff, snapshot
from apps.company.models import CompanySettings
from apps.company.selectors import company_get

EDITABLE_FIELDS = [
    field.name
    for field in CompanySettings._meta.get_fields()
    if getattr(field, "editable", False) and field.name not in {"id", "updated_at", "logo"}
]


_KEEP: Any = object()


@transaction.atomic
def company_update(*, actor: Any, logo: Any = _KEEP, **fields: Any) -> CompanySettings:
    """Change the settings: one audited change with the old and new values.

    ``logo``: an uploaded image to store, or a false value to remove the logo (recorded by its
    file name); left out, the logo stays."""
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"company_update() got unknown fields: {sorted(unknown)}")
    company_get()
    company = CompanySettings.objects.select_for_update().get(pk=1)
    before = {**snapshot(company, EDITABLE_FIELDS), "logo": company.logo.name or None}
    for name, value in fields.items():
        setattr(company, name, value)
    if logo is not _KEEP:
        company.logo = logo or ""
    company.full_clean(exclude=["logo"])
    company.save()
    after = {**snapshot(company, EDITABLE_FIELDS), "logo": company.logo.name or None}
    if changes := diff(before, after):
        audit_record(action=AuditAction.UPDATE, target=company, actor=actor, changes=changes)
    return company
