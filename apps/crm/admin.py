"""Admin: customers with contacts inline, contacts, activities. Saves and deletions go through the
services (numbers, audit, search)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from django.utils.translation import gettext_lazy as _

from apps.common.admin import ReadOnlyAdmin
from apps.crm import services
from apps.crm.models import Activity, Contact, Customer, CustomerImport


def _contact_values(contact: Contact, names: Iterable[str]) -> dict[str, Any]:
    """The values of ``names`` that the contact services take."""
    return {name: getattr(contact, name) for name in names if name in services.CONTACT_EDITABLE}


class ContactAdminForm(forms.ModelForm):
    def validate_constraints(self) -> None:
        # Django's, except that a new primary contact isn't checked against the current one:
        # as in the app, contact_create/contact_update move the flag (and audit both contacts);
        # the customer's inline allows one primary among its rows (ContactInlineFormSet).
        exclude = self._get_validation_exclusions()
        if self.cleaned_data.get("is_primary"):
            exclude.add("is_primary")
        try:
            self.instance.validate_constraints(exclude=exclude)
        except ValidationError as error:
            self._update_errors(error)


class ContactInlineFormSet(BaseInlineFormSet):
    def clean(self) -> None:
        super().clean()
        primaries = [
            form
            for form in self.forms
            if getattr(form, "cleaned_data", None)
            and form.cleaned_data.get("is_primary")
            and not form.cleaned_data.get("DELETE")
        ]
        if len(primaries) > 1:
            raise ValidationError(_("Only one contact can be the primary contact."))


class ContactInline(admin.TabularInline):
    model = Contact
    form = ContactAdminForm
    formset = ContactInlineFormSet
    extra = 0
    fields = ["first_name", "last_name", "email", "phone", "mobile", "position", "is_primary"]


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ["number", "name", "type", "status", "stage", "city", "account_manager"]
    list_filter = ["status", "type", "stage", "vat_treatment"]
    search_fields = ["number", "name", "email", "city", "contacts__last_name", "contacts__email"]
    autocomplete_fields = ["account_manager"]
    readonly_fields = ["number", "created_at", "updated_at"]
    list_select_related = ["account_manager"]
    inlines = [ContactInline]
    show_full_result_count = False

    def save_model(self, request: Any, obj: Customer, form: Any, change: bool) -> None:
        fields = {name: getattr(obj, name) for name in services.EDITABLE_FIELDS}
        if change:
            saved = services.customer_update(actor=request.user, customer=obj, **fields)
        else:
            saved = services.customer_create(actor=request.user, **fields)
        obj.pk, obj.number = saved.pk, saved.number
        obj._state.adding = False

    def save_related(self, request: Any, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        services.customer_refresh_search(customer=form.instance)

    def save_formset(self, request: Any, form: Any, formset: Any, change: bool) -> None:
        """Contacts through the services: each added, changed and deleted contact is audited
        as it is in the app (and keeps the one-primary rule)."""
        if formset.model is not Contact:
            super().save_formset(request, form, formset, change)
            return
        formset.save(commit=False)  # fills deleted_objects, changed_objects, new_objects
        for contact in formset.deleted_objects:
            services.contact_delete(actor=request.user, contact=contact)
        for contact, changed in formset.changed_objects:
            fields = _contact_values(contact, changed)
            services.contact_update(actor=request.user, contact=contact, **fields)
        for contact in formset.new_objects:
            fields = _contact_values(contact, services.CONTACT_FIELDS)
            services.contact_create(actor=request.user, customer=form.instance, **fields)

    def delete_model(self, request: Any, obj: Customer) -> None:
        services.customer_delete(actor=request.user, customer=obj)

    def delete_queryset(self, request: Any, queryset: Any) -> None:
        for customer in queryset:  # "delete selected": one audited deletion per customer
            services.customer_delete(actor=request.user, customer=customer)


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    """Saves and deletions through the services, as in the customer's inline."""

    form = ContactAdminForm
    list_display = ["__str__", "customer", "email", "phone", "is_primary"]
    search_fields = ["first_name", "last_name", "email", "customer__name", "customer__number"]
    autocomplete_fields = ["customer"]
    list_select_related = ["customer"]

    def get_readonly_fields(self, request: Any, obj: Any = None) -> list[str]:
        # A contact stays with its customer (the services have no move).
        return [*super().get_readonly_fields(request, obj), *(["customer"] if obj else [])]

    def save_model(self, request: Any, obj: Contact, form: Any, change: bool) -> None:
        if change:
            fields = _contact_values(obj, form.changed_data)
            services.contact_update(actor=request.user, contact=obj, **fields)
            return
        fields = _contact_values(obj, services.CONTACT_FIELDS)
        saved = services.contact_create(actor=request.user, customer=obj.customer, **fields)
        obj.pk = saved.pk
        obj._state.adding = False

    def delete_model(self, request: Any, obj: Contact) -> None:
        services.contact_delete(actor=request.user, contact=obj)

    def delete_queryset(self, request: Any, queryset: Any) -> None:
        for contact in queryset.select_related("customer"):
            services.contact_delete(actor=request.user, contact=contact)


class ActivityAdminForm(forms.ModelForm):
    def clean(self) -> dict[str, Any]:
        data = super().clean()
        contact = data.get("contact")
        customer = data.get("customer") if "customer" in self.fields else self.instance.customer
        if contact is not None and customer is not None and contact.customer_id != customer.pk:
            self.add_error("contact", _("The contact belongs to another customer."))
        return data


@admin.register(Activity)
class ActivityAdmin(admin.ModelAdmin):
    """Through the services, as in the app: logged by the acting employee (activity_log),
    corrected with old and new values (activity_update), deleted with what it said."""

    form = ActivityAdminForm
    list_display = ["occurred_at", "type", "customer", "contact", "employee"]
    list_filter = ["type"]
    search_fields = ["text", "customer__name", "customer__number"]
    autocomplete_fields = ["customer", "contact"]
    list_select_related = ["customer", "contact", "employee"]
    date_hierarchy = "occurred_at"
    fields = ["customer", "contact", "type", "text", "occurred_at", "employee"]

    def get_readonly_fields(self, request: Any, obj: Any = None) -> list[str]:
        # The employee is whoever logged it; an activity stays with its customer.
        return ["employee", *(["customer"] if obj else [])]

    def save_model(self, request: Any, obj: Activity, form: Any, change: bool) -> None:
        if change:
            fields = {
                name: getattr(obj, name)
                for name in form.changed_data
                if name in services.ACTIVITY_EDITABLE
            }
            services.activity_update(actor=request.user, activity=obj, **fields)
            return
        saved = services.activity_log(
            actor=request.user,
            customer=obj.customer,
            type=obj.type,
            text=obj.text,
            occurred_at=obj.occurred_at,
            contact=obj.contact,
        )
        obj.pk, obj.employee = saved.pk, saved.employee
        obj._state.adding = False

    def delete_model(self, request: Any, obj: Activity) -> None:
        services.activity_delete(actor=request.user, activity=obj)

    def delete_queryset(self, request: Any, queryset: Any) -> None:
        for activity in queryset:  # "delete selected": one audited deletion per activity
            services.activity_delete(actor=request.user, activity=activity)


@admin.register(CustomerImport)
class CustomerImportAdmin(ReadOnlyAdmin):
    list_display = ["filename", "uploaded_by", "status", "created_at", "finished_at"]
    list_filter = ["status"]
    list_select_related = ["uploaded_by"]
    exclude = ["data"]  # the uploaded file itself; dropped after the import
