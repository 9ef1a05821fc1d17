"""Daily totals per employee (``EmployeeDayTotal``): kept in step with the entries by the services,
recomputed from them by ``rebuild``.

A day is the local calendar day (company time zone) of the entry's start: the same attribution as
``TimeEntry.objects.between()`` with the local-midnight bounds of ``timeutils.day_bounds``. Each
entry adds itself (1 entry, its minutes, its billable minutes) to its employee's day; a running
timer adds an entry of 0 minutes until it is stopped.

The services call ``record(old=…, new=…)`` in the transaction of every entry write with what the
entry counted for before and after (``Share.of(entry)``). The difference touches at most two rows
(the old and the new day), each with one statement that is safe against concurrent writers without
a lock:

* a delta that is a valid row by itself (nothing negative, billable within minutes: an entry added
  or grown): ``INSERT … ON CONFLICT (employee_id, day) DO UPDATE SET x = x + excluded.x``
  (PostgreSQL, and SQLite ≥ 3.24) – the first entry of a day creates the row, two at once cannot
  both create it. (The database checks the row constraints on the proposed row before it sees the
  conflict, so other deltas cannot take this path.)
* any other delta (an entry removed, shrunk or made billable) applies to a row that exists already,
  as the entry was counted there: ``UPDATE … SET x = x + delta``, guarded so that the row stays
  valid. A guarded update that finds nothing means the table is out of step (an entry was written
  around the services); that day is then recounted from the entries and a warning logged, so the
  user's change goes through and the day is right again.

Rows that drop to zero stay (``rebuild`` removes them).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import Count, F, Q, Sum
from django.utils import timezone

from apps.timetracking.models import EmployeeDayTotal, TimeEntry
from apps.timetracking.timeutils import day_bounds, local_day

logger = logging.getLogger(__name__)

TABLE = EmployeeDayTotal._meta.db_table
ENTRY_TABLE = TimeEntry._meta.db_table


@dataclass(frozen=True)
class Share:
    """What one entry adds to its employee's day."""

    employee_id: int
    day: dt.date
    minutes: int
    billable: int

    @classmethod
    def of(cls, entry: TimeEntry) -> Share:
        minutes = entry.duration_minutes
        return cls(
            employee_id=entry.employee_id,
            day=local_day(entry.start),
            minutes=minutes,
            billable=minutes if entry.billable else 0,
        )


# --- Keeping in step ------------------------------------------------------------------------------


def record(*, old: Share | None = None, new: Share | None = None) -> None:
    """Move an entry's share from ``old`` to ``new`` (None: the entry did not exist / is gone).
    Call inside the transaction that writes the entry, after the write."""
    changes: dict[tuple[int, dt.date], tuple[int, int, int]] = {}
    for share, sign in ((old, -1), (new, 1)):
        if share is None:
            continue
        key = (share.employee_id, share.day)
        count, minutes, billable = changes.get(key, (0, 0, 0))
        changes[key] = (
            count + sign,
            minutes + sign * share.minutes,
            billable + sign * share.billable,
        )
    for (employee_id, day), delta in changes.items():
        if not any(delta):
            continue
        count, minutes, billable = delta
        if min(delta) >= 0 and billable <= minutes:
            _add(employee_id, day, *delta)
        elif not _change(employee_id, day, *delta):
            logger.warning(
                "Daily total of employee %s on %s was out of step with the time entries; "
                "recounted (run rebuild_time_totals to check all days).",
                employee_id,
                day,
            )
            _recount(employee_id, day)


def _add(employee_id: int, day: dt.date, count: int, minutes: int, billable: int) -> None:
    table = connection.ops.quote_name(TABLE)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (employee_id, day, entry_count, minutes, billable_minutes) "  # noqa: S608 - constant table name
            "VALUES (%s, %s, %s, %s, %s) "
            "ON CONFLICT (employee_id, day) DO UPDATE SET "
            f"entry_count = {table}.entry_count + excluded.entry_count, "
            f"minutes = {table}.minutes + excluded.minutes, "
            f"billable_minutes = {table}.billable_minutes + excluded.billable_minutes",
            [employee_id, connection.ops.adapt_datefield_value(day), count, minutes, billable],
        )


def _change(employee_id: int, day: dt.date, count: int, minutes: int, billable: int) -> bool:
    """Add the delta to an existing row; False if there is none or the result would break the
    row's rules (below zero, more billable than total): the table is out of step."""
    changed = EmployeeDayTotal.objects.filter(
        Q(billable_minutes__lte=F("minutes") + (minutes - billable)),
        employee_id=employee_id,
        day=day,
        entry_count__gte=-count,
        minutes__gte=-minutes,
        billable_minutes__gte=-billable,
    ).update(
        entry_count=F("entry_count") + count,
        minutes=F("minutes") + minutes,
        billable_minutes=F("billable_minutes") + billable,
    )
    return changed == 1


def _recount(employee_id: int, day: dt.date) -> None:
    start, end = day_bounds(day)
    sums = (
        TimeEntry.objects.filter(employee_id=employee_id)
        .between(start, end)
        .aggregate(
            count=Count("id"),
            minutes=Sum("duration_minutes", default=0),
            billable=Sum("duration_minutes", filter=Q(billable=True), default=0),
        )
    )
    EmployeeDayTotal.objects.update_or_create(
        employee_id=employee_id,
        day=day,
        defaults={
            "entry_count": sums["count"],
            "minutes": sums["minutes"],
            "billable_minutes": sums["billable"],
        },
    )


# --- Rebuild --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rebuilt:
    entries: int  # time entries counted
    days: int  # (employee, day) rows they make up
    added: int  # rows that were missing
    corrected: int  # rows whose figures were wrong
    removed: int  # rows of days without entries (dropped to zero, or wrong)


