from __future__ import annotations

import itertools
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from apps.timetracking import demo
from apps.timetracking.models import TimeEntry
from tests.employees.factories import EmployeeFactory, role_named
from tests.projects.factories import ProjectFactory
from tests.timetracking.factories import last_monday, make_entry

pytestmark = pytest.mark.django_db


def test_export_timesheets_csv(tmp_path, member) -> None:
    day = last_monday()
    make_entry(member, day, "08:00", "09:00", note="Export")
    out = StringIO()
    call_command("export_timesheets", month=f"{day:%Y-%m}", output=str(tmp_path), stdout=out)
    files = list(tmp_path.iterdir())
    assert len(files) == 1 and member.code in files[0].name
    assert "Export" in files[0].read_text(encoding="utf-8-sig")
    assert "1 time sheet(s)" in out.getvalue()


def test_export_timesheets_unknown_employee(tmp_path) -> None:
    with pytest.raises(CommandError):
        call_command(
            "export_timesheets", month="2026-10", employee="KIT-9999", output=str(tmp_path)
        )


def test_export_timesheets_bad_month(tmp_path) -> None:
    with pytest.raises(CommandError):
        call_command("export_timesheets", month="Oktober", output=str(tmp_path))


@pytest.mark.slow
def test_export_timesheets_pdf(tmp_path, member) -> None:
    day = last_monday()
    make_entry(member, day, "08:00", "09:00")
    call_command(
        "export_timesheets",
        month=f"{day:%Y-%m}",
        employee=member.code,
        format="pdf",
        output=str(tmp_path),
        stdout=StringIO(),
    )
    assert next(tmp_path.iterdir()).read_bytes().startswith(b"%PDF")


def test_demo_seed_small_is_idempotent_and_overlap_free(member) -> None:
    ProjectFactory(members=[member])
    EmployeeFactory(role=role_named("Mitarbeiter"))
    demo.seed(size="small", stdout=StringIO())
    count = TimeEntry.objects.count()
    assert count > 0
    demo.seed(size="small", stdout=StringIO())
    assert TimeEntry.objects.count() == count
    entries = list(TimeEntry.objects.filter(employee=member).order_by("start"))
    for a, b in itertools.pairwise(entries):
        assert a.end <= b.start


def test_demo_seed_large_fills_the_target(monkeypatch, settings, member) -> None:
    settings.TIMETRACKING_DEMO_LARGE_ENTRIES = 3000
    monkeypatch.setattr(demo, "LARGE_DAYS", 280)
    ProjectFactory(members=[member])
    out = StringIO()
    demo.seed(size="large", stdout=out)
    assert TimeEntry.objects.count() == 3000
    assert "3000 time entries" in out.getvalue()
