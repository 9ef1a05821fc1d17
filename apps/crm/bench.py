"""Pages for ``make bench`` (evaluated after seeding; see bench/run.py)."""

from __future__ import annotations

from django.urls import reverse


def _first_customer_detail() -> str:
    from apps.crm.models import Customer

    customer = Customer.objects.order_by("id").first()
    return reverse("crm:customer_detail", args=[customer.pk]) if customer else "/crm/customers/"


def _first_customer_timeline() -> str:
    return _first_customer_detail() + "?tab=timeline"


PAGES = [
    {"name": "customer list", "path": "/crm/customers/", "user": "admin"},
    {"name": "customer list searched", "path": "/crm/customers/?q=muller", "user": "admin"},
    {
        "name": "customer list filtered",
        "path": "/crm/customers/?status=lead&stage=qualified&city=K%C3%B6ln&ordering=-name",
        "user": "admin",
    },
    {"name": "customer detail", "path": _first_customer_detail, "user": "admin"},
    {"name": "customer timeline", "path": _first_customer_timeline, "user": "admin"},
    {"name": "pipeline", "path": "/crm/pipeline/", "user": "admin"},
]
