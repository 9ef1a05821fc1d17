from __future__ import annotations

import importlib.util
from decimal import Decimal

import pytest

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
