"""Export of the (filtered) customer list as CSV or XLSX with tablib.

Spreadsheet programs run cells that start with = + - @ (or a tab / carriage return) as formulas
("=cmd|' /C calc'!A0"), so such cells get a leading apostrophe (OWASP CSV injection).
"""

from __future__ import annotations

from typing import Any

import tablib
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from apps.crm.models import Customer

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
