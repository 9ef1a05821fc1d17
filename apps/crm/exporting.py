"""Export of the (filtered) customer list as CSV or XLSX with tablib.

Spreadsheet programs run cells that start with = + - @ (or a tab / carriage return) as formulas
("=cmd|' /C calc'!A0"), so such cells get a leading apostrophe (OWASP CSV injection).

CSV is written in the request (cheap); XLSX (openpyxl: about 5 s for 10,000 customers) is
rendered in the background (apps.common.exports), for the requester, with the same FilterSet.
"""

from __future__ import annotations

from typing import Any

import tablib
from django.db.models import QuerySet
from django.http import QueryDict
from django.urls import reverse
from django.utils.translation import gettext as _

from apps.common.exports import ExportKind, register_export
from apps.common.models import ExportFile
from apps.crm.models import Customer

CUSTOMERS_XLSX = "crm.customers_xlsx"

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
FORMATS = {
    "csv": ("text/csv; charset=utf-8", "csv"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
}


def neutralise(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _columns() -> list[tuple[str, Any]]:
    def field(name: str) -> Any:
        return lambda customer: getattr(customer, name)

    def display(name: str) -> Any:
        return lambda customer: getattr(customer, f"get_{name}_display")()

    meta = Customer._meta
    return [
        (str(meta.get_field("number").verbose_name), field("number")),
        (str(meta.get_field("name").verbose_name), field("name")),
        (str(meta.get_field("type").verbose_name), display("type")),
        (str(meta.get_field("status").verbose_name), display("status")),
        (str(meta.get_field("stage").verbose_name), display("stage")),
        (str(meta.get_field("email").verbose_name), field("email")),
        (str(meta.get_field("phone").verbose_name), field("phone")),
        (str(meta.get_field("street").verbose_name), field("street")),
        (str(meta.get_field("zip_code").verbose_name), field("zip_code")),
        (str(meta.get_field("city").verbose_name), field("city")),
        (str(meta.get_field("country").verbose_name), field("country")),
        (str(meta.get_field("vat_id").verbose_name), field("vat_id")),
        (str(meta.get_field("leitweg_id").verbose_name), field("leitweg_id")),
        (
            str(meta.get_field("account_manager").verbose_name),
            lambda customer: str(customer.account_manager or ""),
        ),
    ]


def customers_dataset(queryset: QuerySet[Customer]) -> tablib.Dataset:
    columns = _columns()
    dataset = tablib.Dataset(headers=[header for header, _getter in columns])
    dataset.title = _("Customers")
    for customer in queryset.iterator(chunk_size=2000):
        dataset.append([neutralise(getter(customer)) for _header, getter in columns])
    return dataset


def customers_export(queryset: QuerySet[Customer], fmt: str) -> bytes:
    dataset = customers_dataset(queryset)
    if fmt == "csv":
        # BOM + ";" so that German Excel opens it with umlauts and columns intact.
        return ("\ufeff" + dataset.export("csv", delimiter=";")).encode("utf-8")
    return dataset.export("xlsx")


def export_query(data: QueryDict) -> str:
    """The list's filter and order, without paging or format: what an export file is made of."""
    query = data.copy()
    for name in ("page", "format"):
        query.pop(name, None)
    return query.urlencode()


def _render_xlsx(params: dict[str, Any], user: Any) -> bytes:
    from apps.crm import selectors
    from apps.crm.filters import CustomerFilter

    filterset = CustomerFilter(
        QueryDict(params["query"]), queryset=selectors.customers_for_user(user)
    )
    if not filterset.is_valid():
        raise ValueError(_("Invalid filter."))
    return customers_export(filterset.qs, "xlsx")


def _audit(export: ExportFile) -> dict[str, Any]:
    return {
        "object_repr": str(Customer._meta.verbose_name_plural),
        "message": f"xlsx: {export.params['query'][:500]}",
    }


def register() -> None:
    register_export(
        ExportKind(
            name=CUSTOMERS_XLSX,
            content_type=FORMATS["xlsx"][0],
            allowed=lambda user, params: user.has_perm("crm.view_customer"),
            render=_render_xlsx,
            audit=_audit,
            back_url=lambda params: f"{reverse('crm:customer_list')}?{params['query']}",
        )
    )
