import django_filters
from django.utils.translation import gettext_lazy as _

from apps.employees.models import Department, Employee, Role
from apps.employees.selectors import employee_search


class EmployeeFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    department = django_filters.ModelChoiceFilter(
        label=_("Department"), queryset=Department.objects.order_by("name"), empty_label=_("All")
    )
    role = django_filters.ModelChoiceFilter(
        label=_("Role"), queryset=Role.objects.order_by("name"), empty_label=_("All")
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=Employee.Status.choices, empty_label=_("All")
    )
    ordering = django_filters.OrderingFilter(
        label=_("Sort by"),
        empty_label=_("Name"),
        fields=(("last_name", "name"), ("code", "code"), ("department__name", "department")),
        field_labels={"name": _("Name"), "code": _("Code"), "department": _("Department")},
    )

    class Meta:
        model = Employee
        fields = ["q", "department", "role", "status"]

    def search(self, queryset, name, value):  # type: ignore[no-untyped-def]
        return employee_search(queryset, value)

    @property
    def qs(self):  # type: ignore[no-untyped-def]
        # A total order (tie-breaker id) keeps pagination stable whatever the sort column.
        queryset = super().qs
        if self.form.is_valid() and self.form.cleaned_data.get("ordering"):
            return queryset.order_by(*queryset.query.order_by, "id")
        return queryset
