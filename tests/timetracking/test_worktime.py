"""ArbZG rules at their boundaries (pure functions, no database)."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest

from apps.timetracking import worktime
from apps.timetracking.timeutils import local_datetime, minutes_between

DAY = dt.date(2026, 3, 10)
RULES = worktime.WorkRules()


def entry(day: dt.date, start: dt.time, minutes: int) -> SimpleNamespace:
    s = local_datetime(day, start)
    e = s + dt.timedelta(minutes=minutes)
    return SimpleNamespace(start=s, end=e, duration_minutes=minutes_between(s, e))


def codes(entries: list[SimpleNamespace]) -> set[str]:
    return {w.code for w in worktime.check(worktime.work_days(entries), RULES)}


@pytest.mark.parametrize(("minutes", "warned"), [(360, False), (361, True)])
def test_break_after_6h_boundary(minutes: int, warned: bool) -> None:
    assert ("break_6h" in codes([entry(DAY, dt.time(8), minutes)])) is warned


def test_break_after_6h_satisfied_by_30_minute_gap() -> None:
    entries = [entry(DAY, dt.time(8), 240), entry(DAY, dt.time(12, 30), 180)]
    assert codes(entries) == set()


def test_gaps_below_15_minutes_are_no_break() -> None:
    entries = [
        entry(DAY, dt.time(8), 200),
        entry(DAY, dt.time(11, 30), 100),
        entry(DAY, dt.time(13, 20), 100),
    ]
    assert "break_6h" in codes(entries)


@pytest.mark.parametrize(("minutes", "warned"), [(540, False), (541, True)])
def test_break_after_9h_boundary(minutes: int, warned: bool) -> None:
    # 30 minutes of break: enough up to 9 h, not beyond.
    entries = [entry(DAY, dt.time(7), 240), entry(DAY, dt.time(11, 30), minutes - 240)]
    assert ("break_9h" in codes(entries)) is warned


@pytest.mark.parametrize(("minutes", "warned"), [(600, False), (601, True)])
def test_max_hours_boundary(minutes: int, warned: bool) -> None:
    entries = [entry(DAY, dt.time(6), 300), entry(DAY, dt.time(11, 45), minutes - 300)]
    assert ("max_hours" in codes(entries)) is warned


@pytest.mark.parametrize(("rest_minutes", "warned"), [(660, False), (659, True)])
def test_rest_between_days_boundary(rest_minutes: int, warned: bool) -> None:
    evening = entry(DAY, dt.time(18), 120)  # ends 20:00
    next_start = (evening.end + dt.timedelta(minutes=rest_minutes)).astimezone(evening.start.tzinfo)
    morning = entry(DAY + dt.timedelta(days=1), next_start.time(), 60)
    assert ("rest" in codes([evening, morning])) is warned


def test_rules_come_from_company_settings() -> None:
    company = SimpleNamespace(
        break_after_6h_minutes=20,
        break_after_9h_minutes=40,
        max_hours_per_day="8.5",
        min_rest_hours="12",
    )
    rules = worktime.WorkRules.from_company(company)
    assert (rules.break_after_6h_minutes, rules.max_minutes_per_day, rules.min_rest_minutes) == (
        20,
        510,
        720,
    )
