"""Migration 0007 fills the daily totals of an upgraded database from its entries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from apps.timetracking import services
from apps.timetracking.models import EmployeeDayTotal
from apps.timetracking.timeutils import local_datetime
from tests.employees.factories import EmployeeFactory

BEFORE = [("timetracking", "0006_employee_and_pending_covering_indexes")]
AFTER = [("timetracking", "0007_employee_day_totals")]

# Schema changes need real transactions (SQLite refuses them inside the test's atomic block).
pytestmark = pytest.mark.django_db(transaction=True)


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
    # Exactly what a rebuild computes.
    result = services.day_totals_rebuild()
    assert (result.added, result.corrected, result.removed) == (0, 0, 0)
