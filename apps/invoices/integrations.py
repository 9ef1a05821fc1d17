"""Invoices on the customer and project pages (tabs, revenue, usage), via their registries."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Count, DecimalField, Q, Sum, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from apps.common.tabs import Tab
from apps.invoices.models import OPEN_STATUSES, DocumentType, Invoice, InvoiceStatus

TAB_LIMIT = 50


def _can_view(user: Any, obj: Any) -> bool:
    return bool(user.has_perm("invoices.view_invoice"))


def _tab_context(queryset_filter: dict[str, Any]) -> Any:
    def context(request: Any, obj: Any) -> dict[str, Any]:
        qs = (
            Invoice.objects.filter(**{queryset_filter["field"]: obj})
            .select_related("customer", "project")
            .order_by("-issue_date", "-id")
        )
        return {
            "invoices": list(qs[:TAB_LIMIT]),
            "invoice_count": qs.count(),
            "can_add_invoice": request.user.has_perm("invoices.add_invoice"),
            "tab_owner": queryset_filter["field"],
            "tab_object": obj,
        }

    return context


def customer_revenue(customer: Any) -> Any:
    from apps.crm.registry import CustomerRevenue

    zero = Value(Decimal("0.00"), output_field=DecimalField(max_digits=14, decimal_places=2))
    invoices = Invoice.objects.filter(customer=customer, document_type=DocumentType.INVOICE)
    sums = invoices.aggregate(
        issued=Count("id", filter=~Q(status=InvoiceStatus.DRAFT)),
        revenue=Coalesce(Sum("net_total", filter=Q(status=InvoiceStatus.PAID)), zero),
        open_gross=Coalesce(Sum("gross_total", filter=Q(status__in=OPEN_STATUSES)), zero),
        open_paid=Coalesce(Sum("paid_total", filter=Q(status__in=OPEN_STATUSES)), zero),
    )
    if not sums["issued"]:
        return None  # no invoices yet: the customer page shows "—"
    return CustomerRevenue(
        revenue=sums["revenue"], outstanding=sums["open_gross"] - sums["open_paid"]
    )


def customer_has_invoices(customer: Any) -> bool:
    return Invoice.objects.filter(customer=customer).exists()


def project_has_invoices(project: Any) -> bool:
    return Invoice.objects.filter(project=project).exists()


def register() -> None:
    try:
        from apps.crm import registry as crm
    except ImportError:  # pragma: no cover - crm is always installed
        crm = None
    if crm is not None:
        crm.register_customer_tab(
            Tab(
                "invoices",
                _("Invoices"),
                "invoices/_tab_invoices.html",
                _tab_context({"field": "customer"}),
                visible=_can_view,
                order=50,
            )
        )
        crm.register_usage_check(customer_has_invoices)
        crm.register_revenue_source(customer_revenue)
    try:
        from apps.projects.registry import register_project_tab, register_usage_check
    except ImportError:  # pragma: no cover
        return
    register_usage_check(project_has_invoices)
    register_project_tab(
        Tab(
            "invoices",
            _("Invoices"),
            "invoices/_tab_invoices.html",
            _tab_context({"field": "project"}),
            visible=_can_view,
            order=50,
        )
    )
