import datetime
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command

from apps.invoices import services
from apps.invoices.dunning import default_interest, dunning_create, dunning_next, interest_rate
from apps.invoices.models import DunningLetter, Invoice
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
    assert first.pdf.name.endswith("-M1.pdf")
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
