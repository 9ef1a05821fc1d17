import django_filters
from django.utils.translation import gettext_lazy as _

from apps.common.widgets import FastSelect
from apps.crm.forms import account_managers
from apps.crm.models import Customer
from apps.crm.selectors import customer_search


class TotalOrderMixin:
    """A total order (tie-breaker id) keeps pagination stable whatever the sort column."""

    @property
    def qs(self):  # type: ignore[no-untyped-def]
        queryset = super().qs  # type: ignore[misc]
        if self.form.is_valid() and self.form.cleaned_data.get("ordering"):  # type: ignore[attr-defined]
            return queryset.order_by(*queryset.query.order_by, "id")
        return queryset


class CustomerFilter(TotalOrderMixin, django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Customer.Status.choices)
    type = django_filters.ChoiceFilter(label=_("Type"), choices=Customer.Type.choices)
    stage = django_filters.ChoiceFilter(label=_("Stage"), choices=Customer.Stage.choices)
    account_manager = django_filters.ModelChoiceFilter(
        label=_("Account manager"), queryset=account_managers(), widget=FastSelect
    )
    city = django_filters.CharFilter(label=_("City"), lookup_expr="iexact", max_length=100)
    ordering = django_filters.OrderingFilter(
        label=_("Sort by"),
        fields=(
            ("name", "name"),
            ("number", "number"),
            ("city", "city"),
            ("status", "status"),
            ("stage", "stage"),
            ("created_at", "created"),
        ),
        field_labels={
            "name": _("Name"),
            "number": _("Number"),
            "city": _("City"),
            "status": _("Status"),
            "stage": _("Stage"),
            "created": _("Created"),
        },
    )

    class Meta:
        model = Customer
        fields = ["q", "status", "type", "stage", "account_manager", "city"]

    def search(self, queryset, name, value):  # type: ignore[no-untyped-def]
        return customer_search(queryset, value)


class PipelineFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    type = django_filters.ChoiceFilter(label=_("Type"), choices=Customer.Type.choices)
    account_manager = django_filters.ModelChoiceFilter(
        label=_("Account manager"), queryset=account_managers(), widget=FastSelect
    )

    class Meta:
        model = Customer
        fields = ["q", "type", "account_manager"]

    def search(self, queryset, name, value):  # type: ignore[no-untyped-def]
        return customer_search(queryset, value)
