"""Input forms of time tracking: they parse and validate input; services decide the rules."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from apps.timetracking import selectors
from apps.timetracking.models import ActivityType
from apps.timetracking.timeutils import day_bounds, local_datetime

_DURATION_HM = re.compile(r"^(\d{1,2}):([0-5]\d)$")
_DURATION_DEC = re.compile(r"^\d{1,2}([.,]\d{1,2})?$")
DEFAULT_DAY_START = dt.time(9, 0)


def parse_duration(value: str) -> int:
    """``1:30`` or ``1,5`` (hours) → minutes."""
    value = (value or "").strip().lower().removesuffix("h").strip()
    if match := _DURATION_HM.match(value):
        return int(match[1]) * 60 + int(match[2])
    if _DURATION_DEC.match(value):
        try:
            return int(Decimal(value.replace(",", ".")) * 60)
        except InvalidOperation:
            pass
    raise ValidationError(
        _("Enter the duration as hours:minutes (1:30) or hours (1,5)."), code="duration"
    )


class TargetField(forms.ChoiceField):
    """One select for "what": a project (``p<id>``) or a customer without project (``c<id>``)."""


def target_choices(user: Any, *, blank: str) -> list[Any]:
    projects = [
        (f"p{p.pk}", f"{p.title} ({p.customer})" if p.customer_id else p.title)
        for p in selectors.projects_for_time(user)
    ]
    customers = [(f"c{c.pk}", c.name) for c in selectors.customers_for_time(user)]
    choices: list[Any] = [("", blank)]
    if projects:
        choices.append((_("Projects"), projects))
    if customers:
        choices.append((_("Customers (without project)"), customers))
    return choices


def resolve_target(user: Any, value: str) -> tuple[Any, Any]:
    """``p12`` → (project, None); ``c5`` → (None, customer); ``""`` → (None, None)."""
    if not value:
        return None, None
    kind, _sep, pk = value[:1], None, value[1:]
    if not pk.isdigit():
        raise ValidationError(_("Select a valid choice."), code="invalid_choice")
    if kind == "p":
        project = selectors.projects_for_time(user).filter(pk=int(pk)).first()
        if project is None:
            raise ValidationError(_("You cannot log time on this project."), code="invalid_choice")
        return project, None
    if kind == "c":
        customer = selectors.customers_for_time(user).filter(pk=int(pk)).first()
        if customer is None:
            raise ValidationError(_("Select a valid choice."), code="invalid_choice")
        return None, customer
    raise ValidationError(_("Select a valid choice."), code="invalid_choice")


class _TargetMixin:
    user: Any
    fields: dict[str, Any]
    cleaned_data: dict[str, Any]

    def _setup_target(self, blank: str) -> None:
        self.fields["target"].choices = target_choices(self.user, blank=blank)

    def clean_target(self) -> str:
        value = self.cleaned_data.get("target") or ""
        project, customer = resolve_target(self.user, value)
        self.cleaned_data["project"] = project
        self.cleaned_data["customer"] = customer
        return value


class TimerStartForm(_TargetMixin, forms.Form):
    target = TargetField(label=_lazy("Project or customer"), required=False)
    activity = forms.ChoiceField(
        label=_lazy("Activity"), choices=ActivityType.choices, initial=ActivityType.DEVELOPMENT
    )
    note = forms.CharField(label=_lazy("Note"), required=False, max_length=500)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "timer-%s")
        super().__init__(*args, **kwargs)
        self.user = user
        self._setup_target(str(_("Internal (no project)")))
        self.fields["target"].widget.attrs["data-testid"] = "timer-target"
        self.fields["activity"].widget.attrs["data-testid"] = "timer-activity"

    def clean_target(self) -> str:
        # The choices are checked against the scoped querysets in resolve_target.
        return _TargetMixin.clean_target(self)

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "project": data.get("project"),
            "customer": data.get("customer"),
            "activity": data["activity"],
            "note": data.get("note", ""),
        }


class EntryForm(_TargetMixin, forms.Form):
    """Date + from–to, or date + duration (then placed after the day's last entry)."""

    date = forms.DateField(
        label=_lazy("Date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    start_time = forms.TimeField(
        label=_lazy("From"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    end_time = forms.TimeField(
        label=_lazy("To"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    duration = forms.CharField(
        label=_lazy("or duration"),
        required=False,
        max_length=8,
        help_text=_lazy("e.g. 1:30 or 1,5"),
    )
    target = TargetField(label=_lazy("Project or customer"), required=False)
    activity = forms.ChoiceField(
        label=_lazy("Activity"), choices=ActivityType.choices, initial=ActivityType.DEVELOPMENT
    )
    billable = forms.BooleanField(label=_lazy("Billable"), required=False, initial=True)
    note = forms.CharField(
        label=_lazy("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self._setup_target(str(_("Internal (no project)")))

    def clean_target(self) -> str:
        return _TargetMixin.clean_target(self)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        day = data.get("date")
        if day is None:
            return data
        start_time, end_time = data.get("start_time"), data.get("end_time")
        duration = (data.get("duration") or "").strip()
        try:
            if start_time and end_time:
                start = local_datetime(day, start_time)
                end = local_datetime(day, end_time)
                if end <= start and end_time == dt.time(0, 0):
                    end = local_datetime(day + dt.timedelta(days=1), end_time)
            elif duration:
                minutes = parse_duration(duration)
                if minutes <= 0:
                    raise ValidationError(_("The duration must be positive."), code="duration")
                start = (
                    local_datetime(day, start_time)
                    if start_time
                    else _next_free_start(self.user, day)
                )
                end = start + dt.timedelta(minutes=minutes)
            else:
                raise ValidationError(_("Enter from and to, or a duration."), code="times_required")
        except ValidationError as error:
            self.add_error(None, error)
            return data
        data["start"], data["end"] = start, end
        return data

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "start": data["start"],
            "end": data["end"],
            "project": data.get("project"),
            "customer": data.get("customer"),
            "activity": data["activity"],
            "billable": data.get("billable", False),
            "note": data.get("note", ""),
        }


def _next_free_start(user: Any, day: dt.date) -> dt.datetime:
    """After the last finished entry of the day, or at 09:00."""
    start, end = day_bounds(day)
    last = (
        selectors.own_entries(user)
        .finished()
        .between(start, end)
        .order_by("-end")
        .values_list("end", flat=True)
        .first()
    )
    return timezone.localtime(last) if last else local_datetime(day, DEFAULT_DAY_START)


def entry_initial(entry: Any) -> dict[str, Any]:
    start = timezone.localtime(entry.start)
    end = timezone.localtime(entry.end) if entry.end else None
    target = (
        f"p{entry.project_id}"
        if entry.project_id
        else (f"c{entry.customer_id}" if entry.customer_id else "")
    )
    return {
        "date": start.date(),
        "start_time": start.time().replace(second=0, microsecond=0),
        "end_time": end.time().replace(second=0, microsecond=0) if end else None,
        "target": target,
        "activity": entry.activity,
        "billable": entry.billable,
        "note": entry.note,
    }


class ReviewForm(forms.Form):
    comment = forms.CharField(
        label=_lazy("Comment"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
