"""Two browser tabs start a timer at the same moment: exactly one timer runs afterwards."""

from __future__ import annotations

import threading

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connections

from apps.timetracking import services
from apps.timetracking.models import TimeEntry
from tests.employees.factories import EmployeeFactory

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
