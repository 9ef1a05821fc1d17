import dataclasses
import datetime
from decimal import Decimal
from io import StringIO

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.core.management import CommandError, call_command

from apps.audit.models import AuditAction, AuditEntry
from apps.crm.models import Customer
from apps.invoices import services
from apps.invoices.dunning import (
    _letter_figures,
    default_interest,
    dunning_create,
    dunning_letter_render_pdf,
    dunning_letter_send_email,
    dunning_next,
    interest_rate,
)
from apps.invoices.models import DunningLetter, Invoice
from apps.invoices.tasks import render_dunning_letter_pdf, send_dunning_letter
from tests.invoices.factories import ISSUE_DATE, company_ready, customer_ready, issued

pytestmark = pytest.mark.django_db

DUE = ISSUE_DATE + datetime.timedelta(days=14)  # 16.03.2026


@pytest.fixture(autouse=True)
def _company():
    company_ready(
        dunning_interest_enabled=True,
        dunning_b2b_flat_fee=True,
        base_interest_rate=Decimal("1.27"),
        base_interest_rate_valid_from=datetime.date(2025, 7, 1),
        dunning_grace_days=7,
        dunning_deadline_days=10,
        dunning_fee_level1=Decimal("0.00"),
        dunning_fee_level2=Decimal("5.00"),
        dunning_fee_level3=Decimal("10.00"),
    )


def test_interest_known_case_b2b_and_b2c():
    due, as_of = datetime.date(2026, 1, 31), datetime.date(2026, 3, 2)
    b2b = interest_rate(base_rate=Decimal("1.27"), b2b=True)
    b2c = interest_rate(base_rate=Decimal("1.27"), b2b=False)
    assert b2b == Decimal("10.27")
    assert b2c == Decimal("6.27")
    # 1000 × 10.27 % × 30 / 365 = 8.4410… → 8.44; 1000 × 6.27 % × 30 / 365 = 5.1534… → 5.15
    assert default_interest(amount=Decimal(1000), rate=b2b, due_date=due, as_of=as_of) == (
        30,
        Decimal("8.44"),
    )
    assert default_interest(amount=Decimal(1000), rate=b2c, due_date=due, as_of=as_of) == (
        30,
        Decimal("5.15"),
    )


def test_dunning_levels_fees_interest_and_flat_fee_exact():
    invoice = issued()  # 484.93 € due 16.03.2026, B2B
    assert dunning_next(invoice, today=DUE + datetime.timedelta(days=6)) is None  # grace
    day1 = DUE + datetime.timedelta(days=7)  # 23.03.2026: 7 days late
    first = dunning_create(actor=None, invoice=invoice, today=day1)
    assert first.level == 1
    # 484.93 × 10.27 % × 7 / 365 = 0.9551… → 0.96
    assert (first.interest_days, first.interest) == (7, Decimal("0.96"))
    assert first.flat_fee == Decimal("40.00")
    assert first.fee == Decimal("0.00")
    assert first.total_claim == Decimal("525.89")
    assert first.deadline == datetime.date(2026, 4, 2)
    assert not first.pdf  # rendered after commit by a task, not while the invoice is locked
    assert dunning_create(actor=None, invoice=invoice, today=first.deadline) is None
    day2 = first.deadline + datetime.timedelta(days=1)  # 03.04.2026: 18 days late
    second = dunning_create(actor=None, invoice=invoice, today=day2)
    assert second.level == 2
    # 484.93 × 10.27 % × 18 / 365 = 2.4559… → 2.46
    assert second.interest == Decimal("2.46")
    assert second.flat_fee == Decimal("0.00")  # once per claim
    assert second.total_claim == Decimal("484.93") + Decimal("2.46") + Decimal("5.00") + Decimal(
        "40.00"
    )
    third = dunning_create(
        actor=None, invoice=invoice, today=second.deadline + datetime.timedelta(days=1)
    )
    assert third.level == 3
    assert third.fee == Decimal("10.00")
    assert dunning_create(actor=None, invoice=invoice, today=datetime.date(2026, 12, 31)) is None
    assert DunningLetter.objects.filter(invoice=invoice).count() == 3


@pytest.mark.slow
def test_dunning_create_renders_the_pdf_after_commit(django_capture_on_commit_callbacks):
    invoice = issued()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        letter = dunning_create(actor=None, invoice=invoice, today=DUE + datetime.timedelta(days=7))
    assert len(callbacks) == 1
    letter.refresh_from_db()
    assert "/RE-2026-0001-M1" in letter.pdf.name  # the storage may add a suffix
    assert letter.pdf.read().startswith(b"%PDF")


def test_dunning_letter_pdf_shows_the_letters_own_figures():
    invoice = issued()
    day1 = DUE + datetime.timedelta(days=7)
    first = dunning_create(actor=None, invoice=invoice, today=day1)
    day2 = first.deadline + datetime.timedelta(days=1)
    proposal = dunning_next(invoice, today=day2)
    second = dunning_create(actor=None, invoice=invoice, today=day2)
    figures = _letter_figures(second)
    assert figures == dataclasses.replace(proposal, invoice=figures.invoice)
    assert figures.earlier_fees == Decimal("40.00")
    assert figures.total_claim == second.total_claim


