from __future__ import annotations

import datetime as dt

from django.utils import timezone

from apps.timetracking import daytotals
from apps.timetracking.models import TimeEntry
from apps.timetracking.timeutils import local_datetime, minutes_between


def at(day: dt.date, hhmm: str) -> dt.datetime:
    hour, minute = (int(x) for x in hhmm.split(":"))
    return local_datetime(day, dt.time(hour, minute))


def make_entry(employee, day: dt.date, start: str, end: str, **fields) -> TimeEntry:  # type: ignore[no-untyped-def]
    """A finished entry written directly (no service checks): for setting up a test's world.
    Counted in the daily totals, as the services would."""
    s, e = at(day, start), at(day, end)
    if e <= s:
        e += dt.timedelta(days=1)
    fields.setdefault("billable", True)
    entry = TimeEntry.objects.create(
        employee=employee,
        start=s,
        end=e,
        duration_minutes=minutes_between(s, e),
        **fields,
    )
    daytotals.record(new=daytotals.Share.of(entry))
    return entry


def today() -> dt.date:
    return timezone.localdate()


def last_monday() -> dt.date:
    """Monday of last week (always fully in the past)."""
    t = today()
    return t - dt.timedelta(days=t.weekday() + 7)
