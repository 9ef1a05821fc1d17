"""Invoice state changes: drafts, lines, issuing (numbers, freeze, lock), cancellation, payments,
marking as sent (e-mailing lives in apps.invoices.mailing). Every change is audited; issued
documents refuse every change except internal notes."""

from __future__ import annotations

import contextlib
import datetime
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.audit.models import AuditAction
from apps.audit.services import audit_changed, audit_created, audit_record, snapshot
from apps.common.sequences import format_number, next_value
from apps.company.models import CompanySettings
from apps.company.selectors import company_get
from apps.crm.models import Customer
from apps.invoices import calculation
from apps.invoices.models import (
    LINE_CATEGORIES,
    OPEN_STATUSES,
    ZERO,
    DocumentType,
    Invoice,
    InvoiceLine,
    InvoiceStatus,
    Payment,
    VatCategory,
)

INVOICE_FIELDS = [
    "document_type",
    "number",
    "customer",
    "project",
    "status",
    "language",
    "issue_date",
    "service_date",
    "service_period_start",
    "service_period_end",
    "due_date",
    "subject",
    "header_text",
    "footer_text",
    "notes",
    "buyer_reference",
    "net_total",
    "vat_total",
    "gross_total",
    "paid_total",
]
DRAFT_EDITABLE = {
    "customer",
    "project",
    "language",
    "issue_date",
    "service_date",
    "service_period_start",
    "service_period_end",
    "due_date",
    "subject",
    "header_text",
    "footer_text",
    "notes",
    "buyer_reference",
}
LINE_FIELDS = [
    "position",
    "description",
    "quantity",
    "unit",
    "unit_price",
    "discount_percent",
    "vat_rate",
    "vat_category",
    "line_net",
]
LINE_EDITABLE = {
    "description",
    "quantity",
    "unit",
    "unit_price",
    "discount_percent",
    "vat_rate",
    "vat_category",
}
STANDARD_RATES = (Decimal("19.00"), Decimal("7.00"))
SEQUENCE_KEYS = {
    DocumentType.INVOICE: "invoice",
    DocumentType.QUOTE: "quote",
    DocumentType.CANCELLATION: "cancellation",
}


class InvoiceLocked(ValidationError):
    """The document is issued: GoBD forbids changing it."""


class InvoiceIncomplete(ValidationError):
    """Issuing refused; ``self.messages`` lists what is missing."""


def _locked_error() -> InvoiceLocked:
    return InvoiceLocked(
        _("This document has been issued and can no longer be changed (GoBD)."), code="locked"
    )


def _lock(invoice: Invoice) -> Invoice:
    return Invoice.objects.select_for_update().get(pk=invoice.pk)


def _require_draft(invoice: Invoice) -> None:
    if invoice.status != InvoiceStatus.DRAFT:
        raise _locked_error()


# --- Defaults and frozen data -------------------------------------------------------------------


def default_vat(
    *, customer: Customer, company: CompanySettings | None = None
) -> tuple[str, Decimal]:
    """The VAT category and rate a new line gets for this customer.

    The company's supplies are services. A business customer outside the EU: the place of
    supply is its seat (§ 3a (2) UStG), not taxable in Germany, category O. A consumer outside
    the EU: the general rule (§ 3a (1) UStG, place of the supplier) gives German VAT; catalogue
    services such as consulting, data processing or software (§ 3a (4) UStG) are not taxable
    in Germany either, which the user chooses per line (O) - the default stays on the safe side.
    """
    company = company or company_get()
    if company.small_business:
        return VatCategory.EXEMPT, ZERO
    if customer.vat_treatment == Customer.VatTreatment.EU_REVERSE_CHARGE:
        return VatCategory.REVERSE_CHARGE, ZERO
    if (
        customer.vat_treatment == Customer.VatTreatment.THIRD_COUNTRY
        and customer.type == Customer.Type.B2B
    ):
        return VatCategory.NOT_SUBJECT, ZERO
    return VatCategory.STANDARD, Decimal(company.default_vat_rate).quantize(calculation.CENT)


def payment_terms_days(*, customer: Customer, company: CompanySettings) -> int:
    if customer.payment_terms_days is not None:
        return int(customer.payment_terms_days)
    return int(company.payment_terms_days)


