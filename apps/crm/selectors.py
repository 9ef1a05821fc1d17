from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from apps.crm.models import Customer


def customers_for_user(user: Any) -> QuerySet[Customer]:
    return Customer.objects.select_related("account_manager").order_by("name", "id")
