"""Customer state changes (numbers from the sequence, every change audited)."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from apps.audit.models import AuditAction
from apps.audit.services import audit_changed, audit_created, snapshot
from apps.common.sequences import format_number, next_value
from apps.company.selectors import company_get
from apps.crm.models import Contact, Customer

CUSTOMER_FIELDS = [
    "number",
    "name",
    "type",
    "status",
    "stage",
    "email",
    "phone",
    "website",
    "street",
    "zip_code",
    "city",
    "country",
    "vat_id",
    "tax_number",
    "leitweg_id",
    "vat_treatment",
    "payment_terms_days",
    "account_manager",
    "notes",
]
EDITABLE_FIELDS = set(CUSTOMER_FIELDS) - {"number"}
CONTACT_FIELDS = ["first_name", "last_name", "email", "phone", "mobile", "position", "is_primary"]


def customer_next_number() -> str:
    return format_number(company_get().customer_prefix, next_value("customer"), width=5)


@transaction.atomic
def customer_create(*, actor: Any, **fields: Any) -> Customer:
    unknown = set(fields) - EDITABLE_FIELDS
    if unknown:
        raise TypeError(f"customer_create() got unknown fields: {sorted(unknown)}")
    customer = Customer(**fields)
    customer.full_clean(exclude=["number"])
    customer.number = customer_next_number()
    customer.save(force_insert=True)
    audit_created(target=customer, fields=CUSTOMER_FIELDS, actor=actor)
    return customer


@transaction.atomic
def customer_update(*, actor: Any, customer: Customer, **fields: Any) -> Customer:
    unknown = set(fields) - EDITABLE_FIELDS
    if unknown:
        raise TypeError(f"customer_update() got unknown fields: {sorted(unknown)}")
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    before = snapshot(customer, CUSTOMER_FIELDS)
    for name, value in fields.items():
        setattr(customer, name, value)
    customer.full_clean(exclude=["number"])
    customer.save()
    action = AuditAction.STATUS if set(fields) <= {"status", "stage"} else AuditAction.UPDATE
    audit_changed(target=customer, before=before, actor=actor, action=action)
    return customer


@transaction.atomic
def contact_create(*, actor: Any, customer: Customer, **fields: Any) -> Contact:
    contact = Contact(customer=customer, **fields)
    contact.full_clean(exclude=["is_primary"] if fields.get("is_primary") else None)
    if contact.is_primary:
        # One primary contact per customer: the new one replaces the old (constraint-backed).
        Contact.objects.filter(customer=customer, is_primary=True).update(is_primary=False)
    contact.save(force_insert=True)
    audit_created(target=contact, fields=CONTACT_FIELDS, actor=actor)
    return contact
