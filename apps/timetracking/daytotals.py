"""The rollups of the time entries, kept in step by the services and recomputed by ``rebuild``:

* ``EmployeeDayTotal``: per employee and local calendar day;
* ``EmployeeMonthProjectTotal``: per employee, local calendar month and project (0: none).

A day is the local calendar day (company time zone) of the entry's start: the same attribution as
``TimeEntry.objects.between()`` with the local-midnight bounds of ``timeutils.day_bounds``; its
month is that day's month (``day.replace(day=1)``). Each entry adds itself (1 entry, its minutes,
its billable minutes) to one row of each table; a running timer adds an entry of 0 minutes until
it is stopped.

The services call ``record(old=…, new=…)`` in the transaction of every entry write with what the
entry counted for before and after (``Share.of(entry)``). The difference touches at most two rows
per table (old and new day; old and new month or project), each with one statement that is safe
against concurrent writers without a lock:

* a delta that is a valid row by itself (nothing negative, billable within minutes: an entry added
  or grown): ``INSERT … ON CONFLICT (primary key) DO UPDATE SET x = x + excluded.x``
  (PostgreSQL, and SQLite ≥ 3.24) – the first entry of a day creates the row, two at once cannot
  both create it. (The database checks the row constraints on the proposed row before it sees the
  conflict, so other deltas cannot take this path.)
* any other delta (an entry removed, shrunk or made billable) applies to a row that exists already,
  as the entry was counted there: ``UPDATE … SET x = x + delta``, guarded so that the row stays
  valid. A guarded update that finds nothing means the table is out of step (an entry was written
  around the services); that row is then recounted from the entries and a warning logged, so the
  user's change goes through and the row is right again.

Rows that drop to zero stay (``rebuild`` removes them). Both tables are written in the same order
(days, then months) so concurrent writers take their row locks in one order.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.db import connection, models
from django.db.models import Count, F, Q, Sum
from django.utils import timezone

from apps.timetracking.models import EmployeeDayTotal, EmployeeMonthProjectTotal, TimeEntry
from apps.timetracking.timeutils import day_bounds, local_day, month_bounds

logger = logging.getLogger(__name__)

TABLE = EmployeeDayTotal._meta.db_table
MONTH_TABLE = EmployeeMonthProjectTotal._meta.db_table
ENTRY_TABLE = TimeEntry._meta.db_table

Key = tuple[Any, ...]
Delta = tuple[int, int, int]  # entries, minutes, billable minutes


@dataclass(frozen=True)
class Share:
    """What one entry adds to its employee's day and to its employee's month on its project."""

    employee_id: int
    day: dt.date
    minutes: int
    billable: int
    project_id: int | None = None

    @classmethod
    def of(cls, entry: TimeEntry) -> Share:
        minutes = entry.duration_minutes
        return cls(
            employee_id=entry.employee_id,
            day=local_day(entry.start),
            minutes=minutes,
            billable=minutes if entry.billable else 0,
            project_id=entry.project_id,
        )


@dataclass(frozen=True)
class Rollup:
    """One table of sums: its model, its key columns (the primary key), the key a share counts
    under and the entries that make up the row of a key."""

    model: type[models.Model]
    keys: tuple[str, ...]
    key_of: Callable[[Share], Key]
    entries_of: Callable[[Key], models.QuerySet[TimeEntry]]
    label: str

    @property
    def table(self) -> str:
        return self.model._meta.db_table


def _day_entries(key: Key) -> models.QuerySet[TimeEntry]:
    employee_id, day = key
    return TimeEntry.objects.filter(employee_id=employee_id).between(*day_bounds(day))


def _month_project_entries(key: Key) -> models.QuerySet[TimeEntry]:
    employee_id, month, project_key = key
    entries = TimeEntry.objects.filter(employee_id=employee_id).between(*month_bounds(month))
    if project_key:
        return entries.filter(project_id=project_key)
    return entries.filter(project__isnull=True)


DAYS = Rollup(
    model=EmployeeDayTotal,
    keys=("employee_id", "day"),
    key_of=lambda share: (share.employee_id, share.day),
    entries_of=_day_entries,
    label="Daily total",
)
MONTH_PROJECTS = Rollup(
    model=EmployeeMonthProjectTotal,
    keys=("employee_id", "month", "project_key"),
    key_of=lambda share: (share.employee_id, share.day.replace(day=1), share.project_id or 0),
    entries_of=_month_project_entries,
    label="Monthly project total",
)
ROLLUPS = (DAYS, MONTH_PROJECTS)


# --- Keeping in step ------------------------------------------------------------------------------


def record(*, old: Share | None = None, new: Share | None = None) -> None:
    """Move an entry's share from ``old`` to ``new`` (None: the entry did not exist / is gone).
    Call inside the transaction that writes the entry, after the write."""
    for rollup in ROLLUPS:
        _record(rollup, old, new)


def _record(rollup: Rollup, old: Share | None, new: Share | None) -> None:
    changes: dict[Key, Delta] = {}
    for share, sign in ((old, -1), (new, 1)):
        if share is None:
            continue
        key = rollup.key_of(share)
        count, minutes, billable = changes.get(key, (0, 0, 0))
        changes[key] = (
            count + sign,
            minutes + sign * share.minutes,
            billable + sign * share.billable,
        )
    for key, delta in changes.items():
        if not any(delta):
            continue
        count, minutes, billable = delta
        if min(delta) >= 0 and billable <= minutes:
            _add(rollup, key, delta)
        elif not _change(rollup, key, delta):
            logger.warning(
                "%s %s was out of step with the time entries; recounted (run "
                "rebuild_time_totals to check all rows).",
                rollup.label,
                key,
            )
            _recount(rollup, key)


def _adapt(value: Any) -> Any:
    return connection.ops.adapt_datefield_value(value) if isinstance(value, dt.date) else value


def _add(rollup: Rollup, key: Key, delta: Delta) -> None:
    table = connection.ops.quote_name(rollup.table)
    keys = ", ".join(rollup.keys)
    placeholders = ", ".join(["%s"] * (len(rollup.keys) + 3))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({keys}, entry_count, minutes, billable_minutes) "  # noqa: S608 - constant table and column names
            f"VALUES ({placeholders}) "
            f"ON CONFLICT ({keys}) DO UPDATE SET "
            f"entry_count = {table}.entry_count + excluded.entry_count, "
            f"minutes = {table}.minutes + excluded.minutes, "
            f"billable_minutes = {table}.billable_minutes + excluded.billable_minutes",
            [*map(_adapt, key), *delta],
        )


def _change(rollup: Rollup, key: Key, delta: Delta) -> bool:
    """Add the delta to an existing row; False if there is none or the result would break the
    row's rules (below zero, more billable than total): the table is out of step."""
    count, minutes, billable = delta
    changed = (
        rollup.model._default_manager.filter(
            Q(billable_minutes__lte=F("minutes") + (minutes - billable)),
            entry_count__gte=-count,
            minutes__gte=-minutes,
            billable_minutes__gte=-billable,
        )
        .filter(**dict(zip(rollup.keys, key, strict=True)))
        .update(
            entry_count=F("entry_count") + count,
            minutes=F("minutes") + minutes,
            billable_minutes=F("billable_minutes") + billable,
        )
    )
    return changed == 1


