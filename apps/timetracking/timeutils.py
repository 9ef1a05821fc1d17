"""Local calendar arithmetic: days, weeks and months in the company time zone (Europe/Berlin).

Entries are stored as aware datetimes (UTC in the database). A day, a week or a month is the
half-open interval between two local midnights, turned into aware datetimes here, so a day with a
daylight-saving switch has 23 or 25 hours and durations stay exact.
"""

from __future__ import annotations

import datetime as dt
import re

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _


def local_tz() -> dt.tzinfo:
    return timezone.get_default_timezone()


def local_datetime(day: dt.date, time: dt.time) -> dt.datetime:
    """``day`` at ``time`` on the local wall clock, as an aware datetime.

    A wall-clock time skipped by the spring-forward switch does not exist and is refused; an
    ambiguous one in the autumn (it occurs twice) means its first occurrence (summer time).
    """
    tz = local_tz()
    value = dt.datetime.combine(day, time.replace(tzinfo=None), tzinfo=tz)
    roundtrip = value.astimezone(dt.UTC).astimezone(tz)
    if roundtrip.replace(tzinfo=None) != value.replace(tzinfo=None):
        raise ValidationError(
            _("%(time)s does not exist on %(date)s (daylight saving time change).")
            % {"time": time.strftime("%H:%M"), "date": day.strftime("%d.%m.%Y")},
            code="nonexistent_time",
        )
    return value


def local_day(value: dt.datetime) -> dt.date:
    """The calendar day of ``value`` in the company time zone (whatever time zone is active)."""
    return value.astimezone(local_tz()).date()


def day_start(day: dt.date) -> dt.datetime:
    """The aware datetime of local midnight at the start of ``day``."""
    return dt.datetime.combine(day, dt.time.min, tzinfo=local_tz())


def day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    return day_start(day), day_start(day + dt.timedelta(days=1))


def week_monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def week_bounds(monday: dt.date) -> tuple[dt.datetime, dt.datetime]:
    return day_start(monday), day_start(monday + dt.timedelta(days=7))


def month_first(day: dt.date) -> dt.date:
    return day.replace(day=1)


def next_month(first: dt.date) -> dt.date:
    return (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def month_bounds(first: dt.date) -> tuple[dt.datetime, dt.datetime]:
    return day_start(first), day_start(next_month(first))


def month_days(first: dt.date) -> list[dt.date]:
    days, day, stop = [], first, next_month(first)
    while day < stop:
        days.append(day)
        day += dt.timedelta(days=1)
    return days


_WEEK_RE = re.compile(r"^(\d{4})-W(\d{1,2})$")
_MONTH_RE = re.compile(r"^(\d{4})-(\d{1,2})$")


def parse_week(value: str | None, default: dt.date) -> dt.date:
    """``2026-W47`` (ISO week) or a date ``2026-11-18`` → that week's Monday; else ``default``'s."""
    if value:
        if match := _WEEK_RE.match(value.strip()):
            try:
                return dt.date.fromisocalendar(int(match[1]), int(match[2]), 1)
            except ValueError:
                pass
        try:
            return week_monday(dt.date.fromisoformat(value.strip()))
        except ValueError:
            pass
    return week_monday(default)


def parse_month(value: str | None, default: dt.date | None = None) -> dt.date | None:
    """``2026-10`` → 1 October 2026; ``default``'s month (or None) when missing or malformed."""
    if value and (match := _MONTH_RE.match(value.strip())):
        year, month = int(match[1]), int(match[2])
        if 1 <= month <= 12 and 2000 <= year <= 2100:
            return dt.date(year, month, 1)
    return month_first(default) if default else None


def parse_date(value: str | None, default: dt.date) -> dt.date:
    try:
        return dt.date.fromisoformat((value or "").strip())
    except ValueError:
        return default


def iso_week(monday: dt.date) -> str:
    year, week, _day = monday.isocalendar()
    return f"{year}-W{week:02d}"


def minutes_between(start: dt.datetime, end: dt.datetime) -> int:
    """Whole minutes from ``start`` to ``end`` (aware; a DST switch in between counts right).

    Both are converted to UTC first: Python subtracts two datetimes that share a tzinfo object as
    wall-clock times, which would ignore the DST switch.
    """
    seconds = (end.astimezone(dt.UTC) - start.astimezone(dt.UTC)).total_seconds()
    return max(0, int(seconds // 60))


def format_minutes(minutes: int) -> str:
    """``125`` → ``2:05`` (hours:minutes, as time sheets show it)."""
    sign = "-" if minutes < 0 else ""
    minutes = abs(int(minutes))
    return f"{sign}{minutes // 60}:{minutes % 60:02d}"
