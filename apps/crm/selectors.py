"""Reads of the CRM, scoped and with a deterministic order."""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.db import connections
from django.db.models import Count, F, Q, QuerySet, Window
from django.db.models.functions import RowNumber

from apps.audit.models import AuditEntry
from apps.crm.models import Activity, Contact, Customer
from apps.crm.registry import CustomerRevenue, TimelineEvent, revenue_sources, timeline_sources
from apps.crm.rows import PIPELINE_CARD_COLUMNS, PipelineColumn, pipeline_columns
from apps.crm.search import search_terms

PIPELINE_COLUMN_LIMIT = 15


def customers_for_user(user: Any) -> QuerySet[Customer]:
    """Everyone with the CRM view permission sees every customer (SPEC §8: no per-team scoping)."""
    return Customer.objects.select_related("account_manager").order_by("name", "id")


CUSTOMER_LIST_FIELDS = [
    "id",
    "number",
    "name",
    "email",
    "city",
    "status",
    "stage",
    "type",
    "account_manager__id",
    "account_manager__first_name",
    "account_manager__last_name",
    "account_manager__email",
]


def customer_list_rows(qs: QuerySet[Customer]) -> QuerySet[Customer]:
    """Only the list's columns: the (wide) search text and notes stay in the database."""
    return qs.only(*CUSTOMER_LIST_FIELDS)


def customer_search(qs: QuerySet[Customer], query: str) -> QuerySet[Customer]:
    """Every word must occur in the folded search text (name, number, e-mail, city, contacts)."""
    for term in search_terms(query):
        qs = qs.filter(search_text__contains=term)
    return qs


def customer_contacts(customer: Customer) -> list[Contact]:
    return list(Contact.objects.filter(customer=customer).order_by(*Contact._meta.ordering))


def customer_primary_contact(customer: Customer) -> Contact | None:
    return Contact.objects.filter(customer=customer, is_primary=True).first()


def customer_activities(customer: Customer, *, limit: int = 50) -> list[Activity]:
    return list(
        Activity.objects.filter(customer=customer)
        .select_related("employee", "contact")
        .order_by("-occurred_at", "-id")[:limit]
    )


def customer_revenue(customer: Customer) -> CustomerRevenue | None:
    """Revenue (paid invoices) and outstanding amounts; None until an invoices module answers."""
    for source in revenue_sources():
        result = source(customer)
        if result is not None:
            return result
    return None


def pipeline_board(
    qs: QuerySet[Customer], *, can_move: bool = False, query: str = ""
) -> list[PipelineColumn]:
    """The pipeline columns: per stage the count and the most recently changed customers as
    cards ready to print (``apps.crm.rows``; move forms only if ``can_move``, keeping ``query``).

    Two queries whatever the data size: one count per stage (GROUP BY) and one for the first
    PIPELINE_COLUMN_LIMIT cards of each stage, loading only the printed columns.
    """
    counts = dict(
        qs.order_by().values_list("stage").annotate(n=Count("id")).values_list("stage", "n")
    )
    return pipeline_columns(counts, _pipeline_cards(qs), can_move=can_move, query=query)


def _pipeline_cards(qs: QuerySet[Customer]) -> QuerySet[Customer, tuple[Any, ...]]:
    """The first PIPELINE_COLUMN_LIMIT customers of each stage (latest change first), ordered so
    within each stage.

    On PostgreSQL one ``UNION ALL`` of a ``LIMIT`` query per stage: each reads its first rows from
    the partial index ``crm_customer_pipeline_idx`` (the board's statuses), a fraction of a
    millisecond, where ranking every open customer with a window function sorts them all (about
    10 ms for 20,000 customers). SQLite has no ``LIMIT`` in compound queries: it ranks.
    """
    if connections[qs.db].features.supports_slicing_ordering_in_compound:
        per_stage = [
            qs.filter(stage=stage)
            .order_by("-updated_at", "-id")
            .values_list(*PIPELINE_CARD_COLUMNS)[:PIPELINE_COLUMN_LIMIT]
            for stage in Customer.Stage.values
        ]
        return per_stage[0].union(*per_stage[1:], all=True).order_by("-updated_at", "-id")
    return (
        qs.annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F("stage")],
                order_by=[F("updated_at").desc(), F("id").desc()],
            )
        )
        .filter(rank__lte=PIPELINE_COLUMN_LIMIT)
        .order_by("rank")
        .values_list(*PIPELINE_CARD_COLUMNS)
    )


# --- Timeline -------------------------------------------------------------------------------------


def _activity_events(customer: Customer, user: Any, limit: int) -> list[TimelineEvent]:
    return [
        TimelineEvent(
            when=activity.occurred_at,
            kind=f"activity activity-{activity.type}",
            title=activity.get_type_display(),
            text=activity.text,
            actor=str(activity.employee),
            details=[str(activity.contact)] if activity.contact_id else [],
        )
        for activity in customer_activities(customer, limit=limit)
    ]


def _audit_events(customer: Customer, user: Any, limit: int) -> list[TimelineEvent]:
    """Changes of the customer and its contacts (field names only; values stay in the audit log)."""
    customer_type = ContentType.objects.get_for_model(Customer)
    contact_type = ContentType.objects.get_for_model(Contact)
    contact_ids = Contact.objects.filter(customer=customer).values_list("pk", flat=True)
    # object_id is a string column: compare with the ids as text.
    entries = (
        AuditEntry.objects.filter(
            Q(content_type=customer_type, object_id=str(customer.pk))
            | Q(
                content_type=contact_type,
                object_id__in=[str(pk) for pk in contact_ids],
            )
        )
        .select_related("actor")
        .order_by("-seq")[:limit]
    )
    events = []
    for entry in entries:
        is_contact = entry.content_type_id == contact_type.pk
        labels = _field_labels(Contact if is_contact else Customer, entry.changes)
        events.append(
            TimelineEvent(
                when=entry.timestamp,
                kind=f"audit audit-{entry.action}",
                title=entry.get_action_display()
                + (f" · {entry.object_repr}" if is_contact else ""),
                actor=entry.actor_repr,
                details=labels,
            )
        )
    return events


def _field_labels(model: type[Any], changes: dict[str, Any]) -> list[str]:
    labels = []
    for name in changes:
        try:
            labels.append(str(model._meta.get_field(name).verbose_name))
        except FieldDoesNotExist:  # renamed since: show the stored name
            labels.append(name)
    return labels


def customer_timeline(customer: Customer, user: Any, *, limit: int = 50) -> list[TimelineEvent]:
    """Activities, audit events and what other modules register, newest first."""
    events = [
        *_activity_events(customer, user, limit),
        *_audit_events(customer, user, limit),
    ]
    for source in timeline_sources():
        events.extend(source(customer, user, limit))
    events.sort(key=lambda event: event.when, reverse=True)
    return events[:limit]
