"""The hot queries use indexes on a big table (PostgreSQL EXPLAIN; no Seq Scan on time entries)."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from django.conf import settings
from django.db import connection
from django.db.models import Sum
from django.utils import timezone

from apps.timetracking import selectors
from apps.timetracking.models import TimeEntry
from apps.timetracking.timeutils import month_bounds, week_bounds, week_monday
from tests.employees.factories import EmployeeFactory, role_named
from tests.projects.factories import ProjectFactory

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        not settings.DATABASES["default"]["ENGINE"].endswith("postgresql"),
        reason="EXPLAIN plans are checked on PostgreSQL",
    ),
    pytest.mark.django_db,
]

ROWS = 20_000


def _plan(qs) -> str:  # type: ignore[no-untyped-def]
    sql, params = qs.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


@pytest.fixture
def big_table(manager):  # type: ignore[no-untyped-def]
    employees = [EmployeeFactory(role=role_named("Mitarbeiter")) for _ in range(20)]
    projects = [ProjectFactory(members=employees) for _ in range(10)]
    rng = random.Random(7)
    rows = []
    first = timezone.now() - dt.timedelta(days=700)
    per_employee = ROWS // len(employees)
    for employee in employees:
        start = first
        for i in range(per_employee):
            start += dt.timedelta(minutes=rng.choice((60, 75, 90, 600)))
            rows.append(
                TimeEntry(
                    employee=employee,
                    project=rng.choice(projects),
                    start=start,
                    end=start + dt.timedelta(minutes=45),
                    duration_minutes=45,
                    status="approved" if i < per_employee - 5 else "pending",
                )
            )
    TimeEntry.objects.bulk_create(rows, batch_size=5000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE timetracking_timeentry")
    return {"employee": employees[0], "project": projects[0], "manager": manager}


def _no_seq_scan(plan: str) -> None:
    assert "Seq Scan on timetracking_timeentry" not in plan, plan


def test_week_view_query_uses_an_index(big_table) -> None:  # type: ignore[no-untyped-def]
    start, end = week_bounds(week_monday(timezone.localdate()))
    _no_seq_scan(_plan(selectors.own_entries(big_table["employee"]).between(start, end)))


def test_team_view_query_uses_an_index(big_table) -> None:  # type: ignore[no-untyped-def]
    start, end = month_bounds(timezone.localdate().replace(day=1))
    qs = (
        TimeEntry.objects.between(start, end)
        .values("employee_id", "project_id", "billable")
        .annotate(minutes=Sum("duration_minutes"))
        .order_by()
    )
    _no_seq_scan(_plan(qs))


def test_approval_queue_query_uses_an_index(big_table) -> None:  # type: ignore[no-untyped-def]
    _no_seq_scan(_plan(selectors.approval_queue(big_table["manager"])[:50]))


def test_project_time_list_query_uses_an_index(big_table) -> None:  # type: ignore[no-untyped-def]
    qs = selectors.project_entries(big_table["manager"], big_table["project"])[:25]
    _no_seq_scan(_plan(qs))


def test_running_timer_lookup_uses_an_index(big_table) -> None:  # type: ignore[no-untyped-def]
    _no_seq_scan(_plan(selectors.own_entries(big_table["employee"]).running()[:1]))
