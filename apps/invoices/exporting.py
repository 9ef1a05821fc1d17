"""The (filtered) invoice list as CSV (in the request: cheap) or XLSX (openpyxl is slow for long
lists: rendered in the background for the requester, with the same FilterSet; see
apps.common.exports)."""

from __future__ import annotations

from typing import Any

import tablib
from django.db.models import QuerySet
from django.http import QueryDict
from django.urls import reverse
from django.utils.translation import gettext as _

from apps.common.exports import ExportKind, register_export
from apps.common.models import ExportFile
from apps.invoices.models import Invoice

INVOICES_XLSX = "invoices.invoices_xlsx"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def neutralise(value: Any) -> Any:
    """CSV/XLSX formula injection: text starting with = + - @ is prefixed with a quote."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def invoices_dataset(queryset: QuerySet[Invoice]) -> tuple[tablib.Dataset, int]:
    """The rows and their count."""
    data = tablib.Dataset(
        headers=[
            _("Number"),
            _("Type"),
            _("Status"),
            _("Customer"),
            _("Project"),
            _("Issue date"),
            _("Due date"),
            _("Net"),
            _("VAT"),
            _("Total"),
            _("Paid"),
            _("Open"),
        ]
    )
    count = 0
    for invoice in queryset.iterator(chunk_size=1000):
        count += 1
        data.append(
            [
                neutralise(value)
                for value in (
                    invoice.number or "",
                    invoice.get_document_type_display(),
                    invoice.get_status_display(),
                    invoice.customer.name,
                    invoice.project.number if invoice.project_id else "",
                    invoice.issue_date.isoformat() if invoice.issue_date else "",
                    invoice.due_date.isoformat() if invoice.due_date else "",
                    invoice.net_total,
                    invoice.vat_total,
                    invoice.gross_total,
                    invoice.paid_total,
                    invoice.open_amount,
                )
            ]
        )
    return data, count


def export_query(data: QueryDict) -> str:
    """The list's filter and order, without paging: what an export file is made of."""
    query = data.copy()
    query.pop("page", None)
    return query.urlencode()


def _render_xlsx(params: dict[str, Any], user: Any) -> bytes:
    from apps.invoices import selectors
    from apps.invoices.filters import InvoiceFilter

    queryset = InvoiceFilter(
        QueryDict(params["query"]), queryset=selectors.invoices_for_user(user)
    ).qs
    data, _count = invoices_dataset(queryset)
    return bytes(data.export("xlsx"))


def _audit(export: ExportFile) -> dict[str, Any]:
    return {"object_repr": "", "message": f"invoices xlsx: {export.params['query'][:500]}"}


def register() -> None:
    register_export(
        ExportKind(
            name=INVOICES_XLSX,
            content_type=XLSX_TYPE,
            allowed=lambda user, params: (
                user.has_perm("invoices.view_invoice") and user.has_perm("invoices.export_invoice")
            ),
            render=_render_xlsx,
            audit=_audit,
            back_url=lambda params: f"{reverse('invoices:invoice_list')}?{params['query']}",
        )
    )
