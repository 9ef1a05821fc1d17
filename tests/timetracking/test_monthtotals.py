"""The monthly totals per project stay equal to a fresh count of the entries after every service
write, the rebuild puts them right, and the team view ranks a month's projects from them exactly as
it ranks them from the entries."""

from __future__ import annotations

import datetime as dt
import logging
import random
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from apps.timetracking import selectors, services
from apps.timetracking.models import EmployeeMonthProjectTotal, TimeEntry
from apps.timetracking.selectors import TEAM_TOP_ITEMS, TeamMember, TeamRow
from apps.timetracking.timeutils import local_datetime, local_tz, month_bounds, week_bounds
from tests.employees.factories import EmployeeFactory, role_named
from tests.projects.factories import ProjectFactory
from tests.timetracking.factories import at, last_monday, make_entry

pytestmark = pytest.mark.django_db

Sums = dict[tuple[int, dt.date, int], tuple[int, int, int]]


def fresh_sums() -> Sums:
    """Entries, minutes and billable minutes per employee, local month and project (0: none),
    counted in Python."""
    sums: Sums = {}
    for entry in TimeEntry.objects.all():
        month = timezone.localdate(entry.start, local_tz()).replace(day=1)
        key = (entry.employee_id, month, entry.project_id or 0)
        count, minutes, billable = sums.get(key, (0, 0, 0))
        sums[key] = (
            count + 1,
            minutes + entry.duration_minutes,
            billable + (entry.duration_minutes if entry.billable else 0),
        )
    return sums


def stored_sums() -> Sums:
    """The monthly project totals; rows that dropped to zero must be all zero and are left out."""
    rows = EmployeeMonthProjectTotal.objects.values_list(
        "employee_id", "month", "project_key", "entry_count", "minutes", "billable_minutes"
    )
    stored: Sums = {}
    for employee_id, month, project_key, count, minutes, billable in rows:
        if count == 0:
            assert minutes == billable == 0, (employee_id, month, project_key, minutes)
        else:
            stored[(employee_id, month, project_key)] = (count, minutes, billable)
    return stored


def assert_in_step() -> Sums:
    stored = stored_sums()
    assert stored == fresh_sums()
    return stored


def book(employee, start: dt.datetime, end: dt.datetime, **fields) -> TimeEntry:  # type: ignore[no-untyped-def]
    return services.entry_create(actor=employee, employee=employee, start=start, end=end, **fields)


# --- Keeping in step ------------------------------------------------------------------------------


def test_create_update_and_delete_keep_the_month_in_step(member) -> None:
    alpha, beta = ProjectFactory(members=[member]), ProjectFactory(members=[member])
    day = last_monday()
    month = day.replace(day=1)
    entry = book(member, at(day, "09:00"), at(day, "10:00"), project=alpha)
    book(member, at(day, "13:00"), at(day, "13:30"), billable=False)
    assert assert_in_step() == {
        (member.pk, month, alpha.pk): (1, 60, 60),
        (member.pk, month, 0): (1, 30, 0),
    }
    services.entry_update(actor=member, entry=entry, end=at(day, "11:00"))
    services.entry_update(actor=member, entry=entry, billable=False)
    assert assert_in_step()[(member.pk, month, alpha.pk)] == (1, 120, 0)
    services.entry_update(actor=member, entry=entry, billable=True)
    # Another project: the minutes move, the old row stays at zero.
    services.entry_update(actor=member, entry=entry, project=beta, customer=None)
    assert assert_in_step() == {
        (member.pk, month, beta.pk): (1, 120, 120),
        (member.pk, month, 0): (1, 30, 0),
    }
    # Without a project, then deleted.
    services.entry_update(actor=member, entry=entry, project=None)
    assert assert_in_step() == {(member.pk, month, 0): (2, 150, 120)}
    services.entry_delete(actor=member, entry=entry)
    assert assert_in_step() == {(member.pk, month, 0): (1, 30, 0)}
    assert EmployeeMonthProjectTotal.objects.filter(entry_count=0).count() == 2


