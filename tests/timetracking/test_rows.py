from __future__ import annotations

import datetime as dt

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from apps.timetracking import rows, selectors
from apps.timetracking.models import TimeEntry, entry_is_locked
from tests.crm.factories import CustomerFactory
from tests.projects.factories import ProjectFactory
from tests.timetracking.factories import at, last_monday, make_entry, today

pytestmark = pytest.mark.django_db

DST_END = dt.date(2025, 10, 26)  # Sunday: 03:00 summer time becomes 02:00 winter time


def _rows(employee) -> list[rows.EntryRow]:  # type: ignore[no-untyped-def]
    return rows.entry_rows(TimeEntry.objects.filter(employee=employee).order_by("start", "id"))


def test_entry_rows_show_local_times_across_midnight(member) -> None:
    make_entry(member, DST_END - dt.timedelta(days=1), "22:00", "01:00")
    [row] = _rows(member)
    assert row.times == "22:00–01:00"
    assert row.hours == "3:00"
    assert row.day == DST_END - dt.timedelta(days=1)


def test_entry_rows_show_local_times_across_the_dst_switch(member) -> None:
    make_entry(member, DST_END, "01:30", "03:30")  # 3 hours: the clock goes back at 03:00
    [row] = _rows(member)
    assert row.times == "01:30–03:30"
    assert row.hours == "3:00"
    assert row.start == timezone.localtime(at(DST_END, "01:30"))


def test_entry_rows_of_a_running_timer_have_no_hours(member) -> None:
    TimeEntry.objects.create(employee=member, start=at(today(), "00:00"))
    [row] = _rows(member)
    assert row.running
    assert row.times == "00:00–…"
    assert row.hours == ""


def test_entry_rows_locked_entries_have_no_edit_or_delete_url(member) -> None:
    day = last_monday()
    open_entry = make_entry(member, day, "08:00", "09:00")
    make_entry(member, day, "09:00", "10:00", status=TimeEntry.Status.APPROVED)
    make_entry(member, day, "10:00", "11:00", billed_at=timezone.now())
    pending, approved, billed = _rows(member)
    assert pending.edit_url == reverse("timetracking:entry_edit", args=[open_entry.pk])
    assert pending.delete_url == reverse("timetracking:entry_delete", args=[open_entry.pk])
    assert (approved.edit_url, approved.delete_url) == ("", "")
    assert (billed.edit_url, billed.delete_url) == ("", "")
    assert billed.billed and not approved.billed


@pytest.mark.parametrize("status", list(TimeEntry.Status))
@pytest.mark.parametrize("billed", [False, True])
def test_is_locked_agrees_with_the_model(status, billed) -> None:  # type: ignore[no-untyped-def]
    entry = TimeEntry(status=status, billed_at=timezone.now() if billed else None)
    assert entry_is_locked(entry.status, entry.billed_at) == entry.is_locked


def test_entry_rows_targets_project_customer_and_internal(member) -> None:
    customer = CustomerFactory(name="Kunde & Co")
    project = ProjectFactory(title="Portal", customer=customer, members=[member])
    day = last_monday()
    make_entry(member, day, "08:00", "09:00", project=project, customer=customer)
    make_entry(member, day, "09:00", "10:00", customer=customer)
    make_entry(member, day, "10:00", "11:00")
    with translation.override("en"):
        on_project, on_customer, internal = _rows(member)
    assert (on_project.target, on_project.group) == ("Portal", f"{project.number} Portal")
    assert on_project.key == f"p{project.pk}" and not on_project.internal
    assert (on_customer.target, on_customer.group) == ("Kunde & Co", "Kunde & Co")
    assert on_customer.key == f"c{customer.pk}" and not on_customer.internal
    assert internal.target == internal.group == "Internal (no project)"
    assert internal.key == "internal" and internal.internal


def test_entry_rows_labels_in_german(member) -> None:
    day = last_monday()
    make_entry(member, day, "08:00", "09:00", activity="consulting")
    make_entry(member, day, "09:00", "10:00", status="returned", review_comment="Projekt fehlt")
    make_entry(member, day, "10:00", "11:00", status="approved", review_comment="ok")
    with translation.override("de"):
        pending, returned, approved = _rows(member)
    assert (pending.activity, pending.status_label) == ("Beratung", "wartet auf Freigabe")
    assert pending.target == "Intern (ohne Projekt)"
    assert (returned.status_label, returned.comment) == ("zurückgegeben", "Projekt fehlt")
    assert (approved.status_label, approved.comment) == ("freigegeben", "")


