from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from apps.common.widgets import FastSelect
from apps.documents.models import Document, DocumentLink
from apps.documents.targets import carrier_content_types
from apps.employees.models import Employee


def _linked_type_choices() -> list[tuple[int, str]]:
    choices = [
        (ct.pk, str(ct.model_class()._meta.verbose_name).capitalize())  # type: ignore[union-attr]
        for ct in carrier_content_types()
    ]
    return sorted(choices, key=lambda choice: choice[1])


class DocumentFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    category = django_filters.ChoiceFilter(label=_("Category"), choices=Document.Category.choices)
    linked_type = django_filters.ChoiceFilter(
        label=_("Linked to"), choices=_linked_type_choices, method="filter_linked"
    )
    owner = django_filters.ModelChoiceFilter(
        label=_("Owner"),
        queryset=Employee.objects.only("id", "first_name", "last_name", "email").order_by(
            "last_name", "first_name", "id"
        ),
        widget=FastSelect,
    )
    confidential = django_filters.BooleanFilter(
        label=_("Confidential"),
        widget=forms.Select(choices=[("", "—"), ("true", _("yes")), ("false", _("no"))]),
    )
    uploaded_from = django_filters.DateFilter(
        label=_("Uploaded from"),
        field_name="created_at",
        lookup_expr="date__gte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    uploaded_to = django_filters.DateFilter(
        label=_("Uploaded until"),
        field_name="created_at",
        lookup_expr="date__lte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    class Meta:
        model = Document
        fields = ["q", "category", "linked_type", "owner", "confidential"]

    def search(self, queryset, name, value):  # type: ignore[no-untyped-def]
        for word in value.split()[:5]:
            queryset = queryset.filter(Q(title__icontains=word) | Q(original_name__icontains=word))
        return queryset

    def filter_linked(self, queryset, name, value):  # type: ignore[no-untyped-def]
        if not value:
            return queryset
        return queryset.filter(
            pk__in=DocumentLink.objects.filter(content_type_id=int(value)).values("document_id")
        )