def test_an_entry_moved_over_a_month_boundary_at_local_midnight(member) -> None:
    """The month is that of the local start day: 00:00 on the 1st (22:00/23:00 UTC of the day
    before) is the new month, 23:59 on the last day the old one."""
    project = ProjectFactory(members=[member])
    first = (timezone.localdate() - dt.timedelta(days=40)).replace(day=1)
    last_of_before = first - dt.timedelta(days=1)
    entry = book(member, at(first, "00:00"), at(first, "01:00"), project=project)
    assert assert_in_step() == {(member.pk, first, project.pk): (1, 60, 60)}
    services.entry_update(
        actor=member, entry=entry, start=at(last_of_before, "23:59"), end=at(first, "00:30")
    )
    assert assert_in_step() == {(member.pk, last_of_before.replace(day=1), project.pk): (1, 31, 31)}
    services.entry_update(actor=member, entry=entry, start=at(first, "00:00"))
    assert assert_in_step() == {(member.pk, first, project.pk): (1, 30, 30)}


def test_months_do_not_follow_the_active_time_zone(member) -> None:
    first = (timezone.localdate() - dt.timedelta(days=40)).replace(day=1)
    with timezone.override("America/New_York"):
        book(member, at(first, "00:30"), at(first, "01:00"), billable=True)
    assert assert_in_step() == {(member.pk, first, 0): (1, 30, 30)}


def test_timer_start_stop_and_switch(member) -> None:
    alpha, beta = ProjectFactory(members=[member]), ProjectFactory(members=[member])
    day = last_monday()
    month = day.replace(day=1)
    services.timer_start(employee=member, project=alpha, at=at(day, "09:00"))
    # A running timer is an entry of 0 minutes.
    assert assert_in_step() == {(member.pk, month, alpha.pk): (1, 0, 0)}
    services.timer_switch(employee=member, project=beta, at=at(day, "09:20"))
    assert assert_in_step() == {
        (member.pk, month, alpha.pk): (1, 20, 20),
        (member.pk, month, beta.pk): (1, 0, 0),
    }
    services.timer_stop(employee=member, at=at(day, "09:45"))
    assert assert_in_step()[(member.pk, month, beta.pk)] == (1, 25, 25)


def test_a_month_out_of_step_is_recounted_and_the_change_goes_through(member, caplog) -> None:
    project = ProjectFactory(members=[member])
    day = last_monday()
    stray = TimeEntry.objects.create(
        employee=member,
        project=project,
        start=at(day, "08:00"),
        end=at(day, "09:00"),
        duration_minutes=60,
    )
    book(member, at(day, "09:00"), at(day, "09:30"), project=project)
    with caplog.at_level(logging.WARNING, logger="apps.timetracking.daytotals"):
        services.entry_delete(actor=member, entry=stray)
    assert "Monthly project total" in caplog.text
    assert assert_in_step() == {(member.pk, day.replace(day=1), project.pk): (1, 30, 30)}


def test_a_project_whose_rows_dropped_to_zero_can_be_deleted(member) -> None:
    project = ProjectFactory(members=[member])
    entry = book(member, at(last_monday(), "09:00"), at(last_monday(), "10:00"), project=project)
    services.entry_delete(actor=member, entry=entry)
    assert EmployeeMonthProjectTotal.objects.filter(project_key=project.pk).exists()
    project.delete()  # project_key is no foreign key: nothing blocks it
    assert fresh_sums() == {}


# --- Rebuild --------------------------------------------------------------------------------------


def rebuild(*args: str) -> str:
    out = StringIO()
    with translation.override("en"):
        call_command("rebuild_time_totals", *args, stdout=out)
    return out.getvalue()