def test_approval_rows(member, manager) -> None:  # type: ignore[no-untyped-def]
    day = dt.date(2025, 10, 20)  # a Monday
    make_entry(member, day, "08:00", "12:30", billable=False, note="Workshop")
    make_entry(member, DST_END, "01:30", "03:30", customer=CustomerFactory(name="Kunde"))
    queue = selectors.approval_queue(manager)
    with translation.override("de"):
        first, second = rows.approval_rows(queue)
    assert first.pk == str(queue[0].pk)
    assert first.when == "Mo 20.10.2025 08:00–12:30"
    assert first.employee == "Mia Muster"
    assert (first.target, first.internal) == ("Intern (ohne Projekt)", True)
    assert (first.activity, first.billable, first.hours, first.note) == (
        "Entwicklung",
        False,
        "4:30",
        "Workshop",
    )
    assert second.when == "So 26.10.2025 01:30–03:30"
    assert (second.target, second.internal, second.hours) == ("Kunde", False, "3:00")
    with translation.override("en"):
        assert rows.approval_rows(queue)[0].when == "Mon 20.10.2025 08:00–12:30"


def test_url_for_pk_matches_reverse() -> None:
    for name in ("timetracking:entry_edit", "timetracking:entry_delete"):
        assert rows.url_for_pk(name)(4711) == reverse(name, args=[4711])


def test_week_grid_cells_columns_and_entry_days(member) -> None:
    project = ProjectFactory(title="Portal", members=[member])
    monday = last_monday()
    make_entry(member, monday, "07:00", "14:00", project=project)  # 7 h without a break
    make_entry(member, monday + dt.timedelta(days=2), "09:00", "10:30")
    with translation.override("de"):
        grid = selectors.week_grid(member, monday)
    assert [row.label for row in grid.rows] == ["Intern (ohne Projekt)", f"{project.number} Portal"]
    internal, portal = grid.rows
    assert [cell.hours for cell in portal.cells] == ["7:00", "", "", "", "", "", ""]
    assert portal.total == "7:00" and internal.total == "1:30"
    iso = monday.isoformat()
    create = reverse("timetracking:entry_create")
    assert portal.cells[0].add_url == f"{create}?date={iso}&amp;target=p{project.pk}"
    assert portal.cells[0].testid == f"cell-add-p{project.pk}-{iso}"
    monday_column = grid.columns[0]
    assert monday_column.label == f"Mo {monday:%d.%m.}"
    assert monday_column.day_url == f"{reverse('timetracking:my_day')}?date={iso}"
    assert monday_column.add_url == f"{create}?date={iso}"
    assert monday_column.total == "7:00"
    assert "Pause" in monday_column.warnings and grid.warnings
    assert (grid.total, grid.billable) == (510, 510)
    assert [day.label for day in grid.entry_days] == [
        f"Montag, {monday:%d.%m.%Y}",
        f"Mittwoch, {monday + dt.timedelta(days=2):%d.%m.%Y}",
    ]


def test_week_grid_future_days_have_no_add_links(member) -> None:
    monday = today() - dt.timedelta(days=today().weekday())
    grid = selectors.week_grid(member, monday + dt.timedelta(days=7))
    assert all(column.add_url == "" for column in grid.columns)


def test_entry_table_escapes_user_text(member, rf) -> None:  # type: ignore[no-untyped-def]
    project = ProjectFactory(title="<b>Portal</b>", members=[member])
    make_entry(member, last_monday(), "08:00", "09:00", project=project, note='<script>"x"')
    html = render_to_string(
        "timetracking/_entry_table.html", {"entries": _rows(member)}, request=rf.get("/")
    )
    assert "&lt;b&gt;Portal&lt;/b&gt;" in html and "<b>" not in html
    assert "&lt;script&gt;&quot;x&quot;" in html and "<script>" not in html


def test_queries_of_the_row_builders(member, manager, django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    project = ProjectFactory(members=[member])
    for hour in range(8, 16):
        make_entry(member, last_monday(), f"{hour:02d}:00", f"{hour:02d}:45", project=project)
    with django_assert_num_queries(2):  # the entries, the company settings
        selectors.week_grid(member, last_monday())
    with django_assert_num_queries(1):
        selectors.day_entries(member, last_monday())
    with django_assert_num_queries(1):
        assert len(rows.approval_rows(selectors.approval_queue(manager)[:5])) == 5
