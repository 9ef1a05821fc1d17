"""Pages for ``make bench`` (evaluated after seeding; see bench/run.py), plus the PDF render time.

``SCENARIOS`` (see bench/run.py) adds the PDF render time per invoice (PDF/A-3 with the
Factur-X XML embedded), measured in the bench process against the seeded database.
"""

from __future__ import annotations

import time
from typing import Any

from django.urls import reverse


def _latest_issued_invoice_detail() -> str:
    from apps.invoices.models import Invoice

    invoice = Invoice.objects.exclude(status="draft").order_by("-id").first()
    return reverse("invoices:invoice_detail", args=[invoice.pk]) if invoice else "/invoices/"


def pdf_render_seconds(samples: int = 5) -> dict[str, Any]:
    """Render the PDF of up to ``samples`` issued invoices (not stored) and time each."""
    from apps.invoices.models import Invoice
    from apps.invoices.pdf import render_invoice_pdf_bytes

    invoices = list(Invoice.objects.exclude(status="draft").order_by("-id")[:samples])
    timings = []
    for invoice in invoices:
        start = time.perf_counter()
        render_invoice_pdf_bytes(invoice)
        timings.append(time.perf_counter() - start)
    if not timings:
        return {"name": "invoice PDF render", "count": 0}
    return {
        "name": "invoice PDF render",
        "count": len(timings),
        "mean_s": round(sum(timings) / len(timings), 3),
        "max_s": round(max(timings), 3),
    }


PAGES = [
    {"name": "invoice list", "path": "/invoices/", "user": "admin"},
    {"name": "invoice list overdue", "path": "/invoices/?overdue=true", "user": "admin"},
    {"name": "invoice detail", "path": _latest_issued_invoice_detail, "user": "admin"},
]


def pdf_render_scenario(context: Any) -> list[dict[str, Any]]:
    return [pdf_render_seconds()]


SCENARIOS = [pdf_render_scenario]
