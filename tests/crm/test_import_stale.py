"""Customer imports whose worker was killed outright (no ``except`` ran): stale -> interrupted."""

from __future__ import annotations

import datetime
import logging
from importlib import import_module
from io import StringIO

import pytest
from django.apps import apps as django_apps
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from apps.audit.models import AuditAction, AuditEntry
from apps.crm import importing
from apps.crm.importing import (
    customer_import_is_stale,
    customer_import_run,
    customer_imports_interrupt_stale,
)
from apps.crm.models import Customer, CustomerImport
from tests.crm.test_import import CHUNKED_CSV, _audit_targets, _upload

pytestmark = pytest.mark.django_db

POLL = {"HX-Request": "true", "HX-Target": "customer-import-job"}
INTERRUPTED = "Der Import wurde unterbrochen (der Hintergrundprozess wurde beendet)."


class Killed(BaseException):
    """What SIGKILL looks like to the job: no ``except Exception`` runs."""


def _age(job: CustomerImport, minutes: int) -> None:
    CustomerImport.objects.filter(pk=job.pk).update(
        updated_at=timezone.now() - datetime.timedelta(minutes=minutes)
    )


def _running(uploader, **fields) -> CustomerImport:  # type: ignore[no-untyped-def]
    values = {
        "uploaded_by": uploader,
        "filename": "gross.csv",
        "data": CHUNKED_CSV,
        "status": CustomerImport.Status.RUNNING,
        "rows_done": 400,
        "rows_total": 1000,
    }
    return CustomerImport.objects.create(**(values | fields))


def test_stale_running_import_is_shown_and_stored_as_interrupted(client_for, admin, caplog):
    job = _running(admin)
    _age(job, 16)
    with caplog.at_level(logging.WARNING, logger="apps.crm.importing"):
        poll = client_for(admin).get(job.get_absolute_url(), headers=POLL)
    assert 'hx-trigger="every 2s"' not in poll.text  # the page stops polling
    assert f"Der Import von gross.csv ist fehlgeschlagen: {INTERRUPTED}" in poll.text
    assert "Die vor dem Fehler angelegten Kunden bleiben erhalten (400 von 1000" in poll.text
    assert "laden Sie die Datei erneut hoch" in poll.text
    job.refresh_from_db()
    assert (job.status, job.error) == (CustomerImport.Status.FAILED, INTERRUPTED)
    assert (job.rows_done, job.rows_total) == (400, 1000)
    assert job.finished_at is not None
    assert bytes(job.data) == b""
    assert f"Customer import {job.pk} was interrupted" in caplog.text
    assert customer_imports_interrupt_stale() == 0  # marked once


def test_fresh_running_import_is_untouched(client_for, admin, settings):
    settings.CUSTOMER_IMPORT_STALE_MINUTES = 15
    job = _running(admin)
    _age(job, 14)
    poll = client_for(admin).get(job.get_absolute_url(), headers=POLL)
    assert 'hx-trigger="every 2s"' in poll.text
    assert "400 von 1000 Zeilen verarbeitet." in poll.text
    assert customer_imports_interrupt_stale() == 0
    job.refresh_from_db()
    assert job.status == CustomerImport.Status.RUNNING
    assert bytes(job.data) == CHUNKED_CSV


def test_the_time_limit_is_a_setting(admin, settings):
    job = _running(admin)
    _age(job, 10)
    job.refresh_from_db()
    assert not customer_import_is_stale(job)
    settings.CUSTOMER_IMPORT_STALE_MINUTES = 5
    assert customer_import_is_stale(job)


def test_finished_and_failed_imports_are_never_stale(admin):
    done = _running(admin, status=CustomerImport.Status.DONE)
    failed = _running(admin, status=CustomerImport.Status.FAILED, error="disk full")
    _age(done, 600)
    _age(failed, 600)
    assert customer_imports_interrupt_stale() == 0
    failed.refresh_from_db()
    assert failed.error == "disk full"


def test_command_marks_stale_imports_and_is_idempotent(admin):
    stale, fresh = _running(admin), _running(admin)
    queued = _running(admin, status=CustomerImport.Status.QUEUED, rows_done=0, rows_total=0)
    _age(stale, 30)
    _age(queued, 30)
    out = StringIO()
    call_command("interrupt_stale_imports", stdout=out)
    assert "2 interrupted customer import(s) marked." in out.getvalue()
    statuses = dict(CustomerImport.objects.values_list("pk", "status"))
    assert statuses == {
        stale.pk: CustomerImport.Status.FAILED,
        queued.pk: CustomerImport.Status.FAILED,
        fresh.pk: CustomerImport.Status.RUNNING,
    }
    out = StringIO()
    call_command("interrupt_stale_imports", stdout=out)
    assert "0 interrupted" in out.getvalue()


