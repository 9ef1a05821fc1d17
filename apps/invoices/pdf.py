"""The invoice PDF: WeasyPrint (PDF/A-3b) + the Factur-X XML embedded with the factur-x library."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import segno.helpers
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from facturx import generate_from_binary

from apps.common.pdf import BASE_URL, safe_url_fetcher
from apps.invoices.calculation import Totals, calculate
from apps.invoices.models import DocumentType, Invoice, VatCategory


def static_url() -> str:
    """The unhashed static URL prefix for PDF templates (``{{ pdf_static_url }}css/x.css``),
    resolved by the safe fetcher from the source static files, independent of collectstatic."""
    return settings.STATIC_URL


def html_to_pdfa(html: str) -> bytes:
    """PDF/A-3b (fonts embedded, sRGB output intent), fetching only our static files."""
    from weasyprint import HTML

    document = HTML(string=html, base_url=BASE_URL, url_fetcher=safe_url_fetcher())
    return bytes(document.write_pdf(pdf_variant="pdf/a-3b"))


def epc_qr_fields(invoice: Invoice) -> dict[str, Any] | None:
    """The EPC (GiroCode) transfer for the open amount, or None when nothing is to be paid."""
    seller = invoice.seller_data
    amount = invoice.open_amount
    if invoice.document_type != DocumentType.INVOICE or amount <= 0 or not seller.get("iban"):
        return None
    return {
        "name": (seller.get("full_name") or seller.get("name") or "")[:70],
        "iban": seller["iban"],
        "bic": seller.get("bic") or None,
        "amount": Decimal(amount),
        "text": invoice.number,
    }


def epc_qr_payload(invoice: Invoice) -> str | None:
    """The EPC069-12 payload (BCD / 002 / charset / SCT / BIC / name / IBAN / EURx.xx / ...)."""
    fields = epc_qr_fields(invoice)
    if fields is None:
        return None
    return segno.helpers._make_epc_qr_data(**fields).decode("utf-8")


def epc_qr_data_uri(invoice: Invoice) -> str | None:
    fields = epc_qr_fields(invoice)
    if fields is None:
        return None
    qr = segno.helpers.make_epc_qr(**fields)
    return qr.svg_data_uri(scale=3, border=0)


def pdf_context(invoice: Invoice, totals: Totals | None = None) -> dict[str, Any]:
    lines = list(invoice.lines.order_by("position", "id"))
    totals = totals or calculate(lines)
    from apps.invoices.billing import timesheet_rows

    return {
        "timesheet": [
            (entry, (Decimal(entry.duration_minutes) / 60).quantize(Decimal("0.01")))
            for entry in (timesheet_rows(invoice) if invoice.timesheet_appendix else [])
        ],
        "pdf_static_url": static_url(),
        "invoice": invoice,
        "seller": invoice.seller_data,
        "buyer": invoice.buyer_data,
        "rows": list(zip(lines, totals.lines, strict=True)),
        "totals": totals,
        "vat_groups": [(group, VatCategory(group.category).label) for group in totals.groups],
        "epc_qr": epc_qr_data_uri(invoice),
        "payment_days": (invoice.due_date - invoice.issue_date).days
        if invoice.due_date and invoice.issue_date
        else None,
    }


def render_invoice_html(invoice: Invoice) -> str:
    with translation.override(invoice.language):
        return render_to_string("invoices/pdf/invoice.html", pdf_context(invoice))


def render_invoice_pdf_bytes(invoice: Invoice) -> bytes:
    """PDF/A-3b; invoices and cancellation invoices carry their Factur-X XML as factur-x.xml."""
    pdf = html_to_pdfa(render_invoice_html(invoice))
    if not invoice.facturx_xml:
        return pdf
    return generate_from_binary(
        pdf,
        invoice.facturx_xml.encode(),
        flavor="factur-x",
        level="en16931",
        check_xsd=True,
        pdf_metadata={
            "author": invoice.seller_data.get("full_name", ""),
            "keywords": "Factur-X, ZUGFeRD, EN 16931",
            "title": f"{invoice.get_document_type_display()} {invoice.number}",
            "subject": f"{invoice.get_document_type_display()} {invoice.number}",
        },
        lang=invoice.language,
    )
