"""Journey: timer from the header (start, switch, stop), both entries in the week grid, a manual
entry added in a grid cell, then a manager approves it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from apps.timetracking.models import TimeEntry
from tests.e2e.conftest import login
from tests.projects.factories import ProjectFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_timer_week_grid_manual_entry_and_approval(page, e2e_user, live_server):  # type: ignore[no-untyped-def]
    member = e2e_user(role="Mitarbeiter", first_name="Mia", last_name="Muster")
    manager = e2e_user(role="Projektleitung", first_name="Paul", last_name="Leiter")
    alpha = ProjectFactory(title="Alpha Portal", members=[member])
    beta = ProjectFactory(title="Beta Migration", members=[member])

    login(page, member)
    page.goto("/time/")
    widget = page.get_by_test_id("timer-widget")

    # Start a timer on Alpha from the header.
    widget.get_by_test_id("timer-open").click()
    widget.get_by_test_id("timer-target").select_option(f"p{alpha.pk}")
    widget.get_by_test_id("timer-start").click()
    expect(page.get_by_test_id("timer-running")).to_contain_text("Alpha Portal")

    # Switch to Beta: the Alpha timer stops, a Beta timer runs.
    page.get_by_test_id("timer-widget").get_by_test_id("timer-open").click()
    page.get_by_test_id("timer-widget").get_by_test_id("timer-target").select_option(f"p{beta.pk}")
    page.get_by_test_id("timer-widget").get_by_test_id("timer-start").click()
    expect(page.get_by_test_id("timer-running")).to_contain_text("Beta Migration")

    # Stop: no timer runs; the week grid (refreshed by the timer:changed event) shows both.
    page.get_by_test_id("timer-stop").click()
    expect(page.get_by_test_id("timer-running")).to_have_count(0)
    grid = page.get_by_test_id("week-grid")
    expect(grid).to_contain_text("Alpha Portal")
    expect(grid).to_contain_text("Beta Migration")
    assert TimeEntry.objects.filter(employee=member, end__isnull=False).count() == 2

    # Add a manual entry in a cell of last week (always in the past) and submit it.
    today = timezone.localdate()
    last_monday = today - dt.timedelta(days=today.weekday() + 7)
    expect(grid).not_to_contain_text("läuft")  # the refresh after "stop" has landed
    page.goto(f"/time/?week={last_monday:%Y-%m-%d}")
    page.get_by_test_id(f"cell-add-new-{last_monday:%Y-%m-%d}").click()
    form = page.locator("#entry-form")
    form.locator("input[name=start_time]").fill("09:00")
    form.locator("input[name=end_time]").fill("10:30")
    form.locator("select[name=target]").select_option(f"p{alpha.pk}")
    form.locator("textarea[name=note]").fill("Workshop beim Kunden")
    form.get_by_test_id("entry-save").click()
    expect(page.get_by_test_id("week-grid")).to_contain_text("1:30")
    manual = TimeEntry.objects.get(employee=member, note="Workshop beim Kunden")
    assert manual.duration_minutes == 90

    # The manager approves it in the approval queue (in a browser context of their own).
    context = page.context.browser.new_context(
        base_url=live_server.url, locale="de-DE", timezone_id="Europe/Berlin"
    )
    context.set_default_timeout(15_000)
    manager_page = context.new_page()
    try:
        login(manager_page, manager)
        manager_page.goto("/time/approvals/")
        manager_page.get_by_test_id(f"approve-{manual.pk}").click()
        expect(manager_page.locator(f"#approval-row-{manual.pk}")).to_have_count(0)
    finally:
        context.close()
    manual.refresh_from_db()
    assert manual.status == TimeEntry.Status.APPROVED
    assert manual.reviewed_by == manager
