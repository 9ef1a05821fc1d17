from __future__ import annotations

import importlib.util
from decimal import Decimal

import pytest
from django.utils import translation

from apps.timetracking import selectors
from tests.projects.factories import ProjectFactory
from tests.timetracking.factories import last_monday, make_entry

pytestmark = pytest.mark.django_db


def test_project_time_summary_budget_use(member) -> None:
    project = ProjectFactory(
        members=[member], budget_amount=Decimal("1000.00"), budget_hours=Decimal("10")
    )
    day = last_monday()
    make_entry(member, day, "08:00", "10:00", project=project, hourly_rate=Decimal("100.00"))
    make_entry(
        member,
        day,
        "10:00",
        "11:00",
        project=project,
        billable=False,
        hourly_rate=Decimal("100.00"),
    )
    summary = selectors.project_time_summary(project)
    assert summary["minutes"] == 180
    assert summary["billable_minutes"] == 120
    assert summary["amount"] == Decimal("200.00")
    assert summary["budget_use"] == 20
    assert summary["budget_hours_use"] == 30


def test_employee_month_report_totals_and_target(member) -> None:
    day = last_monday()
    make_entry(member, day, "07:00", "14:00")
    report = selectors.employee_month_report(member, day.replace(day=1))
    assert report.total >= 420
    assert report.target > 0
    assert any(w.code == "break_6h" for w in report.warnings)


def test_project_tab_is_registered_when_the_project_page_offers_tabs() -> None:
    if importlib.util.find_spec("apps.projects.registry") is None:
        return  # the project page has no tab registry yet (apps.timetracking.apps registers later)
    from apps.projects.registry import project_tabs

    assert "time" in {tab.key for tab in project_tabs._tabs.values()}


# --- Team view ------------------------------------------------------------------------------------


def _team_world(member, manager):  # type: ignore[no-untyped-def]
    """member: 7 projects of falling size (60, 55, ... 30 min) plus an internal hour (not
    billable); manager: one project, 2 h."""
    day = last_monday()
    projects = [ProjectFactory(title=f"P{i}", members=[member]) for i in range(7)]
    for i, project in enumerate(projects):
        start = 7 * 60 + i * 70
        end = start + 60 - 5 * i
        make_entry(
            member,
            day,
            f"{start // 60:02d}:{start % 60:02d}",
            f"{end // 60:02d}:{end % 60:02d}",
            project=project,
        )
    make_entry(member, day, "16:00", "17:00", billable=False)
    make_entry(manager, day, "08:00", "10:00", project=projects[0])
    return day


def test_team_summary_totals_per_employee_sorted_by_name(member, manager) -> None:
    from apps.timetracking.timeutils import week_bounds

    day = _team_world(member, manager)
    start, end = week_bounds(day)
    summary = selectors.team_summary(start, end)
    by_code = {row.employee.code: row for row in summary.rows}
    assert by_code[member.code].total == sum(60 - 5 * i for i in range(7)) + 60
    assert by_code[member.code].billable == sum(60 - 5 * i for i in range(7))
    assert by_code[manager.code].total == by_code[manager.code].billable == 120
    assert summary.total == by_code[member.code].total + 120
    assert summary.billable == by_code[member.code].billable + 120
    names = [(r.employee.last_name, r.employee.first_name) for r in summary.rows]
    assert names == sorted(names)
    # Another week: nobody.
    assert selectors.team_summary(end, end + (end - start)).rows == []


def test_team_items_are_the_five_biggest_with_a_marker_for_more(member, manager) -> None:
    from apps.timetracking.timeutils import week_bounds

    day = _team_world(member, manager)
    start, end = week_bounds(day)
    summary = selectors.team_summary(start, end)
    with translation.override("en"):
        selectors.team_fill_items(summary.rows, start, end)
    by_code = {row.employee.code: row for row in summary.rows}
    member_row = by_code[member.code]
    # The internal hour (60 min) ties with P0 (60 min): P0 first by its id, then the internal one.
    assert [title for title, _m in member_row.items] == ["P0", "without project", "P1", "P2", "P3"]
    assert member_row.items[2] == ("P1", 55)
    assert member_row.more is True
    assert member_row.projects_text.endswith(" …")
    assert by_code[manager.code].items == [("P0", 120)]
    assert by_code[manager.code].more is False


@pytest.mark.parametrize("period", ["month", "week"])
def test_team_summary_is_one_query_and_the_items_one_with_their_titles(
    member, manager, django_assert_num_queries, period
) -> None:  # type: ignore[no-untyped-def]
    from apps.timetracking.timeutils import month_bounds, week_bounds

    day = _team_world(member, manager)
    start, end = month_bounds(day.replace(day=1)) if period == "month" else week_bounds(day)
    with django_assert_num_queries(1):
        summary = selectors.team_summary(start, end)
    with django_assert_num_queries(1):
        selectors.team_fill_items(summary.rows, start, end)
    assert {row.employee.code for row in summary.rows} == {member.code, manager.code}
    assert "P0" in {title for row in summary.rows for title, _minutes in row.items}
