"""Background work: thin wrappers taking IDs and calling services."""

from __future__ import annotations

from django.tasks import task

from apps.invoices.models import DunningLetter, Invoice, InvoiceEmail


@task
def render_invoice_pdf(invoice_id: int) -> None:
    """Render an issued document's PDF once (after the issuing transaction committed)."""
    from apps.invoices.services import invoice_render_pdf

    invoice = Invoice.objects.filter(pk=invoice_id).first()
    if invoice is not None:
        invoice_render_pdf(invoice=invoice)


@task
def render_dunning_letter_pdf(letter_id: int) -> None:
    """Render a new dunning letter's PDF once (after the creating transaction committed)."""
    from apps.invoices.dunning import dunning_letter_render_pdf

    letter = DunningLetter.objects.filter(pk=letter_id).first()
    if letter is not None:
        dunning_letter_render_pdf(letter=letter)


@task
def send_dunning_letter(letter_id: int, actor_id: int | None = None) -> None:
    """E-mail a dunning letter (at most once; a failure is retried by ``send_dunning``)."""
    from django.contrib.auth import get_user_model

    from apps.invoices.dunning import DunningNoAddress, dunning_letter_send_email

    letter = DunningLetter.objects.filter(pk=letter_id).first()
    if letter is None or letter.sent_at is not None:
        return
    actor = get_user_model().objects.filter(pk=actor_id).first() if actor_id else None
    try:
        dunning_letter_send_email(actor=actor, letter=letter)
    except DunningNoAddress:
        return  # the address was removed meanwhile: the letter stays for print


@task
def send_invoice_email(email_id: int) -> None:
    """Send a queued invoice e-mail (at most once; a failure is kept on the e-mail row)."""
    from apps.invoices.mailing import invoice_email_send

    email = InvoiceEmail.objects.filter(pk=email_id).first()
    if email is not None:
        invoice_email_send(email=email)
