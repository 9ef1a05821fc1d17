"""Admin: drafts are editable; issued documents are read-only and can never be deleted (GoBD).

Only the internal notes of an issued document stay editable, as in the services.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest

from apps.invoices.models import DunningLetter, Invoice, InvoiceLine, InvoiceStatus, Payment


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
        return list(self.readonly_fields)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if _issued(obj):
            return False
        return super().has_delete_permission(request, obj)

    def save_model(self, request: HttpRequest, obj: Invoice, form: Any, change: bool) -> None:
        from apps.invoices import services

        if change and _issued(Invoice.objects.get(pk=obj.pk)):
            services.invoice_notes_update(
                actor=request.user, invoice=obj, notes=form.cleaned_data.get("notes", obj.notes)
            )
            return
        super().save_model(request, obj, form, change)
        from apps.audit.models import AuditAction
        from apps.audit.services import audit_record

        audit_record(
            action=AuditAction.UPDATE if change else AuditAction.CREATE,
            target=obj,
            actor=request.user,
            changes={name: {"new": str(form.cleaned_data.get(name))} for name in form.changed_data},
            message="admin",
        )

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        """A draft's lines through the line editor's service, as in the app: one audited change
        of the invoice with its old and new lines (shown in the invoice's history). The lines
        are numbered in the order of their positions; removed lines free their time entries."""
        if formset.model is not InvoiceLine or not formset.has_changed():
            super().save_formset(request, form, formset, change)
            return
        from apps.invoices import services

        formset.save(commit=False)  # saves nothing; fills new_objects... for the admin's history
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
        services.invoice_lines_replace(
            actor=request.user, invoice=form.instance, lines=[values for _order, values in rows]
        )

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        invoice = form.instance
        if not _issued(invoice):
            from apps.invoices.services import _store_totals

            _store_totals(invoice)


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
