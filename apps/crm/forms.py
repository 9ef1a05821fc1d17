"""Input validation only; the views hand cleaned_data to the services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.common.widgets import FastSelect
from apps.crm.models import Activity, Contact, Customer
from apps.employees.models import Employee

MAX_IMPORT_BYTES = 2 * 1024 * 1024


def active_employees() -> Any:
    return Employee.objects.exclude(status=Employee.Status.INACTIVE).order_by(
        "last_name", "first_name", "id"
    )


def account_managers() -> Any:
    """Employees who look after at least one customer (the filter's choices)."""
    return Employee.objects.filter(
        Exists(Customer.objects.filter(account_manager=OuterRef("pk")))
    ).order_by("last_name", "first_name", "id")


class CustomerForm(forms.ModelForm):
    class Meta:
        model = Customer
        fields = [
            "name",
            "type",
            "status",
            "stage",
            "email",
            "phone",
            "website",
            "street",
            "zip_code",
            "city",
            "country",
            "vat_id",
            "tax_number",
            "leitweg_id",
            "vat_treatment",
            "payment_terms_days",
            "account_manager",
            "notes",
        ]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3}), "account_manager": FastSelect}
        help_texts = {
            "vat_id": _("e.g. DE123456789"),
            "leitweg_id": _(
                "Only for public authorities (XRechnung), e.g. 04011000-1234512345-06."
            ),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["account_manager"].queryset = active_employees()
        self.fields["payment_terms_days"].max_value = 365
        self.fields["payment_terms_days"].widget.attrs.update({"min": 0, "max": 365})

    def clean_vat_id(self) -> str:
        return "".join(self.cleaned_data["vat_id"].split()).upper()

    def clean_leitweg_id(self) -> str:
        return self.cleaned_data["leitweg_id"].strip().upper()

    def clean_country(self) -> str:
        country = self.cleaned_data["country"].strip().upper()
        if len(country) != 2 or not country.isalpha():
            raise forms.ValidationError(_("Use the two-letter country code, e.g. DE."))
        return country

    def clean_payment_terms_days(self) -> int | None:
        days = self.cleaned_data["payment_terms_days"]
        if days is not None and days > 365:
            raise forms.ValidationError(_("At most 365 days."))
        return days

    def _post_clean(self) -> None:
        # Field validators (VAT ID, Leitweg-ID, e-mail) ran already; the service validates the model.
        pass


class ContactForm(forms.ModelForm):
    class Meta:
        model = Contact
        fields = ["first_name", "last_name", "email", "phone", "mobile", "position", "is_primary"]

    def _post_clean(self) -> None:
        pass


class ActivityForm(forms.Form):
    type = forms.ChoiceField(label=_("Type"), choices=Activity.Type.choices)
    contact = forms.ModelChoiceField(
        label=_("Contact"), queryset=Contact.objects.none(), required=False
    )
    text = forms.CharField(
        label=_("Text"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000
    )
    occurred_at = forms.DateTimeField(
        label=_("When"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("Empty: now."),
    )

    def __init__(self, *args: Any, customer: Customer, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["contact"].queryset = Contact.objects.filter(customer=customer)

    def clean_occurred_at(self) -> Any:
        value = self.cleaned_data["occurred_at"]
        return value or timezone.now()


class PipelineMoveForm(forms.Form):
    stage = forms.ChoiceField(label=_("Stage"), choices=Customer.Stage.choices)


class CustomerImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_(
            "Separated by ; or , in UTF-8 or Latin-1; first row: column names such as Name, "
            "E-Mail, Straße, PLZ, Ort, USt-IdNr, Vorname, Nachname."
        ),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_IMPORT_BYTES:
            raise forms.ValidationError(_("The file is larger than 2 MB."))
        return upload
