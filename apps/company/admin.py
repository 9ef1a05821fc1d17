from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from apps.company.models import CompanySettings


@admin.register(CompanySettings)
class CompanySettingsAdmin(admin.ModelAdmin):
    fieldsets = [
        (
            _("Company"),
            {
                "fields": [
                    "name",
                    "legal_form",
                    "street",
                    "zip_code",
                    "city",
                    "country",
                    "phone",
                    "email",
                    "website",
                    "logo",
                    "email_sender",
                ]
            },
        ),
        (
            _("Tax and register"),
            {
                "fields": [
                    "tax_number",
                    "vat_id",
                    "register_court",
                    "register_number",
                    "managing_directors",
                    "small_business",
                    "default_vat_rate",
                ]
            },
        ),
        (_("Bank"), {"fields": ["bank_name", "iban", "bic"]}),
        (
            _("Numbering"),
            {
                "fields": [
                    "employee_prefix",
                    "customer_prefix",
                    "project_prefix",
                    "invoice_prefix",
                    "quote_prefix",
                    "cancellation_prefix",
                ]
            },
        ),
        (_("Terms"), {"fields": ["payment_terms_days"]}),
        (
            _("Dunning"),
            {
                "fields": [
                    "dunning_grace_days",
                    "dunning_deadline_days",
                    "dunning_fee_level1",
                    "dunning_fee_level2",
                    "dunning_fee_level3",
                    "dunning_interest_enabled",
                    "dunning_b2b_flat_fee",
                    "base_interest_rate",
                    "base_interest_rate_valid_from",
                ]
            },
        ),
        (
            _("Working time"),
            {
                "fields": [
                    "hours_per_day",
                    "working_days_per_week",
                    "break_after_6h_minutes",
                    "break_after_9h_minutes",
                    "max_hours_per_day",
                    "min_rest_hours",
                    "vacation_days_per_year",
                    "bundesland",
                ]
            },
        ),
    ]

    def save_model(self, request, obj, form, change):  # type: ignore[no-untyped-def]
        # Through the service: validated and audited (old and new values, the logo by name).
        from apps.company.services import EDITABLE_FIELDS, company_update

        fields = {
            name: form.cleaned_data[name] for name in form.changed_data if name in EDITABLE_FIELDS
        }
        if "logo" in form.changed_data:
            fields["logo"] = form.cleaned_data["logo"]
        saved = company_update(actor=request.user, **fields)
        obj.pk = saved.pk
        obj._state.adding = False

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return not CompanySettings.objects.exists() and super().has_add_permission(request)

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def changelist_view(self, request, extra_context=None):  # type: ignore[no-untyped-def]
        # A singleton has no list: go straight to its form.
        from django.shortcuts import redirect

        from apps.company.selectors import company_get

        return redirect("admin:company_companysettings_change", company_get().pk)
