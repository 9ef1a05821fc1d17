from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest

if TYPE_CHECKING:
    from django_htmx.middleware import HtmxDetails

    from apps.employees.models import Employee


class AuthedRequest(HttpRequest):
    """An HttpRequest behind LoginRequiredMiddleware and HtmxMiddleware (for type checkers)."""

    user: Employee
    htmx: HtmxDetails
