"""E-mailing issued documents to the customer, off the request.

The page calls ``invoice_email_queue``: it stores the e-mail (recipients, subject, text) as an
``InvoiceEmail`` and, after commit, queues the ``send_invoice_email`` task. The task calls
``invoice_email_send``, which renders the PDF if it is still missing and sends the e-mail at most
once: the row stays locked while the mail goes out and is only sent while ``queued``, so a double
click, a re-run or a second worker finds it ``sent`` (as the dunning letters do). The sending is
audited when it happens, in the requester's name. A failure (mail server down, PDF rendering
failed) is kept on the row with its error text and shown on the invoice, where it can be queued
again (``invoice_email_retry``); so can an e-mail whose task was lost (queued for longer than
``STALE_AFTER``). Should the database fail after the mail server accepted the mail, the e-mail
counts as unsent and a retry sends it again.
"""

from __future__ import annotations

import datetime
import logging
from typing import Any

from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from apps.audit.models import AuditAction
from apps.audit.services import audit_record
from apps.common.stale import is_stale
from apps.company.selectors import company_get
from apps.invoices.models import Invoice, InvoiceEmail, InvoiceEmailStatus, InvoiceStatus

logger = logging.getLogger(__name__)

# A queued e-mail not sent after this long lost its task (worker restarted, queue cleared): the
# invoice page offers to queue it again.
STALE_AFTER = datetime.timedelta(minutes=5)


class InvoiceEmailPending(ValidationError):
    """An e-mail of this document is already waiting to be sent."""


def email_defaults(invoice: Invoice) -> dict[str, str]:
    """Subject and text of the e-mail, in the document's language."""
    with translation.override(invoice.language):
        kind = invoice.get_document_type_display()
        seller = invoice.seller_data.get("full_name") or company_get().full_name
        subject = _("%(kind)s %(number)s from %(seller)s") % {
            "kind": kind.capitalize(),
            "number": invoice.number,
            "seller": seller,
        }
        body = _(
            "Dear Sir or Madam,\n\nplease find attached our %(kind)s %(number)s "
            "dated %(date)s for %(total)s EUR.\nThe attached PDF contains the structured "
            "e-invoice (ZUGFeRD/Factur-X); the XRechnung XML is attached as well.\n\n"
            "Kind regards\n%(seller)s"
        ) % {
            "kind": kind,
            "number": invoice.number,
            "date": invoice.issue_date.strftime("%d.%m.%Y") if invoice.issue_date else "",
            "total": f"{invoice.gross_total:.2f}".replace(".", ","),
            "seller": seller,
        }
    return {"to": invoice.customer.email, "subject": str(subject), "body": str(body)}


def invoice_email_latest(invoice: Invoice) -> InvoiceEmail | None:
    """The document's most recent e-mail (what the invoice page shows), or None."""
    return invoice.emails.order_by("-created_at", "-id").first()


def invoice_email_is_stale(email: InvoiceEmail, *, now: datetime.datetime | None = None) -> bool:
    return email.status == InvoiceEmailStatus.QUEUED and is_stale(
        email.queued_at, after=STALE_AFTER, now=now
    )


def _pending_error() -> InvoiceEmailPending:
    return InvoiceEmailPending(
        _("An e-mail of this document is already being sent."), code="pending"
    )


def invoice_email_queue(
    *, actor: Any, invoice: Invoice, to: list[str], subject: str, body: str
) -> InvoiceEmail:
    """Store the e-mail and queue its sending after commit. Raises ``InvoiceEmailPending`` while
    another e-mail of the document waits (a double click), ValidationError for a draft or no
    recipient."""
    recipients = [address.strip() for address in to if address.strip()]
    if not recipients:
        raise ValidationError({"to": _("Enter at least one e-mail address.")})
    with transaction.atomic():
        invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
        if invoice.status == InvoiceStatus.DRAFT:
            raise ValidationError(_("Issue the document before sending it."), code="draft")
        if invoice.emails.filter(status=InvoiceEmailStatus.QUEUED).exists():
            raise _pending_error()
        try:
            with transaction.atomic():
                email = InvoiceEmail.objects.create(
                    invoice=invoice,
                    to=recipients,
                    subject=subject,
                    body=body,
                    requested_by=actor if getattr(actor, "pk", None) else None,
                )
        except IntegrityError:  # the constraint caught what the check above raced with
            raise _pending_error() from None
        _enqueue_after_commit(email.pk)
    return email


