from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _

from apps.common.widgets import FastSelect
from apps.crm.models import Customer
from apps.employees.models import Department, Employee
from apps.projects.models import Project


def active_employees() -> Any:
    return Employee.objects.exclude(status=Employee.Status.INACTIVE).order_by(
        "last_name", "first_name", "id"
    )


def project_managers() -> Any:
    """Employees who manage at least one project (the filter's choices)."""
    return Employee.objects.filter(Exists(Project.objects.filter(manager=OuterRef("pk")))).order_by(
        "last_name", "first_name", "id"
    )


class CustomerField(forms.CharField):
    """A customer by number ("KD-00001" or "KD-00001 Müller GmbH" from the picker's datalist)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 250)
        super().__init__(**kwargs)

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, int):
            customer = Customer.objects.filter(pk=value).only("number", "name").first()
            return f"{customer.number} {customer.name}" if customer else ""
        if isinstance(value, Customer):
            return f"{value.number} {value.name}"
        return value

    def clean(self, value: Any) -> Customer | None:
        text = super().clean(value)
        if not text:
            return None
        number = text.split()[0]
        customer = Customer.objects.filter(number__iexact=number).first()
        if customer is None:
            raise forms.ValidationError(
                _("No customer with the number %(number)s."), params={"number": number[:30]}
            )
        if customer.status == Customer.Status.BLOCKED:
            raise forms.ValidationError(_("This customer is blocked."))
        return customer


class ProjectForm(forms.ModelForm):
    customer = CustomerField(
        label=_("Customer"),
        required=False,
        help_text=_("Customer number or start typing the name."),
    )

    class Meta:
        model = Project
        fields = [
            "title",
            "customer",
            "department",
            "manager",
            "status",
            "priority",
            "start_date",
            "end_date",
            "deadline",
            "budget_amount",
            "budget_hours",
            "hourly_rate",
            "billing_rounding",
            "description",
        ]
        widgets = {
            "start_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "end_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "deadline": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "description": forms.Textarea(attrs={"rows": 4}),
            "department": FastSelect,
            "manager": FastSelect,
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["manager"].queryset = active_employees()
        self.fields["department"].queryset = Department.objects.order_by("name")
        for name in ("budget_amount", "budget_hours", "hourly_rate"):
            self.fields[name].min_value = 0
            self.fields[name].widget.attrs["min"] = "0"

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", _("The end date cannot be before the start date."))
        for name in ("budget_amount", "budget_hours", "hourly_rate"):
            value = data.get(name)
            if value is not None and value < 0:
                self.add_error(name, _("Must not be negative."))
        return data

    def _post_clean(self) -> None:
        pass


class MemberAddForm(forms.Form):
    employee = forms.ModelChoiceField(
        label=_("Employee"), queryset=Employee.objects.none(), widget=FastSelect
    )

    def __init__(self, *args: Any, project: Project, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["employee"].queryset = active_employees().exclude(
            project_memberships__project=project
        )