def rebuild(*, employee_ids: Iterable[int] | None = None) -> Rebuilt:
    """Recompute the rows of these employees (None: everyone) from their entries, changing only
    rows that differ. Idempotent. Call inside a transaction."""
    ids = None if employee_ids is None else sorted(set(employee_ids))
    if ids == []:
        return Rebuilt(entries=0, days=0, added=0, corrected=0, removed=0)
    if connection.vendor == "postgresql":
        return _rebuild_postgresql(ids)
    return _rebuild_python(ids)


def _rebuild_postgresql(ids: list[int] | None) -> Rebuilt:
    """One statement: the fresh aggregate, upserted where it differs, stale rows deleted. The
    table lock (readers pass) makes concurrent entry writes wait, so none of their increments
    lands between the aggregate's snapshot and the upsert and is overwritten."""
    only = "" if ids is None else "WHERE employee_id = ANY(%(ids)s)"
    only_total = "" if ids is None else "total.employee_id = ANY(%(ids)s) AND"
    sql = f"""
        WITH fresh AS (
            SELECT employee_id, (start AT TIME ZONE %(tz)s)::date AS day, COUNT(*) AS entry_count,
                   SUM(duration_minutes) AS minutes,
                   COALESCE(SUM(duration_minutes) FILTER (WHERE billable), 0) AS billable_minutes
            FROM {ENTRY_TABLE}
            {only}
            GROUP BY 1, 2
        ), written AS (
            INSERT INTO {TABLE} AS total (employee_id, day, entry_count, minutes, billable_minutes)
            SELECT employee_id, day, entry_count, minutes, billable_minutes FROM fresh
            ON CONFLICT (employee_id, day) DO UPDATE SET
                entry_count = excluded.entry_count,
                minutes = excluded.minutes,
                billable_minutes = excluded.billable_minutes
            WHERE (total.entry_count, total.minutes, total.billable_minutes)
                IS DISTINCT FROM (excluded.entry_count, excluded.minutes, excluded.billable_minutes)
            RETURNING xmax = 0 AS inserted
        ), removed AS (
            DELETE FROM {TABLE} AS total
            WHERE {only_total} NOT EXISTS (
                SELECT 1 FROM fresh WHERE fresh.employee_id = total.employee_id
                AND fresh.day = total.day
            )
            RETURNING 1
        )
        SELECT (SELECT COALESCE(SUM(entry_count), 0) FROM fresh),
               (SELECT COUNT(*) FROM fresh),
               (SELECT COUNT(*) FILTER (WHERE inserted) FROM written),
               (SELECT COUNT(*) FILTER (WHERE NOT inserted) FROM written),
               (SELECT COUNT(*) FROM removed)
    """  # noqa: S608 - constant table names and fragments only
    params: dict[str, Any] = {"tz": timezone.get_default_timezone_name(), "ids": ids}
    with connection.cursor() as cursor:
        cursor.execute(f"LOCK TABLE {TABLE} IN SHARE ROW EXCLUSIVE MODE")
        cursor.execute(sql, params)
        entries, days, added, corrected, removed = cursor.fetchone()
    return Rebuilt(entries=entries, days=days, added=added, corrected=corrected, removed=removed)


def _rebuild_python(ids: list[int] | None) -> Rebuilt:
    """Elsewhere (SQLite: small data) in Python, with the same day attribution."""
    entries = TimeEntry.objects.all()
    totals = EmployeeDayTotal.objects.all()
    if ids is not None:
        entries = entries.filter(employee_id__in=ids)
        totals = totals.filter(employee_id__in=ids)
    fresh: dict[tuple[int, dt.date], tuple[int, int, int]] = {}
    counted = 0
    rows = entries.values_list("employee_id", "start", "duration_minutes", "billable")
    for employee_id, start, minutes, billable in rows.iterator(chunk_size=10_000):
        key = (employee_id, local_day(start))
        count, total, billable_total = fresh.get(key, (0, 0, 0))
        fresh[key] = (count + 1, total + minutes, billable_total + (minutes if billable else 0))
        counted += 1
    stored = {
        (employee_id, day): (count, minutes, billable)
        for employee_id, day, count, minutes, billable in totals.values_list(
            "employee_id", "day", "entry_count", "minutes", "billable_minutes"
        )
    }

    def row(key: tuple[int, dt.date]) -> EmployeeDayTotal:
        count, minutes, billable = fresh[key]
        return EmployeeDayTotal(
            employee_id=key[0],
            day=key[1],
            entry_count=count,
            minutes=minutes,
            billable_minutes=billable,
        )

    missing = [row(key) for key in fresh if key not in stored]
    wrong = [row(key) for key, sums in fresh.items() if key in stored and stored[key] != sums]
    stale = [key for key in stored if key not in fresh]
    EmployeeDayTotal.objects.bulk_create(missing, batch_size=5_000)
    EmployeeDayTotal.objects.bulk_update(
        wrong, ["entry_count", "minutes", "billable_minutes"], batch_size=1_000
    )
    for start in range(0, len(stale), 500):
        EmployeeDayTotal.objects.filter(pk__in=stale[start : start + 500]).delete()
    return Rebuilt(
        entries=counted,
        days=len(fresh),
        added=len(missing),
        corrected=len(wrong),
        removed=len(stale),
    )


def refresh_statistics() -> None:
    """After a bulk rebuild on PostgreSQL: planner statistics, and (outside a transaction) the
    visibility map, so the covering index gives index-only scans at once."""
    if connection.vendor != "postgresql":
        return
    command = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
    with connection.cursor() as cursor:
        cursor.execute(f"{command} {TABLE}")
