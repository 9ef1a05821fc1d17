"""Meine Zeiten: the week grid, the day list, manual entries (create, edit, delete)."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from apps.common.htmx import render_page
from apps.common.http import AuthedRequest
from apps.common.permissions import object_permission, permission_required_for
from apps.timetracking import selectors, services
from apps.timetracking.forms import EntryForm, entry_initial
from apps.timetracking.models import TimeEntry
from apps.timetracking.timeutils import iso_week, parse_date, parse_week, week_monday
from apps.timetracking.views.common import add_worktime_warnings, error_messages

TRACK = "timetracking.add_timeentry"


def _week_url(day: dt.date) -> str:
    return reverse("timetracking:my_week") + f"?week={iso_week(week_monday(day))}"


@require_GET
@permission_required_for(TRACK)
def my_week(request: AuthedRequest) -> HttpResponse:
    today = timezone.localdate()
    monday = parse_week(request.GET.get("week"), today)
    grid = selectors.week_grid(request.user, monday)
    context = {
        "grid": grid,
        "today": today,
        "week": iso_week(monday),
        "prev_week": iso_week(monday - dt.timedelta(days=7)),
        "next_week": iso_week(monday + dt.timedelta(days=7)),
        "this_week": iso_week(week_monday(today)),
        "active_tab": "week",
    }
    return render_page(request, "timetracking/week.html", context, partials={"week-grid": "grid"})


@require_GET
@permission_required_for(TRACK)
def my_day(request: AuthedRequest) -> HttpResponse:
    today = timezone.localdate()
    day = parse_date(request.GET.get("date"), today)
    entries = selectors.day_entries(request.user, day)
    warnings = selectors.worktime_warnings(request.user, [day])
    context = {
        "day": day,
        "today": today,
        "entries": entries,
        "total": sum(e.duration_minutes for e in entries),
        "billable": sum(e.duration_minutes for e in entries if e.billable),
        "warnings": [w for w in warnings if w.day == day],
        "prev_day": day - dt.timedelta(days=1),
        "next_day": day + dt.timedelta(days=1),
        "week": iso_week(week_monday(day)),
        "active_tab": "day",
    }
    return render_page(request, "timetracking/day.html", context, partials={"day-list": "list"})


def _entry_saved(request: AuthedRequest, entry: TimeEntry, text: str) -> HttpResponse:
    messages.success(request, text)
    add_worktime_warnings(request, request.user, [timezone.localdate(entry.start)])
    url = _week_url(timezone.localdate(entry.start))
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


@require_http_methods(["GET", "POST"])
@permission_required_for(TRACK)
def entry_create(request: AuthedRequest) -> HttpResponse:
    today = timezone.localdate()
    initial = {
        "date": parse_date(request.GET.get("date"), today),
        "target": request.GET.get("target", ""),
        "activity": "development",
        "billable": True,
    }
    form = EntryForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            entry = services.entry_create(
                actor=request.user, employee=request.user, **form.service_kwargs()
            )
        except ValidationError as error:
            for text in error_messages(error):
                form.add_error(None, text)
        else:
            return _entry_saved(request, entry, _("The entry was saved."))
    status = 422 if request.method == "POST" else 200
    return render_page(
        request,
        "timetracking/entry_form.html",
        {"form": form, "entry": None, "action": reverse("timetracking:entry_create")},
        partials={"entry-form": "form", "entry-dialog": "form"},
        status=status,
    )


def _changed_times(form: EntryForm, entry: TimeEntry) -> bool:
    before = entry_initial(entry)
    data = form.cleaned_data
    return any(
        data.get(name) != before.get(name) for name in ("date", "start_time", "end_time")
    ) or bool((data.get("duration") or "").strip())


@require_http_methods(["GET", "POST"])
@object_permission(
    "timetracking.change_timeentry", TimeEntry, queryset=selectors.own_entries, context_name="entry"
)
def entry_edit(request: AuthedRequest, entry: TimeEntry) -> HttpResponse:
    form = EntryForm(request.POST or None, user=request.user, initial=entry_initial(entry))
    if request.method == "POST" and form.is_valid():
        fields = form.service_kwargs()
        if not _changed_times(form, entry) or entry.end is None:
            fields.pop("start")
            fields.pop("end")
        try:
            entry = services.entry_update(actor=request.user, entry=entry, **fields)
        except PermissionDenied:
            raise
        except ValidationError as error:
            for text in error_messages(error):
                form.add_error(None, text)
        else:
            return _entry_saved(request, entry, _("The entry was saved."))
    status = 422 if request.method == "POST" else 200
    return render_page(
        request,
        "timetracking/entry_form.html",
        {
            "form": form,
            "entry": entry,
            "action": reverse("timetracking:entry_edit", args=[entry.pk]),
        },
        partials={"entry-form": "form", "entry-dialog": "form"},
        status=status,
    )


@require_POST
@object_permission(
    "timetracking.delete_timeentry", TimeEntry, queryset=selectors.own_entries, context_name="entry"
)
def entry_delete(request: AuthedRequest, entry: TimeEntry) -> HttpResponse:
    url = _week_url(timezone.localdate(entry.start))
    try:
        services.entry_delete(actor=request.user, entry=entry)
    except ValidationError as error:
        for text in error_messages(error):
            messages.error(request, text)
    else:
        messages.success(request, _("The entry was deleted."))
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)
