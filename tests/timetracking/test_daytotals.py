"""The daily totals stay equal to a fresh count of the entries after every service write, and the
rebuild puts them right when something wrote around the services."""

from __future__ import annotations

import datetime as dt
import logging
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone, translation

from apps.timetracking import daytotals, selectors, services
from apps.timetracking.models import EmployeeDayTotal, TimeEntry
from apps.timetracking.timeutils import local_datetime, local_tz, week_bounds
from tests.employees.factories import EmployeeFactory, role_named
from tests.projects.factories import ProjectFactory
from tests.timetracking.factories import at, last_monday, make_entry

pytestmark = pytest.mark.django_db

Sums = dict[tuple[int, dt.date], tuple[int, int, int]]


def book(employee, start: dt.datetime, end: dt.datetime, *, billable: bool = True) -> TimeEntry:  # type: ignore[no-untyped-def]
    return services.entry_create(
        actor=employee, employee=employee, start=start, end=end, billable=billable
    )


def fresh_sums() -> Sums:
    """Entries, minutes and billable minutes per employee and local day, counted in Python."""
    sums: Sums = {}
    for entry in TimeEntry.objects.all():
        key = (entry.employee_id, timezone.localdate(entry.start, local_tz()))
        count, minutes, billable = sums.get(key, (0, 0, 0))
        sums[key] = (
            count + 1,
            minutes + entry.duration_minutes,
            billable + (entry.duration_minutes if entry.billable else 0),
        )
    return sums


def stored_sums() -> Sums:
    """The daily totals; rows that dropped to zero must be all zero and are left out."""
    rows = EmployeeDayTotal.objects.values_list(
        "employee_id", "day", "entry_count", "minutes", "billable_minutes"
    )
    stored: Sums = {}
    for employee_id, day, count, minutes, billable in rows:
        if count == 0:
            assert minutes == billable == 0, (employee_id, day, minutes, billable)
        else:
            stored[(employee_id, day)] = (count, minutes, billable)
    return stored


def assert_in_step() -> Sums:
    stored = stored_sums()
    assert stored == fresh_sums()
    return stored


def test_entry_create_counts_the_entry_in_its_day(member) -> None:
    day = last_monday()
    book(member, at(day, "09:00"), at(day, "10:45"))
    book(member, at(day, "11:00"), at(day, "11:30"), billable=False)
    assert assert_in_step() == {(member.pk, day): (2, 135, 105)}


def test_entry_update_changes_the_minutes_of_its_day(member) -> None:
    day = last_monday()
    entry = book(member, at(day, "09:00"), at(day, "10:00"), billable=True)
    services.entry_update(actor=member, entry=entry, end=at(day, "09:20"))
    assert assert_in_step() == {(member.pk, day): (1, 20, 20)}
    services.entry_update(actor=member, entry=entry, end=at(day, "12:00"))
    assert assert_in_step() == {(member.pk, day): (1, 180, 180)}


def test_entry_update_billable_toggle_moves_minutes_in_and_out_of_billable(member) -> None:
    day = last_monday()
    entry = book(member, at(day, "09:00"), at(day, "10:00"), billable=True)
    services.entry_update(actor=member, entry=entry, billable=False)
    assert assert_in_step() == {(member.pk, day): (1, 60, 0)}
    services.entry_update(actor=member, entry=entry, billable=True)
    assert assert_in_step() == {(member.pk, day): (1, 60, 60)}


def test_entry_update_to_another_day_moves_it(member) -> None:
    day = last_monday()
    entry = book(member, at(day, "09:00"), at(day, "10:00"))
    make_entry(member, day, "13:00", "14:00")
    other = day + dt.timedelta(days=2)
    services.entry_update(
        actor=member, entry=entry, start=at(other, "08:00"), end=at(other, "08:30")
    )
    assert assert_in_step() == {(member.pk, day): (1, 60, 60), (member.pk, other): (1, 30, 30)}


def test_entry_across_midnight_counts_on_its_start_day(member) -> None:
    day = last_monday()
    entry = book(member, at(day, "23:00"), at(day + dt.timedelta(days=1), "01:00"))
    assert assert_in_step() == {(member.pk, day): (1, 120, 120)}
    # Its start moves over midnight: the whole entry moves to the next day.
    services.entry_update(actor=member, entry=entry, start=at(day + dt.timedelta(days=1), "00:15"))
    assert assert_in_step() == {(member.pk, day + dt.timedelta(days=1)): (1, 45, 45)}


