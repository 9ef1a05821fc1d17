"""Overdue invoices and dunning (Mahnwesen): levels, fees, §288 BGB default interest.

* Level 1 Zahlungserinnerung ``dunning_grace_days`` after the due date; each further level once
  the previous letter's payment deadline has passed; at most one letter per level (constraint).
* Interest (optional): base rate + 9 percentage points for businesses (§ 288 (2) BGB), + 5 for
  consumers (§ 288 (1) BGB), per day (act/365) on the open amount, from the day after the due
  date (the invoice names a calendar due date, so default starts then, § 286 (2) Nr. 1 BGB).
* The 40 € flat fee (§ 288 (5) BGB) for businesses, once per claim (on the first letter).
* Delivery: each letter is e-mailed (PDF attached) to the customer's invoice address at most
  once - so once per level - and audited; a customer without an e-mail address gets the letter
  on paper (the PDF stays for print). ``manage.py send_dunning`` sends in the cron run itself;
  the page's action queues a task, so no mail server is waited for in the request.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.template.loader import render_to_string
from django.utils import formats, timezone, translation
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from apps.audit.models import AuditAction
from apps.audit.services import audit_created, audit_record
from apps.company.models import CompanySettings
from apps.company.selectors import company_get
from apps.invoices.calculation import money
from apps.invoices.models import OPEN_STATUSES, ZERO, DocumentType, DunningLetter, Invoice

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
    """Create the due letter for ``invoice``; None when nothing is due. Its PDF is rendered after
    commit by a task (``render_dunning_letter_pdf``), not while the invoice row is locked."""
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
        letter_id = letter.pk
        transaction.on_commit(lambda: _enqueue_render(letter_id))
    return letter


def _enqueue_render(letter_id: int) -> None:
    from apps.invoices.tasks import render_dunning_letter_pdf

    render_dunning_letter_pdf.enqueue(letter_id)


def _letter_figures(letter: DunningLetter) -> DunningProposal:
    """The letter's own figures (as of its date) in the shape the PDF template reads."""
    earlier = letter.total_claim - (
        letter.open_amount + letter.interest + letter.fee + letter.flat_fee
    )
    return DunningProposal(
        invoice=letter.invoice,
        level=letter.level,
        letter_date=letter.letter_date,
        deadline=letter.deadline,
        open_amount=letter.open_amount,
        fee=letter.fee,
        flat_fee=letter.flat_fee,
        interest_rate=letter.interest_rate,
        interest_days=letter.interest_days,
        interest=letter.interest,
        earlier_fees=earlier,
    )


def _render_into(letter: DunningLetter) -> None:
    """Render and store the PDF of a letter whose row the caller has locked."""
    content = render_dunning_pdf(letter)
    letter.pdf.save(
        f"{letter.invoice.number}-M{letter.level}.pdf", ContentFile(content), save=False
    )
    letter.save(update_fields=["pdf", "updated_at"])


def dunning_letter_render_pdf(*, letter: DunningLetter) -> DunningLetter:
    """Render the letter's PDF once (the task's work; the download and the e-mail fall back to
    it when the task has not run yet). A parallel call waits for the lock and finds it done."""
    with transaction.atomic():
        letter = (
            DunningLetter.objects.select_for_update().select_related("invoice").get(pk=letter.pk)
        )
        if not letter.pdf:
            _render_into(letter)
    return letter


def render_dunning_pdf(letter: DunningLetter) -> bytes:
    from apps.invoices.pdf import html_to_pdfa, static_url

    invoice = letter.invoice
    proposal = _letter_figures(letter)
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


# --- Delivery by e-mail -------------------------------------------------------------------------


class DunningNoAddress(ValidationError):
    """The customer has no e-mail address: the letter is left for print."""


def dunning_recipient(invoice: Invoice) -> str:
    """The customer's invoice e-mail address (the one invoices are sent to), or ""."""
    return (invoice.customer.email or "").strip()