def seller_snapshot(company: CompanySettings) -> dict[str, Any]:
    return {
        "name": company.name,
        "full_name": company.full_name,
        "legal_form": company.legal_form,
        "street": company.street,
        "zip_code": company.zip_code,
        "city": company.city,
        "country": company.country or "DE",
        "phone": company.phone,
        "email": company.email,
        "website": company.website,
        "tax_number": company.tax_number,
        "vat_id": company.vat_id,
        "register_court": company.register_court,
        "register_number": company.register_number,
        "managing_directors": company.managing_directors,
        "bank_name": company.bank_name,
        "iban": company.iban.replace(" ", "").upper(),
        "bic": company.bic.replace(" ", "").upper(),
        "small_business": company.small_business,
    }


def buyer_snapshot(customer: Customer) -> dict[str, Any]:
    return {
        "number": customer.number,
        "name": customer.name,
        "type": customer.type,
        "street": customer.street,
        "zip_code": customer.zip_code,
        "city": customer.city,
        "country": customer.country or "DE",
        "email": customer.email,
        "vat_id": customer.vat_id,
        "tax_number": customer.tax_number,
        "leitweg_id": customer.leitweg_id,
        "vat_treatment": customer.vat_treatment,
    }


# --- Totals -------------------------------------------------------------------------------------


def invoice_totals(invoice: Invoice) -> calculation.Totals:
    """The calculation over the invoice's lines (uses a prefetched ``lines`` if present)."""
    return calculation.calculate(invoice.lines.all())


def _store_totals(invoice: Invoice) -> calculation.Totals:
    lines = list(invoice.lines.order_by("position", "id"))
    totals = calculation.calculate(lines)
    for line, result in zip(lines, totals.lines, strict=True):
        if line.line_net != result.net:
            line.line_net = result.net
            line.save(update_fields=["line_net"])
    invoice.net_total, invoice.vat_total, invoice.gross_total = (
        totals.net,
        totals.vat,
        totals.gross,
    )
    Invoice.objects.filter(pk=invoice.pk).update(
        net_total=totals.net, vat_total=totals.vat, gross_total=totals.gross
    )
    return totals


# --- Drafts -------------------------------------------------------------------------------------


def _check_dates(invoice: Invoice) -> None:
    errors: dict[str, str] = {}
    if invoice.issue_date and invoice.due_date and invoice.due_date < invoice.issue_date:
        errors["due_date"] = _("The due date cannot be before the issue date.")
    if (
        invoice.service_period_start
        and invoice.service_period_end
        and invoice.service_period_end < invoice.service_period_start
    ):
        errors["service_period_end"] = _("The service period cannot end before it starts.")
    if bool(invoice.service_period_start) != bool(invoice.service_period_end):
        errors["service_period_end"] = _("Give both the start and the end of the service period.")
    if invoice.project_id and invoice.project.customer_id not in (None, invoice.customer_id):
        errors["project"] = _("The project belongs to another customer.")
    if errors:
        raise ValidationError(errors)


def invoice_header_check(invoice: Invoice) -> None:
    """Raise the ValidationError invoice_create/invoice_update would raise for this draft's header
    (dates, project of another customer), before saving: for forms that show the errors at the
    fields (the admin)."""
    _check_dates(invoice)


@transaction.atomic
def invoice_create(
    *,
    actor: Any,
    customer: Customer,
    document_type: str = DocumentType.INVOICE,
    lines: Iterable[Mapping[str, Any]] = (),
    **fields: Any,
) -> Invoice:
    if document_type not in (DocumentType.INVOICE, DocumentType.QUOTE):
        raise ValidationError(_("Cancellation invoices are created by cancelling an invoice."))
    unknown = set(fields) - DRAFT_EDITABLE
    if unknown:
        raise TypeError(f"invoice_create() got unknown fields: {sorted(unknown)}")
    invoice = Invoice(
        document_type=document_type,
        customer=customer,
        created_by=actor if getattr(actor, "pk", None) else None,
        **fields,
    )
    _check_dates(invoice)
    invoice.save(force_insert=True)
    for values in lines:
        _line_add(invoice=invoice, **values)
    _store_totals(invoice)
    audit_created(target=invoice, fields=INVOICE_FIELDS, actor=actor)
    return invoice


