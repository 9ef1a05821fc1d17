"""Small helpers shared by the time-tracking views."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.utils.http import url_has_allowed_host_and_scheme

from apps.timetracking import selectors


def error_messages(error: ValidationError) -> list[str]:
    return [str(m) for m in error.messages]


def add_worktime_warnings(request: HttpRequest, employee: Any, days: list[Any]) -> None:
    """ArbZG warnings after a save or stop: shown, never blocking."""
    for warning in selectors.worktime_warnings(employee, days):
        messages.warning(request, f"{warning.day:%d.%m.%Y}: {warning.message}")


def with_messages(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """Append the messages partial out-of-band to an htmx fragment response."""
    html = render_to_string("timetracking/_messages_oob.html", {}, request=request)
    response.content = response.content + html.encode()
    return response


def safe_next(request: HttpRequest, default: str) -> HttpResponse:
    target = request.POST.get("next") or request.GET.get("next") or default
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        target = default
    return redirect(target)
