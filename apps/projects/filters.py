import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from apps.common.widgets import FastSelect
from apps.crm.filters import TotalOrderMixin
from apps.crm.search import search_terms
from apps.employees.models import Department
from apps.projects import selectors
from apps.projects.forms import project_managers
from apps.projects.models import Project


class ProjectFilter(TotalOrderMixin, django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search", max_length=200)
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Project.Status.choices)
    customer = django_filters.CharFilter(
        label=_("Customer"), method="filter_customer", max_length=200
    )
    department = django_filters.ModelChoiceFilter(
        label=_("Department"), queryset=Department.objects.order_by("name"), widget=FastSelect
    )
    manager = django_filters.ModelChoiceFilter(
        label=_("Project manager"), queryset=project_managers(), widget=FastSelect
    )
    overdue = django_filters.BooleanFilter(
        label=_("Overdue"),
        method="filter_overdue",
        widget=django_filters.widgets.BooleanWidget(),
    )
    ordering = django_filters.OrderingFilter(
        label=_("Sort by"),
        fields=(
            ("number", "number"),
            ("title", "title"),
            ("status", "status"),
            ("deadline", "deadline"),
            ("created_at", "created"),
        ),
        field_labels={
            "number": _("Number"),
            "title": _("Title"),
            "status": _("Status"),
            "deadline": _("Deadline"),
            "created": _("Created"),
        },
    )

    class Meta:
        model = Project
        fields = ["q", "status", "customer", "department", "manager", "overdue"]

    def search(self, queryset, name, value):  # type: ignore[no-untyped-def]
        for word in value.split()[:5]:
            queryset = queryset.filter(Q(title__icontains=word) | Q(number__icontains=word))
        return queryset

    def filter_customer(self, queryset, name, value):  # type: ignore[no-untyped-def]
        """A customer id (links from the customer page), number or (part of) the name."""
        value = value.strip()
        if value.isdigit():
            return queryset.filter(customer_id=int(value))
        for term in search_terms(value):
            queryset = queryset.filter(customer__search_text__contains=term)
        return queryset

    def filter_overdue(self, queryset, name, value):  # type: ignore[no-untyped-def]
        if value is True:
            return selectors.overdue(queryset)
        if value is False:
            return queryset.exclude(pk__in=selectors.overdue(Project.objects.all()).values("pk"))
        return queryset
