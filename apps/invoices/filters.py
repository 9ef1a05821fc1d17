import django_filters
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.common.widgets import FastSelect
from apps.crm.models import Customer
from apps.invoices.models import DocumentType, Invoice, InvoiceStatus
from apps.projects.models import Project


class InvoiceFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    document_type = django_filters.ChoiceFilter(
        label=_("Type"), choices=DocumentType.choices, empty_label=_("all types")
    )
    status = django_filters.ChoiceFilter(label=_("Status"), choices=InvoiceStatus.choices)
    overdue = django_filters.BooleanFilter(
        label=_("Overdue"),
        method="filter_overdue",
        widget=django_filters.widgets.BooleanWidget(),
    )
    # Only customers and projects that have documents: the full lists (20,000 customers) would
    # make every list page render tens of thousands of <option>s.
    customer = django_filters.ModelChoiceFilter(
        label=_("Customer"),
        queryset=Customer.objects.filter(
            Exists(Invoice.objects.filter(customer=OuterRef("pk")))
        ).order_by("name", "id"),
        widget=FastSelect,
    )
    project = django_filters.ModelChoiceFilter(
        label=_("Project"),
        queryset=Project.objects.filter(
            Exists(Invoice.objects.filter(project=OuterRef("pk")))
        ).order_by("number", "id"),
        widget=FastSelect,
    )
    issued_from = django_filters.DateFilter(
        label=_("Issued from"), field_name="issue_date", lookup_expr="gte"
    )
    issued_to = django_filters.DateFilter(
        label=_("Issued to"), field_name="issue_date", lookup_expr="lte"
    )
    amount_min = django_filters.NumberFilter(
        label=_("Total from"), field_name="gross_total", lookup_expr="gte"
    )
    amount_max = django_filters.NumberFilter(
        label=_("Total to"), field_name="gross_total", lookup_expr="lte"
    )
    ordering = django_filters.OrderingFilter(
        label=_("Sort by"),
        fields=(
            ("issue_date", "issue_date"),
            ("due_date", "due_date"),
            ("number", "number"),
            ("gross_total", "total"),
            ("customer__name", "customer"),
        ),
        field_labels={
            "issue_date": _("Issue date"),
            "due_date": _("Due date"),
            "number": _("Number"),
            "total": _("Total"),
            "customer": _("Customer"),
        },
    )

    class Meta:
        model = Invoice
        fields = ["q", "document_type", "status", "customer", "project"]

    def search(self, queryset: QuerySet[Invoice], name: str, value: str) -> QuerySet[Invoice]:
        from django.db.models import Q

        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(number__icontains=value)
            | Q(customer__name__icontains=value)
            | Q(subject__icontains=value)
        )

    def filter_overdue(
        self, queryset: QuerySet[Invoice], name: str, value: bool | None
    ) -> QuerySet[Invoice]:
        if value is None:
            return queryset
        overdue = queryset.overdue(today=timezone.localdate())  # type: ignore[attr-defined]
        return overdue if value else queryset.exclude(pk__in=overdue.values("pk"))

    @property
    def qs(self):  # type: ignore[no-untyped-def]
        queryset = super().qs
        if self.form.is_valid() and self.form.cleaned_data.get("ordering"):
            return queryset.order_by(*queryset.query.order_by, "id")
        return queryset
