"""Admin: customers with contacts inline. Saves go through the services (numbers, audit, search)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from django.utils.translation import gettext_lazy as _

from apps.crm import services
from apps.crm.models import Activity, Contact, Customer


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

    def delete_model(self, request: Any, obj: Customer) -> None:
        services.customer_delete(actor=request.user, customer=obj)


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    list_display = ["__str__", "customer", "email", "phone", "is_primary"]
    search_fields = ["first_name", "last_name", "email", "customer__name", "customer__number"]
    autocomplete_fields = ["customer"]
    list_select_related = ["customer"]


@admin.register(Activity)
class ActivityAdmin(admin.ModelAdmin):
    list_display = ["occurred_at", "type", "customer", "contact", "employee"]
    list_filter = ["type"]
    search_fields = ["text", "customer__name", "customer__number"]
    autocomplete_fields = ["customer", "contact", "employee"]
    list_select_related = ["customer", "contact", "employee"]
    date_hierarchy = "occurred_at"