def test_days_are_local_days_around_the_daylight_saving_switch(member) -> None:
    """00:30 on the night of the autumn switch is still 22:30 UTC of the day before; the entry over
    the switch has 3 hours on a 2-hour wall clock."""
    fall_back = dt.date(2026, 10, 25)
    book(
        member,
        local_datetime(fall_back, dt.time(0, 30)),
        local_datetime(fall_back, dt.time(1, 0)),
    )
    entry = book(
        member,
        local_datetime(fall_back, dt.time(1, 30)),
        local_datetime(fall_back, dt.time(3, 30)),
    )
    assert assert_in_step() == {(member.pk, fall_back): (2, 210, 210)}
    # Moved to the spring switch (1:30 to 3:30 is one hour there), just after local midnight.
    spring_forward = dt.date(2026, 3, 29)
    services.entry_update(
        actor=member,
        entry=entry,
        start=local_datetime(spring_forward, dt.time(1, 30)),
        end=local_datetime(spring_forward, dt.time(3, 30)),
    )
    assert assert_in_step() == {
        (member.pk, fall_back): (1, 30, 30),
        (member.pk, spring_forward): (1, 60, 60),
    }


def test_days_do_not_follow_the_active_time_zone(member) -> None:
    """A request in another time zone still counts the company's local day."""
    day = last_monday()
    with timezone.override("America/New_York"):
        book(member, at(day, "01:00"), at(day, "02:00"))
    assert assert_in_step() == {(member.pk, day): (1, 60, 60)}


def test_entry_delete_takes_the_entry_out_of_its_day(member) -> None:
    day = last_monday()
    first = book(member, at(day, "09:00"), at(day, "10:00"))
    second = book(member, at(day, "10:00"), at(day, "10:30"), billable=False)
    services.entry_delete(actor=member, entry=first)
    assert assert_in_step() == {(member.pk, day): (1, 30, 0)}
    services.entry_delete(actor=member, entry=second)
    assert assert_in_step() == {}
    # The row stays at zero.
    row = EmployeeDayTotal.objects.get(employee=member, day=day)
    assert (row.entry_count, row.minutes, row.billable_minutes) == (0, 0, 0)


def test_timer_start_stop_and_switch(member) -> None:
    project = ProjectFactory(members=[member])
    day = last_monday()
    services.timer_start(employee=member, project=project, at=at(day, "09:00"))
    # A running timer is an entry of 0 minutes.
    assert assert_in_step() == {(member.pk, day): (1, 0, 0)}
    services.timer_switch(employee=member, at=at(day, "09:20"))
    assert assert_in_step() == {(member.pk, day): (2, 20, 20)}
    services.timer_stop(employee=member, at=at(day, "09:45"))
    # The second timer had neither project nor customer: not billable.
    assert assert_in_step() == {(member.pk, day): (2, 45, 20)}


def test_approve_and_return_leave_the_totals_alone(member, manager) -> None:
    day = last_monday()
    entry = book(member, at(day, "09:00"), at(day, "10:00"))
    services.entry_return(actor=manager, entries=[entry], comment="Projekt fehlt")
    services.entry_update(actor=member, entry=entry, note="mit Projekt")
    services.entry_approve(actor=manager, entries=[entry])
    assert assert_in_step() == {(member.pk, day): (1, 60, 60)}


def test_a_day_out_of_step_is_recounted_and_the_change_goes_through(member, caplog) -> None:
    day = last_monday()
    # Written around the services: not counted.
    stray = TimeEntry.objects.create(
        employee=member, start=at(day, "08:00"), end=at(day, "09:00"), duration_minutes=60
    )
    book(member, at(day, "09:00"), at(day, "09:30"))
    assert stored_sums() == {(member.pk, day): (1, 30, 30)}
    with caplog.at_level(logging.WARNING, logger="apps.timetracking.daytotals"):
        services.entry_delete(actor=member, entry=stray)
    assert "out of step" in caplog.text
    assert assert_in_step() == {(member.pk, day): (1, 30, 30)}


def test_employee_without_entries_can_be_deleted_despite_rows_at_zero(member) -> None:
    employee = EmployeeFactory(role=None)
    day = last_monday()
    entry = book(employee, at(day, "09:00"), at(day, "10:00"))
    services.entry_delete(actor=employee, entry=entry)
    assert EmployeeDayTotal.objects.filter(employee=employee).exists()
    pk = employee.pk
    employee.delete()
    assert not EmployeeDayTotal.objects.filter(employee_id=pk).exists()


# --- Team view ------------------------------------------------------------------------------------


def test_team_summary_lists_who_has_entries_in_the_period(member, manager) -> None:
    """As before the daily totals: a running timer alone lists its employee with 0 minutes; an
    employee whose entries were all deleted is not listed."""
    day = last_monday()
    gone = book(manager, at(day, "09:00"), at(day, "10:00"))
    services.entry_delete(actor=manager, entry=gone)
    make_entry(member, day, "08:00", "09:00")
    timer = EmployeeFactory(role=role_named("Mitarbeiter"), last_name="Zeitlos")
    services.timer_start(employee=timer, at=at(day, "11:00"))
    summary = selectors.team_summary(*week_bounds(day))
    assert [(r.employee.pk, r.total, r.billable) for r in summary.rows] == [
        (member.pk, 60, 60),
        (timer.pk, 0, 0),
    ]
    assert (summary.total, summary.billable) == (60, 60)