@pytest.mark.slow
def test_dunning_letter_render_pdf_is_once():
    invoice = issued()
    letter = dunning_create(actor=None, invoice=invoice, today=DUE + datetime.timedelta(days=7))
    name = dunning_letter_render_pdf(letter=letter).pdf.name
    render_dunning_letter_pdf.enqueue(letter.pk)
    letter.refresh_from_db()
    assert letter.pdf.name == name


def test_consumers_pay_base_plus_5_and_no_flat_fee():
    customer = customer_ready(type="b2c")
    invoice = issued(customer=customer)
    letter = dunning_create(actor=None, invoice=invoice, today=DUE + datetime.timedelta(days=7))
    assert letter.interest_rate == Decimal("6.27")
    assert letter.flat_fee == Decimal("0.00")


def test_paid_invoice_gets_no_dunning():
    invoice = issued()
    services.payment_record(actor=None, invoice=invoice, amount="484.93", date=ISSUE_DATE)
    invoice.refresh_from_db()
    assert dunning_next(invoice, today=DUE + datetime.timedelta(days=30)) is None


def test_mark_overdue_command_is_idempotent():
    invoice = issued()
    issued_later = issued()
    Invoice.objects.filter(pk=issued_later.pk).update(due_date=datetime.date(2026, 12, 31))
    out = StringIO()
    call_command("mark_overdue_invoices", "--date", "2026-03-20", stdout=out)
    assert "1 invoice(s) newly flagged" in out.getvalue()
    invoice.refresh_from_db()
    assert invoice.overdue_since == datetime.date(2026, 3, 20)
    again = StringIO()
    call_command("mark_overdue_invoices", "--date", "2026-03-21", stdout=again)
    assert "0 invoice(s) newly flagged" in again.getvalue()
    invoice.refresh_from_db()
    assert invoice.overdue_since == datetime.date(2026, 3, 20)


def test_send_dunning_dry_run_then_create_is_idempotent():
    issued()
    dry = StringIO()
    call_command("send_dunning", "--dry-run", "--date", "2026-03-23", stdout=dry)
    assert "1 dunning letter(s) due" in dry.getvalue()
    assert not DunningLetter.objects.exists()
    call_command("send_dunning", "--date", "2026-03-23", stdout=StringIO())
    call_command("send_dunning", "--date", "2026-03-23", stdout=StringIO())
    assert DunningLetter.objects.count() == 1


# --- Dunning letters by e-mail ------------------------------------------------------------------

DAY1 = "2026-03-23"  # 7 days after the due date: level 1 (deadline 02.04.2026)
DAY2 = "2026-04-03"  # after the first deadline: level 2 (deadline 13.04.2026)
DAY3 = "2026-04-14"  # after the second deadline: level 3
ADDRESS = "buchhaltung@nordlicht.example"