@transaction.atomic
def invoice_update(*, actor: Any, invoice: Invoice, **fields: Any) -> Invoice:
    """Change a draft's header fields. Issued documents: only ``notes`` (internal) may change."""
    unknown = set(fields) - DRAFT_EDITABLE
    if unknown:
        raise TypeError(f"invoice_update() got unknown fields: {sorted(unknown)}")
    invoice = _lock(invoice)
    if set(fields) - {"notes"}:
        _require_draft(invoice)
    before = snapshot(invoice, INVOICE_FIELDS)
    for name, value in fields.items():
        setattr(invoice, name, value)
    _check_dates(invoice)
    invoice.save()
    audit_changed(target=invoice, before=before, actor=actor)
    return invoice


def invoice_notes_update(*, actor: Any, invoice: Invoice, notes: str) -> Invoice:
    """Internal notes are the one thing that stays editable after issuing."""
    return invoice_update(actor=actor, invoice=invoice, notes=notes)


def _clean_line_values(values: Mapping[str, Any], *, allow_negative: bool = False) -> dict:
    unknown = set(values) - LINE_EDITABLE
    if unknown:
        raise TypeError(f"unknown line fields: {sorted(unknown)}")
    errors: dict[str, str] = {}
    cleaned = dict(values)
    for name in ("quantity", "unit_price", "discount_percent", "vat_rate"):
        if name in cleaned and cleaned[name] is not None:
            try:
                cleaned[name] = Decimal(str(cleaned[name]))
            except (InvalidOperation, ValueError):
                errors[name] = _("Enter a number.")
    if errors:
        raise ValidationError(errors)
    if not str(cleaned.get("description", "x")).strip():
        errors["description"] = _("Enter a description.")
    quantity = cleaned.get("quantity")
    if quantity is not None and (quantity == 0 or (quantity < 0 and not allow_negative)):
        errors["quantity"] = _("The quantity must be greater than zero.")
    if (price := cleaned.get("unit_price")) is not None and price < 0:
        errors["unit_price"] = _("The unit price cannot be negative.")
    discount = cleaned.get("discount_percent")
    if discount is not None and not ZERO <= discount <= 100:
        errors["discount_percent"] = _("The discount must be between 0 and 100 %.")
    if errors:
        raise ValidationError(errors)
    return cleaned


def _legacy_export_error() -> str:
    return _(
        "The category 'export (G)' is for exports of goods; WorkmateOS bills services. For a "
        "customer outside the EU choose 'not taxable in Germany (§ 3a UStG)'."
    )


def _check_line_vat(line: InvoiceLine) -> None:
    if line.vat_category not in LINE_CATEGORIES:
        message = (
            _legacy_export_error()
            if line.vat_category == VatCategory.EXPORT
            else _("Choose a VAT category.")
        )
        raise ValidationError({"vat_category": message}, code="vat_category")
    if line.vat_category == VatCategory.STANDARD:
        if line.vat_rate not in STANDARD_RATES:
            raise ValidationError({"vat_rate": _("The standard category needs 19 % or 7 %.")})
    elif line.vat_rate != 0:
        raise ValidationError(
            {"vat_rate": _("Reverse charge, exempt and non-taxable lines carry 0 % VAT.")}
        )


def invoice_line_check(**values: Any) -> None:
    """Raise the ValidationError the line services would raise for these values, before saving
    (for forms that show the errors at the line: the admin's inline)."""
    _check_line_vat(InvoiceLine(**_clean_line_values(values)))


def _line_add(*, invoice: Invoice, allow_negative: bool = False, **values: Any) -> InvoiceLine:
    cleaned = _clean_line_values(values, allow_negative=allow_negative)
    if cleaned.get("vat_category") is None:
        category, rate = default_vat(customer=invoice.customer)
        cleaned["vat_category"] = category
        if cleaned.get("vat_rate") is None:
            cleaned["vat_rate"] = rate
    elif cleaned.get("vat_rate") is None:
        cleaned["vat_rate"] = (
            Decimal(company_get().default_vat_rate)
            if cleaned["vat_category"] == VatCategory.STANDARD
            else ZERO
        )
    if cleaned.get("discount_percent") is None:
        cleaned["discount_percent"] = ZERO
    position = (invoice.lines.aggregate(m=Max("position"))["m"] or 0) + 1
    line = InvoiceLine(invoice=invoice, position=position, **cleaned)
    if not line.unit:
        line.unit = "Stück"
    _check_line_vat(line)
    line.line_net = calculation.calculate_line(line).net
    line.full_clean(exclude=["invoice"])
    line.save(force_insert=True)
    return line


