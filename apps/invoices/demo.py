"""Demo invoices (``manage.py seed_demo``): issued, paid, partially paid, overdue, a quote, a
cancellation and drafts; small ≈ 12 documents, large ≈ 300. Built through the services, so the
numbers, frozen data, XML and PDFs are real. Idempotent: does nothing once invoices exist."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone

from apps.crm.models import Customer
from apps.invoices import services
from apps.invoices.models import Invoice

SIZES = {"small": 12, "large": 300}
SERVICES_OFFERED = [
    ("IT-Beratung", "Stunden", Decimal("95.00")),
    ("Systemadministration", "Stunden", Decimal("85.00")),
    ("Einrichtung Arbeitsplatz", "Pauschal", Decimal("249.00")),
    ("Firewall-Wartung", "Monate", Decimal("120.00")),
    ("Microsoft-365-Lizenz", "Lizenzen", Decimal("12.50")),
    ("Fachbuch IT-Sicherheit", "Stück", Decimal("39.90")),
]


def _lines(index: int) -> list[dict[str, Any]]:
    lines = []
    for offset in range(1 + index % 3):
        description, unit, price = SERVICES_OFFERED[(index + offset) % len(SERVICES_OFFERED)]
        lines.append(
            {
                "description": description,
                "quantity": Decimal(1 + (index * 7 + offset * 3) % 12),
                "unit": unit,
                "unit_price": price,
                "discount_percent": Decimal(5) if (index + offset) % 5 == 0 else Decimal(0),
                # Books carry the reduced rate: one VAT amount per rate on such invoices.
                **({"vat_category": "S", "vat_rate": Decimal(7)} if unit == "Stück" else {}),
            }
        )
    return lines


def seed(*, size: str, stdout: Any) -> None:
    if Invoice.objects.exists():
        stdout.write("invoices: invoices exist, nothing to do")
        return
    customers = list(
        Customer.objects.filter(vat_treatment=Customer.VatTreatment.DOMESTIC)
        .exclude(street="")
        .exclude(city="")
        .order_by("id")[:40]
    )
    if not customers:
        stdout.write("invoices: no customers with an address, nothing to do")
        return
    target = SIZES.get(size, SIZES["small"])
    today = timezone.localdate()
    counts = {"issued": 0, "paid": 0, "partial": 0, "draft": 0, "quote": 0, "cancelled": 0}
    for index in range(target):
        customer = customers[index % len(customers)]
        issue_date = today - datetime.timedelta(days=(target - index) * 3 % 120 + 1)
        kind = index % 8
        try:
            invoice = services.invoice_create(
                actor=None,
                customer=customer,
                document_type="quote" if kind == 6 else "invoice",
                service_date=issue_date,
                subject="Leistungen laut Vereinbarung",
                lines=_lines(index),
            )
            if kind == 7:
                counts["draft"] += 1
                continue
            invoice = services.invoice_issue(actor=None, invoice=invoice, issue_date=issue_date)
        except services.InvoiceIncomplete as error:
            stdout.write(f"invoices: company data incomplete ({'; '.join(error.messages)})")
            return
        if kind == 6:
            counts["quote"] += 1
        elif kind in (0, 1):
            services.payment_record(
                actor=None,
                invoice=invoice,
                amount=invoice.gross_total,
                date=min(today, issue_date + datetime.timedelta(days=10)),
                reference=invoice.number,
            )
            counts["paid"] += 1
        elif kind == 2:
            services.payment_record(
                actor=None,
                invoice=invoice,
                amount=(invoice.gross_total / 2).quantize(Decimal("0.01")),
                date=min(today, issue_date + datetime.timedelta(days=12)),
                reference=invoice.number,
            )
            counts["partial"] += 1
        elif kind == 5 and index % 16 == 5:
            services.invoice_cancel(actor=None, invoice=invoice, issue_date=today)
            counts["cancelled"] += 1
        else:
            counts["issued"] += 1  # open; older ones are overdue
    stdout.write(
        "invoices: "
        + ", ".join(f"{count} {name}" for name, count in counts.items())
        + f" (overdue now: {Invoice.objects.overdue(today=today).count()})"
    )