def _recount(rollup: Rollup, key: Key) -> None:
    sums = rollup.entries_of(key).aggregate(
        count=Count("id"),
        minutes=Sum("duration_minutes", default=0),
        billable=Sum("duration_minutes", filter=Q(billable=True), default=0),
    )
    rollup.model._default_manager.update_or_create(
        **dict(zip(rollup.keys, key, strict=True)),
        defaults={
            "entry_count": sums["count"],
            "minutes": sums["minutes"],
            "billable_minutes": sums["billable"],
        },
    )


# --- Rebuild --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Changes:
    rows: int  # rows the entries make up
    added: int  # rows that were missing
    corrected: int  # rows whose figures were wrong
    removed: int  # rows without entries (dropped to zero, or wrong)


@dataclass(frozen=True)
class Rebuilt:
    entries: int  # time entries counted
    days: Changes  # EmployeeDayTotal
    month_projects: Changes  # EmployeeMonthProjectTotal


NOTHING = Changes(rows=0, added=0, corrected=0, removed=0)

# The key columns of each table as computed from an entry on PostgreSQL (the same attribution as
# ``Rollup.key_of``).
SQL_KEYS = {
    TABLE: "employee_id, (start AT TIME ZONE %(tz)s)::date AS day",
    MONTH_TABLE: (
        "employee_id, date_trunc('month', start AT TIME ZONE %(tz)s)::date AS month, "
        "COALESCE(project_id, 0) AS project_key"
    ),
}


def rebuild(*, employee_ids: Iterable[int] | None = None) -> Rebuilt:
    """Recompute the rows of these employees (None: everyone) in both tables from their entries,
    changing only rows that differ. Idempotent. Call inside a transaction."""
    ids = None if employee_ids is None else sorted(set(employee_ids))
    if ids == []:
        return Rebuilt(entries=0, days=NOTHING, month_projects=NOTHING)
    if connection.vendor == "postgresql":
        return _rebuild_postgresql(ids)
    return _rebuild_python(ids)


def _rebuild_postgresql(ids: list[int] | None) -> Rebuilt:
    """One statement per table: the fresh aggregate, upserted where it differs, stale rows
    deleted. The table locks (readers pass; taken in the order the services write) make
    concurrent entry writes wait, so none of their increments lands between the aggregate's
    snapshot and the upsert and is overwritten."""
    with connection.cursor() as cursor:
        for rollup in ROLLUPS:
            cursor.execute(f"LOCK TABLE {rollup.table} IN SHARE ROW EXCLUSIVE MODE")
    results = [_rebuild_table_postgresql(rollup, ids) for rollup in ROLLUPS]
    (entries, days), (_same, month_projects) = results
    return Rebuilt(entries=entries, days=days, month_projects=month_projects)


