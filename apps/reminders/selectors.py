"""Reads of reminders, scoped: one's own; all of a record's with ``reminders.view_reminder``."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import QuerySet
from django.utils import timezone

from apps.reminders.models import Reminder


def _start_of_day(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(0, 0)))


def reminders_for_user(user: Any) -> QuerySet[Reminder]:
    """Reminders the user may open: their own, or every one with the module permission."""
    qs = Reminder.objects.select_related("owner", "content_type").order_by(
        "done", "remind_at", "id"
    )
    if user.has_perm("reminders.view_reminder"):
        return qs
    return qs.filter(owner=user)


def own_reminders(user: Any) -> QuerySet[Reminder]:
    return (
        Reminder.objects.filter(owner=user)
        .select_related("content_type")
        .prefetch_related("target")
        .order_by("remind_at", "id")
    )


@dataclass
class ReminderGroups:
    overdue: list[Reminder] = field(default_factory=list)
    today: list[Reminder] = field(default_factory=list)
    upcoming: list[Reminder] = field(default_factory=list)
    done: list[Reminder] = field(default_factory=list)


def reminder_groups(user: Any, *, done_limit: int = 20) -> ReminderGroups:
    """ "My reminders": overdue / today / upcoming (by local date of remind_at) and recently done."""
    today = timezone.localdate()
    start_today, start_tomorrow = _start_of_day(today), _start_of_day(today + dt.timedelta(days=1))
    groups = ReminderGroups()
    for reminder in own_reminders(user).filter(done=False):
        if reminder.remind_at < start_today:
            groups.overdue.append(reminder)
        elif reminder.remind_at < start_tomorrow:
            groups.today.append(reminder)
        else:
            groups.upcoming.append(reminder)
    groups.done = list(
        own_reminders(user).filter(done=True).order_by("-done_at", "-id")[:done_limit]
    )
    return groups


def due_count(user: Any) -> int:
    """Open reminders due today or earlier (the navigation badge): one query."""
    if not getattr(user, "is_authenticated", False):
        return 0
    tomorrow = _start_of_day(timezone.localdate() + dt.timedelta(days=1))
    return Reminder.objects.filter(owner=user, done=False, remind_at__lt=tomorrow).count()


def reminders_for_target(user: Any, target: models.Model) -> list[Reminder]:
    content_type = ContentType.objects.get_for_model(target)
    return list(
        reminders_for_user(user)
        .filter(content_type=content_type, object_id=target.pk)
        .order_by("done", "remind_at", "id")
    )


def open_reminders_for_feed(user: Any) -> QuerySet[Reminder]:
    return Reminder.objects.filter(owner=user, done=False).order_by("remind_at", "id")
