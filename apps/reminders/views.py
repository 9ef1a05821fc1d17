"""Reminders: "My reminders", the record panel, done/snooze/edit in place, the iCal feed."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from icalendar import Calendar, Event

from apps.common.htmx import render_page
from apps.common.http import AuthedRequest
from apps.common.permissions import login_only, object_permission, public
from apps.documents.targets import target_permission, target_url
from apps.reminders import selectors, services
from apps.reminders.forms import ReminderForm, SnoozeForm
from apps.reminders.models import CalendarToken, Reminder

PANEL_ID = "reminders-panel"


def _feed_url(request: HttpRequest, token: CalendarToken) -> str:
    return request.build_absolute_uri(reverse("reminders:calendar_feed", args=[token.token]))


@require_GET
@login_only
def reminder_list(request: AuthedRequest) -> HttpResponse:
    groups = selectors.reminder_groups(request.user)
    token = CalendarToken.objects.filter(employee=request.user).first()
    return render_page(
        request,
        "reminders/reminder_list.html",
        {
            "groups": groups,
            "feed_url": _feed_url(request, token) if token else "",
            "today": timezone.localdate(),
        },
        partials={"reminder-groups": "groups", "calendar-feed": "feed"},
    )


@require_POST
@login_only
def calendar_token_renew(request: AuthedRequest) -> HttpResponse:
    token = services.calendar_token_renew(employee=request.user)
    if not request.htmx:
        messages.success(
            request, _("Your calendar feed has a new address; the old one stopped working.")
        )
        return redirect("reminders:reminder_list")
    return render_page(
        request,
        "reminders/reminder_list.html",
        {"feed_url": _feed_url(request, token), "groups": None},
        partials={"calendar-feed": "feed"},
    )


def _back(target: models.Model) -> str:
    panel = reverse(
        "reminders:reminder_panel", args=[ContentType.objects.get_for_model(target).pk, target.pk]
    )
    return target_url(target, panel)


# --- Record panel -------------------------------------------------------------------------------


def _render_panel(
    request: AuthedRequest,
    target: models.Model,
    *,
    form: ReminderForm | None = None,
    status: int = 200,
) -> HttpResponse:
    content_type = ContentType.objects.get_for_model(target)
    return render_page(
        request,
        "reminders/reminder_panel.html",
        {
            "target": target,
            "ct_id": content_type.pk,
            "reminders": selectors.reminders_for_target(request.user, target),
            "form": form
            or ReminderForm(initial={"due_date": timezone.localdate() + dt.timedelta(days=1)}),
            "today": timezone.localdate(),
        },
        partials={PANEL_ID: "panel"},
        status=status,
    )


@require_GET
@target_permission()
def reminder_panel(request: AuthedRequest, target: models.Model) -> HttpResponse:
    return _render_panel(request, target)


@require_POST
@target_permission()
def reminder_create(request: AuthedRequest, target: models.Model) -> HttpResponse:
    """Anyone who may view a record may set themselves a reminder on it."""
    form = ReminderForm(request.POST)
    if form.is_valid():
        try:
            services.reminder_create(
                owner=request.user,
                target=target,
                due=form.cleaned_data["due_date"],
                due_time=form.cleaned_data["due_time"],
                title=form.cleaned_data["title"],
                description=form.cleaned_data["description"],
                priority=form.cleaned_data["priority"],
                created_by=request.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if not request.htmx:
                messages.success(request, _("The reminder was saved."))
                return redirect(_back(target))
            return _render_panel(request, target)
    if not request.htmx:
        messages.error(request, _("The reminder could not be saved: please check the fields."))
        return redirect(_back(target))
    return _render_panel(request, target, form=form, status=422)


# --- One reminder -------------------------------------------------------------------------------


def _next_url(request: HttpRequest) -> str:
    """The page to return to: ``next`` (form or query string) if it is ours, else the list."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, {request.get_host()}, request.is_secure()
    ):
        return target
    return reverse("reminders:reminder_list")


def _show_target(request: HttpRequest) -> bool:
    """Items in "My reminders" link their record; the record's own panel does not."""
    return "1" in (request.POST.get("show_target"), request.GET.get("show_target"))


def _item_response(
    request: AuthedRequest, reminder: Reminder, *, focus_edit: bool = False
) -> HttpResponse:
    """htmx: the reminder's list item (replacing the old one); otherwise back to ``next``."""
    if not request.htmx:
        return redirect(_next_url(request))
    response = render(
        request,
        "reminders/_reminder_item.html",
        {
            "reminder": reminder,
            "today": timezone.localdate(),
            "swapped": True,
            "show_target": _show_target(request),
            "back_url": _next_url(request),
            "focus_edit": focus_edit,
        },
    )
    patch_vary_headers(response, ("HX-Request", "HX-Target"))
    return response