def test_team_summary_wants_local_midnights(member) -> None:
    start, end = week_bounds(last_monday())
    with pytest.raises(ValueError, match="local midnights"):
        selectors.team_summary(start + dt.timedelta(hours=1), end)


# --- Rebuild --------------------------------------------------------------------------------------


def rebuild(*args: str) -> str:
    out = StringIO()
    with translation.override("en"):
        call_command("rebuild_time_totals", *args, stdout=out)
    return out.getvalue()


def test_rebuild_time_totals_repairs_and_is_idempotent(member, manager) -> None:
    day = last_monday()
    make_entry(member, day, "08:00", "09:00")
    make_entry(member, day + dt.timedelta(days=1), "08:00", "09:00", billable=False)
    make_entry(manager, day, "10:00", "12:00")
    # Tampered, missing and left-over rows.
    EmployeeDayTotal.objects.filter(employee=member, day=day).update(minutes=999)
    EmployeeDayTotal.objects.filter(employee=manager).delete()
    EmployeeDayTotal.objects.create(employee=manager, day=day - dt.timedelta(days=3), minutes=5)
    out = rebuild()
    assert "3 time entries make 3 daily totals: 1 added, 1 corrected, 1 removed" in out
    assert assert_in_step() == {
        (member.pk, day): (1, 60, 60),
        (member.pk, day + dt.timedelta(days=1)): (1, 60, 0),
        (manager.pk, day): (1, 120, 120),
    }
    assert not EmployeeDayTotal.objects.filter(entry_count=0).exists()
    assert "0 added, 0 corrected, 0 removed" in rebuild()


def test_rebuild_time_totals_for_one_employee_and_dry_run(member, manager) -> None:
    day = last_monday()
    make_entry(member, day, "08:00", "09:00")
    make_entry(manager, day, "08:00", "09:00")
    EmployeeDayTotal.objects.update(minutes=50, billable_minutes=50)
    out = rebuild("--dry-run", "--employee", member.code)
    assert "Dry run, nothing changed." in out
    assert "1 time entries make 1 daily totals: 0 would be added, 1 corrected, 0 removed" in out
    assert set(EmployeeDayTotal.objects.values_list("minutes", flat=True)) == {50}
    assert "1 corrected" in rebuild("--employee", member.code)
    assert EmployeeDayTotal.objects.get(employee=member).minutes == 60
    assert EmployeeDayTotal.objects.get(employee=manager).minutes == 50


def test_rebuild_time_totals_unknown_employee() -> None:
    with pytest.raises(CommandError):
        rebuild("--employee", "KIT-9999")


def test_rebuild_time_totals_speaks_german(member) -> None:
    make_entry(member, last_monday(), "08:00", "09:00")
    out = StringIO()
    with translation.override("de"):
        call_command("rebuild_time_totals", stdout=out)
    assert "1 Zeiteinträge ergeben 1 Tagessummen" in out.getvalue()


def test_rebuild_after_bulk_inserts_in_python_and_sql_agree(member, manager) -> None:
    """Entries bulk-created (as seed_demo and the bench do) around midnight and the DST switch."""
    rows = []
    for employee in (member, manager):
        for day, time in [
            (dt.date(2026, 10, 25), dt.time(0, 30)),
            (dt.date(2026, 10, 25), dt.time(23, 30)),
            (dt.date(2026, 3, 29), dt.time(0, 40)),
            (dt.date(2026, 3, 28), dt.time(23, 59)),
        ]:
            start = local_datetime(day, time)
            rows.append(
                TimeEntry(
                    employee=employee,
                    start=start,
                    end=start + dt.timedelta(minutes=40),
                    duration_minutes=40,
                    billable=time.hour == 0,
                )
            )
    TimeEntry.objects.bulk_create(rows)
    result = services.time_totals_rebuild()
    assert (result.entries, result.days.rows, result.days.added) == (8, 6, 6)
    assert assert_in_step()[(member.pk, dt.date(2026, 10, 25))] == (2, 80, 40)


def test_demo_seed_fills_the_daily_totals(member) -> None:
    from apps.timetracking import demo

    ProjectFactory(members=[member])
    demo.seed(size="small", stdout=StringIO())
    assert TimeEntry.objects.exists()
    assert assert_in_step()


def test_bench_member_week_fills_the_daily_totals() -> None:
    from apps.timetracking import bench

    EmployeeFactory(email=bench.BENCH_MEMBER_EMAIL, role=role_named("Mitarbeiter"))
    ProjectFactory()
    bench._member_week()
    assert len(assert_in_step()) == 5


def test_share_of_an_entry(member) -> None:
    entry = make_entry(member, last_monday(), "22:30", "00:15", billable=False)
    share = daytotals.Share.of(entry)
    assert (share.day, share.minutes, share.billable) == (last_monday(), 105, 0)