def dunning_email_text(letter: DunningLetter) -> tuple[str, str]:
    """Subject and text of the e-mail, in the invoice's language (as the letter itself)."""
    invoice = letter.invoice
    with translation.override(invoice.language):
        seller = invoice.seller_data.get("full_name") or company_get().full_name
        level = str(letter.get_level_display())
        subject = _("%(level)s for invoice %(number)s from %(seller)s") % {
            "level": capfirst(level),
            "number": invoice.number,
            "seller": seller,
        }
        body = _(
            "Dear Sir or Madam,\n\nplease find attached our %(level)s for invoice %(number)s "
            "dated %(date)s.\nThe amount due is %(total)s EUR; please transfer it by "
            "%(deadline)s.\n\nIf you have already paid, please disregard this e-mail.\n\n"
            "Kind regards\n%(seller)s"
        ) % {
            "level": level,
            "number": invoice.number,
            "date": f"{invoice.issue_date:%d.%m.%Y}" if invoice.issue_date else "",
            "total": formats.number_format(letter.total_claim, 2, force_grouping=True),
            "deadline": f"{letter.deadline:%d.%m.%Y}",
            "seller": seller,
        }
    return str(subject), str(body)


def dunning_letter_send_email(*, actor: Any, letter: DunningLetter) -> bool:
    """E-mail the letter's PDF to the customer's invoice address, audited.

    At most once per letter, so once per dunning level: the letter's row stays locked while the
    mail goes out, so a parallel run (the command, a queued task) waits and then finds
    ``sent_at`` set. False when it had been e-mailed already. Should the database fail after
    the mail server accepted the mail, the letter counts as unsent and a re-run mails it again.
    Raises ``DunningNoAddress`` when the customer has no e-mail address.
    """
    with transaction.atomic():
        letter = DunningLetter.objects.select_for_update().get(pk=letter.pk)
        if letter.sent_at is not None:
            return False
        invoice = Invoice.objects.select_related("customer").get(pk=letter.invoice_id)
        letter.invoice = invoice
        to = dunning_recipient(invoice)
        if not to:
            raise DunningNoAddress(
                _("The customer has no e-mail address: print the letter and send it by post."),
                code="no_address",
            )
        if not letter.pdf:  # its rendering task has not run yet
            _render_into(letter)
        subject, body = dunning_email_text(letter)
        company = company_get()
        message = EmailMessage(
            subject=subject,
            body=body,
            from_email=company.email_sender or None,
            to=[to],
            reply_to=[company.email] if company.email else None,
        )
        with letter.pdf.open("rb") as handle:
            message.attach(
                f"{invoice.number}-M{letter.level}.pdf", handle.read(), "application/pdf"
            )
        message.send()
        letter.sent_at = timezone.now()
        letter.sent_to = to
        letter.save(update_fields=["sent_at", "sent_to", "updated_at"])
        audit_record(
            action=AuditAction.EMAIL,
            target=letter,
            actor=actor,
            changes={
                "to": {"old": None, "new": [to]},
                "subject": {"old": None, "new": subject},
                "sent_at": {"old": None, "new": letter.sent_at.isoformat()},
            },
            message=_("Sent by e-mail to %(to)s") % {"to": to},
        )
    return True


def dunning_letter_queue_email(*, actor: Any, letter: DunningLetter) -> str:
    """Queue the e-mail of a new letter after commit (a task: no mail server is waited for in
    the request). Returns the address, or "" when the customer has none (left for print)."""
    to = dunning_recipient(letter.invoice)
    if to and letter.sent_at is None:
        letter_id, actor_id = letter.pk, getattr(actor, "pk", None)
        transaction.on_commit(lambda: _enqueue_send(letter_id, actor_id))
    return to


def _enqueue_send(letter_id: int, actor_id: int | None) -> None:
    from apps.invoices.tasks import send_dunning_letter

    send_dunning_letter.enqueue(letter_id, actor_id)


def dunning_letters_unsent(*, today: datetime.date | None = None) -> QuerySet[DunningLetter]:
    """Current letters not e-mailed yet: the invoice's latest letter, its deadline not passed,
    the invoice still open. An outdated letter is never mailed late."""
    today = today or timezone.localdate()
    later = DunningLetter.objects.filter(invoice=OuterRef("invoice"), level__gt=OuterRef("level"))
    return DunningLetter.objects.filter(
        sent_at__isnull=True,
        deadline__gte=today,
        invoice__document_type=DocumentType.INVOICE,
        invoice__status__in=OPEN_STATUSES,
    ).exclude(Exists(later))


def dunning_letters_to_email(*, today: datetime.date | None = None) -> list[DunningLetter]:
    """The unsent current letters of customers with an e-mail address: so a re-run retries a
    failed mail, and a letter the page created goes out even if its task was lost."""
    return list(
        dunning_letters_unsent(today=today)
        .exclude(invoice__customer__email="")
        .select_related("invoice__customer")
        .order_by("letter_date", "id")
    )


# --- Overdue ------------------------------------------------------------------------------------


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
