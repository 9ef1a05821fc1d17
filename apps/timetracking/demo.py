"""Demo time entries for ``manage.py seed_demo`` (small: a few weeks; large: 1,000,000 entries).

Entries are built day by day per employee, one after another with gaps, so they never overlap by
construction. Large volumes go in with PostgreSQL's COPY (psycopg) or, elsewhere, executemany in
batches; the audit log is not written for demo data. The daily totals (which the services keep for
entries they write) are rebuilt for the seeded employees in the same transaction.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from apps.employees.models import Employee
from apps.projects.models import Project, ProjectMember
from apps.timetracking import daytotals, services
from apps.timetracking.models import ActivityType, TimeEntry
from apps.timetracking.timeutils import local_tz

LARGE_DAYS = 730
SMALL_DAYS = 21
BATCH = 20_000
COLUMNS = [
    "employee_id",
    "project_id",
    "customer_id",
    "start",
    "end",
    "duration_minutes",
    "billable",
    "hourly_rate",
    "activity",
    "note",
    "status",
    "review_comment",
    "created_at",
    "updated_at",
]
NOTES = [
    "",
    "",
    "Abstimmung mit dem Kunden",
    "Code-Review",
    "Fehleranalyse",
    "Deployment vorbereitet",
    "Dokumentation",
    "Daily",
    "Workshop",
    "Tickets bearbeitet",
]
ACTIVITIES = [a.value for a in ActivityType]


def _workdays(last: dt.date, count: int) -> list[dt.date]:
    days, day = [], last
    while len(days) < count:
        if day.weekday() < 5:
            days.append(day)
        day -= dt.timedelta(days=1)
    return sorted(days)


def _rows(
    *,
    employees: list[Any],
    days: list[dt.date],
    per_day: int,
    total: int | None,
    skip: set[tuple[int, dt.date]],
    rng: random.Random,
    memberships: dict[int, list[Project]],
    all_projects: list[Project],
) -> Iterator[tuple[Any, ...]]:
    """Rows in COLUMNS order. Runs no queries (it is consumed while COPY holds the connection)."""
    tz = local_tz()
    now = timezone.now()
    approve_before = timezone.localdate() - dt.timedelta(days=14)
    made = 0
    # Slot length so that per_day entries fit a working day of 7–8 hours plus short gaps.
    slot = max(15, (8 * 60) // per_day)
    for day in reversed(days):  # the most recent days first: a capped total cuts the oldest
        midnight = dt.datetime.combine(day, dt.time(0), tzinfo=tz)
        status = "approved" if day < approve_before else "pending"
        for employee in employees:
            if (employee.pk, day) in skip:
                continue
            own = memberships.get(employee.pk) or all_projects
            minute = 7 * 60 + rng.randrange(0, 120, 5)
            for _i in range(per_day):
                length = max(5, slot - rng.choice((0, 5, 10)))
                start = (midnight + dt.timedelta(minutes=minute)).astimezone(dt.UTC)
                end = start + dt.timedelta(minutes=length)
                project = rng.choice(own) if own and rng.random() < 0.85 else None
                billable = project is not None and rng.random() < 0.85
                yield (
                    employee.pk,
                    project.pk if project else None,
                    project.customer_id if project else None,
                    start,
                    end,
                    length,
                    billable,
                    project.hourly_rate if project else Decimal("0.00"),
                    rng.choice(ACTIVITIES),
                    rng.choice(NOTES),
                    status,
                    "",
                    now,
                    now,
                )
                made += 1
                if total is not None and made >= total:
                    return
                minute += length + rng.choice((0, 0, 5, 10, 30 if _i == per_day // 2 else 0))


def _insert_postgresql(rows: Iterator[tuple[Any, ...]], progress: Any) -> int:
    count = 0
    columns = ", ".join(f'"{c}"' for c in COLUMNS)
    with connection.cursor() as cursor:
        raw = cursor.cursor  # psycopg 3 cursor
        with raw.copy(f"COPY timetracking_timeentry ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
                count += 1
                if count % BATCH == 0:
                    progress.update(BATCH)
    progress.update(count % BATCH)
    return count


def _insert_batches(rows: Iterator[tuple[Any, ...]], progress: Any) -> int:
    count = 0
    columns = ", ".join(connection.ops.quote_name(c) for c in COLUMNS)
    placeholders = ", ".join(["%s"] * len(COLUMNS))
    sql = f"INSERT INTO timetracking_timeentry ({columns}) VALUES ({placeholders})"  # noqa: S608
    batch: list[tuple[Any, ...]] = []
    adapt = connection.ops.adapt_datetimefield_value
    with connection.cursor() as cursor:
        for row in rows:
            row = (
                *row[:3],
                adapt(row[3]),
                adapt(row[4]),
                *row[5:7],
                str(row[7]),
                *row[8:12],
                adapt(row[12]),
                adapt(row[13]),
            )
            batch.append(row)
            if len(batch) >= BATCH:
                cursor.executemany(sql, batch)
                count += len(batch)
                progress.update(len(batch))
                batch = []
        if batch:
            cursor.executemany(sql, batch)
            count += len(batch)
            progress.update(len(batch))
    return count


def seed(*, size: str, stdout: Any) -> None:
    from tqdm import tqdm

    large = size == "large"
    large_total = int(getattr(settings, "TIMETRACKING_DEMO_LARGE_ENTRIES", 1_000_000))
    existing = TimeEntry.objects.count()
    if (large and existing >= large_total) or (not large and existing):
        stdout.write(f"timetracking: {existing} time entries exist, nothing to do.")
        return
    employees = list(Employee.objects.exclude(status="inactive").order_by("pk"))
    if not employees:
        stdout.write("timetracking: no employees, no time entries.")
        return
    if not large:
        employees = employees[:12]
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    days = _workdays(yesterday, LARGE_DAYS * 5 // 7 if large else SMALL_DAYS * 5 // 7)
    total = large_total - existing if large else None
    per_day = -(-(total or 0) // (len(employees) * len(days))) if large else 4
    per_day = max(3, min(per_day, 24))
    skip: set[tuple[int, dt.date]] = set()
    if existing:
        for employee_id, start in TimeEntry.objects.values_list("employee_id", "start"):
            skip.add((employee_id, timezone.localdate(start)))
    projects = {p.pk: p for p in Project.objects.exclude(status__in=["cancelled", "completed"])}
    memberships: dict[int, list[Project]] = {}
    for employee_id, project_id in ProjectMember.objects.values_list("employee_id", "project_id"):
        if project_id in projects:
            memberships.setdefault(employee_id, []).append(projects[project_id])
    rng = random.Random(20261121)  # demo data, reproducible
    rows = _rows(
        employees=employees,
        days=days,
        per_day=per_day,
        total=total,
        skip=skip,
        rng=rng,
        memberships=memberships,
        all_projects=list(projects.values()),
    )
    started = timezone.now()
    with (
        tqdm(total=total, disable=not large, unit="entries", file=stdout, mininterval=2) as bar,
        transaction.atomic(),
    ):
        if connection.vendor == "postgresql":
            count = _insert_postgresql(rows, bar)
        else:
            count = _insert_batches(rows, bar)
        totals = services.time_totals_rebuild(employee_ids=[e.pk for e in employees])
    if connection.vendor == "postgresql" and large:
        # VACUUM sets the visibility map, so the covering indexes give index-only scans at once.
        command = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
        with connection.cursor() as cursor:
            cursor.execute(f"{command} timetracking_timeentry")
        daytotals.refresh_statistics()
    seconds = (timezone.now() - started).total_seconds()
    stdout.write(
        f"timetracking: {count} time entries ({totals.days.rows} daily totals, "
        f"{totals.month_projects.rows} monthly project totals) in {seconds:.1f} s."
    )
