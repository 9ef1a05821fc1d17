"""Invoice pages: HTTP only (permission, parse, call a service, choose the template)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from apps.audit.models import AuditAction, AuditEntry
from apps.audit.services import audit_record
from apps.common.exports import export_request
from apps.common.htmx import render_page
from apps.common.http import AuthedRequest
from apps.common.permissions import can, object_permission, permission_required_for
from apps.common.views import export_started
from apps.company.selectors import company_get
from apps.invoices import billing, dunning, exporting, mailing, selectors, services
from apps.invoices.calculation import calculate
from apps.invoices.filters import InvoiceFilter
from apps.invoices.forms import (
    LEGACY_VAT_CHOICES,
    UNIT_CHOICES,
    VAT_CHOICES,
    FromTimeForm,
    InvoiceForm,
    LineForm,
    NotesForm,
    PaymentForm,
    SendForm,
)
from apps.invoices.models import (
    DocumentType,
    DunningLetter,
    Invoice,
    InvoiceEmailStatus,
    InvoiceStatus,
    Payment,
)

LINE_KEYS = ["id", "description", "quantity", "unit", "unit_price", "discount_percent", "vat"]
EDITOR_PARTIALS = {
    "invoice-form": "form",
    "invoice-editor": "editor",
    "invoice-totals": "totals",
}


# --- List and export ----------------------------------------------------------------------------


def _filtered(request: AuthedRequest) -> InvoiceFilter:
    return InvoiceFilter(request.GET, queryset=selectors.invoices_for_user(request.user))


@require_GET
@permission_required_for("invoices.view_invoice")
def invoice_list(request: AuthedRequest) -> HttpResponse:
    filterset = _filtered(request)
    qs = filterset.qs
    page = Paginator(qs, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    return render_page(
        request,
        "invoices/invoice_list.html",
        {
            "filter": filterset,
            "page": page,
            "sums": selectors.invoice_sums(qs),
            "today": timezone.localdate(),
            "can_add": request.user.has_perm("invoices.add_invoice"),
            "can_export": request.user.has_perm("invoices.export_invoice"),
        },
        partials={"invoice-results": "results"},
    )


@require_GET
@permission_required_for("invoices.view_invoice", "invoices.export_invoice")
def invoice_export(request: AuthedRequest, fmt: str) -> HttpResponse:
    """The filtered list as CSV; audited. XLSX is created in the background
    (``invoice_export_xlsx``)."""
    if fmt != "csv":
        raise Http404
    data, count = exporting.invoices_dataset(_filtered(request).qs)
    audit_record(action=AuditAction.EXPORT, message=f"invoices {fmt}: {count} rows")
    response = HttpResponse(data.export("csv", delimiter=";"), content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="invoices.{fmt}"'
    return response


@require_POST
@permission_required_for("invoices.view_invoice", "invoices.export_invoice")
def invoice_export_xlsx(request: AuthedRequest) -> HttpResponse:
    """Queue the filtered list (the filter in the query string) as XLSX; answers with its status,
    polled until the download link appears."""
    export = export_request(
        user=request.user,
        kind=exporting.INVOICES_XLSX,
        params={"query": exporting.export_query(request.GET)},
        filename="invoices.xlsx",
    )
    return export_started(request, export, target="invoice-export")


# --- Create and edit (line editor) --------------------------------------------------------------


@dataclass
class EditorRow:
    form: LineForm
    net: Decimal | None


def _blank_row() -> LineForm:
    return LineForm(initial={"unit": "Stunden", "vat": "S:19", "quantity": "1"})


def _rows_from_post(request: AuthedRequest) -> list[LineForm]:
    columns = {key: request.POST.getlist(f"line-{key}") for key in LINE_KEYS}
    count = max((len(values) for values in columns.values()), default=0)
    rows = []
    for index in range(count):
        data = {
            key: (columns[key][index] if index < len(columns[key]) else "") for key in LINE_KEYS
        }
        rows.append(LineForm(data))
    return rows


def _filled(rows: list[LineForm]) -> list[LineForm]:
    """Rows the user typed into (an untouched blank row is ignored when saving)."""
    return [
        row
        for row in rows
        if not row.is_bound
        or any(str(row.data.get(key, "")).strip() for key in ("description", "unit_price"))
    ]


def _rows_from_invoice(invoice: Invoice) -> list[LineForm]:
    return [
        LineForm(
            initial={
                "id": line.pk,
                "description": line.description,
                "quantity": line.quantity.normalize(),
                "unit": line.unit,
                "unit_price": line.unit_price,
                "discount_percent": line.discount_percent.normalize() or "",
                "vat": f"{line.vat_category}:{line.vat_rate.normalize():f}",
            }
        )
        for line in invoice.lines.order_by("position")
    ]


@dataclass
class _PreviewLine:
    quantity: Decimal
    unit_price: Decimal
    discount_percent: Decimal
    vat_rate: Decimal
    vat_category: str


def _editor_context(forms: list[LineForm]) -> dict[str, Any]:
    """Rows with their computed net and the totals, all from the one calculation."""
    preview_lines, rows = [], []
    for form in forms:
        values = form.line_values() if form.is_bound and form.is_valid() else None
        if values:
            line = _PreviewLine(
                values["quantity"],
                values["unit_price"],
                values["discount_percent"],
                values["vat_rate"],
                values["vat_category"],
            )
            preview_lines.append(line)
            rows.append(EditorRow(form, calculate([line]).lines[0].net))
        else:
            rows.append(EditorRow(form, None))
    return {
        "rows": rows,
        "totals": calculate(preview_lines),
        "vat_choices": VAT_CHOICES
        + [
            choice
            for choice in LEGACY_VAT_CHOICES
            if any(form["vat"].value() == choice[0] for form in forms)
        ],
        "unit_choices": UNIT_CHOICES,
    }


def _editor(
    request: AuthedRequest, *, invoice: Invoice | None, form: InvoiceForm, rows: list[LineForm]
) -> HttpResponse | None:
    """Handle editor-only actions (add/remove a row, live totals); None means "save"."""
    action = request.POST.get("action", "save")
    if request.htmx and request.htmx.target == "invoice-totals":
        action = "preview"  # live totals while typing
    if action == "save":
        return None
    if action == "add":
        rows = [*rows, _blank_row()]
    elif action.startswith("remove-"):
        index = action.removeprefix("remove-")
        rows = [row for i, row in enumerate(rows) if str(i) != index]
    context = {
        "invoice": invoice,
        "form": form,
        "oob": action == "preview",
        **_editor_context(rows),
    }
    return render_page(request, "invoices/invoice_form.html", context, partials=EDITOR_PARTIALS)


def _without_id(values: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in values.items() if key != "id"}


def _line_errors(rows: list[LineForm]) -> bool:
    return any(row.is_bound and not row.is_valid() for row in rows)


@require_http_methods(["GET", "POST"])
@permission_required_for("invoices.add_invoice")
def invoice_create(request: AuthedRequest) -> HttpResponse:
    initial: dict[str, Any] = {"document_type": request.GET.get("type") or "invoice"}
    if (customer_id := request.GET.get("customer", "").strip()).isdigit():
        initial["customer"] = customer_id
    form = InvoiceForm(request.POST or None, initial=initial, creating=True)
    rows = _rows_from_post(request) if request.method == "POST" else [_blank_row()]
    if request.method == "POST":
        response = _editor(request, invoice=None, form=form, rows=rows)
        if response is not None:
            return response
        rows = _filled(rows)
        if form.is_valid() and not _line_errors(rows):
            data = {k: v for k, v in form.cleaned_data.items() if k != "document_type"}
            try:
                invoice = services.invoice_create(
                    actor=request.user,
                    document_type=form.cleaned_data["document_type"],
                    lines=[_without_id(row.line_values()) for row in rows],
                    **data,
                )
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(request, _("The draft was saved."))
                return _redirect(request, invoice)
    status = 422 if request.method == "POST" else 200
    context = {
        "invoice": None,
        "form": form,
        "show_errors": status == 422,
        **_editor_context(rows),
    }
    return render_page(
        request, "invoices/invoice_form.html", context, partials=EDITOR_PARTIALS, status=status
    )


@require_http_methods(["GET", "POST"])
@object_permission("invoices.change_invoice", Invoice, queryset=selectors.invoice_detail_queryset)
def invoice_edit(request: AuthedRequest, invoice: Invoice) -> HttpResponse:
    if not invoice.is_draft:
        messages.error(request, _("Issued documents cannot be changed (GoBD)."))
        return _redirect(request, invoice)
    form = InvoiceForm(request.POST or None, instance=invoice)
    rows = _rows_from_post(request) if request.method == "POST" else _rows_from_invoice(invoice)
    if request.method == "POST":
        response = _editor(request, invoice=invoice, form=form, rows=rows)
        if response is not None:
            return response
        rows = _filled(rows)
        if form.is_valid() and not _line_errors(rows):
            try:
                services.invoice_update(actor=request.user, invoice=invoice, **form.cleaned_data)
                services.invoice_lines_replace(
                    actor=request.user,
                    invoice=invoice,
                    lines=[row.line_values() for row in rows],
                )
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(request, _("The draft was saved."))
                return _redirect(request, invoice)
    elif not rows:
        rows = [_blank_row()]
    status = 422 if request.method == "POST" else 200
    context = {
        "invoice": invoice,
        "form": form,
        "show_errors": status == 422,
        **_editor_context(rows),
    }
    return render_page(
        request, "invoices/invoice_form.html", context, partials=EDITOR_PARTIALS, status=status
    )


def _add_errors(form: Any, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


def _redirect(request: AuthedRequest, invoice: Invoice) -> HttpResponse:
    if request.htmx:
        return HttpResponseClientRedirect(invoice.get_absolute_url())
    return redirect(invoice)


# --- Detail -------------------------------------------------------------------------------------


def _detail_context(request: AuthedRequest, invoice: Invoice) -> dict[str, Any]:
    user = request.user
    lines = list(invoice.lines.order_by("position", "id"))
    totals = calculate(lines)
    payments = list(invoice.payments.select_related("recorded_by").order_by("date", "id"))
    history = (
        list(AuditEntry.objects.for_object(invoice).select_related("actor").order_by("-seq")[:20])
        if user.has_perm("audit.view_auditentry")
        else []
    )
    is_open = invoice.document_type == DocumentType.INVOICE and invoice.status in (
        InvoiceStatus.SENT,
        InvoiceStatus.PARTIAL,
    )
    can_send = invoice.is_issued and can(user, "invoices.send_invoice", invoice)
    dunning_letters = list(invoice.dunning_letters.order_by("level"))
    return {
        "invoice": invoice,
        "rows": list(zip(lines, totals.lines, strict=True)),
        "totals": totals,
        "payments": payments,
        "history": history,
        "cancellations": list(invoice.cancellations.all()),
        "converted": list(invoice.converted_invoices.all()),
        "can_edit": invoice.is_draft and can(user, "invoices.change_invoice", invoice),
        "can_delete": invoice.is_draft and can(user, "invoices.delete_invoice", invoice),
        "can_issue": invoice.is_draft and can(user, "invoices.issue_invoice", invoice),
        "can_cancel": is_open and not payments and can(user, "invoices.cancel_invoice", invoice),
        "can_pay": is_open and can(user, "invoices.record_payment", invoice),
        "can_delete_payment": invoice.status != InvoiceStatus.CANCELLED
        and can(user, "invoices.record_payment", invoice),
        "can_send": can_send,
        **_email_context(invoice, can_send=can_send),
        "can_convert": invoice.is_quote
        and invoice.is_issued
        and not invoice.converted_invoices.exists()
        and can(user, "invoices.add_invoice", invoice),
        "can_notes": can(user, "invoices.change_invoice", invoice),
        "missing": services.invoice_missing_items(invoice) if invoice.is_draft else [],
        "dunning_letters": dunning_letters,
        "dunning_rendering": any(not letter.pdf for letter in dunning_letters),
        "dunning_unsent": set(
            dunning.dunning_letters_unsent().filter(invoice=invoice).values_list("pk", flat=True)
        )
        if is_open
        else set(),
        "dunning_proposal": dunning.dunning_next(invoice) if is_open else None,
        "can_dun": is_open and can(user, "invoices.add_dunningletter", invoice),
        "payment_form": PaymentForm(
            initial={"amount": invoice.open_amount, "date": timezone.localdate()}
        ),
        "notes_form": NotesForm(initial={"notes": invoice.notes}),
    }


def _email_context(invoice: Invoice, *, can_send: bool) -> dict[str, Any]:
    """The last e-mail of an issued document: being sent (the page polls), sent, or failed
    (with a retry button, as for one whose task was lost)."""
    email = mailing.invoice_email_latest(invoice) if invoice.is_issued else None
    retry = email is not None and (
        email.status == InvoiceEmailStatus.FAILED or mailing.invoice_email_is_stale(email)
    )
    return {"email": email, "can_retry_email": can_send and retry}


@require_GET
@object_permission("invoices.view_invoice", Invoice, queryset=selectors.invoice_detail_queryset)
def invoice_detail(request: AuthedRequest, invoice: Invoice) -> HttpResponse:
    if request.htmx and request.htmx.target == "invoice-pdf" and not invoice.pdf:
        # The page polls while the PDF renders; a failed render is retried (renders once).
        services.request_pdf_render(invoice)
        invoice.refresh_from_db()
    return render_page(
        request,
        "invoices/invoice_detail.html",
        _detail_context(request, invoice),
        partials={
            "invoice-pdf": "pdf",
            "invoice-payments": "payments",
            "invoice-email": "email",
            "invoice-dunning": "dunning",
        },
    )


@require_POST
@object_permission("invoices.delete_invoice", Invoice)
def invoice_delete(request: AuthedRequest, invoice: Invoice) -> HttpResponse:
    try:
        services.invoice_delete(actor=request.user, invoice=invoice)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return _redirect(request, invoice)
    messages.success(request, _("The draft was deleted."))
    return redirect("invoices:invoice_list")


@require_http_methods(["GET", "POST"])
@object_permission("invoices.issue_invoice", Invoice, queryset=selectors.invoice_detail_queryset)
def invoice_issue(request: AuthedRequest, invoice: Invoice) -> HttpResponse:
    """GET: the completeness check; POST: issue ("Rechnung stellen")."""
    if not invoice.is_draft:
        return _redirect(request, invoice)
    missing = services.invoice_missing_items(invoice)
    status = 200
    if request.method == "POST":
        try:
            invoice = services.invoice_issue(actor=request.user, invoice=invoice)
        except services.InvoiceIncomplete as error:
            missing, status = error.messages, 422
        except ValidationError as error:
            missing, status = error.messages, 422
        else:
            messages.success(request, _("%(number)s was issued.") % {"number": invoice.number})
            return _redirect(request, invoice)
    return render_page(
        request,
        "invoices/invoice_issue.html",
        {"invoice": invoice, "missing": missing, "company": company_get()},
        partials={"invoice-issue": "check"},
        status=status,
    )


@require_POST
@object_permission("invoices.cancel_invoice", Invoice)
def invoice_cancel(request: AuthedRequest, invoice: Invoice) -> HttpResponse:
    try:
        cancellation = services.invoice_cancel(
            actor=request.user, invoice=invoice, reason=request.POST.get("reason", "")[:500]
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return _redirect(request, invoice)
    messages.success(
        request,
        _("%(original)s was cancelled by %(number)s.")
        % {"original": invoice.number, "number": cancellation.number},
    )
    return _redirect(request, cancellation)


@require_POST
@object_permission("invoices.add_invoice", Invoice)
def quote_convert(request: AuthedRequest, invoice: Invoice) -> HttpResponse:
    try:
        created = services.quote_convert(actor=request.user, quote=invoice)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return _redirect(request, invoice)
    messages.success(request, _("The quote was converted into an invoice draft."))
    return _redirect(request, created)


@require_POST
@object_permission("invoices.change_invoice", Invoice)
def invoice_notes(request: AuthedRequest, invoice: Invoice) -> HttpResponse:
    form = NotesForm(request.POST)
    if form.is_valid():
        services.invoice_notes_update(
            actor=request.user, invoice=invoice, notes=form.cleaned_data["notes"]
        )
        messages.success(request, _("The notes were saved."))
    return _redirect(request, invoice)


# --- Payments -----------------------------------------------------------------------------------


def _payments_response(
    request: AuthedRequest, invoice: Invoice, *, form: PaymentForm | None = None, status: int = 200
) -> HttpResponse:
    invoice.refresh_from_db()
    context = _detail_context(request, invoice)
    if form is not None:
        context["payment_form"] = form
    if not request.htmx:
        return (
            redirect(invoice)
            if status == 200
            else render_page(request, "invoices/invoice_detail.html", context, status=status)
        )
    return render_page(
        request,
        "invoices/invoice_detail.html",
        context,
        partials={"invoice-payments": "payments"},
        status=status,
    )


@require_POST
@object_permission("invoices.record_payment", Invoice)
def payment_create(request: AuthedRequest, invoice: Invoice) -> HttpResponse:
    form = PaymentForm(request.POST)
    if form.is_valid():
        try:
            services.payment_record(actor=request.user, invoice=invoice, **form.cleaned_data)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("The payment was recorded."))
            return _payments_response(request, invoice)
    return _payments_response(request, invoice, form=form, status=422)


@require_POST
@permission_required_for("invoices.record_payment")
def payment_delete(request: AuthedRequest, pk: int) -> HttpResponse:
    payment = get_object_or_404(
        Payment.objects.filter(invoice__in=selectors.invoices_for_user(request.user)), pk=pk
    )
    invoice = payment.invoice
    try:
        services.payment_delete(actor=request.user, payment=payment)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The payment was deleted."))
    return _payments_response(request, invoice)


# --- Files and sending --------------------------------------------------------------------------


@require_GET
@object_permission("invoices.view_invoice", Invoice)
def invoice_pdf(request: AuthedRequest, invoice: Invoice) -> HttpResponse:
    if not invoice.pdf:
        raise Http404(_("The PDF is not ready yet."))
    return FileResponse(
        invoice.pdf.open("rb"),
        as_attachment=request.GET.get("inline") != "1",
        filename=f"{invoice.number}.pdf",
        content_type="application/pdf",
    )


@require_GET
@object_permission("invoices.view_invoice", Invoice)
def invoice_xml(request: AuthedRequest, invoice: Invoice) -> HttpResponse:
    variant = request.GET.get("variant", "xrechnung")
    content = invoice.facturx_xml if variant == "facturx" else invoice.xrechnung_xml
    if not content:
        raise Http404
    response = HttpResponse(content.encode(), content_type="application/xml")
    suffix = "factur-x" if variant == "facturx" else "xrechnung"
    response["Content-Disposition"] = f'attachment; filename="{invoice.number}-{suffix}.xml"'
    return response


@require_http_methods(["GET", "POST"])
@object_permission("invoices.send_invoice", Invoice, queryset=selectors.invoice_detail_queryset)
def invoice_send(request: AuthedRequest, invoice: Invoice) -> HttpResponse:
    """GET: the e-mail form; POST: queue the e-mail (a task sends it, the invoice page shows
    how it went)."""
    if not invoice.is_issued:
        messages.error(request, _("Issue the document before sending it."))
        return _redirect(request, invoice)
    defaults = mailing.email_defaults(invoice)
    form = SendForm(request.POST or None, initial=defaults)
    if request.method == "POST" and form.is_valid():
        try:
            email = mailing.invoice_email_queue(
                actor=request.user, invoice=invoice, **form.cleaned_data
            )
        except mailing.InvoiceEmailPending as error:
            messages.info(request, " ".join(error.messages))
            return _redirect(request, invoice)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(
                request, _("The e-mail to %(to)s is being sent.") % {"to": email.recipients}
            )
            return _redirect(request, invoice)
    status = 422 if request.method == "POST" else 200
    return render_page(
        request,
        "invoices/invoice_send.html",
        {"invoice": invoice, "form": form, "last_email": mailing.invoice_email_latest(invoice)},
        partials={"invoice-send-form": "form"},
        status=status,
    )


@require_POST
@object_permission("invoices.send_invoice", Invoice)
def invoice_send_retry(request: AuthedRequest, invoice: Invoice) -> HttpResponse:
    """Queue the document's last e-mail again after it failed (or its task was lost)."""
    email = mailing.invoice_email_latest(invoice)
    if email is None:
        raise Http404
    try:
        email = mailing.invoice_email_retry(actor=request.user, email=email)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, _("The e-mail to %(to)s is being sent.") % {"to": email.recipients}
        )
    return _redirect(request, invoice)


