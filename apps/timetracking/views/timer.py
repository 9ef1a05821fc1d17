"""The header timer: shown on every page (loaded lazily, so pages pay no query for it)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import trigger_client_event

from apps.common.htmx import render_page
from apps.common.http import AuthedRequest
from apps.common.permissions import permission_required_for
from apps.timetracking import selectors, services
from apps.timetracking.forms import TimerStartForm
from apps.timetracking.views.common import (
    add_worktime_warnings,
    error_messages,
    safe_next,
    with_messages,
)

TRACK = "timetracking.add_timeentry"


def _widget(
    request: AuthedRequest, form: TimerStartForm | None = None, *, status: int = 200
) -> HttpResponse:
    running = selectors.running_timer(request.user)
    initial = {}
    if running is not None:
        initial["activity"] = running.activity
    context = {
        "running": running,
        "form": form or TimerStartForm(user=request.user, initial=initial),
    }
    return render_page(
        request,
        "timetracking/timer.html",
        context,
        partials={"timer-widget": "widget"},
        status=status,
    )


@require_GET
@permission_required_for(TRACK)
def timer_widget(request: AuthedRequest) -> HttpResponse:
    return _widget(request)


def _after_change(request: AuthedRequest, event: str, status: int = 200) -> HttpResponse:
    if not request.htmx:
        return safe_next(request, reverse("timetracking:my_week"))
    response = _widget(request, status=status)
    if isinstance(response, TemplateResponse):  # pragma: no cover - render() returns HttpResponse
        response.render()
    response = with_messages(request, response)
    if status == 200:
        trigger_client_event(response, event, after="settle")
    return response


@require_POST
@permission_required_for(TRACK)
def timer_start(request: AuthedRequest) -> HttpResponse:
    form = TimerStartForm(request.POST, user=request.user)
    if not form.is_valid():
        for errors in form.errors.values():
            for text in errors:
                messages.error(request, text)
        if not request.htmx:
            return safe_next(request, reverse("timetracking:my_week"))
        return with_messages(request, _widget(request, form, status=422))
    try:
        result = services.timer_start(employee=request.user, **form.service_kwargs())
    except ValidationError as error:
        for text in error_messages(error):
            messages.error(request, text)
        return _after_change(request, "timer:changed", status=422)
    if result.stopped is not None:
        add_worktime_warnings(request, request.user, [timezone.localdate(result.stopped.start)])
    return _after_change(request, "timer:changed")


@require_POST
@permission_required_for(TRACK)
def timer_stop(request: AuthedRequest) -> HttpResponse:
    try:
        entry = services.timer_stop(employee=request.user)
    except ValidationError as error:
        for text in error_messages(error):
            messages.error(request, text)
        return _after_change(request, "timer:changed", status=422)
    messages.success(
        request, _("Timer stopped: %(minutes)s min recorded.") % {"minutes": entry.duration_minutes}
    )
    add_worktime_warnings(request, request.user, [timezone.localdate(entry.start)])
    return _after_change(request, "timer:changed")