def test_rebuild_repairs_the_months_and_is_idempotent(member, manager) -> None:
    project = ProjectFactory(members=[member])
    day = last_monday()
    month = day.replace(day=1)
    make_entry(member, day, "08:00", "09:00", project=project)
    make_entry(member, day, "09:00", "10:00")
    make_entry(manager, day, "10:00", "12:00", billable=False)
    EmployeeMonthProjectTotal.objects.filter(employee=member, project_key=project.pk).update(
        minutes=999
    )
    EmployeeMonthProjectTotal.objects.filter(employee=manager).delete()
    EmployeeMonthProjectTotal.objects.create(
        employee=manager, month=month, project_key=project.pk, minutes=5
    )
    out = rebuild()
    assert "They make 3 monthly totals per project: 1 added, 1 corrected, 1 removed" in out
    assert assert_in_step() == {
        (member.pk, month, project.pk): (1, 60, 60),
        (member.pk, month, 0): (1, 60, 60),
        (manager.pk, month, 0): (1, 120, 0),
    }
    assert "They make 3 monthly totals per project: 0 added, 0 corrected, 0 removed" in rebuild()


def test_rebuild_speaks_german(member) -> None:
    make_entry(member, last_monday(), "08:00", "09:00")
    out = StringIO()
    with translation.override("de"):
        call_command("rebuild_time_totals", "--dry-run", stdout=out)
    assert "Sie ergeben 1 Monatssummen je Projekt: 0 würden ergänzt" in out.getvalue()


def test_rebuild_after_bulk_inserts_counts_months_by_local_start(member) -> None:
    project = ProjectFactory()
    rows = []
    for day, time, project_id in [
        (dt.date(2026, 11, 1), dt.time(0, 30), project.pk),  # 23:30 UTC on 31 October
        (dt.date(2026, 10, 31), dt.time(23, 30), project.pk),
        (dt.date(2026, 10, 31), dt.time(22, 0), None),
    ]:
        start = local_datetime(day, time)
        rows.append(
            TimeEntry(
                employee=member,
                project_id=project_id,
                start=start,
                end=start + dt.timedelta(minutes=20),
                duration_minutes=20,
            )
        )
    TimeEntry.objects.bulk_create(rows)
    result = services.time_totals_rebuild()
    assert (result.month_projects.rows, result.month_projects.added) == (3, 3)
    assert assert_in_step() == {
        (member.pk, dt.date(2026, 11, 1), project.pk): (1, 20, 20),
        (member.pk, dt.date(2026, 10, 1), project.pk): (1, 20, 20),
        (member.pk, dt.date(2026, 10, 1), 0): (1, 20, 20),
    }


# --- Team view ------------------------------------------------------------------------------------


def _rows(employees) -> list[TeamRow]:  # type: ignore[no-untyped-def]
    return [
        TeamRow(employee=TeamMember(e.pk, e.first_name, e.last_name, e.code), total=0, billable=0)
        for e in employees
    ]


def _old_ranking(employees, start: dt.datetime, end: dt.datetime):  # type: ignore[no-untyped-def]
    """The ranking as the team view computed it from the entries before the monthly totals:
    minutes per project summed, biggest first, ties by project id, no project last."""
    no_project = gettext("without project")
    result = {}
    for employee in employees:
        sums: dict[int | None, int] = {}
        titles: dict[int | None, str] = {}
        for entry in TimeEntry.objects.filter(employee=employee).between(start, end):
            sums[entry.project_id] = sums.get(entry.project_id, 0) + entry.duration_minutes
            titles[entry.project_id] = entry.project.title if entry.project else no_project
        ranked = sorted(sums, key=lambda p: (-sums[p], p is None, p or 0))
        items = [(titles[p], sums[p]) for p in ranked[:TEAM_TOP_ITEMS]]
        result[employee.pk] = (items, len(ranked) > TEAM_TOP_ITEMS)
    return result


def _filled(employees, start: dt.datetime, end: dt.datetime):  # type: ignore[no-untyped-def]
    rows = _rows(employees)
    selectors.team_fill_items(rows, start, end)
    return {row.employee.pk: (row.items, row.more) for row in rows}