def test_a_stale_job_is_not_run_by_a_second_worker(admin):
    """A late (or re-delivered) task finds the job taken while running and interrupted after."""
    queued = _running(admin, status=CustomerImport.Status.QUEUED, rows_done=0, rows_total=0)
    running = _running(admin)
    _age(queued, 30)
    _age(running, 30)
    # Stale but not yet marked: "running" is taken, so the second worker does nothing.
    assert customer_import_run(job_id=running.pk, keep_rows=200).status == "running"
    assert customer_imports_interrupt_stale() == 2
    for job in (queued, running):
        assert customer_import_run(job_id=job.pk, keep_rows=200).status == "failed"
    assert not Customer.objects.exists()


def test_a_slow_worker_stops_when_its_job_was_marked_interrupted(admin, monkeypatch):
    """The worker was alive after all (a chunk took too long): it stops after the chunk it is in
    and does not overwrite "interrupted"; the re-upload then skips what it created."""
    monkeypatch.setattr(importing, "CHUNK_SIZE", 2)
    real = importing._create_chunk
    calls = []

    def slow(rows, actor):  # type: ignore[no-untyped-def]
        calls.append(len(rows))
        if len(calls) == 2:  # meanwhile the page (or the command) finds no progress for 20 min
            _age(job, 20)
            assert customer_imports_interrupt_stale() == 1
        real(rows, actor)

    monkeypatch.setattr(importing, "_create_chunk", slow)
    job = CustomerImport.objects.create(uploaded_by=admin, filename="k.csv", data=CHUNKED_CSV)
    result = customer_import_run(job_id=job.pk, keep_rows=200)
    assert calls == [2, 2]  # the third chunk is not started
    assert (result.status, result.error) == (CustomerImport.Status.FAILED, INTERRUPTED)
    job.refresh_from_db()
    assert (job.status, job.rows_done, job.rows_total) == (CustomerImport.Status.FAILED, 2, 5)
    assert Customer.objects.count() == 4
    assert not AuditEntry.objects.filter(action=AuditAction.IMPORT).exists()


@pytest.fixture
def default_roles(transactional_db):  # type: ignore[no-untyped-def]
    """The roles ``admin`` needs, emptied by an earlier transactional test's flush (as in
    tests/chat/test_consumers.py)."""
    migration = import_module("apps.employees.migrations.0002_default_roles")
    migration.create_roles(django_apps, None)


@pytest.mark.django_db(transaction=True)
def test_reupload_after_a_kill_creates_only_the_missing_customers(
    default_roles, client_for, admin, monkeypatch
):
    """Real transactions: the worker dies in chunk 2 (chunk 1 committed, audited), the job stays
    running until it is stale, and the same file uploaded again creates the other three."""
    monkeypatch.setattr(importing, "CHUNK_SIZE", 2)
    uploader = admin
    real = importing._create_chunk

    def dying(rows, actor):  # type: ignore[no-untyped-def]
        if rows[0].name == "Drei GmbH":
            raise Killed
        real(rows, actor)

    monkeypatch.setattr(importing, "_create_chunk", dying)
    job = CustomerImport.objects.create(uploaded_by=uploader, filename="k.csv", data=CHUNKED_CSV)
    with pytest.raises(Killed):
        customer_import_run(job_id=job.pk, keep_rows=200)
    monkeypatch.setattr(importing, "_create_chunk", real)
    job.refresh_from_db()
    assert (job.status, job.rows_done, job.rows_total) == ("running", 2, 5)
    assert sorted(Customer.objects.values_list("name", flat=True)) == ["Eins GmbH", "Zwei GmbH"]
    assert _audit_targets() == ["customer", "contact", "customer"]

    client = client_for(uploader)
    _age(job, 16)
    page = client.get(job.get_absolute_url()).text
    assert INTERRUPTED in page and "(2 von 5 Zeilen verarbeitet)" in page

    response = _upload(client, CHUNKED_CSV, "k.csv")
    preview, token = response.context["result"], response.context["token"]
    assert [row.status for row in preview.rows] == ["skip", "skip", "create", "create", "create"]
    # The task runs in the request here (TASKS_BACKEND immediate).
    client.post(reverse("crm:customer_import_confirm"), {"token": token})
    again = CustomerImport.objects.exclude(pk=job.pk).get()
    assert again.status == CustomerImport.Status.DONE
    names = list(Customer.objects.order_by("name").values_list("name", flat=True))
    assert names == ["Drei GmbH", "Eins GmbH", "Fünf GmbH", "Vier GmbH", "Zwei GmbH"]
    assert AuditEntry.objects.get(action=AuditAction.IMPORT).changes == {
        "created": 3,
        "skipped": 2,
        "refused": 0,
    }