@transaction.atomic
def invoice_line_add(*, actor: Any, invoice: Invoice, **values: Any) -> InvoiceLine:
    invoice = _lock(invoice)
    _require_draft(invoice)
    line = _line_add(invoice=invoice, **values)
    _store_totals(invoice)
    audit_created(target=line, fields=LINE_FIELDS, actor=actor)
    return line


@transaction.atomic
def invoice_line_update(*, actor: Any, line: InvoiceLine, **values: Any) -> InvoiceLine:
    invoice = _lock(line.invoice)
    _require_draft(invoice)
    cleaned = _clean_line_values(values)
    line = InvoiceLine.objects.get(pk=line.pk)
    before = snapshot(line, LINE_FIELDS)
    for name, value in cleaned.items():
        setattr(line, name, value)
    _check_line_vat(line)
    line.line_net = calculation.calculate_line(line).net
    line.full_clean(exclude=["invoice"])
    line.save()
    _store_totals(invoice)
    audit_changed(target=line, before=before, actor=actor)
    return line


@transaction.atomic
def invoice_line_remove(*, actor: Any, line: InvoiceLine) -> None:
    invoice = _lock(line.invoice)
    _require_draft(invoice)
    audit_record(
        action=AuditAction.DELETE,
        target=line,
        actor=actor,
        changes={k: {"old": v, "new": None} for k, v in snapshot(line, LINE_FIELDS).items()},
    )
    from apps.invoices.billing import free_time_entries

    free_time_entries([line.pk])
    line.delete()
    for index, remaining in enumerate(invoice.lines.order_by("position", "id"), start=1):
        if remaining.position != index:
            remaining.position = index
            remaining.save(update_fields=["position"])
    _store_totals(invoice)


@transaction.atomic
def invoice_lines_replace(
    *, actor: Any, invoice: Invoice, lines: Iterable[Mapping[str, Any]]
) -> calculation.Totals:
    """Save the line editor: the posted lines become the draft's lines, in that order.

    A posted ``id`` keeps that line (so time entries billed on it stay linked); lines no longer
    posted are deleted and their time entries freed. Audited as one change.
    """
    from apps.invoices.billing import free_time_entries

    invoice = _lock(invoice)
    _require_draft(invoice)
    existing = {line.pk: line for line in invoice.lines.order_by("position")}
    before = [snapshot(line, LINE_FIELDS) for line in existing.values()]
    cleaned_rows = []
    for values in lines:
        values = dict(values)
        line_id = values.pop("id", None)
        cleaned_rows.append((existing.get(line_id) if line_id else None, values))
    kept = {line.pk for line, _values in cleaned_rows if line is not None}
    removed = [pk for pk in existing if pk not in kept]
    free_time_entries(removed)
    InvoiceLine.objects.filter(pk__in=removed).delete()
    # Park the kept lines on free positions first (positions are unique per invoice).
    offset = 10_000 + len(existing) + len(cleaned_rows)
    for index, (line, _values) in enumerate(cleaned_rows):
        if line is not None:
            InvoiceLine.objects.filter(pk=line.pk).update(position=offset + index)
    for index, (line, values) in enumerate(cleaned_rows, start=1):
        if line is None:
            created = _line_add(invoice=invoice, **values)
            InvoiceLine.objects.filter(pk=created.pk).update(position=index)
            continue
        cleaned = _clean_line_values(values)
        for name, value in cleaned.items():
            setattr(line, name, value)
        line.position = index
        _check_line_vat(line)
        line.line_net = calculation.calculate_line(line).net
        line.full_clean(exclude=["invoice"])
        line.save()
    totals = _store_totals(invoice)
    after = [snapshot(line, LINE_FIELDS) for line in invoice.lines.order_by("position")]
    if before != after:
        audit_record(
            action=AuditAction.UPDATE,
            target=invoice,
            actor=actor,
            changes={"lines": {"old": before, "new": after}},
        )
    return totals


@transaction.atomic
def invoice_delete(*, actor: Any, invoice: Invoice) -> None:
    """Only drafts can be deleted; issued documents stay forever (GoBD)."""
    invoice = _lock(invoice)
    _require_draft(invoice)
    audit_record(
        action=AuditAction.DELETE,
        target=invoice,
        actor=actor,
        changes={k: {"old": v, "new": None} for k, v in snapshot(invoice, INVOICE_FIELDS).items()},
    )
    from apps.invoices.billing import free_time_entries

    free_time_entries(list(invoice.lines.values_list("pk", flat=True)))
    invoice.lines.all().delete()
    invoice.delete()


