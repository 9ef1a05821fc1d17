from collections.abc import Iterator
from typing import Any

import django_filters
from django.forms.models import ModelChoiceIterator
from django.utils.translation import gettext_lazy as _
from django_filters.fields import ModelChoiceField
from django_filters.fields import ModelChoiceIterator as NullModelChoiceIterator

from apps.common.widgets import FastSelect
from apps.crm.forms import account_managers
from apps.crm.models import Customer
from apps.crm.selectors import customer_search


class _OneQueryChoices(ModelChoiceIterator):
    """The choices from one plain query. Django reads them with ``.iterator()``, which on
    PostgreSQL opens a server-side cursor (DECLARE … WITH HOLD, FETCH, CLOSE) for a few dozen
    rows: 2-3 ms per page with the full employee rows."""

    def __iter__(self) -> Iterator[Any]:
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self.queryset.all():
            yield self.choice(obj)


class _AccountManagerChoices(NullModelChoiceIterator, _OneQueryChoices):
    pass


class _AccountManagerField(ModelChoiceField):
    iterator = _AccountManagerChoices


class AccountManagerFilter(django_filters.ModelChoiceFilter):
    """The account managers of the customers (name and e-mail loaded: ``Employee.__str__``)."""

    field_class = _AccountManagerField

    def __init__(self, **kwargs: Any) -> None:
        queryset = account_managers().only("id", "first_name", "last_name", "email")
        super().__init__(label=_("Account manager"), queryset=queryset, widget=FastSelect, **kwargs)


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
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=Customer.Status.choices, widget=FastSelect
    )
    type = django_filters.ChoiceFilter(
        label=_("Type"), choices=Customer.Type.choices, widget=FastSelect
    )
    stage = django_filters.ChoiceFilter(
        label=_("Stage"), choices=Customer.Stage.choices, widget=FastSelect
    )
    account_manager = AccountManagerFilter()
    city = django_filters.CharFilter(label=_("City"), lookup_expr="iexact", max_length=100)
    ordering = django_filters.OrderingFilter(
        label=_("Sort by"),
        widget=FastSelect,
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
    type = django_filters.ChoiceFilter(
        label=_("Type"), choices=Customer.Type.choices, widget=FastSelect
    )
    account_manager = AccountManagerFilter()

    class Meta:
        model = Customer
        fields = ["q", "type", "account_manager"]

    def search(self, queryset, name, value):  # type: ignore[no-untyped-def]
        return customer_search(queryset, value)
