"""Forms validate input only; views hand ``cleaned_data`` to the services."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _

from apps.crm.models import Customer
from apps.invoices.models import DocumentType, Invoice, PaymentMethod
from apps.projects.models import Project

VAT_CHOICES = [
    ("S:19", _("19 % VAT")),
    ("S:7", _("7 % VAT")),
    ("AE:0", _("0 % (reverse charge, § 13b UStG)")),
    ("E:0", _("0 % (small business, § 19 UStG)")),
    ("O:0", _("not taxable (§ 3a UStG, customer outside the EU)")),
]
# Drafts from before category O may still hold "export (G)" lines (see VatCategory): the form
# accepts the value so that such a row round-trips and the service explains why it is refused;
# the editor offers it only on a row that already has it.
LEGACY_VAT_CHOICES = [("G:0", _("0 % (export, tax-free)"))]
UNIT_CHOICES = ["Stunden", "Tage", "Stück", "Pauschal", "Monate", "Lizenzen", "km"]

HEADER_FIELDS = [
    "customer",
    "project",
    "language",
    "issue_date",
    "service_date",
    "service_period_start",
    "service_period_end",
    "due_date",
    "subject",
    "buyer_reference",
    "header_text",
    "footer_text",
    "notes",
]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%d")


class InvoiceForm(forms.ModelForm):
    """Header fields of a draft (new documents also choose quote or invoice)."""

    document_type = forms.ChoiceField(
        label=_("Type"),
        choices=[
            (DocumentType.INVOICE.value, DocumentType.INVOICE.label),
            (DocumentType.QUOTE.value, DocumentType.QUOTE.label),
        ],
        initial=DocumentType.INVOICE,
    )

    class Meta:
        model = Invoice
        fields = HEADER_FIELDS
        widgets = {
            "issue_date": DateInput(),
            "service_date": DateInput(),
            "service_period_start": DateInput(),
            "service_period_end": DateInput(),
            "due_date": DateInput(),
            "header_text": forms.Textarea(attrs={"rows": 2}),
            "footer_text": forms.Textarea(attrs={"rows": 2}),
            "notes": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, creating: bool = False, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["customer"].queryset = Customer.objects.order_by("name", "id")
        self.fields["project"].queryset = Project.objects.order_by("number", "id")
        if not creating:
            del self.fields["document_type"]

    def clean(self):  # type: ignore[no-untyped-def]
        data = super().clean()
        start, end = data.get("service_period_start"), data.get("service_period_end")
        if bool(start) != bool(end):
            self.add_error(
                "service_period_end", _("Give both the start and the end of the service period.")
            )
        elif start and end and end < start:
            self.add_error(
                "service_period_end", _("The service period cannot end before it starts.")
            )
        issue, due = data.get("issue_date"), data.get("due_date")
        if issue and due and due < issue:
            self.add_error("due_date", _("The due date cannot be before the issue date."))
        project, customer = data.get("project"), data.get("customer")
        if project and customer and project.customer_id not in (None, customer.pk):
            self.add_error("project", _("The project belongs to another customer."))
        return data

    def _post_clean(self) -> None:
        # The services validate the model; a ModelForm must not write to the instance here.
        pass


class LineForm(forms.Form):
    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    description = forms.CharField(label=_("Description"), max_length=2000)
    quantity = forms.DecimalField(
        label=_("Quantity"),
        localize=True,  # German decimal comma (90,00) as well as 90.00
        max_digits=12,
        decimal_places=3,
        validators=[MinValueValidator(Decimal("0.001"))],
    )
    unit = forms.CharField(label=_("Unit"), max_length=20, required=False)
    unit_price = forms.DecimalField(
        label=_("Unit price"),
        localize=True,  # German decimal comma (90,00) as well as 90.00
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(Decimal(0))],
    )
    discount_percent = forms.DecimalField(
        label=_("Discount %"),
        localize=True,  # German decimal comma (90,00) as well as 90.00
        max_digits=5,
        decimal_places=2,
        required=False,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))],
    )
    vat = forms.ChoiceField(label=_("VAT"), choices=VAT_CHOICES + LEGACY_VAT_CHOICES)

    def line_values(self) -> dict:
        data = self.cleaned_data
        category, rate = data["vat"].split(":")
        return {
            "id": data.get("id"),
            "description": data["description"],
            "quantity": data["quantity"],
            "unit": data.get("unit") or "Stück",
            "unit_price": data["unit_price"],
            "discount_percent": data.get("discount_percent") or Decimal(0),
            "vat_category": category,
            "vat_rate": Decimal(rate),
        }


class PaymentForm(forms.Form):
    amount = forms.DecimalField(
        label=_("Amount (EUR)"),
        localize=True,  # German decimal comma (90,00) as well as 90.00
        max_digits=14,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    date = forms.DateField(label=_("Payment date"), widget=DateInput())
    method = forms.ChoiceField(label=_("Method"), choices=PaymentMethod.choices)
    reference = forms.CharField(label=_("Reference"), max_length=200, required=False)
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class SendForm(forms.Form):
    to = forms.CharField(
        label=_("To"), max_length=500, help_text=_("Several addresses separated by commas.")
    )
    subject = forms.CharField(label=_("Subject"), max_length=250)
    body = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 10}))

    def clean_to(self) -> list[str]:
        from django.core.validators import validate_email

        addresses = [a.strip() for a in self.cleaned_data["to"].replace(";", ",").split(",")]
        addresses = [a for a in addresses if a]
        if not addresses:
            raise forms.ValidationError(_("Enter at least one e-mail address."))
        for address in addresses:
            validate_email(address)
        return addresses


class NotesForm(forms.Form):
    notes = forms.CharField(
        label=_("Internal notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class FromTimeForm(forms.Form):
    customer = forms.ModelChoiceField(label=_("Customer"), queryset=Customer.objects.none())
    project = forms.ModelChoiceField(
        label=_("Project"), queryset=Project.objects.none(), required=False
    )
    start = forms.DateField(label=_("Start date"), widget=DateInput())
    end = forms.DateField(label=_("End date"), widget=DateInput())
    grouping = forms.ChoiceField(label=_("Grouping"), choices=())
    timesheet = forms.BooleanField(
        label=_("Attach a timesheet (Leistungsnachweis) to the PDF"), required=False
    )

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        from apps.invoices.billing import GROUPINGS

        super().__init__(*args, **kwargs)
        self.fields["customer"].queryset = Customer.objects.order_by("name", "id")
        self.fields["project"].queryset = Project.objects.order_by("number", "id")
        self.fields["grouping"].choices = GROUPINGS

    def clean(self):  # type: ignore[no-untyped-def]
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            self.add_error("end", _("The period cannot end before it starts."))
        project, customer = data.get("project"), data.get("customer")
        if project and customer and project.customer_id not in (None, customer.pk):
            self.add_error("project", _("The project belongs to another customer."))
        return data