def _rebuild_table_postgresql(rollup: Rollup, ids: list[int] | None) -> tuple[int, Changes]:
    keys = ", ".join(rollup.keys)
    only = "" if ids is None else "WHERE employee_id = ANY(%(ids)s)"
    only_total = "" if ids is None else "total.employee_id = ANY(%(ids)s) AND"
    same_key = " AND ".join(f"fresh.{key} = total.{key}" for key in rollup.keys)
    sql = f"""
        WITH fresh AS (
            SELECT {SQL_KEYS[rollup.table]}, COUNT(*) AS entry_count,
                   SUM(duration_minutes) AS minutes,
                   COALESCE(SUM(duration_minutes) FILTER (WHERE billable), 0) AS billable_minutes
            FROM {ENTRY_TABLE}
            {only}
            GROUP BY {", ".join(str(i + 1) for i in range(len(rollup.keys)))}
        ), written AS (
            INSERT INTO {rollup.table} AS total ({keys}, entry_count, minutes, billable_minutes)
            SELECT {keys}, entry_count, minutes, billable_minutes FROM fresh
            ON CONFLICT ({keys}) DO UPDATE SET
                entry_count = excluded.entry_count,
                minutes = excluded.minutes,
                billable_minutes = excluded.billable_minutes
            WHERE (total.entry_count, total.minutes, total.billable_minutes)
                IS DISTINCT FROM (excluded.entry_count, excluded.minutes, excluded.billable_minutes)
            RETURNING xmax = 0 AS inserted
        ), removed AS (
            DELETE FROM {rollup.table} AS total
            WHERE {only_total} NOT EXISTS (SELECT 1 FROM fresh WHERE {same_key})
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
        cursor.execute(sql, params)
        entries, rows, added, corrected, removed = cursor.fetchone()
    return entries, Changes(rows=rows, added=added, corrected=corrected, removed=removed)


def _rebuild_python(ids: list[int] | None) -> Rebuilt:
    """Elsewhere (SQLite: small data) in Python, with the same attribution (``Share.of``)."""
    entries = TimeEntry.objects.all()
    if ids is not None:
        entries = entries.filter(employee_id__in=ids)
    fresh: dict[Rollup, dict[Key, Delta]] = {rollup: {} for rollup in ROLLUPS}
    counted = 0
    rows = entries.only("employee_id", "project_id", "start", "duration_minutes", "billable")
    for entry in rows.iterator(chunk_size=10_000):
        share = Share.of(entry)
        for rollup, sums in fresh.items():
            key = rollup.key_of(share)
            count, minutes, billable = sums.get(key, (0, 0, 0))
            sums[key] = (count + 1, minutes + share.minutes, billable + share.billable)
        counted += 1
    days, month_projects = (_write_python(rollup, fresh[rollup], ids) for rollup in ROLLUPS)
    return Rebuilt(entries=counted, days=days, month_projects=month_projects)


def _write_python(rollup: Rollup, fresh: dict[Key, Delta], ids: list[int] | None) -> Changes:
    manager = rollup.model._default_manager
    totals = manager.all() if ids is None else manager.filter(employee_id__in=ids)
    stored = {
        tuple(row[:-3]): tuple(row[-3:])
        for row in totals.values_list(*rollup.keys, "entry_count", "minutes", "billable_minutes")
    }

    def row(key: Key) -> models.Model:
        count, minutes, billable = fresh[key]
        return rollup.model(
            **dict(zip(rollup.keys, key, strict=True)),
            entry_count=count,
            minutes=minutes,
            billable_minutes=billable,
        )

    missing = [row(key) for key in fresh if key not in stored]
    wrong = [row(key) for key, sums in fresh.items() if key in stored and stored[key] != sums]
    stale = [key for key in stored if key not in fresh]
    manager.bulk_create(missing, batch_size=5_000)
    manager.bulk_update(wrong, ["entry_count", "minutes", "billable_minutes"], batch_size=1_000)
    for start in range(0, len(stale), 500):
        manager.filter(pk__in=stale[start : start + 500]).delete()
    return Changes(rows=len(fresh), added=len(missing), corrected=len(wrong), removed=len(stale))


def refresh_statistics() -> None:
    """After a bulk rebuild on PostgreSQL: planner statistics, and (outside a transaction) the
    visibility map, so the covering index gives index-only scans at once."""
    if connection.vendor != "postgresql":
        return
    command = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
    with connection.cursor() as cursor:
        for rollup in ROLLUPS:
            cursor.execute(f"{command} {rollup.table}")
