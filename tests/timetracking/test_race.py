"""Two browser tabs start a timer at the same moment: exactly one timer runs afterwards. Daily
totals changed from many connections at once lose no increment."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connections, transaction

from apps.timetracking import daytotals, services
from apps.timetracking.models import EmployeeDayTotal, EmployeeMonthProjectTotal, TimeEntry
from tests.employees.factories import EmployeeFactory
from tests.projects.factories import ProjectFactory

ON_POSTGRESQL = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not ON_POSTGRESQL, reason="needs PostgreSQL (row locks across connections)"),
    # Committed data for the threads' own connections. No serialized_rollback and no default
    # roles needed: transactional tests run last and may follow another one that flushed.
    pytest.mark.django_db(transaction=True),
]


def test_parallel_timer_starts_leave_one_running_timer() -> None:
    employee = EmployeeFactory(role=None)
    barrier = threading.Barrier(4)
    outcomes: list[str] = []

    def start() -> None:
        try:
            barrier.wait()
            services.timer_start(employee=employee)
            outcomes.append("started")
        except ValidationError:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=start) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(outcomes) == 4
    assert "started" in outcomes
    assert TimeEntry.objects.filter(employee=employee, end__isnull=True).count() == 1


def _in_parallel(work, threads: int = 6) -> None:  # type: ignore[no-untyped-def]
    """Run ``work(i)`` in ``threads`` threads, each in its own transaction on its own connection,
    all released at once after they have opened their transactions."""
    barrier = threading.Barrier(threads)
    errors: list[BaseException] = []

    def run(i: int) -> None:
        try:
            with transaction.atomic():
                barrier.wait()
                work(i)
        except BaseException as error:  # reported by the assertion below
            errors.append(error)
        finally:
            connections.close_all()

    pool = [threading.Thread(target=run, args=(i,)) for i in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    assert errors == []


def test_parallel_daily_total_changes_lose_nothing() -> None:
    """The first entries of a day arrive at once (all want to create the row), then half of them
    are removed at once; no increment is lost and nobody fails."""
    employee = EmployeeFactory(role=None)
    day = dt.date(2026, 1, 5)

    def share(i: int) -> daytotals.Share:
        return daytotals.Share(
            employee_id=employee.pk, day=day, minutes=10 + i, billable=10 + i if i % 2 else 0
        )

    def add(i: int) -> None:
        for _round in range(3):
            daytotals.record(new=share(i))

    _in_parallel(add)
    row = EmployeeDayTotal.objects.get(employee=employee, day=day)
    assert row.entry_count == 18
    assert row.minutes == 3 * sum(10 + i for i in range(6))
    assert row.billable_minutes == 3 * (11 + 13 + 15)

    _in_parallel(lambda i: daytotals.record(old=share(i)))
    row.refresh_from_db()
    assert (row.entry_count, row.minutes, row.billable_minutes) == (12, 2 * 75, 2 * 39)


def test_parallel_monthly_project_total_changes_lose_nothing() -> None:
    """Entries of one month arrive at once on two projects and without one (all want to create
    the rows), then they move between the projects and half of them are removed at once."""
    employee = EmployeeFactory(role=None)
    alpha, beta = ProjectFactory().pk, ProjectFactory().pk
    day = dt.date(2026, 1, 5)
    month = day.replace(day=1)

    def share(i: int, project_id: int | None) -> daytotals.Share:
        return daytotals.Share(
            employee_id=employee.pk,
            day=day + dt.timedelta(days=i),
            minutes=10 + i,
            billable=10 + i if i % 2 else 0,
            project_id=project_id,
        )

    def first_project(i: int) -> int | None:
        return (alpha, beta, None)[i % 3]

    def add(i: int) -> None:
        for _round in range(3):
            daytotals.record(new=share(i, first_project(i)))

    def sums() -> dict[int, tuple[int, int, int]]:
        rows = EmployeeMonthProjectTotal.objects.filter(employee=employee, month=month)
        return {
            key: (count, minutes, billable)
            for key, count, minutes, billable in rows.values_list(
                "project_key", "entry_count", "minutes", "billable_minutes"
            )
        }

    _in_parallel(add)
    # i = 0, 3 → alpha; 1, 4 → beta; 2, 5 → none (minutes 10 + i, billable when i is odd).
    assert sums() == {alpha: (6, 69, 39), beta: (6, 75, 33), 0: (6, 81, 45)}

    # Every thread moves one of its entries to alpha (alpha's own: no change) ...
    _in_parallel(lambda i: daytotals.record(old=share(i, first_project(i)), new=share(i, alpha)))
    assert sums() == {alpha: (10, 121, 65), beta: (4, 50, 22), 0: (4, 54, 30)}
    # ... and removes another.
    _in_parallel(lambda i: daytotals.record(old=share(i, first_project(i))))
    assert sums() == {alpha: (8, 98, 52), beta: (2, 25, 11), 0: (2, 27, 15)}