# --- Issuing ------------------------------------------------------------------------------------


def invoice_missing_items(invoice: Invoice, *, company: CompanySettings | None = None) -> list[str]:
    """What stops the draft from being issued (every §14(4) UStG field), in plain words."""
    company = company or company_get()
    customer = invoice.customer
    missing: list[str] = []
    if not company.name.strip():
        missing.append(_("Company data: name"))
    if not (company.street and company.zip_code and company.city):
        missing.append(_("Company data: complete address (street, postcode, city)"))
    if not (company.tax_number or company.vat_id):
        missing.append(_("Company data: tax number or VAT ID"))
    if invoice.document_type != DocumentType.QUOTE:
        missing.extend(_xrechnung_missing(invoice, company))
    if not customer.name.strip():
        missing.append(_("Customer: name"))
    if not (customer.street and customer.zip_code and customer.city):
        missing.append(_("Customer: complete address (street, postcode, city)"))
    lines = list(invoice.lines.all())
    if not lines:
        missing.append(_("At least one line"))
    if invoice.document_type != DocumentType.QUOTE and not (
        invoice.service_date or (invoice.service_period_start and invoice.service_period_end)
    ):
        missing.append(_("Service date or service period"))
    if invoice.issue_date and invoice.due_date and invoice.due_date < invoice.issue_date:
        missing.append(_("A due date on or after the issue date"))
    categories = {line.vat_category for line in lines}
    if company.small_business and categories - {VatCategory.EXEMPT}:
        missing.append(
            _("Small business (§ 19 UStG): every line must use the category 'exempt' with 0 %")
        )
    if not company.small_business and VatCategory.EXEMPT in categories:
        missing.append(_("The 'exempt (§ 19 UStG)' category is only for small businesses"))
    if VatCategory.REVERSE_CHARGE in categories:
        if not company.vat_id:
            missing.append(_("Reverse charge: the company's VAT ID"))
        if not customer.vat_id:
            missing.append(_("Reverse charge: the customer's VAT ID"))
    if VatCategory.EXPORT in categories and invoice.document_type != DocumentType.CANCELLATION:
        # A cancellation mirrors its (legacy) original; new documents use O (see VatCategory).
        missing.append(_legacy_export_error())
    if VatCategory.NOT_SUBJECT in categories and invoice.document_type != DocumentType.QUOTE:
        missing.extend(_not_subject_missing(categories, company))
    for line in lines:
        if line.quantity <= 0 and invoice.document_type != DocumentType.CANCELLATION:
            missing.append(_("Line %(pos)s: a quantity greater than zero") % {"pos": line.position})
    return missing


def _xrechnung_missing(invoice: Invoice, company: CompanySettings) -> list[str]:
    """The seller data the XRechnung must carry (KoSIT BR-DE-5/6/7, Peppol R020), needed when
    one is built: the contact (BG-6) takes the company's name, phone (with at least three digits,
    BR-DE-27) and e-mail, which is also the seller's electronic address (BT-34)."""
    from apps.invoices import einvoice

    buyer = invoice.buyer_data or buyer_snapshot(invoice.customer)
    if einvoice.buyer_electronic_address(buyer) is None:
        return []  # no XRechnung (einvoice.has_xrechnung)
    missing = []
    if sum(char.isdigit() for char in company.phone) < 3:
        missing.append(_("Company data: phone number (the XRechnung requires a seller contact)"))
    if not company.email.strip():
        missing.append(_("Company data: e-mail address (the XRechnung requires a seller contact)"))
    return missing


def _not_subject_missing(categories: set[str], company: CompanySettings) -> list[str]:
    """EN 16931 on "not subject to VAT" (O): the e-invoice may carry no VAT ID (BR-O-02), so the
    seller is identified by its register entry (BR-CO-26) and its tax number (§ 14 (4) Nr. 2
    UStG); and no other VAT category may share the invoice (BR-O-11/12)."""
    missing = []
    if categories - {VatCategory.NOT_SUBJECT}:
        missing.append(
            _(
                "Lines 'not taxable in Germany' cannot be combined with other VAT categories "
                "on one invoice (EN 16931); bill the other lines on a separate invoice"
            )
        )
    if not company.tax_number:
        missing.append(
            _(
                "Not taxable in Germany: the company's tax number (the e-invoice may not carry "
                "the VAT ID)"
            )
        )
    if not company.register_number:
        missing.append(
            _(
                "Not taxable in Germany: the company's commercial register number (identifies "
                "the seller in the e-invoice instead of the VAT ID)"
            )
        )
    return missing