@require_POST
@object_permission("invoices.send_invoice", Invoice)
def invoice_mark_sent(request: AuthedRequest, invoice: Invoice) -> HttpResponse:
    try:
        services.invoice_mark_sent(actor=request.user, invoice=invoice)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Marked as sent."))
    return _redirect(request, invoice)


# --- Dunning ------------------------------------------------------------------------------------


@require_POST
@object_permission("invoices.add_dunningletter", Invoice)
def dunning_create(request: AuthedRequest, invoice: Invoice) -> HttpResponse:
    letter = dunning.dunning_create(actor=request.user, invoice=invoice)
    if letter is None:
        messages.error(request, _("No dunning letter is due for this invoice."))
    elif to := dunning.dunning_letter_queue_email(actor=request.user, letter=letter):
        messages.success(
            request,
            _("%(letter)s was created and is being e-mailed to %(to)s.")
            % {"letter": letter, "to": to},
        )
    else:
        messages.warning(
            request,
            _(
                "%(letter)s was created. The customer has no e-mail address: print the letter "
                "and send it by post."
            )
            % {"letter": letter},
        )
    return _redirect(request, invoice)


@require_POST
@permission_required_for("invoices.add_dunningletter")
def dunning_send(request: AuthedRequest, pk: int) -> HttpResponse:
    """E-mail a current letter that was not e-mailed (no address then, or the mail failed)."""
    letter = get_object_or_404(
        DunningLetter.objects.filter(
            invoice__in=selectors.invoices_for_user(request.user)
        ).select_related("invoice__customer"),
        pk=pk,
    )
    if not dunning.dunning_letters_unsent().filter(pk=letter.pk).exists():
        messages.error(request, _("This letter has been e-mailed already or is no longer current."))
    elif to := dunning.dunning_letter_queue_email(actor=request.user, letter=letter):
        messages.success(
            request, _("%(letter)s is being e-mailed to %(to)s.") % {"letter": letter, "to": to}
        )
    else:
        messages.error(
            request,
            _("The customer has no e-mail address: print the letter and send it by post."),
        )
    return _redirect(request, letter.invoice)


