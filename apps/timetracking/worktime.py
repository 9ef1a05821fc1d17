"""Working-time law checks (ArbZG §§ 3, 4, 5) on an employee's finished entries.

These are warnings, never refusals: the entry is saved, the employee and the manager see the
warning (messages on save/stop, highlighted days in the week view, a list in the month report).

* work is the sum of a day's entries (the local date of an entry's start decides its day);
* a break is a gap between two consecutive entries of the day of at least 15 minutes
  (§ 4 ArbZG: breaks may be split into parts of at least 15 minutes);
* more than 6 h of work needs 30 min of breaks, more than 9 h needs 45 min (configurable);
* more than 10 h of work on a day (configurable);
* less than 11 h of rest between the last entry of a day and the first of the next (configurable).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from apps.timetracking.timeutils import format_minutes, minutes_between

MIN_BREAK_PART_MINUTES = 15


@dataclass(frozen=True)
class WorkRules:
    break_after_6h_minutes: int = 30
    break_after_9h_minutes: int = 45
    max_minutes_per_day: int = 600
    min_rest_minutes: int = 660

    @classmethod
    def from_company(cls, company: Any) -> WorkRules:
        return cls(
            break_after_6h_minutes=int(company.break_after_6h_minutes),
            break_after_9h_minutes=int(company.break_after_9h_minutes),
            max_minutes_per_day=int(Decimal(company.max_hours_per_day) * 60),
            min_rest_minutes=int(Decimal(company.min_rest_hours) * 60),
        )


@dataclass(frozen=True)
class WorkWarning:
    day: dt.date
    code: str  # break_6h | break_9h | max_hours | rest
    message: str


@dataclass
class WorkDay:
    day: dt.date
    work_minutes: int = 0
    break_minutes: int = 0
    first_start: dt.datetime | None = None
    last_end: dt.datetime | None = None
    warnings: list[WorkWarning] = field(default_factory=list)


def _interval(entry: Any) -> tuple[dt.datetime, dt.datetime, int]:
    return entry.start, entry.end, entry.duration_minutes


def work_days(entries: Iterable[Any]) -> dict[dt.date, WorkDay]:
    """Per local date: work, breaks (gaps ≥ 15 min), first start and last end. Running timers
    (no end yet) are left out."""
    by_day: dict[dt.date, list[tuple[dt.datetime, dt.datetime, int]]] = {}
    for entry in entries:
        if entry.end is None:
            continue
        by_day.setdefault(timezone.localdate(entry.start), []).append(_interval(entry))
    days: dict[dt.date, WorkDay] = {}
    for day in sorted(by_day):
        intervals = sorted(by_day[day], key=lambda item: item[0])
        work = WorkDay(day=day, first_start=intervals[0][0])
        last_end = intervals[0][1]
        for index, (start, end, minutes) in enumerate(intervals):
            work.work_minutes += minutes
            if index:
                gap = minutes_between(last_end, start) if start > last_end else 0
                if gap >= MIN_BREAK_PART_MINUTES:
                    work.break_minutes += gap
            last_end = max(last_end, end)
        work.last_end = last_end
        days[day] = work
    return days


def check(days: dict[dt.date, WorkDay], rules: WorkRules) -> list[WorkWarning]:
    """Attach the warnings to each day and return them all, in date order."""
    found: list[WorkWarning] = []
    previous: WorkDay | None = None
    for day in sorted(days):
        work = days[day]
        work.warnings = []
        worked = format_minutes(work.work_minutes)
        if work.work_minutes > 540 and work.break_minutes < rules.break_after_9h_minutes:
            work.warnings.append(
                WorkWarning(
                    day,
                    "break_9h",
                    _(
                        "%(worked)s h of work with only %(breaks)s min break (%(needed)s min needed)."
                    )
                    % {
                        "worked": worked,
                        "breaks": work.break_minutes,
                        "needed": rules.break_after_9h_minutes,
                    },
                )
            )
        elif work.work_minutes > 360 and work.break_minutes < rules.break_after_6h_minutes:
            work.warnings.append(
                WorkWarning(
                    day,
                    "break_6h",
                    _(
                        "%(worked)s h of work with only %(breaks)s min break (%(needed)s min needed)."
                    )
                    % {
                        "worked": worked,
                        "breaks": work.break_minutes,
                        "needed": rules.break_after_6h_minutes,
                    },
                )
            )
        if work.work_minutes > rules.max_minutes_per_day:
            work.warnings.append(
                WorkWarning(
                    day,
                    "max_hours",
                    _("%(worked)s h of work: more than the allowed %(max)s h per day.")
                    % {"worked": worked, "max": format_minutes(rules.max_minutes_per_day)},
                )
            )
        if (
            previous is not None
            and previous.last_end is not None
            and work.first_start is not None
            and (day - previous.day).days == 1
        ):
            rest = minutes_between(previous.last_end, work.first_start)
            if rest < rules.min_rest_minutes:
                work.warnings.append(
                    WorkWarning(
                        day,
                        "rest",
                        _("Only %(rest)s h of rest before this day (%(needed)s h needed).")
                        % {
                            "rest": format_minutes(rest),
                            "needed": format_minutes(rules.min_rest_minutes),
                        },
                    )
                )
        found.extend(work.warnings)
        previous = work
    return found
