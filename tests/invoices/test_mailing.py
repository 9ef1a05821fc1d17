"""E-mailing issued documents: queued by the page, sent once by a task, failures kept."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.mail.backends.locmem import EmailBackend
from django.utils import timezone

from apps.audit.models import AuditAction, AuditEntry
from apps.invoices import mailing
from apps.invoices.models import InvoiceEmail, InvoiceEmailStatus
from apps.invoices.tasks import send_invoice_email
from tests.employees.factories import EmployeeFactory, role_named
from tests.invoices.factories import company_ready, draft, issued

pytestmark = pytest.mark.django_db

TO = ["kunde@example.com", "zweite@example.com"]


@pytest.fixture(autouse=True)
def _company():
    company_ready()


@pytest.fixture
def accountant(db):
    return EmployeeFactory(role=role_named("Buchhaltung"))


def _queue(invoice, actor=None, to=TO):
    return mailing.invoice_email_queue(
        actor=actor, invoice=invoice, to=to, subject="Rechnung", body="Hallo"
    )


def _refuse(self, messages):
    raise ConnectionRefusedError("mail server down")


@pytest.mark.slow
def test_invoice_email_queue_sends_after_commit_with_pdf_and_xml(
    accountant, django_capture_on_commit_callbacks
):
    invoice = issued()  # on_commit did not run: the PDF is rendered for the e-mail
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        email = _queue(invoice, accountant)
    assert len(callbacks) == 1
    (message,) = mail.outbox
    assert message.to == TO
    assert (message.subject, message.body) == ("Rechnung", "Hallo")
    assert [a.filename for a in message.attachments] == [
        "RE-2026-0001.pdf",
        "RE-2026-0001-xrechnung.xml",
    ]
    assert message.attachments[0].content.startswith(b"%PDF")
    email.refresh_from_db()
    invoice.refresh_from_db()
    assert email.status == InvoiceEmailStatus.SENT
    assert invoice.sent_at == email.sent_at
    assert invoice.pdf_ready


@pytest.mark.slow
def test_invoice_email_is_audited_in_the_requesters_name_when_sent(
    accountant, django_capture_on_commit_callbacks
):
    invoice = issued()
    email = _queue(invoice, accountant)
    assert not AuditEntry.objects.filter(action=AuditAction.EMAIL).exists()  # not sent yet
    mailing.invoice_email_send(email=email)
    entry = AuditEntry.objects.for_object(invoice).get(action=AuditAction.EMAIL)
    assert entry.actor == accountant
    assert entry.changes["to"]["new"] == TO


def test_invoice_email_queue_stores_and_sends_nothing_before_commit():
    invoice = issued()
    email = _queue(invoice)
    assert email.status == InvoiceEmailStatus.QUEUED
    assert not mail.outbox
    invoice.refresh_from_db()
    assert invoice.sent_at is None


def test_invoice_email_queue_refuses_a_second_while_one_waits():
    invoice = issued()
    _queue(invoice)
    with pytest.raises(mailing.InvoiceEmailPending):
        _queue(invoice)
    assert InvoiceEmail.objects.count() == 1


def test_invoice_email_queue_refuses_a_draft_and_no_recipient():
    with pytest.raises(ValidationError):
        _queue(draft())
    with pytest.raises(ValidationError):
        _queue(issued(), to=[" "])
    assert not InvoiceEmail.objects.exists()


@pytest.mark.slow
def test_invoice_email_send_is_once():
    invoice = issued()
    email = _queue(invoice)
    assert mailing.invoice_email_send(email=email) is True
    assert mailing.invoice_email_send(email=email) is False
    send_invoice_email.enqueue(email.pk)
    assert len(mail.outbox) == 1
    assert AuditEntry.objects.filter(action=AuditAction.EMAIL).count() == 1


@pytest.mark.slow
def test_invoice_email_failure_is_kept_and_can_be_queued_again(
    monkeypatch, django_capture_on_commit_callbacks
):
    invoice = issued()
    email = _queue(invoice)
    with monkeypatch.context() as patch:
        patch.setattr(EmailBackend, "send_messages", _refuse)
        assert mailing.invoice_email_send(email=email) is False
    email.refresh_from_db()
    invoice.refresh_from_db()
    assert email.status == InvoiceEmailStatus.FAILED
    assert email.error == "mail server down"
    assert email.failed_at is not None
    assert invoice.sent_at is None
    assert not AuditEntry.objects.filter(action=AuditAction.EMAIL).exists()
    with django_capture_on_commit_callbacks(execute=True):
        mailing.invoice_email_retry(actor=None, email=email)
    email.refresh_from_db()
    assert email.status == InvoiceEmailStatus.SENT
    assert len(mail.outbox) == 1


def test_invoice_email_failure_of_the_pdf_is_kept(monkeypatch):
    invoice = issued()
    email = _queue(invoice)

    def broken(invoice):
        raise RuntimeError("WeasyPrint crashed")

    monkeypatch.setattr("apps.invoices.pdf.render_invoice_pdf_bytes", broken)
    assert mailing.invoice_email_send(email=email) is False
    email.refresh_from_db()
    assert (email.status, email.error) == (InvoiceEmailStatus.FAILED, "WeasyPrint crashed")
    assert not mail.outbox


def test_invoice_email_retry_refuses_a_fresh_queued_or_sent_email():
    invoice = issued()
    email = _queue(invoice)
    with pytest.raises(mailing.InvoiceEmailPending):
        mailing.invoice_email_retry(actor=None, email=email)
    InvoiceEmail.objects.filter(pk=email.pk).update(
        status=InvoiceEmailStatus.SENT, sent_at=timezone.now()
    )
    with pytest.raises(ValidationError):
        mailing.invoice_email_retry(actor=None, email=email)


def test_invoice_email_retry_queues_a_stale_email_again(django_capture_on_commit_callbacks):
    invoice = issued()
    email = _queue(invoice)
    InvoiceEmail.objects.filter(pk=email.pk).update(
        queued_at=timezone.now() - mailing.STALE_AFTER - datetime.timedelta(seconds=1)
    )
    email.refresh_from_db()
    assert mailing.invoice_email_is_stale(email)
    with django_capture_on_commit_callbacks() as callbacks:
        mailing.invoice_email_retry(actor=None, email=email)
    assert len(callbacks) == 1
    email.refresh_from_db()
    assert not mailing.invoice_email_is_stale(email)