def _run(*args):
    out = StringIO()
    call_command("send_dunning", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_send_dunning_emails_the_letter_pdf_to_the_invoice_address():
    issued()
    output = _run("--date", DAY1)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [ADDRESS]
    assert message.reply_to == ["rechnung@kitmate.example"]
    assert message.subject == "Zahlungserinnerung zur Rechnung RE-2026-0001 von Kitmate IT GmbH"
    assert "anbei erhalten Sie unsere Zahlungserinnerung zur Rechnung RE-2026-0001" in message.body
    assert "vom 02.03.2026" in message.body
    assert "525,89 EUR" in message.body
    assert "bis zum 02.04.2026" in message.body
    ((filename, content, mimetype),) = message.attachments
    assert (filename, mimetype) == ("RE-2026-0001-M1.pdf", "application/pdf")
    assert content.startswith(b"%PDF")
    letter = DunningLetter.objects.get()
    assert letter.sent_to == ADDRESS
    assert letter.sent_at is not None
    assert f"e-mailed to {ADDRESS}" in output
    assert "1 dunning letter(s) created, 1 e-mailed, 0 to print" in output


def test_send_dunning_email_is_audited():
    issued()
    _run("--date", DAY1)
    letter = DunningLetter.objects.get()
    (entry,) = AuditEntry.objects.for_object(letter).filter(action=AuditAction.EMAIL)
    assert entry.changes["to"]["new"] == [ADDRESS]
    assert entry.changes["subject"]["new"].startswith("Zahlungserinnerung")
    assert entry.message == f"Per E-Mail an {ADDRESS} versendet"


def test_send_dunning_rerun_sends_nothing():
    issued()
    _run("--date", DAY1)
    again = _run("--date", DAY1)
    later = _run("--date", "2026-03-30")  # before the deadline: nothing new is due
    assert len(mail.outbox) == 1
    assert "0 dunning letter(s) created, 0 e-mailed" in again
    assert "0 dunning letter(s) created, 0 e-mailed" in later
    assert AuditEntry.objects.filter(action=AuditAction.EMAIL).count() == 1


def test_send_dunning_sends_one_mail_per_level():
    issued()
    for day in (DAY1, DAY1, DAY2, DAY2, DAY3, DAY3, "2026-12-31"):
        _run("--date", day)
    assert [m.subject.split(" zur ")[0] for m in mail.outbox] == [
        "Zahlungserinnerung",
        "Mahnung",
        "Letzte Mahnung",
    ]
    assert [m.attachments[0][0] for m in mail.outbox] == [
        "RE-2026-0001-M1.pdf",
        "RE-2026-0001-M2.pdf",
        "RE-2026-0001-M3.pdf",
    ]
    assert not DunningLetter.objects.filter(sent_at__isnull=True).exists()


def test_send_dunning_dry_run_creates_and_sends_nothing():
    issued()
    output = _run("--dry-run", "--date", DAY1)
    assert not mail.outbox
    assert not DunningLetter.objects.exists()
    assert f"level 1, claim 525.89 EUR, e-mail to {ADDRESS} (dry run)" in output
    assert "1 dunning letter(s) due (1 to e-mail, 0 to print)" in output


def test_send_dunning_dry_run_lists_a_letter_not_yet_emailed_and_sends_nothing():
    invoice = issued()
    dunning_create(actor=None, invoice=invoice, today=datetime.date(2026, 3, 23))
    output = _run("--dry-run", "--date", DAY1)
    assert "not e-mailed yet, e-mail to" in output
    assert not mail.outbox
    assert DunningLetter.objects.get().sent_at is None


def test_send_dunning_reports_customers_without_email_for_print():
    issued(customer=customer_ready(email=""))
    output = _run("--date", DAY1)
    assert not mail.outbox
    letter = DunningLetter.objects.get()
    assert letter.pdf.read().startswith(b"%PDF")  # for print
    assert letter.sent_at is None
    assert "RE-2026-0001: level 1, claim 525.89 EUR, print: no e-mail address" in output
    assert "1 dunning letter(s) created, 0 e-mailed, 1 to print" in output
    assert "0 to print" in _run("--date", DAY1)  # reported once, when the letter is created


def test_send_dunning_retries_a_failed_mail_on_the_next_run(monkeypatch):
    issued()

    def refuse(self, messages):
        raise ConnectionRefusedError("mail server down")

    with monkeypatch.context() as patch:
        patch.setattr(EmailBackend, "send_messages", refuse)
        with pytest.raises(CommandError, match="1 e-mail"):
            _run("--date", DAY1)
    letter = DunningLetter.objects.get()
    assert letter.sent_at is None
    assert not AuditEntry.objects.filter(action=AuditAction.EMAIL).exists()
    output = _run("--date", "2026-03-24")
    assert "1 e-mailed" in output
    assert len(mail.outbox) == 1
    assert mail.outbox[0].attachments[0][0] == "RE-2026-0001-M1.pdf"


def test_send_dunning_never_mails_an_outdated_letter():
    customer = customer_ready(email="")
    invoice = issued(customer=customer)
    _run("--date", DAY1)  # level 1 for print
    Customer.objects.filter(pk=customer.pk).update(email=ADDRESS)
    _run("--date", DAY2)  # level 1's deadline has passed: level 2 is due and mailed
    assert [m.attachments[0][0] for m in mail.outbox] == ["RE-2026-0001-M2.pdf"]
    assert invoice.dunning_letters.get(level=1).sent_at is None


def test_send_dunning_does_not_mail_a_letter_of_a_paid_invoice():
    customer = customer_ready(email="")
    invoice = issued(customer=customer)
    _run("--date", DAY1)
    services.payment_record(actor=None, invoice=invoice, amount="484.93", date=ISSUE_DATE)
    Customer.objects.filter(pk=customer.pk).update(email=ADDRESS)
    _run("--date", "2026-03-24")
    assert not mail.outbox


def test_dunning_email_uses_the_invoice_language():
    invoice = issued(language="en")
    letter = dunning_create(actor=None, invoice=invoice, today=datetime.date(2026, 3, 23))
    assert dunning_letter_send_email(actor=None, letter=letter)
    message = mail.outbox[0]
    assert message.subject == "Payment reminder for invoice RE-2026-0001 from Kitmate IT GmbH"
    assert "The amount due is 525.89 EUR; please transfer it by 02.04.2026." in message.body


def test_dunning_letter_send_email_is_once_per_letter():
    invoice = issued()
    letter = dunning_create(actor=None, invoice=invoice, today=datetime.date(2026, 3, 23))
    assert dunning_letter_send_email(actor=None, letter=letter) is True
    assert dunning_letter_send_email(actor=None, letter=letter) is False
    send_dunning_letter.enqueue(letter.pk)
    assert len(mail.outbox) == 1


def test_send_dunning_letter_task_sends_once():
    invoice = issued()
    letter = dunning_create(actor=None, invoice=invoice, today=datetime.date(2026, 3, 23))
    send_dunning_letter.enqueue(letter.pk)
    send_dunning_letter.enqueue(letter.pk)
    assert len(mail.outbox) == 1
    letter.refresh_from_db()
    assert letter.sent_to == ADDRESS
