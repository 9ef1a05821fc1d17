"""Helpers that build invoices through the services (visible in each test)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from apps.company.models import CompanySettings
from apps.company.selectors import company_get
from apps.crm.models import Customer
from apps.invoices import services
from apps.invoices.models import Invoice
from tests.crm.factories import CustomerFactory

ISSUE_DATE = datetime.date(2026, 3, 2)


def company_ready(**overrides: Any) -> CompanySettings:
    """Company settings with every field an invoice needs (§14(4) UStG, §35a GmbHG, bank)."""
    company = company_get()
    values = {
        "name": "Kitmate IT",
        "legal_form": "GmbH",
        "street": "Hafenstraße 12",
        "zip_code": "20457",
        "city": "Hamburg",
        "phone": "+49 40 1234560",
        "email": "rechnung@kitmate.example",
        "tax_number": "21/815/08150",
        "vat_id": "DE136695976",
        "register_court": "Amtsgericht Hamburg",
        "register_number": "HRB 123456",
        "managing_directors": "Erika Mustermann",
        "bank_name": "Commerzbank",
        "iban": "DE89370400440532013000",
        "bic": "COBADEFFXXX",
        "small_business": False,
        "default_vat_rate": Decimal("19.00"),
        "payment_terms_days": 14,
    }
    values.update(overrides)
    for name, value in values.items():
        setattr(company, name, value)
    company.save()
    return company


def customer_ready(**overrides: Any) -> Customer:
    values = {
        "name": "Nordlicht Logistik AG",
        "street": "Kaistraße 5",
        "zip_code": "24103",
        "city": "Kiel",
        "email": "buchhaltung@nordlicht.example",
    }
    values.update(overrides)
    return CustomerFactory(**values)


STANDARD_LINES = [
    {"description": "Beratung", "quantity": "2", "unit": "Stunden", "unit_price": "85.00"},
    {
        "description": "Einrichtung Server",
        "quantity": "1",
        "unit": "Pauschal",
        "unit_price": "250.00",
        "discount_percent": "5",
    },
]


def draft(
    *,
    customer: Customer | None = None,
    lines: list[dict[str, Any]] | None = None,
    document_type: str = "invoice",
    **fields: Any,
) -> Invoice:
    fields.setdefault("service_date", ISSUE_DATE)
    return services.invoice_create(
        actor=None,
        customer=customer or customer_ready(),
        document_type=document_type,
        lines=STANDARD_LINES if lines is None else lines,
        **fields,
    )


def issued(**kwargs: Any) -> Invoice:
    invoice = draft(**kwargs)
    return services.invoice_issue(actor=None, invoice=invoice, issue_date=ISSUE_DATE)


def third_country_business(**overrides: Any) -> Customer:
    """A business customer in Switzerland: services to it are not taxable in Germany (O)."""
    values = {
        "name": "Alpen Software AG",
        "type": "b2b",
        "vat_treatment": "third_country",
        "street": "Bahnhofstrasse 1",
        "zip_code": "8001",
        "city": "Zürich",
        "country": "CH",
        "email": "kreditoren@alpen-software.example",
    }
    values.update(overrides)
    return customer_ready(**values)
