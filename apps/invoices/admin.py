"""Admin: drafts are editable; issued documents are read-only and can never be deleted (GoBD).

Only the internal notes of an issued document stay editable, as in the services. Every write goes
through the invoice services, so the admin's entries in the audit log are the app's.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.admin.utils import NestedObjects
from django.core.exceptions import ValidationError
from django.db import router
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest
from django.utils.translation import gettext as _

from apps.common.admin import ReadOnlyAdmin
from apps.invoices.models import (
    DocumentType,
    DunningLetter,
    Invoice,
    InvoiceEmail,
    InvoiceLine,
    InvoiceStatus,
    Payment,
)


def _issued(obj: Any) -> bool:
    invoice = obj.invoice if isinstance(obj, InvoiceLine | Payment) else obj
    return invoice is not None and invoice.status != InvoiceStatus.DRAFT


class InvoiceLineInlineFormSet(BaseInlineFormSet):
    def clean(self) -> None:
        """The services' line checks (VAT category and rate, quantity...) as form errors."""
        from apps.invoices import services

        super().clean()
        for form in self.forms:
            data = getattr(form, "cleaned_data", None)
            if not data or data.get("DELETE"):
                continue
            try:
                services.invoice_line_check(
                    **{name: data.get(name) for name in services.LINE_EDITABLE}
                )
            except ValidationError as error:
                form.add_error(None, error)


