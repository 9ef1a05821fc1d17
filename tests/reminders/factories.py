from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from apps.reminders.models import Reminder
from apps.reminders.services import reminder_create


def make_reminder(
    *, owner: Any, target: Any = None, days: int = 0, title: str = "Nachfassen", **kw: Any
) -> Reminder:
    return reminder_create(
        owner=owner,
        target=target,
        due=timezone.localdate() + dt.timedelta(days=days),
        title=title,
        created_by=owner,
        **kw,
    )
