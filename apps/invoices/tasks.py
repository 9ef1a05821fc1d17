"""Background work: thin wrappers taking IDs and calling services."""

from __future__ import annotations

from django.tasks import task

from apps.invoices.models import Invoice


@task
def render_invoice_pdf(invoice_id: int) -> None:
    """Render an issued document's PDF once (after the issuing transaction committed)."""
    from apps.invoices.services import invoice_render_pdf

    invoice = Invoice.objects.filter(pk=invoice_id).first()
    if invoice is not None:
        invoice_render_pdf(invoice=invoice)
