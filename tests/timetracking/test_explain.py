"""The hot queries use indexes on a big table (PostgreSQL EXPLAIN; no Seq Scan on time entries)."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from apps.timetracking import selectors, services
from apps.timetracking.models import TimeEntry
from apps.timetracking.rows import approval_rows
from apps.timetracking.timeutils import week_bounds, week_monday
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
    services.time_totals_rebuild()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE timetracking_timeentry")
        cursor.execute("ANALYZE timetracking_employeedaytotal")
        cursor.execute("ANALYZE timetracking_employeemonthprojecttotal")
    return {"employee": employees[0], "project": projects[0], "manager": manager}


def _no_seq_scan(plan: str) -> None:
    assert "Seq Scan on timetracking_timeentry" not in plan, plan


def _entry_reads(run) -> list[str]:  # type: ignore[no-untyped-def]
    """The SQL of the queries ``run()`` sends that read time entries."""
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        run()
    return [q["sql"] for q in captured.captured_queries if "timetracking_timeentry" in q["sql"]]


def _no_seq_scan_in(sql: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + sql)
        _no_seq_scan("\n".join(row[0] for row in cursor.fetchall()))


def test_week_view_query_uses_an_index(big_table) -> None:  # type: ignore[no-untyped-def]
    monday = week_monday(timezone.localdate())
    reads = _entry_reads(lambda: selectors.week_grid(big_table["employee"], monday))
    assert len(reads) == 1
    _no_seq_scan_in(reads[0])


def test_day_view_query_uses_an_index(big_table) -> None:  # type: ignore[no-untyped-def]
    reads = _entry_reads(lambda: selectors.day_entries(big_table["employee"], timezone.localdate()))
    assert len(reads) == 1
    _no_seq_scan_in(reads[0])


def _team_week(big_table):  # type: ignore[no-untyped-def]
    # A week inside the seeded span (it starts 700 days ago): about 5 % of this table, as a month
    # is of a million entries over two years.
    some_day = timezone.localdate(TimeEntry.objects.order_by("start").first().start)
    return week_bounds(week_monday(some_day + dt.timedelta(days=40)))


def test_team_view_queries_use_an_index(big_table) -> None:  # type: ignore[no-untyped-def]
    """The team view reads time entries once (the ranked projects of one page), planned without a
    sequential scan; the totals per employee come from the daily totals."""
    from django.test.utils import CaptureQueriesContext

    start, end = _team_week(big_table)
    with CaptureQueriesContext(connection) as captured:
        summary = selectors.team_summary(start, end)
        selectors.team_fill_items(summary.rows, start, end)
    assert summary.rows and summary.rows[0].items
    reads = [q["sql"] for q in captured.captured_queries if "timetracking_timeentry" in q["sql"]]
    assert len(reads) == 1
    for sql in reads:
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN " + sql)
            _no_seq_scan("\n".join(row[0] for row in cursor.fetchall()))


def test_team_totals_read_the_daily_totals_by_their_covering_index(big_table) -> None:  # type: ignore[no-untyped-def]
    """The totals of a period are summed from the (day, employee) index of the daily totals,
    which includes the sums on PostgreSQL: the query can be answered from the index alone."""
    from django.test.utils import CaptureQueriesContext

    start, end = _team_week(big_table)
    with CaptureQueriesContext(connection) as captured:
        selectors.team_summary(start, end)
    reads = [
        q["sql"] for q in captured.captured_queries if "timetracking_employeedaytotal" in q["sql"]
    ]
    assert len(reads) == 1
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + reads[0])
        plan = "\n".join(row[0] for row in cursor.fetchall())
        assert "tt_daytotal_day_emp_idx" in plan, plan
        assert "Seq Scan on timetracking_employeedaytotal" not in plan, plan
        # Rows written in this test's transaction are not all-visible yet (no VACUUM inside a
        # transaction), so the planner costs an index-only scan like a plain one and may prefer a
        # bitmap scan. Left with index scans only, it must choose an index-only scan: proof that
        # the index holds every column the query needs (as planned once autovacuum has run).
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + reads[0])
        plan = "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute("RESET enable_bitmapscan")
        cursor.execute("RESET enable_seqscan")
    assert "Index Only Scan using tt_daytotal_day_emp_idx" in plan, plan


def test_approval_queue_query_uses_an_index(big_table) -> None:  # type: ignore[no-untyped-def]
    queue = selectors.approval_queue(big_table["manager"])
    _no_seq_scan(_plan(queue[:50]))
    # The page's rows, as the view reads them (only the printed columns).
    reads = _entry_reads(lambda: approval_rows(queue[:50]))
    assert len(reads) == 1
    _no_seq_scan_in(reads[0])


def test_project_time_list_query_uses_an_index(big_table) -> None:  # type: ignore[no-untyped-def]
    qs = selectors.project_entries(big_table["manager"], big_table["project"])[:25]
    _no_seq_scan(_plan(qs))


def test_running_timer_lookup_uses_an_index(big_table) -> None:  # type: ignore[no-untyped-def]
    _no_seq_scan(_plan(selectors.own_entries(big_table["employee"]).running()[:1]))


def test_team_month_ranking_reads_the_ranking_index_without_a_sort(big_table) -> None:  # type: ignore[no-untyped-def]
    """A month's top projects per employee come from the monthly project totals: per employee an
    index-only scan of (month, employee) in the ranking's order that stops after the top rows; no
    time entries, no sort. (The titles are joined by the projects' primary key.)"""
    from django.test.utils import CaptureQueriesContext

    from apps.timetracking.timeutils import month_bounds

    some_day = timezone.localdate(TimeEntry.objects.order_by("start").first().start)
    start, end = month_bounds((some_day + dt.timedelta(days=40)).replace(day=1))
    with CaptureQueriesContext(connection) as captured:
        summary = selectors.team_summary(start, end)
        selectors.team_fill_items(summary.rows, start, end)
    assert summary.rows and summary.rows[0].items
    sqls = [q["sql"] for q in captured.captured_queries]
    assert not [sql for sql in sqls if "timetracking_timeentry" in sql]
    reads = [sql for sql in sqls if "timetracking_employeemonthprojecttotal" in sql]
    assert len(reads) == 1
    with connection.cursor() as cursor:
        # As above: rows of this transaction are not all-visible, so leave the planner index
        # scans only to see that the index holds every column (after VACUUM it picks it anyway).
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + reads[0])
        plan = "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute("RESET enable_bitmapscan")
        cursor.execute("RESET enable_seqscan")
    assert "Index Only Scan using tt_monthproj_rank_idx" in plan, plan
    assert "Sort" not in plan, plan