def invoice_email_retry(*, actor: Any, email: InvoiceEmail) -> InvoiceEmail:
    """Queue a failed e-mail again, or one whose task was lost (queued for too long)."""
    with transaction.atomic():
        email = InvoiceEmail.objects.select_for_update().get(pk=email.pk)
        if email.status == InvoiceEmailStatus.SENT:
            raise ValidationError(_("This e-mail has been sent already."), code="sent")
        if email.status == InvoiceEmailStatus.QUEUED and not invoice_email_is_stale(email):
            raise _pending_error()
        if (
            email.status == InvoiceEmailStatus.FAILED
            and email.invoice.emails.filter(status=InvoiceEmailStatus.QUEUED).exists()
        ):
            raise _pending_error()
        email.status = InvoiceEmailStatus.QUEUED
        email.queued_at = timezone.now()
        email.requested_by = actor if getattr(actor, "pk", None) else email.requested_by
        email.save(update_fields=["status", "queued_at", "requested_by", "updated_at"])
        _enqueue_after_commit(email.pk)
    return email


def _enqueue_after_commit(email_id: int) -> None:
    def enqueue() -> None:
        from apps.invoices.tasks import send_invoice_email

        send_invoice_email.enqueue(email_id)

    transaction.on_commit(enqueue)


def _mark_failed(email_id: int, error: Exception) -> None:
    InvoiceEmail.objects.filter(pk=email_id, status=InvoiceEmailStatus.QUEUED).update(
        status=InvoiceEmailStatus.FAILED,
        failed_at=timezone.now(),
        error=(str(error) or error.__class__.__name__)[:1000],
        updated_at=timezone.now(),
    )


def _message(email: InvoiceEmail, invoice: Invoice) -> EmailMessage:
    company = company_get()
    message = EmailMessage(
        subject=email.subject,
        body=email.body,
        from_email=company.email_sender or None,
        to=list(email.to),
        reply_to=[company.email] if company.email else None,
    )
    with invoice.pdf.open("rb") as handle:
        message.attach(f"{invoice.number}.pdf", handle.read(), "application/pdf")
    if invoice.xrechnung_xml:
        message.attach(
            f"{invoice.number}-xrechnung.xml", invoice.xrechnung_xml.encode(), "application/xml"
        )
    return message


def invoice_email_send(*, email: InvoiceEmail) -> bool:
    """Send a queued e-mail (the task's work): True when it went out now, False when it was sent
    already, is no longer queued, or failed (the failure is kept on the row)."""
    from apps.invoices.services import invoice_render_pdf

    invoice = Invoice.objects.get(pk=email.invoice_id)
    if not invoice.pdf:
        try:
            invoice_render_pdf(invoice=invoice)
        except Exception as error:  # kept on the row and shown on the invoice
            logger.exception("Rendering the PDF of invoice %s for its e-mail failed", invoice.pk)
            _mark_failed(email.pk, error)
            return False
    with transaction.atomic():
        email = (
            InvoiceEmail.objects.select_for_update(of=("self",))
            .select_related("invoice", "requested_by")
            .get(pk=email.pk)
        )
        if email.status != InvoiceEmailStatus.QUEUED:
            return False
        invoice = email.invoice
        try:
            _message(email, invoice).send()
        except Exception as error:  # mail server down, refused recipient: kept and shown
            logger.warning("E-mail %s of invoice %s failed: %s", email.pk, invoice.pk, error)
            _mark_failed(email.pk, error)
            return False
        now = timezone.now()
        email.status = InvoiceEmailStatus.SENT
        email.sent_at = now
        email.error = ""
        email.save(update_fields=["status", "sent_at", "error", "updated_at"])
        Invoice.objects.filter(pk=invoice.pk).update(sent_at=now, updated_at=now)
        audit_record(
            action=AuditAction.EMAIL,
            target=invoice,
            actor=email.requested_by,
            changes={
                "to": {"old": None, "new": list(email.to)},
                "subject": {"old": None, "new": email.subject},
                "sent_at": {"old": None, "new": now.isoformat()},
            },
            message=_("Sent by e-mail to %(to)s") % {"to": email.recipients},
        )
    return True
