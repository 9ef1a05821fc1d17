"""Month reports as PDF: queued by the page, rendered by a task, polled, downloaded."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone

from apps.audit.models import AuditAction, AuditEntry
from apps.common.models import ExportFile
from tests.employees.factories import EmployeeFactory, role_named
from tests.projects.factories import ProjectFactory
from tests.timetracking.factories import last_monday, make_entry

pytestmark = pytest.mark.django_db

HX = {"HX-Request": "true", "HX-Target": "report-export"}
DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def _month() -> str:
    return f"{last_monday():%Y-%m}"


def _request_pdf(client, member, **headers):  # type: ignore[no-untyped-def]
    url = reverse("timetracking:report_employee_pdf", args=[member.pk])
    return client.post(url, {"month": _month()}, headers=headers)


@pytest.mark.slow
def test_report_pdf_is_rendered_by_the_task_and_downloaded_once_audited(
    client_for, member, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    make_entry(member, last_monday(), "08:00", "09:30", note="Kick-off")
    client = client_for(member)
    with django_capture_on_commit_callbacks(execute=True):
        response = _request_pdf(client, member, **HX)
    assert response.status_code == 200
    assert "<html" not in response.text
    assert "wird erstellt" in response.text  # the commit callbacks ran after the response
    export = ExportFile.objects.get()
    assert export.status == ExportFile.Status.READY
    poll = client.get(
        export.get_absolute_url(),
        headers={"HX-Request": "true", "HX-Target": f"export-{export.key}"},
    )
    download_url = reverse("common:export_download", args=[export.key])
    assert download_url in poll.text
    assert "every 1s" not in poll.text  # ready: the polling stops
    download = client.get(download_url)
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    filename = f"zeiten-{member.code}-{_month()}.pdf"
    assert filename in download["Content-Disposition"]
    entry = AuditEntry.objects.get(action=AuditAction.EXPORT)
    assert (entry.actor, entry.message, entry.object_id) == (member, filename, str(member.pk))


def test_report_pdf_post_renders_nothing_in_the_request(
    client_for, member, settings, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = DB_TASKS
    client = client_for(member)
    with django_capture_on_commit_callbacks(execute=True):
        response = _request_pdf(client, member, **HX)
    export = ExportFile.objects.get()
    assert export.status == ExportFile.Status.PENDING and not export.file
    task = DBTaskResult.objects.get()
    assert (task.task_path, task.args_kwargs["args"]) == (
        "apps.common.tasks.render_export",
        [export.pk],
    )
    assert "<html" not in response.text
    assert f"zeiten-{member.code}-{_month()}.pdf wird erstellt" in response.text
    assert 'hx-trigger="every 1s"' in response.text
    assert f'id="export-{export.key}"' in response.text


def test_export_detail_polls_as_a_fragment_and_is_a_plain_page_without_htmx(
    client_for, member, settings, django_assert_max_num_queries
) -> None:  # type: ignore[no-untyped-def]
    settings.TASKS = DB_TASKS
    client = client_for(member)
    response = _request_pdf(client, member)  # without htmx: to the status page
    export = ExportFile.objects.get()
    assert response.status_code == 302
    assert response["Location"] == export.get_absolute_url()
    page = client.get(export.get_absolute_url())
    assert "<html" in page.text
    assert "Aktualisieren" in page.text
    assert reverse("timetracking:report_employee", args=[member.pk]) in page.text  # back
    target = f"export-{export.key}"
    with django_assert_max_num_queries(6):
        poll = client.get(
            export.get_absolute_url(), headers={"HX-Request": "true", "HX-Target": target}
        )
    assert "<html" not in poll.text
    assert f'id="{target}"' in poll.text
    assert "HX-Request" in poll["Vary"]


def test_a_new_request_replaces_the_earlier_file(
    client_for, member, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    client = client_for(member)
    with django_capture_on_commit_callbacks(execute=True):
        _request_pdf(client, member)
    first = ExportFile.objects.get()
    assert default_storage.exists(first.file.name)
    with django_capture_on_commit_callbacks(execute=True):
        _request_pdf(client, member)
    second = ExportFile.objects.get()
    assert second.key != first.key
    assert not default_storage.exists(first.file.name)
    assert client.get(reverse("common:export_download", args=[first.key])).status_code == 404


def test_only_the_requester_may_download_and_only_while_allowed(
    client_for, member, manager, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    with django_capture_on_commit_callbacks(execute=True):
        _request_pdf(client_for(manager), member)  # the manager sees the team's time
    export = ExportFile.objects.get()
    url = reverse("common:export_download", args=[export.key])
    assert client_for(member).get(url).status_code == 404  # not the requester
    assert client_for(member).get(export.get_absolute_url()).status_code == 404
    type(manager).objects.filter(pk=manager.pk).update(role=None)  # lost the team's time
    assert client_for(manager).get(url).status_code == 403


def test_an_expired_file_is_not_served_and_is_pruned(
    client_for, member, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    from io import StringIO

    from django.core.management import call_command

    client = client_for(member)
    with django_capture_on_commit_callbacks(execute=True):
        _request_pdf(client, member)
    export = ExportFile.objects.get()
    ExportFile.objects.filter(pk=export.pk).update(expires_at=timezone.now() - dt.timedelta(1))
    assert client.get(reverse("common:export_download", args=[export.key])).status_code == 404
    assert "abgelaufen" in client.get(export.get_absolute_url()).text
    out = StringIO()
    call_command("prune_exports", stdout=out)
    assert "1 expired export file(s) deleted." in out.getvalue()
    assert not ExportFile.objects.exists()
    assert not default_storage.exists(export.file.name)


def test_member_cannot_request_anothers_report_pdf(client_for, member, manager) -> None:  # type: ignore[no-untyped-def]
    response = _request_pdf(client_for(member), manager)
    assert response.status_code == 404
    assert not ExportFile.objects.exists()


def test_project_report_pdf_is_queued_with_the_projects_name(
    client_for, manager, member, settings
) -> None:  # type: ignore[no-untyped-def]
    settings.TASKS = DB_TASKS
    project = ProjectFactory(members=[member])
    url = reverse("timetracking:report_project_pdf", args=[project.pk])
    response = client_for(manager).post(url, {"month": _month()}, headers=HX)
    assert response.status_code == 200
    export = ExportFile.objects.get()
    assert export.filename == f"projektzeiten-{project.number}-{_month()}.pdf"
    assert export.params == {"project": project.pk, "month": _month()}


def test_a_failed_render_is_shown(
    client_for, member, monkeypatch, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    def broken(report):  # type: ignore[no-untyped-def]
        raise RuntimeError("WeasyPrint crashed")

    monkeypatch.setattr("apps.timetracking.reports.employee_month_pdf", broken)
    client = client_for(member)
    with django_capture_on_commit_callbacks(execute=True):
        response = _request_pdf(client, member, **HX)
    assert response.status_code == 200
    export = ExportFile.objects.get()
    assert (export.status, export.error) == (ExportFile.Status.FAILED, "WeasyPrint crashed")
    page = client.get(export.get_absolute_url())
    assert "konnte nicht erstellt werden: WeasyPrint crashed" in page.text


def test_month_navigation_moves_the_pdf_button_to_the_shown_month(client_for, member) -> None:  # type: ignore[no-untyped-def]
    url = reverse("timetracking:report_employee", args=[member.pk]) + "?month=2026-03"
    response = client_for(member).get(url, headers={"HX-Request": "true", "HX-Target": "report"})
    assert 'id="report-actions" hx-swap-oob="true"' in response.text
    assert 'name="month" value="2026-03"' in response.text
    assert "?month=2026-02" in response.text
    page = client_for(member).get(url)
    assert "hx-swap-oob" not in page.text


def test_colleague_without_time_tracking_cannot_request(client_for) -> None:  # type: ignore[no-untyped-def]
    outsider = EmployeeFactory(role=None)
    colleague = EmployeeFactory(role=role_named("Mitarbeiter"))
    response = _request_pdf(client_for(outsider), colleague)
    assert response.status_code == 403
