import django_filters
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from apps.audit.models import AuditAction, AuditEntry
from apps.employees.models import Employee


class AuditEntryFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    action = django_filters.ChoiceFilter(
        label=_("Action"), choices=AuditAction.choices, empty_label=_("All")
    )
    actor = django_filters.ModelChoiceFilter(
        label=_("Actor"),
        queryset=Employee.objects.order_by("last_name", "first_name", "id"),
        empty_label=_("All"),
    )
    content_type = django_filters.ModelChoiceFilter(
        label=_("Object type"),
        queryset=ContentType.objects.order_by("app_label", "model"),
        empty_label=_("All"),
    )
    since = django_filters.DateFilter(
        label=_("From"),
        field_name="timestamp",
        lookup_expr="date__gte",
        widget=django_filters.widgets.forms.DateInput(attrs={"type": "date"}),
    )
    until = django_filters.DateFilter(
        label=_("Until"),
        field_name="timestamp",
        lookup_expr="date__lte",
        widget=django_filters.widgets.forms.DateInput(attrs={"type": "date"}),
    )

    class Meta:
        model = AuditEntry
        fields = ["q", "action", "actor", "content_type", "since", "until"]

    def search(self, queryset, name, value):  # type: ignore[no-untyped-def]
        return queryset.filter(
            Q(object_repr__icontains=value)
            | Q(message__icontains=value)
            | Q(actor_repr__icontains=value)
        )
