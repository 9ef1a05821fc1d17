"""Journey: the month report's PDF is queued from the page, rendered by the worker while the page
polls, and downloaded from the link that appears."""

from __future__ import annotations

import re
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from tests.e2e.conftest import login
from tests.timetracking.factories import last_monday, make_entry

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_month_report_pdf_is_rendered_by_the_worker_while_the_page_waits(
    page, e2e_user, live_server, settings
):  # type: ignore[no-untyped-def]
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    member = e2e_user(role="Mitarbeiter", first_name="Mia", last_name="Muster")
    make_entry(member, last_monday(), "08:00", "09:30", note="Kick-off")
    month = f"{last_monday():%Y-%m}"

    login(page, member)
    page.goto(f"/time/reports/employees/{member.pk}/?month={month}")
    page.get_by_role("button", name="PDF").click()
    status = page.locator("#report-export")
    expect(status).to_contain_text("wird erstellt")

    # What the `worker` service does: run the queued tasks.
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", stdout=StringIO())

    link = status.get_by_role("link", name=re.compile("herunterladen"))
    expect(link).to_be_visible()  # the page polled until the file was there
    with page.expect_download() as info:
        link.click()
    download = info.value
    assert download.suggested_filename == f"zeiten-{member.code}-{month}.pdf"
    assert Path(download.path()).read_bytes().startswith(b"%PDF")
    assert not page.console_errors