class InvoiceLineInline(admin.TabularInline):
    model = InvoiceLine
    formset = InvoiceLineInlineFormSet
    extra = 0
    fields = [
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
    readonly_fields = ["line_net"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not _issued(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not _issued(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not _issued(obj) and super().has_delete_permission(request, obj)


def _posted_lines(formset: Any) -> list[dict[str, Any]]:
    """The line editor's rows from the inline: kept lines with their id, in position order."""
    from apps.invoices import services

    rows = []
    for index, line_form in enumerate(formset.forms):
        data = line_form.cleaned_data
        if not data or data.get("DELETE"):
            continue
        values = {name: data[name] for name in services.LINE_EDITABLE if name in data}
        if line_form.instance.pk is not None:
            values["id"] = line_form.instance.pk
        rows.append(((data.get("position") or 0, index), values))
    rows.sort(key=lambda row: row[0])
    return [values for _order, values in rows]


class InvoiceAdminForm(forms.ModelForm):
    """The services' header checks as form errors (they would refuse the save otherwise)."""

    def clean_document_type(self) -> str:
        value = self.cleaned_data["document_type"]
        if value not in (DocumentType.INVOICE, DocumentType.QUOTE):
            raise ValidationError(
                _("Cancellation invoices are created by cancelling an invoice."),
                code="document_type",
            )
        return str(value)

    def _post_clean(self) -> None:
        super()._post_clean()
        from apps.invoices import services

        if self.instance.status != InvoiceStatus.DRAFT:
            return
        try:
            services.invoice_header_check(self.instance)
        except ValidationError as error:
            self._update_errors(error)


class PaymentInline(admin.TabularInline):
    model = Payment
    extra = 0
    fields = ["date", "amount", "method", "reference", "note", "recorded_by"]
    readonly_fields = fields

    # Payments are recorded through the app (status, over-payment check, audit).
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Invoice)
class InvoiceAdmin(admin.ModelAdmin):
    list_display = [
        "__str__",
        "document_type",
        "customer",
        "status",
        "issue_date",
        "due_date",
        "gross_total",
        "paid_total",
    ]
    list_filter = ["document_type", "status", "issue_date"]
    search_fields = ["number", "customer__name", "customer__number", "subject"]
    raw_id_fields = ["customer", "project"]
    list_select_related = ["customer"]
    date_hierarchy = "issue_date"
    form = InvoiceAdminForm
    inlines = [InvoiceLineInline, PaymentInline]
    actions = None  # bulk "delete selected" would bypass the per-object GoBD rule
    readonly_fields = [
        "number",
        "status",
        "net_total",
        "vat_total",
        "gross_total",
        "paid_total",
        "issued_at",
        "issued_by",
        "sent_at",
        "pdf_rendered_at",
        "seller_data",
        "buyer_data",
        "source_quote",
        "cancels",
        "overdue_since",
        "created_by",
    ]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        if _issued(obj):
            return [f.name for f in Invoice._meta.fields if f.name not in {"id", "notes"}]
        # What the services change: a draft's header (and the type of a new document).
        return [*self.readonly_fields, "timesheet_appendix", *(["document_type"] if obj else [])]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if _issued(obj):
            return False
        return super().has_delete_permission(request, obj)

    def save_model(self, request: HttpRequest, obj: Invoice, form: Any, change: bool) -> None:
        from apps.invoices import services

        if not change:
            return  # created with its lines in save_related: one audited creation, as in the app
        if _issued(Invoice.objects.get(pk=obj.pk)):
            services.invoice_notes_update(
                actor=request.user, invoice=obj, notes=form.cleaned_data.get("notes", obj.notes)
            )
            return
        if services.DRAFT_EDITABLE & set(form.changed_data):
            # As the app's edit: the header through invoice_update (old and new values audited).
            fields = {name: getattr(obj, name) for name in services.DRAFT_EDITABLE}
            services.invoice_update(actor=request.user, invoice=obj, **fields)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        if change:
            super().save_related(request, form, formsets, change)
            return
        from apps.invoices import services

        lines = next((formset for formset in formsets if formset.model is InvoiceLine), None)
        fields = {
            name: form.cleaned_data[name]
            for name in services.DRAFT_EDITABLE
            if name in form.cleaned_data
        }
        invoice = services.invoice_create(
            actor=request.user,
            document_type=form.cleaned_data.get("document_type") or DocumentType.INVOICE,
            lines=_posted_lines(lines) if lines is not None else [],
            **fields,
        )
        obj = form.instance
        obj.pk, obj.created_by = invoice.pk, invoice.created_by
        obj.net_total, obj.vat_total, obj.gross_total = (
            invoice.net_total,
            invoice.vat_total,
            invoice.gross_total,
        )
        obj._state.adding = False
        for formset in formsets:  # saves nothing; fills new_objects... for the admin's history
            formset.save(commit=False)

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        """A draft's lines through the line editor's service, as in the app: one audited change
        of the invoice with its old and new lines (shown in the invoice's history). The lines
        are numbered in the order of their positions; removed lines free their time entries."""
        if formset.model is not InvoiceLine or not formset.has_changed():
            super().save_formset(request, form, formset, change)
            return
        from apps.invoices import services

        formset.save(commit=False)  # saves nothing; fills new_objects... for the admin's history
        services.invoice_lines_replace(
            actor=request.user, invoice=form.instance, lines=_posted_lines(formset)
        )

    def get_deleted_objects(self, objs: Any, request: HttpRequest) -> tuple[Any, Any, Any, Any]:
        """Time entries billed on a draft's lines are not in the way: invoice_delete frees them
        (they become billable again). Anything else that protects the draft still does."""
        objs = list(objs)
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        freed = _entries_freed_by_delete(objs) if protected else set()
        if not freed:
            return deleted, counts, perms_needed, protected
        collector = NestedObjects(using=router.db_for_write(Invoice), origin=objs)
        collector.collect(objs)
        if not set(collector.protected) <= freed:
            return deleted, counts, perms_needed, protected
        entry_name = next(iter(freed))._meta.verbose_name
        counts = {**counts, _("time entries (freed, billable again)"): len(freed)}
        return deleted, counts, perms_needed - {entry_name}, []

    def delete_model(self, request: HttpRequest, obj: Invoice) -> None:
        from apps.invoices import services

        services.invoice_delete(actor=request.user, invoice=obj)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        from apps.invoices import services

        for invoice in queryset:  # one audited deletion per draft (the action is off: GoBD)
            services.invoice_delete(actor=request.user, invoice=invoice)


def _entries_freed_by_delete(invoices: Iterable[Invoice]) -> set[Any]:
    """The time entries billed on these drafts' lines: deleting the drafts frees them."""
    from apps.invoices.billing import time_entry_model

    drafts = [invoice.pk for invoice in invoices if not _issued(invoice)]
    try:
        entry_model = time_entry_model()
    except LookupError:
        return set()
    return set(entry_model.objects.filter(billed_by_line__invoice__in=drafts)) if drafts else set()


@admin.register(Payment)
class PaymentAdmin(admin.ModelAdmin):
    list_display = ["invoice", "date", "amount", "method", "reference"]
    list_filter = ["method", "date"]
    search_fields = ["invoice__number", "reference"]
    list_select_related = ["invoice"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(DunningLetter)
class DunningLetterAdmin(admin.ModelAdmin):
    list_display = [
        "invoice",
        "level",
        "letter_date",
        "deadline",
        "total_claim",
        "sent_at",
        "sent_to",
    ]
    list_filter = ["level", "letter_date"]
    search_fields = ["invoice__number"]
    list_select_related = ["invoice"]

    # Letters are created by the dunning service only and are part of the record.
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(InvoiceEmail)
class InvoiceEmailAdmin(ReadOnlyAdmin):
    list_display = ["invoice", "status", "requested_by", "queued_at", "sent_at"]
    list_filter = ["status"]
    list_select_related = ["invoice", "requested_by"]
    search_fields = ["invoice__number", "subject"]