def _issue(*, actor: Any, invoice: Invoice, issue_date: datetime.date | None) -> Invoice:
    """Inside the caller's transaction, with ``invoice`` row-locked and still a draft."""
    from apps.invoices import einvoice

    company = company_get()
    issue_date = issue_date or invoice.issue_date or timezone.localdate()
    invoice.issue_date = issue_date
    if invoice.due_date is None:
        days = (
            0
            if invoice.document_type == DocumentType.CANCELLATION
            else payment_terms_days(customer=invoice.customer, company=company)
        )
        invoice.due_date = issue_date + datetime.timedelta(days=days)
    missing = invoice_missing_items(invoice, company=company)
    if missing:
        raise InvoiceIncomplete(missing, code="incomplete")
    before = snapshot(invoice, INVOICE_FIELDS)
    invoice.seller_data = seller_snapshot(company)
    if not invoice.buyer_data:
        invoice.buyer_data = buyer_snapshot(invoice.customer)
    totals = _store_totals(invoice)
    # The number is drawn last, under the sequence's row lock, inside this transaction: any
    # failure below rolls it back together with everything else (no gap, no duplicate).
    year = issue_date.year
    prefix = {
        DocumentType.INVOICE: company.invoice_prefix,
        DocumentType.QUOTE: company.quote_prefix,
        DocumentType.CANCELLATION: company.cancellation_prefix,
    }[DocumentType(invoice.document_type)]
    value = next_value(f"{SEQUENCE_KEYS[DocumentType(invoice.document_type)]}:{year}")
    invoice.number = format_number(prefix, value, width=4, year=year)
    invoice.status = InvoiceStatus.SENT
    invoice.issued_at = timezone.now()
    invoice.issued_by = actor if getattr(actor, "pk", None) else None
    if invoice.document_type != DocumentType.QUOTE:
        invoice.facturx_xml = einvoice.build_facturx_xml(invoice, totals).decode()
        if einvoice.has_xrechnung(invoice):
            invoice.xrechnung_xml = einvoice.build_xrechnung_xml(invoice, totals).decode()
    invoice.full_clean(exclude=["customer", "project", "source_quote", "cancels"])
    invoice.save()
    audit_changed(
        target=invoice,
        before=before,
        actor=actor,
        action=AuditAction.STATUS,
        message=_("Issued as %(number)s") % {"number": invoice.number},
    )
    invoice_id = invoice.pk
    transaction.on_commit(lambda: _enqueue_render(invoice_id))
    return invoice


PDF_RENDER_RETRY_SECONDS = 60


def request_pdf_render(invoice: Invoice) -> None:
    """(Re-)queue the PDF rendering of an issued document that has none yet, at most once a
    minute: the page polls every 2 s while the worker may simply be busy."""
    if invoice.status == InvoiceStatus.DRAFT or invoice.pdf:
        return
    if cache.add(f"invoice-pdf-render:{invoice.pk}", True, timeout=PDF_RENDER_RETRY_SECONDS):
        _enqueue_render(invoice.pk)


def _enqueue_render(invoice_id: int) -> None:
    from apps.invoices.tasks import render_invoice_pdf

    render_invoice_pdf.enqueue(invoice_id)


@transaction.atomic
def invoice_issue(
    *, actor: Any, invoice: Invoice, issue_date: datetime.date | None = None
) -> Invoice:
    """Check completeness, assign the next number, freeze seller/buyer data, build the
    e-invoice XML and lock the document; the PDF is rendered once after commit."""
    invoice = _lock(invoice)
    _require_draft(invoice)
    return _issue(actor=actor, invoice=invoice, issue_date=issue_date)


