"""Reads with access scoping, prefetching and a deterministic order."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import DecimalField, F, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce

from apps.invoices.models import OPEN_STATUSES, DocumentType, Invoice, InvoiceStatus


def invoices_for_user(user: Any) -> QuerySet[Invoice]:
    """All documents for the module permission (Buchhaltung, Projektleitung read); else none."""
    qs = Invoice.objects.select_related("customer", "project")
    if not user.has_perm("invoices.view_invoice"):
        return qs.none()
    return qs.order_by(F("issue_date").desc(nulls_first=True), "-id")


def invoice_detail_queryset(user: Any) -> QuerySet[Invoice]:
    return invoices_for_user(user).select_related(
        "source_quote", "cancels", "issued_by", "created_by"
    )


def invoice_sums(qs: QuerySet[Invoice]) -> dict[str, Decimal]:
    """Net, VAT, total and open amount of a (filtered) list, in one query."""
    zero = Value(Decimal("0.00"), output_field=DecimalField(max_digits=14, decimal_places=2))
    open_filter = Q(document_type=DocumentType.INVOICE, status__in=OPEN_STATUSES)
    sums = qs.order_by().aggregate(
        net=Coalesce(Sum("net_total"), zero),
        vat=Coalesce(Sum("vat_total"), zero),
        gross=Coalesce(Sum("gross_total"), zero),
        open_gross=Coalesce(Sum("gross_total", filter=open_filter), zero),
        open_paid=Coalesce(Sum("paid_total", filter=open_filter), zero),
    )
    return {
        "net": sums["net"],
        "vat": sums["vat"],
        "gross": sums["gross"],
        "open": sums["open_gross"] - sums["open_paid"],
    }


def open_status_filter() -> Q:
    return Q(document_type=DocumentType.INVOICE, status__in=OPEN_STATUSES)


__all__ = ["InvoiceStatus", "invoice_sums", "invoices_for_user"]