def test_team_items_of_a_month_equal_the_ranking_of_its_entries(member) -> None:
    """Generated month with ties (equal minutes on several projects, with and without project),
    entries moved away (rows at zero), a running timer and entries just outside the month."""
    rng = random.Random(11)
    employees = [member, *(EmployeeFactory(role=role_named("Mitarbeiter")) for _ in range(5))]
    projects = [ProjectFactory(members=employees) for _ in range(9)]
    first = (timezone.localdate() - dt.timedelta(days=70)).replace(day=1)
    start, end = month_bounds(first)
    next_first = (first + dt.timedelta(days=40)).replace(day=1)
    for n, employee in enumerate(employees):
        day = first
        for i in range(4 + 3 * n):
            project = rng.choice([*projects, None, None])
            minutes = rng.choice((30, 60, 60, 90))
            entry = make_entry(
                employee,
                day,
                "08:00",
                f"{8 + minutes // 60:02d}:{minutes % 60:02d}",
                project=project,
            )
            if i % 5 == 4:  # moved to another project: its old row may drop to zero
                services.entry_update(actor=employee, entry=entry, project=rng.choice(projects))
            day += dt.timedelta(days=1)
        make_entry(employee, first - dt.timedelta(days=1), "23:00", "23:59", project=projects[0])
        if employee != member:  # its running timer below must be its last entry
            make_entry(employee, next_first, "00:00", "01:00", project=projects[1])
    services.timer_start(
        employee=member, project=projects[8], at=at(first + dt.timedelta(days=20), "07:00")
    )
    assert EmployeeMonthProjectTotal.objects.filter(entry_count=0).exists()
    expected = _old_ranking(employees, start, end)
    assert any(more for _items, more in expected.values())
    assert _filled(employees, start, end) == expected
    # The same from the entries (the path of other periods).
    rows = _rows(employees)
    top = selectors._team_top_of_entries([e.pk for e in employees], start, end)
    assert sorted(top) == sorted(selectors._team_top_of_month([e.pk for e in employees], first))
    selectors.team_fill_items(rows, *week_bounds(last_monday()))  # a week: from the entries
    assert {row.employee.pk: (row.items, row.more) for row in rows} == _old_ranking(
        employees, *week_bounds(last_monday())
    )


def test_team_items_ties_put_no_project_last(member) -> None:
    alpha, beta = ProjectFactory(members=[member]), ProjectFactory(members=[member])
    low, high = sorted((alpha, beta), key=lambda p: p.pk)
    first = (timezone.localdate() - dt.timedelta(days=40)).replace(day=1)
    make_entry(member, first, "08:00", "09:00")
    make_entry(member, first, "09:00", "10:00", project=high)
    make_entry(member, first, "10:00", "11:00", project=low)
    gone = make_entry(member, first, "11:00", "13:00", project=alpha)
    services.entry_delete(actor=member, entry=gone)  # a row at zero: no item
    assert _filled([member], *month_bounds(first)) == {
        member.pk: ([(low.title, 60), (high.title, 60), (gettext("without project"), 60)], False)
    }


def test_team_view_month_reads_the_monthly_totals_in_one_query(client_for, member, manager) -> None:  # type: ignore[no-untyped-def]
    project = ProjectFactory(members=[member])
    make_entry(member, timezone.localdate().replace(day=1), "08:00", "09:00", project=project)
    client = client_for(manager)
    client.get(reverse("timetracking:team_view") + "?period=month")  # warm caches (session, …)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("timetracking:team_view") + "?period=month")
    assert response.status_code == 200
    assert project.title in response.text
    sqls = [q["sql"] for q in captured.captured_queries]
    assert not [sql for sql in sqls if "timetracking_timeentry" in sql], sqls
    ranking = [sql for sql in sqls if "timetracking_employeemonthprojecttotal" in sql]
    assert len(ranking) == 1 and "projects_project" in ranking[0]
    # The titles come with the ranking: no query of the projects alone.
    assert not [s for s in sqls if 'FROM "projects_project"' in s], sqls
