"""Migrations 0007 and 0008 fill the rollups of an upgraded database from its entries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from apps.timetracking import services
from apps.timetracking.models import EmployeeDayTotal, EmployeeMonthProjectTotal
from apps.timetracking.timeutils import local_datetime
from tests.employees.factories import EmployeeFactory
from tests.projects.factories import ProjectFactory

BEFORE = [("timetracking", "0006_employee_and_pending_covering_indexes")]
AFTER = [("timetracking", "0007_employee_day_totals")]
MONTHS_BEFORE = AFTER
MONTHS_AFTER = [("timetracking", "0008_employee_month_project_totals")]

# Schema changes need real transactions (SQLite refuses them inside the test's atomic block).
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _back_to_the_latest_schema():  # type: ignore[no-untyped-def]
    """The tests after these expect every migration applied."""
    yield
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


def _migrate(targets):  # type: ignore[no-untyped-def]
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def test_migration_fills_the_daily_totals_from_existing_entries() -> None:
    employee = EmployeeFactory(role=None)
    old_apps = _migrate(BEFORE)
    entry_model = old_apps.get_model("timetracking", "TimeEntry")
    fall_back = dt.date(2026, 10, 25)
    for time, minutes, billable in [
        (dt.time(0, 30), 30, True),  # 22:30 UTC of the day before: still the 25th locally
        (dt.time(1, 30), 180, False),  # over the switch: 3 hours
        (dt.time(23, 30), 20, True),
    ]:
        start = local_datetime(fall_back, time)
        entry_model.objects.create(
            employee_id=employee.pk,
            start=start,
            end=start + dt.timedelta(minutes=minutes),
            duration_minutes=minutes,
            billable=billable,
        )
    _migrate(AFTER)
    row = EmployeeDayTotal.objects.get(employee=employee)
    assert (row.day, row.entry_count, row.minutes, row.billable_minutes) == (fall_back, 3, 230, 50)
    # Exactly what a rebuild computes (of both tables: it needs the latest schema).
    _migrate(MONTHS_AFTER)
    result = services.time_totals_rebuild()
    assert (result.days.added, result.days.corrected, result.days.removed) == (0, 0, 0)


def test_migration_fills_the_monthly_project_totals_from_existing_entries() -> None:
    employee = EmployeeFactory(role=None)
    project = ProjectFactory()
    old_apps = _migrate(MONTHS_BEFORE)
    entry_model = old_apps.get_model("timetracking", "TimeEntry")
    for day, time, minutes, billable, project_id in [
        # 00:30 local on the 1st is 22:30/23:30 UTC of the month before: November.
        (dt.date(2026, 11, 1), dt.time(0, 30), 30, True, project.pk),
        (dt.date(2026, 11, 20), dt.time(9, 0), 60, False, project.pk),
        (dt.date(2026, 11, 20), dt.time(11, 0), 45, True, None),
        (dt.date(2026, 10, 31), dt.time(23, 30), 20, True, project.pk),
    ]:
        start = local_datetime(day, time)
        entry_model.objects.create(
            employee_id=employee.pk,
            project_id=project_id,
            start=start,
            end=start + dt.timedelta(minutes=minutes),
            duration_minutes=minutes,
            billable=billable,
        )
    _migrate(MONTHS_AFTER)
    rows = set(
        EmployeeMonthProjectTotal.objects.values_list(
            "month", "project_key", "entry_count", "minutes", "billable_minutes"
        )
    )
    assert rows == {
        (dt.date(2026, 11, 1), project.pk, 2, 90, 30),
        (dt.date(2026, 11, 1), 0, 1, 45, 45),
        (dt.date(2026, 10, 1), project.pk, 1, 20, 20),
    }
    # Exactly what a rebuild computes.
    result = services.time_totals_rebuild()
    changes = result.month_projects
    assert (changes.rows, changes.added, changes.corrected, changes.removed) == (3, 0, 0, 0)