@require_POST
@object_permission("reminders.change_reminder", Reminder, queryset=selectors.reminders_for_user)
def reminder_toggle(request: AuthedRequest, reminder: Reminder) -> HttpResponse:
    reminder = services.reminder_set_done(
        reminder=reminder, actor=request.user, done=not reminder.done
    )
    return _item_response(request, reminder)


@require_POST
@object_permission("reminders.change_reminder", Reminder, queryset=selectors.reminders_for_user)
def reminder_snooze(request: AuthedRequest, reminder: Reminder) -> HttpResponse:
    form = SnoozeForm(request.POST)
    if not form.is_valid():
        return HttpResponse(_("Please choose how long to snooze."), status=400)
    try:
        reminder = services.reminder_snooze(
            reminder=reminder,
            actor=request.user,
            days=services.SNOOZE_DAYS[form.cleaned_data["days"]],
        )
    except ValidationError as error:
        return HttpResponse(" ".join(error.messages), status=400)
    return _item_response(request, reminder)


@require_http_methods(["GET", "POST"])
@object_permission("reminders.change_reminder", Reminder, queryset=selectors.reminders_for_user)
def reminder_edit(request: AuthedRequest, reminder: Reminder) -> HttpResponse:
    """Title, description, due date and time, priority: in place in a list (htmx, the item
    becomes the form and back) or, without JavaScript, on a page of its own."""
    if request.method == "GET" and request.GET.get("show"):
        # "Cancel" in the inline form: the item as it is.
        return _item_response(request, reminder, focus_edit=True)
    auto_id = f"reminder-{reminder.pk}-%s"
    if request.method == "POST":
        form = ReminderForm(request.POST, auto_id=auto_id)
        if form.is_valid():
            try:
                reminder = services.reminder_update(
                    reminder=reminder,
                    actor=request.user,
                    title=form.cleaned_data["title"],
                    description=form.cleaned_data["description"],
                    due_date=form.cleaned_data["due_date"],
                    due_time=form.cleaned_data["due_time"],
                    priority=form.cleaned_data["priority"],
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("The reminder was saved."))
                return _item_response(request, reminder, focus_edit=True)
    else:
        form = ReminderForm(
            auto_id=auto_id,
            initial={
                "title": reminder.title,
                "description": reminder.description,
                "due_date": reminder.due_date,
                "due_time": reminder.due_time,
                "priority": reminder.priority,
            },
        )
    # Focus the first field to correct, else the title (htmx honours autofocus after a swap).
    first = next((name for name in form.fields if name in form.errors), "title")
    form.fields[first].widget.attrs["autofocus"] = True
    return render_page(
        request,
        "reminders/reminder_edit.html",
        {
            "reminder": reminder,
            "form": form,
            "back_url": _next_url(request),
            "show_target": _show_target(request),
        },
        partials={f"reminder-{reminder.pk}": "form"},
        status=422 if request.method == "POST" else 200,
    )


@require_POST
@object_permission("reminders.delete_reminder", Reminder, queryset=selectors.reminders_for_user)
def reminder_delete(request: AuthedRequest, reminder: Reminder) -> HttpResponse:
    services.reminder_delete(reminder=reminder, actor=request.user)
    messages.success(request, _("The reminder was deleted."))
    if request.htmx:
        response = render(request, "documents/_deleted_row.html", {})
        patch_vary_headers(response, ("HX-Request", "HX-Target"))
        return response
    return redirect(_next_url(request))


# --- iCal feed ----------------------------------------------------------------------------------

ICAL_PRIORITY = {"critical": 1, "high": 3, "medium": 5, "low": 9}


@require_GET
@public
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The personal feed: open reminders of the token's owner. Wrong or renewed token: 404."""
    entry = CalendarToken.objects.select_related("employee").filter(token=token).first()
    if entry is None or not entry.employee.is_active:
        raise Http404
    calendar = Calendar()
    calendar.add("prodid", "-//WorkmateOS//Reminders//DE")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", _("WorkmateOS reminders"))
    stamp = timezone.now()
    host = request.get_host().split(":")[0]
    for reminder in selectors.open_reminders_for_feed(entry.employee):
        event = Event()
        event.add("uid", f"reminder-{reminder.pk}@{host}")
        event.add("summary", reminder.title)
        if reminder.description:
            event.add("description", reminder.description)
        if reminder.due_time and reminder.snoozed_until is None:
            start = reminder.remind_at
            event.add("dtstart", start)
            event.add("dtend", start + dt.timedelta(minutes=30))
        else:
            day = timezone.localtime(reminder.remind_at).date()
            event.add("dtstart", day)
            event.add("dtend", day + dt.timedelta(days=1))
        event.add("dtstamp", stamp)
        event.add("priority", ICAL_PRIORITY.get(reminder.priority, 5))
        event.add("url", settings.SITE_URL + reverse("reminders:reminder_list"))
        calendar.add_component(event)
    response = HttpResponse(calendar.to_ical(), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="workmate-reminders.ics"'
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex"
    return response
