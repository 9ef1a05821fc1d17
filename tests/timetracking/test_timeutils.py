from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from apps.timetracking.timeutils import (
    day_bounds,
    local_datetime,
    minutes_between,
    parse_month,
    parse_week,
)


def test_spring_forward_timer_has_60_minutes() -> None:
    # 29 March 2026: 02:00 → 03:00 (CET → CEST).
    start = local_datetime(dt.date(2026, 3, 29), dt.time(1, 30))
    end = local_datetime(dt.date(2026, 3, 29), dt.time(3, 30))
    assert minutes_between(start, end) == 60


def test_fall_back_timer_has_180_minutes() -> None:
    # 25 October 2026: 03:00 → 02:00 (CEST → CET); 01:30 to 03:30 local is three hours.
    start = local_datetime(dt.date(2026, 10, 25), dt.time(1, 30))
    end = local_datetime(dt.date(2026, 10, 25), dt.time(3, 30))
    assert minutes_between(start, end) == 180


def test_nonexistent_local_time_is_refused() -> None:
    with pytest.raises(ValidationError):
        local_datetime(dt.date(2026, 3, 29), dt.time(2, 30))


def test_dst_days_have_23_and_25_hours() -> None:
    spring = day_bounds(dt.date(2026, 3, 29))
    autumn = day_bounds(dt.date(2026, 10, 25))
    assert minutes_between(*spring) == 23 * 60
    assert minutes_between(*autumn) == 25 * 60


def test_parse_week_and_month() -> None:
    today = dt.date(2026, 11, 18)
    assert parse_week("2026-W47", today) == dt.date(2026, 11, 16)
    assert parse_week("garbage", today) == dt.date(2026, 11, 16)
    assert parse_week("2026-W99", today) == dt.date(2026, 11, 16)
    assert parse_month("2026-10") == dt.date(2026, 10, 1)
    assert parse_month("2026-13") is None
