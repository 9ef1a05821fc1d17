"""Customer state changes (numbers from the sequence, every change audited)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import ProtectedError
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.audit.models import AuditAction
from apps.audit.services import audit_changed, audit_created, audit_deleted, snapshot
from apps.common.sequences import format_number, next_value
from apps.company.selectors import company_get
from apps.crm.models import Activity, Contact, Customer
from apps.crm.search import search_text

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
CONTACT_EDITABLE = set(CONTACT_FIELDS)
ACTIVITY_FIELDS = ["type", "text", "occurred_at", "contact"]
ACTIVITY_EDITABLE = set(ACTIVITY_FIELDS)
# What the DELETE entry of each record keeps (also when it goes with its customer).
CUSTOMER_DELETE_FIELDS = CUSTOMER_FIELDS
CONTACT_DELETE_FIELDS = ["customer"]
ACTIVITY_DELETE_FIELDS = ["customer", "employee", *ACTIVITY_FIELDS]


class CustomerInUse(ValidationError):
    """The customer has projects (or, later, invoices): deactivate instead of deleting."""


def customer_next_number() -> str:
    return format_number(company_get().customer_prefix, next_value("customer"), width=5)


def customer_search_text(customer: Customer, contact_names: list[str] | None = None) -> str:
    """The folded text the list search runs on (see apps.crm.search)."""
    if contact_names is None:
        contact_names = [
            f"{first} {last}"
            for first, last in Contact.objects.filter(customer=customer).values_list(
                "first_name", "last_name"
            )
        ]
    return search_text(
        [customer.name, customer.number, customer.email, customer.city, *contact_names]
    )


def customer_refresh_search(*, customer: Customer) -> None:
    Customer.objects.filter(pk=customer.pk).update(search_text=customer_search_text(customer))


def _check_fields(fields: dict[str, Any], allowed: set[str], name: str) -> None:
    unknown = set(fields) - allowed
    if unknown:
        raise TypeError(f"{name}() got unknown fields: {sorted(unknown)}")


@transaction.atomic
def customer_create(*, actor: Any, **fields: Any) -> Customer:
    _check_fields(fields, EDITABLE_FIELDS, "customer_create")
    customer = Customer(**fields)
    customer.full_clean(exclude=["number", "search_text"])
    customer.number = customer_next_number()
    customer.search_text = customer_search_text(customer, [])
    customer.save(force_insert=True)
    audit_created(target=customer, fields=CUSTOMER_FIELDS, actor=actor)
    return customer


@transaction.atomic
def customer_update(*, actor: Any, customer: Customer, **fields: Any) -> Customer:
    _check_fields(fields, EDITABLE_FIELDS, "customer_update")
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    before = snapshot(customer, CUSTOMER_FIELDS)
    for name, value in fields.items():
        setattr(customer, name, value)
    customer.full_clean(exclude=["number", "search_text"])
    customer.search_text = customer_search_text(customer)
    customer.save()
    action = AuditAction.STATUS if set(fields) <= {"status", "stage"} else AuditAction.UPDATE
    audit_changed(target=customer, before=before, actor=actor, action=action)
    return customer


def customer_move_stage(*, actor: Any, customer: Customer, stage: str) -> Customer:
    """Move a customer to another pipeline stage (the board); audited as a status change.

    Winning a lead makes it an active customer.
    """
    if stage not in Customer.Stage.values:
        raise ValidationError({"stage": _("Unknown pipeline stage.")})
    fields: dict[str, Any] = {"stage": stage}
    if stage == Customer.Stage.WON and customer.status == Customer.Status.LEAD:
        fields["status"] = Customer.Status.ACTIVE
    return customer_update(actor=actor, customer=customer, **fields)


def customer_in_use(customer: Customer) -> bool:
    """Has the customer business records that must stay (projects now; invoices later)?"""
    from apps.crm.registry import customer_usage_checks

    return any(check(customer) for check in customer_usage_checks())


@transaction.atomic
def customer_deactivate(*, actor: Any, customer: Customer) -> Customer:
    return customer_update(actor=actor, customer=customer, status=Customer.Status.INACTIVE)


@transaction.atomic
def customer_delete(*, actor: Any, customer: Customer) -> None:
    """Delete a customer without business records; otherwise raise CustomerInUse.

    Its contacts and activities go with it, each with its own DELETE entry (the one
    contact_delete / activity_delete writes). Its documents and reminders stay linked to the
    deleted customer (apps.common.attachments.KeptGenericRelation) and are not touched."""
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    if customer_in_use(customer):
        raise CustomerInUse(
            _("This customer has projects or invoices and can only be deactivated."),
            code="customer_in_use",
        )
    # The row lock holds off new contacts and activities of the customer (their foreign key
    # check waits for it), so these are exactly the rows the deletion cascades to.
    contacts = list(Contact.objects.filter(customer=customer).order_by("pk"))
    activities = list(Activity.objects.filter(customer=customer).order_by("pk"))
    audit_deleted(
        records=[
            (customer, CUSTOMER_DELETE_FIELDS),
            *((contact, CONTACT_DELETE_FIELDS) for contact in contacts),
            *((activity, ACTIVITY_DELETE_FIELDS) for activity in activities),
        ],
        actor=actor,
    )
    try:
        _count, deleted = customer.delete()
    except ProtectedError as error:  # e.g. time booked on the customer without a project
        raise CustomerInUse(
            _("This customer has booked time or other records and can only be deactivated."),
            code="customer_in_use",
        ) from error
    audited = {
        Customer._meta.label: 1,
        Contact._meta.label: len(contacts),
        Activity._meta.label: len(activities),
    }
    if {k: v for k, v in deleted.items() if v} != {k: v for k, v in audited.items() if v}:
        # A model that cascades from Customer without being audited here: refuse (rolls back).
        raise RuntimeError(f"customer_delete: deleted {deleted}, audited {audited}")


# --- Contacts -------------------------------------------------------------------------------------


def _clear_other_primary(contact: Contact, *, actor: Any) -> None:
    """The previous primary contact gives the flag up: a change of that contact, audited."""
    previous = Contact.objects.select_for_update().filter(
        customer_id=contact.customer_id, is_primary=True
    )
    for other in previous.exclude(pk=contact.pk):
        before = snapshot(other, ["is_primary"])
        other.is_primary = False
        other.save(update_fields=["is_primary", "updated_at"])
        audit_changed(target=other, before=before, actor=actor)


@transaction.atomic
def contact_create(*, actor: Any, customer: Customer, **fields: Any) -> Contact:
    _check_fields(fields, CONTACT_EDITABLE, "contact_create")
    contact = Contact(customer=customer, **fields)
    contact.full_clean(exclude=["is_primary"] if fields.get("is_primary") else None)
    if contact.is_primary:
        # One primary contact per customer: the new one replaces the old (constraint-backed).
        _clear_other_primary(contact, actor=actor)
    contact.save(force_insert=True)
    audit_created(target=contact, fields=CONTACT_FIELDS, actor=actor)
    customer_refresh_search(customer=customer)
    return contact


@transaction.atomic
def contact_update(*, actor: Any, contact: Contact, **fields: Any) -> Contact:
    _check_fields(fields, CONTACT_EDITABLE, "contact_update")
    contact = Contact.objects.select_for_update().select_related("customer").get(pk=contact.pk)
    before = snapshot(contact, CONTACT_FIELDS)
    for name, value in fields.items():
        setattr(contact, name, value)
    contact.full_clean(exclude=["is_primary"] if contact.is_primary else None)
    if contact.is_primary:
        _clear_other_primary(contact, actor=actor)
    contact.save()
    audit_changed(target=contact, before=before, actor=actor)
    customer_refresh_search(customer=contact.customer)
    return contact


def contact_make_primary(*, actor: Any, contact: Contact) -> Contact:
    return contact_update(actor=actor, contact=contact, is_primary=True)


@transaction.atomic
def contact_delete(*, actor: Any, contact: Contact) -> None:
    customer = contact.customer
    audit_deleted(records=[(contact, CONTACT_DELETE_FIELDS)], actor=actor)
    contact.delete()
    customer_refresh_search(customer=customer)


# --- Activities -----------------------------------------------------------------------------------


@transaction.atomic
def activity_log(
    *,
    actor: Any,
    customer: Customer,
    type: str,
    text: str,
    occurred_at: datetime | None = None,
    contact: Contact | None = None,
) -> Activity:
    """Log a call, e-mail, meeting or note with the customer (the activity is its own record)."""
    if contact is not None and contact.customer_id != customer.pk:
        raise ValidationError({"contact": _("The contact belongs to another customer.")})
    activity = Activity(
        customer=customer,
        contact=contact,
        type=type,
        text=text,
        occurred_at=occurred_at or timezone.now(),
        employee=actor,
    )
    activity.full_clean()
    activity.save(force_insert=True)
    audit_created(target=activity, fields=ACTIVITY_FIELDS, actor=actor)
    return activity


def _check_activity_contact(activity: Activity) -> None:
    if activity.contact_id is not None and activity.contact.customer_id != activity.customer_id:
        raise ValidationError({"contact": _("The contact belongs to another customer.")})


@transaction.atomic
def activity_update(*, actor: Any, activity: Activity, **fields: Any) -> Activity:
    """Correct what an activity says (type, text, when, contact); audited with old and new values.

    It stays with its customer and with the employee who logged it."""
    _check_fields(fields, ACTIVITY_EDITABLE, "activity_update")
    activity = Activity.objects.select_for_update().get(pk=activity.pk)
    before = snapshot(activity, ACTIVITY_FIELDS)
    for name, value in fields.items():
        setattr(activity, name, value)
    _check_activity_contact(activity)
    activity.full_clean()
    activity.save()
    audit_changed(target=activity, before=before, actor=actor)
    return activity


@transaction.atomic
def activity_delete(*, actor: Any, activity: Activity) -> None:
    """Delete an activity; the entry keeps what it said (customer, employee and its fields)."""
    activity = Activity.objects.select_for_update().get(pk=activity.pk)
    audit_deleted(records=[(activity, ACTIVITY_DELETE_FIELDS)], actor=actor)
    activity.delete()