@transaction.atomic
def quote_convert(*, actor: Any, quote: Invoice) -> Invoice:
    """An issued quote becomes a draft invoice with the same lines; the quote keeps its number
    and is linked from the invoice."""
    quote = _lock(quote)
    if quote.document_type != DocumentType.QUOTE or quote.status == InvoiceStatus.DRAFT:
        raise ValidationError(_("Only issued quotes can be converted."), code="not_quote")
    if quote.converted_invoices.exists():
        raise ValidationError(_("This quote has already been converted."), code="converted")
    invoice = Invoice(
        document_type=DocumentType.INVOICE,
        customer=quote.customer,
        project=quote.project,
        language=quote.language,
        subject=quote.subject,
        header_text=quote.header_text,
        footer_text=quote.footer_text,
        buyer_reference=quote.buyer_reference,
        service_date=quote.service_date,
        service_period_start=quote.service_period_start,
        service_period_end=quote.service_period_end,
        source_quote=quote,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    invoice.save(force_insert=True)
    InvoiceLine.objects.bulk_create(
        InvoiceLine(
            invoice=invoice,
            **{name: getattr(line, name) for name in LINE_FIELDS},
        )
        for line in quote.lines.order_by("position")
    )
    _store_totals(invoice)
    audit_created(target=invoice, fields=[*INVOICE_FIELDS, "source_quote"], actor=actor)
    audit_record(
        action=AuditAction.STATUS,
        target=quote,
        actor=actor,
        message=_("Converted into invoice draft #%(id)s") % {"id": invoice.pk},
    )
    return invoice


@transaction.atomic
def invoice_cancel(
    *, actor: Any, invoice: Invoice, issue_date: datetime.date | None = None, reason: str = ""
) -> Invoice:
    """Cancel an issued invoice by issuing a cancellation invoice (ST-…) with the negated lines,
    referencing the original's number and date; the original becomes cancelled."""
    original = _lock(invoice)
    if original.document_type != DocumentType.INVOICE or original.status not in OPEN_STATUSES:
        raise ValidationError(
            _("Only issued, unpaid invoices can be cancelled."), code="not_cancellable"
        )
    if original.payments.exists():
        raise ValidationError(
            _("The invoice has payments; settle or refund them before cancelling."),
            code="has_payments",
        )
    issue_date = issue_date or timezone.localdate()
    header = _("Cancellation of invoice %(number)s dated %(date)s.") % {
        "number": original.number,
        "date": original.issue_date.strftime("%d.%m.%Y") if original.issue_date else "",
    }
    cancellation = Invoice(
        document_type=DocumentType.CANCELLATION,
        customer=original.customer,
        project=original.project,
        language=original.language,
        subject=original.subject,
        header_text=f"{header} {reason}".strip(),
        buyer_reference=original.buyer_reference,
        service_date=original.service_date,
        service_period_start=original.service_period_start,
        service_period_end=original.service_period_end,
        buyer_data=original.buyer_data,
        cancels=original,
        issue_date=issue_date,
        due_date=max(issue_date, original.issue_date or issue_date),
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    cancellation.save(force_insert=True)
    InvoiceLine.objects.bulk_create(
        InvoiceLine(
            invoice=cancellation,
            **{name: getattr(line, name) for name in LINE_FIELDS if name != "quantity"},
            quantity=-line.quantity,
        )
        for line in original.lines.order_by("position")
    )
    audit_created(target=cancellation, fields=[*INVOICE_FIELDS, "cancels"], actor=actor)
    _issue(actor=actor, invoice=cancellation, issue_date=issue_date)
    before = snapshot(original, ["status"])
    original.status = InvoiceStatus.CANCELLED
    original.save(update_fields=["status", "updated_at"])
    audit_changed(
        target=original,
        before=before,
        actor=actor,
        action=AuditAction.STATUS,
        message=_("Cancelled by %(number)s") % {"number": cancellation.number},
    )
    return cancellation


# --- Rendering ----------------------------------------------------------------------------------


def invoice_render_pdf(*, invoice: Invoice) -> Invoice:
    """Render the issued document's PDF once (PDF/A-3 with the Factur-X XML embedded)."""
    from django.core.files.base import ContentFile

    from apps.invoices import pdf

    with transaction.atomic():
        invoice = _lock(invoice)
        if invoice.status == InvoiceStatus.DRAFT or invoice.pdf:
            return invoice
        content = pdf.render_invoice_pdf_bytes(invoice)
        invoice.pdf.save(f"{invoice.number}.pdf", ContentFile(content), save=False)
        invoice.pdf_rendered_at = timezone.now()
        Invoice.objects.filter(pk=invoice.pk).update(
            pdf=invoice.pdf.name, pdf_rendered_at=invoice.pdf_rendered_at
        )
    _archive_as_document(invoice, content)
    return invoice


def _archive_as_document(invoice: Invoice, content: bytes) -> None:
    """Archive the issued PDF as a Document linked to the invoice (once documents exist).

    The invoice keeps its own immutable copy (``Invoice.pdf``, the XML in the row); the Document
    makes it appear in the documents module and on the customer's documents tab.
    """
    try:
        from apps.documents.services import DuplicateDocument, document_upload
    except ImportError:
        return
    from django.core.files.uploadedfile import SimpleUploadedFile

    owner = invoice.issued_by or invoice.created_by
    if owner is None:
        return  # documents need an owner; system-issued demo documents keep the invoice copy
    name = f"{invoice.number}.pdf"
    with contextlib.suppress(DuplicateDocument):
        document_upload(
            uploaded=SimpleUploadedFile(name, content, "application/pdf"),
            uploaded_by=owner,
            target=invoice,
            title=f"{invoice.get_document_type_display()} {invoice.number}",
            category="invoice",
        )


# --- Payments -----------------------------------------------------------------------------------


def _refresh_payment_status(invoice: Invoice) -> None:
    paid = invoice.payments.aggregate(s=Sum("amount"))["s"] or ZERO
    invoice.paid_total = paid
    if invoice.status == InvoiceStatus.CANCELLED:
        return
    if paid <= 0:
        invoice.status = InvoiceStatus.SENT
    elif paid >= invoice.gross_total:
        invoice.status = InvoiceStatus.PAID
    else:
        invoice.status = InvoiceStatus.PARTIAL


@transaction.atomic
def payment_record(
    *,
    actor: Any,
    invoice: Invoice,
    amount: Decimal,
    date: datetime.date,
    method: str = "bank_transfer",
    reference: str = "",
    note: str = "",
) -> Payment:
    invoice = _lock(invoice)
    if invoice.document_type != DocumentType.INVOICE or invoice.status not in OPEN_STATUSES:
        raise ValidationError(
            _("Payments can only be recorded on issued, open invoices."), code="not_open"
        )
    try:
        amount = Decimal(str(amount))
    except (InvalidOperation, ValueError) as error:
        raise ValidationError({"amount": _("Enter a number.")}) from error
    if amount <= 0 or amount != calculation.money(amount):
        raise ValidationError({"amount": _("Enter a positive amount in euros and cents.")})
    if amount > invoice.open_amount:
        raise ValidationError(
            {
                "amount": _("The amount exceeds the open amount of %(open)s €.")
                % {"open": invoice.open_amount}
            }
        )
    payment = Payment(
        invoice=invoice,
        amount=amount,
        date=date,
        method=method,
        reference=reference,
        note=note,
        recorded_by=actor if getattr(actor, "pk", None) else None,
    )
    payment.full_clean(exclude=["invoice"])
    payment.save(force_insert=True)
    audit_created(
        target=payment,
        fields=["invoice", "amount", "date", "method", "reference", "note"],
        actor=actor,
    )
    before = snapshot(invoice, ["status", "paid_total"])
    _refresh_payment_status(invoice)
    invoice.save(update_fields=["status", "paid_total", "updated_at"])
    audit_changed(target=invoice, before=before, actor=actor, action=AuditAction.STATUS)
    return payment


@transaction.atomic
def payment_delete(*, actor: Any, payment: Payment) -> Invoice:
    invoice = _lock(payment.invoice)
    if invoice.status == InvoiceStatus.CANCELLED:
        raise ValidationError(_("Payments of a cancelled invoice cannot be changed."))
    audit_record(
        action=AuditAction.DELETE,
        target=payment,
        actor=actor,
        changes={
            k: {"old": v, "new": None}
            for k, v in snapshot(payment, ["invoice", "amount", "date", "method"]).items()
        },
    )
    payment.delete()
    before = snapshot(invoice, ["status", "paid_total"])
    _refresh_payment_status(invoice)
    invoice.save(update_fields=["status", "paid_total", "updated_at"])
    audit_changed(target=invoice, before=before, actor=actor, action=AuditAction.STATUS)
    return invoice


# --- Sending ------------------------------------------------------------------------------------


@transaction.atomic
def invoice_mark_sent(*, actor: Any, invoice: Invoice) -> Invoice:
    invoice = _lock(invoice)
    if invoice.status == InvoiceStatus.DRAFT:
        raise ValidationError(_("Issue the document before sending it."), code="draft")
    before = snapshot(invoice, ["sent_at"])
    invoice.sent_at = timezone.now()
    invoice.save(update_fields=["sent_at", "updated_at"])
    audit_changed(
        target=invoice,
        before=before,
        actor=actor,
        action=AuditAction.STATUS,
        message=_("Marked as sent"),
    )
    return invoice
