"""Overdue invoices and dunning (Mahnwesen): levels, fees, §288 BGB default interest.

* Level 1 Zahlungserinnerung ``dunning_grace_days`` after the due date; each further level once
  the previous letter's payment deadline has passed; at most one letter per level (constraint).
* Interest (optional): base rate + 9 percentage points for businesses (§ 288 (2) BGB), + 5 for
  consumers (§ 288 (1) BGB), per day (act/365) on the open amount, from the day after the due
  date (the invoice names a calendar due date, so default starts then, § 286 (2) Nr. 1 BGB).
* The 40 € flat fee (§ 288 (5) BGB) for businesses, once per claim (on the first letter).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from apps.audit.models import AuditAction
from apps.audit.services import audit_created, audit_record
from apps.company.models import CompanySettings
from apps.company.selectors import company_get
from apps.invoices.calculation import money
from apps.invoices.models import ZERO, DunningLetter, Invoice

B2B_INTEREST_POINTS = Decimal(9)
B2C_INTEREST_POINTS = Decimal(5)
B2B_FLAT_FEE = Decimal("40.00")
DAYS_PER_YEAR = Decimal(365)


def interest_rate(*, base_rate: Decimal, b2b: bool) -> Decimal:
    return Decimal(base_rate) + (B2B_INTEREST_POINTS if b2b else B2C_INTEREST_POINTS)


def default_interest(
    *, amount: Decimal, rate: Decimal, due_date: datetime.date, as_of: datetime.date
) -> tuple[int, Decimal]:
    """(days, interest): ``amount`` × rate % × days / 365, rounded half up to cents."""
    days = max((as_of - due_date).days, 0)
    return days, money(Decimal(amount) * Decimal(rate) / 100 * days / DAYS_PER_YEAR)


@dataclass(frozen=True)
class DunningProposal:
    invoice: Invoice
    level: int
    letter_date: datetime.date
    deadline: datetime.date
    open_amount: Decimal
    fee: Decimal
    flat_fee: Decimal
    interest_rate: Decimal
    interest_days: int
    interest: Decimal
    earlier_fees: Decimal

    @property
    def total_claim(self) -> Decimal:
        return self.open_amount + self.interest + self.fee + self.flat_fee + self.earlier_fees


def _is_b2b(invoice: Invoice) -> bool:
    return (invoice.buyer_data.get("type") or invoice.customer.type) == "b2b"


def dunning_next(
    invoice: Invoice, *, today: datetime.date | None = None, company: CompanySettings | None = None
) -> DunningProposal | None:
    """The letter that is due for ``invoice`` today, or None."""
    today = today or timezone.localdate()
    company = company or company_get()
    if invoice.open_amount <= 0 or invoice.due_date is None or invoice.due_date >= today:
        return None
    letters = sorted(invoice.dunning_letters.all(), key=lambda letter: letter.level)
    if letters:
        last = letters[-1]
        if last.level >= 3 or today <= last.deadline:
            return None
        level = last.level + 1
    else:
        if today < invoice.due_date + datetime.timedelta(days=company.dunning_grace_days):
            return None
        level = 1
    fee = {1: company.dunning_fee_level1, 2: company.dunning_fee_level2}.get(
        level, company.dunning_fee_level3
    )
    b2b = _is_b2b(invoice)
    rate, days, interest = ZERO, 0, ZERO
    if company.dunning_interest_enabled:
        rate = interest_rate(base_rate=company.base_interest_rate, b2b=b2b)
        days, interest = default_interest(
            amount=invoice.open_amount, rate=rate, due_date=invoice.due_date, as_of=today
        )
    flat_fee = (
        B2B_FLAT_FEE
        if company.dunning_b2b_flat_fee and b2b and not any(lt.flat_fee for lt in letters)
        else ZERO
    )
    earlier = sum((lt.fee + lt.flat_fee for lt in letters), ZERO)
    return DunningProposal(
        invoice=invoice,
        level=level,
        letter_date=today,
        deadline=today + datetime.timedelta(days=company.dunning_deadline_days),
        open_amount=invoice.open_amount,
        fee=money(fee),
        flat_fee=flat_fee,
        interest_rate=rate,
        interest_days=days,
        interest=interest,
        earlier_fees=earlier,
    )


def dunning_due(*, today: datetime.date | None = None) -> list[DunningProposal]:
    today = today or timezone.localdate()
    company = company_get()
    invoices = (
        Invoice.objects.overdue(today=today)
        .select_related("customer")
        .prefetch_related("dunning_letters")
        .order_by("due_date", "id")
    )
    return [p for inv in invoices if (p := dunning_next(inv, today=today, company=company))]


def dunning_create(
    *, actor: Any, invoice: Invoice, today: datetime.date | None = None
) -> DunningLetter | None:
    """Create (and render) the due letter for ``invoice``; None when nothing is due."""
    with transaction.atomic():
        invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
        proposal = dunning_next(invoice, today=today)
        if proposal is None:
            return None
        letter = DunningLetter.objects.create(
            invoice=invoice,
            level=proposal.level,
            letter_date=proposal.letter_date,
            deadline=proposal.deadline,
            open_amount=proposal.open_amount,
            fee=proposal.fee,
            flat_fee=proposal.flat_fee,
            interest_rate=proposal.interest_rate,
            interest_days=proposal.interest_days,
            interest=proposal.interest,
            total_claim=proposal.total_claim,
            created_by=actor if getattr(actor, "pk", None) else None,
        )
        audit_created(
            target=letter,
            fields=[
                "invoice",
                "level",
                "letter_date",
                "deadline",
                "fee",
                "interest",
                "total_claim",
            ],
            actor=actor,
        )
        audit_record(
            action=AuditAction.STATUS,
            target=invoice,
            actor=actor,
            message=_("%(level)s created") % {"level": letter.get_level_display()},
        )
        content = render_dunning_pdf(letter, proposal)
        letter.pdf.save(f"{invoice.number}-M{letter.level}.pdf", ContentFile(content), save=True)
    return letter


def render_dunning_pdf(letter: DunningLetter, proposal: DunningProposal) -> bytes:
    from apps.invoices.pdf import html_to_pdfa, static_url

    invoice = letter.invoice
    with translation.override(invoice.language):
        html = render_to_string(
            "invoices/pdf/dunning.html",
            {
                "letter": letter,
                "proposal": proposal,
                "invoice": invoice,
                "seller": invoice.seller_data,
                "buyer": invoice.buyer_data,
                "company": company_get(),
                "pdf_static_url": static_url(),
            },
        )
    return html_to_pdfa(html)


def mark_overdue(*, today: datetime.date | None = None) -> list[Invoice]:
    """Flag open invoices past due (once each) and remind the account manager."""
    today = today or timezone.localdate()
    flagged = []
    for invoice in Invoice.objects.overdue(today=today).filter(overdue_since__isnull=True):
        with transaction.atomic():
            locked = Invoice.objects.select_for_update().get(pk=invoice.pk)
            if locked.overdue_since is not None or locked.open_amount <= 0:
                continue
            locked.overdue_since = today
            locked.save(update_fields=["overdue_since", "updated_at"])
            audit_record(
                action=AuditAction.STATUS,
                target=locked,
                actor=None,
                changes={"overdue_since": {"old": None, "new": today.isoformat()}},
                message=_("Overdue since %(date)s") % {"date": f"{locked.due_date:%d.%m.%Y}"},
            )
            _remind_account_manager(locked, today=today)
        flagged.append(locked)
    return flagged


def _remind_account_manager(invoice: Invoice, *, today: datetime.date) -> None:
    """A follow-up reminder for the customer's account manager (once reminders exist)."""
    manager = invoice.customer.account_manager
    if manager is None:
        return
    try:
        from apps.reminders.services import reminder_create  # type: ignore[attr-defined]
    except ImportError:
        return
    reminder_create(
        owner=manager,
        target=invoice,
        due=today,
        title=_("Invoice %(number)s is overdue") % {"number": invoice.number},
        description=_("Due on %(date)s, open %(amount)s €.")
        % {"date": f"{invoice.due_date:%d.%m.%Y}", "amount": invoice.open_amount},
        priority="high",
        created_by=None,
        source_key=f"invoices:overdue:{invoice.pk}",
    )
