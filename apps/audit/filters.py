import django_filters
from django.apps import apps as django_apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from apps.audit.models import AuditAction, AuditEntry

_AUDITED_APPS = [app.rsplit(".", 1)[-1] for app in settings.DOMAIN_APPS]


def _object_types() -> list[tuple[int, str]]:
    """The audited models as (content type id, name): from ContentType's per-process cache, so
    the filter costs no query per page (a queryset would be read on every request)."""
    models = [
        m
        for m in django_apps.get_models()
        # Derived data (rollups such as the daily time totals) has no permissions: nobody edits
        # it, so it is never the target of an audit entry.
        if m._meta.app_label in _AUDITED_APPS and m._meta.default_permissions
    ]
    types = ContentType.objects.get_for_models(*models, for_concrete_models=False)
    choices = [(ct.pk, capfirst(str(model._meta.verbose_name))) for model, ct in types.items()]
    return sorted(choices, key=lambda choice: choice[1].lower())


class AuditEntryFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    action = django_filters.ChoiceFilter(
        label=_("Action"), choices=AuditAction.choices, empty_label=_("All")
    )
    # A name to type rather than a select of every employee (hundreds of options to render).
    actor = django_filters.CharFilter(
        label=_("Actor"), field_name="actor_repr", lookup_expr="icontains"
    )
    content_type = django_filters.ChoiceFilter(
        label=_("Object type"), choices=_object_types, empty_label=_("All")
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