@require_GET
@permission_required_for("invoices.view_invoice")
def dunning_pdf(request: AuthedRequest, pk: int) -> HttpResponse:
    letter = get_object_or_404(
        DunningLetter.objects.filter(invoice__in=selectors.invoices_for_user(request.user)), pk=pk
    )
    if not letter.pdf:  # its task has not run yet (or was lost): render it now, once
        letter = dunning.dunning_letter_render_pdf(letter=letter)
    return FileResponse(
        letter.pdf.open("rb"),
        as_attachment=True,
        filename=f"{letter.invoice.number}-M{letter.level}.pdf",
        content_type="application/pdf",
    )


# --- Aus Zeiten abrechnen -----------------------------------------------------------------------


def _previous_month() -> tuple[Any, Any]:
    first_this = timezone.localdate().replace(day=1)
    end = first_this - timezone.timedelta(days=1)
    return end.replace(day=1), end


@require_http_methods(["GET", "POST"])
@permission_required_for("invoices.add_invoice")
def invoice_from_time(request: AuthedRequest) -> HttpResponse:
    """Pick customer/project and period, see the billable entries, create the draft."""
    start, end = _previous_month()
    data = request.POST if request.method == "POST" else (request.GET or None)
    form = FromTimeForm(data, initial={"start": start, "end": end, "grouping": "project"})
    entries: list[Any] = []
    groups: list[billing.LineGroup] = []
    available = True
    status = 200
    if form.is_bound and form.is_valid():
        values = form.cleaned_data
        try:
            entries = list(
                billing.billable_entries(
                    customer=values["customer"],
                    project=values["project"],
                    start=values["start"],
                    end=values["end"],
                )
            )
        except LookupError:
            available = False
        groups = billing.group_entries(
            entries, grouping=values["grouping"], start=values["start"], end=values["end"]
        )
        if request.method == "POST" and available:
            try:
                invoice = billing.invoice_from_time(
                    actor=request.user,
                    customer=values["customer"],
                    project=values["project"],
                    start=values["start"],
                    end=values["end"],
                    grouping=values["grouping"],
                    timesheet=values["timesheet"],
                )
            except ValidationError as error:
                _add_errors(form, error)
                status = 422
            else:
                messages.success(request, _("The draft was created from the time entries."))
                if request.htmx:
                    return HttpResponseClientRedirect(
                        reverse_lazy("invoices:invoice_edit", args=[invoice.pk])
                    )
                return redirect("invoices:invoice_edit", invoice.pk)
    elif request.method == "POST":
        status = 422
    preview_net = sum((group.net for group in groups), Decimal("0.00"))
    return render_page(
        request,
        "invoices/invoice_from_time.html",
        {
            "form": form,
            "entries": entries,
            "groups": groups,
            "preview_net": preview_net,
            "available": available,
        },
        partials={"time-entries": "entries"},
        status=status,
    )
