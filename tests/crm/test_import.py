from __future__ import annotations

from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from apps.audit.models import AuditAction, AuditEntry
from apps.crm import importing
from apps.crm.importing import ImportFileError, customer_import_run, customers_import
from apps.crm.models import Contact, Customer, CustomerImport
from apps.crm.tasks import run_customer_import
from tests.crm.factories import ContactFactory, CustomerFactory
from tests.employees.factories import EmployeeFactory

pytestmark = pytest.mark.django_db

CSV = (
    "Firma;E-Mail;Straße;PLZ;Ort;USt-IdNr;Vorname;Nachname;Unbekannt\n"
    "Müller GmbH;info@mueller.example;Hauptstraße 1;50667;Köln;DE136695976;Jürgen;Weiß;x\n"
    "Schmidt AG;kontakt@schmidt.example;;;Bonn;;;;\n"
)


def test_import_dry_run_sorts_rows_and_creates_nothing():
    result = customers_import(raw=CSV.encode(), actor=None, dry_run=True)
    assert [row.status for row in result.rows] == ["create", "create"]
    assert result.delimiter == ";"
    assert result.ignored_columns == ["Unbekannt"]
    assert not Customer.objects.exists()


def test_import_creates_customers_with_primary_contact_and_audits(admin):
    result = customers_import(raw=CSV.encode(), actor=admin, dry_run=False, filename="k.csv")
    assert len(result.to_create) == 2
    customer = Customer.objects.get(name="Müller GmbH")
    assert customer.number.startswith("KD-")
    assert customer.city == "Köln" and customer.vat_id == "DE136695976"
    contact = Contact.objects.get(customer=customer)
    assert contact.is_primary and contact.last_name == "Weiß"
    assert "jurgen weiss" in customer.search_text
    assert not Contact.objects.filter(customer__name="Schmidt AG").exists()
    assert AuditEntry.objects.filter(action=AuditAction.IMPORT).count() == 1


def test_import_reads_latin1_and_comma():
    raw = "Name,Ort\nBäckerei Köhler,Düsseldorf\n".encode("latin-1")
    result = customers_import(raw=raw, actor=None, dry_run=False)
    assert result.encoding in ("Windows-1252", "ISO-8859-1")
    assert result.delimiter == ","
    assert Customer.objects.get().name == "Bäckerei Köhler"


def test_import_reads_utf8_with_bom():
    raw = "\ufeffName;Ort\nÖztürk Logistik;Essen\n".encode()
    result = customers_import(raw=raw, actor=None, dry_run=False)
    assert result.encoding == "UTF-8"
    assert Customer.objects.get().name == "Öztürk Logistik"


def test_import_skips_duplicates_by_email_and_vat_id_in_db_and_file():
    CustomerFactory(email="vorhanden@example.com")
    ContactFactory(email="kontakt@example.com")
    CustomerFactory(vat_id="DE136695976")
    raw = (
        b"Name;E-Mail;USt-IdNr;Nachname;Kontakt E-Mail\n"
        b"A;VORHANDEN@example.com;;;\n"
        b"B;neu@example.com;;Meier;kontakt@example.com\n"
        b"C;;DE 136 695 976;;\n"
        b"D;doppelt@example.com;;;\n"
        b"E;doppelt@example.com;;;\n"
    )
    result = customers_import(raw=raw, actor=None, dry_run=True)
    assert [(row.name, row.status) for row in result.rows] == [
        ("A", "skip"),
        ("B", "skip"),
        ("C", "skip"),
        ("D", "create"),
        ("E", "skip"),
    ]
    assert "vorhanden@example.com" in result.rows[0].reason


def test_import_refuses_broken_rows_with_reason():
    raw = (
        "Name;E-Mail;USt-IdNr;Leitweg-ID;Typ\n"
        "Gut GmbH;gut@example.com;;;B2B\n"
        "Zu kurz\n"
        ";leer@example.com;;;\n"
        "Falsch;kein-mail;DE123;;\n"
        "Leitweg;;;123;\n"
        "Typ;;;;Alien\n"
        f"{'x' * 10_000};;;;\n"
    ).encode()
    result = customers_import(raw=raw, actor=None, dry_run=True)
    statuses = [row.status for row in result.rows]
    assert statuses == ["create"] + ["refuse"] * 6
    assert all(row.reason for row in result.refused)
    assert len(result.refused[-1].name) <= 200


@pytest.mark.parametrize(
    "raw",
    [b"", b"\x00\x01\x02binary", "Ort;PLZ\nKöln;50667\n".encode(), b"   \n  \n"],
)
def test_import_refuses_unreadable_files(raw):
    with pytest.raises(ImportFileError):
        customers_import(raw=raw, actor=None, dry_run=True)


# --- Web flow -------------------------------------------------------------------------------------


def _upload(client, content: bytes, name: str = "kunden.csv"):  # type: ignore[no-untyped-def]
    return client.post(
        reverse("crm:customer_import"), {"file": SimpleUploadedFile(name, content, "text/csv")}
    )


@pytest.mark.parametrize(
    ("persona", "status"),
    [("admin", 200), ("manager", 200), ("member", 403), ("outsider", 403)],
)
def test_import_permission_matrix(request, client_for, persona, status):
    client = client_for(request.getfixturevalue(persona))
    assert _upload(client, CSV.encode()).status_code == status
    assert client.post(reverse("crm:customer_import_confirm")).status_code in (status, 302)


def _preview_and_confirm(client, content: bytes = CSV.encode()):  # type: ignore[no-untyped-def]
    token = _upload(client, content).context["token"]
    return client.post(reverse("crm:customer_import_confirm"), {"token": token}), token


def test_import_preview_then_confirm_creates_in_a_task(
    client_for, admin, django_capture_on_commit_callbacks
):
    client = client_for(admin)
    response = _upload(client, CSV.encode())
    assert response.status_code == 200
    assert "Müller GmbH" in response.text
    assert not Customer.objects.exists()
    token = response.context["token"]
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(reverse("crm:customer_import_confirm"), {"token": token})
    assert len(callbacks) == 1
    job = CustomerImport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == job.get_absolute_url()
    assert Customer.objects.count() == 2
    job.refresh_from_db()
    assert job.status == CustomerImport.Status.DONE
    assert bytes(job.data) == b""  # the upload is not kept
    page = client.get(job.get_absolute_url())
    assert "2 angelegt, 0 als Dubletten übersprungen, 0 abgelehnt" in page.text
    müller = Customer.objects.get(name="Müller GmbH")
    assert müller.get_absolute_url() in page.text
    # The same upload cannot be confirmed twice.
    response = client.post(reverse("crm:customer_import_confirm"), {"token": token})
    assert response.status_code == 302
    assert Customer.objects.count() == 2
    assert CustomerImport.objects.count() == 1


def test_import_confirm_creates_nothing_in_the_request(
    client_for, admin, settings, django_capture_on_commit_callbacks
):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    client = client_for(admin)
    with django_capture_on_commit_callbacks(execute=True):
        response, _token = _preview_and_confirm(client)
    job = CustomerImport.objects.get()
    assert response["Location"] == job.get_absolute_url()
    assert not Customer.objects.exists()
    task = DBTaskResult.objects.get()
    assert (task.task_path, task.args_kwargs["args"]) == (
        "apps.crm.tasks.run_customer_import",
        [job.pk],
    )
    page = client.get(job.get_absolute_url())
    assert "kunden.csv wird importiert" in page.text
    poll = client.get(
        job.get_absolute_url(), headers={"HX-Request": "true", "HX-Target": "customer-import-job"}
    )
    assert "<html" not in poll.text
    assert 'hx-trigger="every 2s"' in poll.text
    assert "HX-Request" in poll["Vary"]


def test_import_run_is_once(client_for, admin):
    _preview_and_confirm(client_for(admin))  # on_commit never runs here
    job = CustomerImport.objects.get()
    customer_import_run(job_id=job.pk, keep_rows=200)
    customer_import_run(job_id=job.pk, keep_rows=200)
    run_customer_import.enqueue(job.pk)
    assert Customer.objects.count() == 2
    assert AuditEntry.objects.filter(action=AuditAction.IMPORT).count() == 1


def test_import_failure_in_the_first_chunk_is_kept_and_creates_nothing(
    client_for, admin, monkeypatch
):
    client = client_for(admin)
    _preview_and_confirm(client)
    job = CustomerImport.objects.get()

    def broken(*, actor, **values):  # type: ignore[no-untyped-def]
        raise RuntimeError("database went away")

    monkeypatch.setattr("apps.crm.importing.contact_create", broken)
    customer_import_run(job_id=job.pk, keep_rows=200)
    job.refresh_from_db()
    assert (job.status, job.error) == (CustomerImport.Status.FAILED, "database went away")
    assert not Customer.objects.exists()
    assert (job.rows_done, job.rows_total) == (0, 0)
    assert not AuditEntry.objects.filter(action=AuditAction.IMPORT).exists()
    page = client.get(job.get_absolute_url()).text
    assert "fehlgeschlagen: database went away" in page
    assert "Es wurde nichts angelegt." in page


def test_import_result_lists_the_first_rows_with_the_full_counts(client_for, admin):
    rows = "".join(f"Firma {i};k{i}@example.com\n" for i in range(5))
    client = client_for(admin)
    _preview_and_confirm(client, ("Name;E-Mail\n" + rows).encode())
    job = CustomerImport.objects.get()
    customer_import_run(job_id=job.pk, keep_rows=3)
    page = client.get(job.get_absolute_url())
    assert "5 angelegt" in page.text
    assert page.context["result"].row_count == 5
    assert len(page.context["result"].rows) == 3


@pytest.mark.parametrize(
    ("persona", "status"),
    [("admin", 200), ("manager", 404), ("member", 403), ("outsider", 403)],
)
def test_import_detail_is_the_uploaders_only(request, client_for, admin, persona, status):
    _preview_and_confirm(client_for(admin))
    job = CustomerImport.objects.get()
    client = client_for(request.getfixturevalue(persona))
    assert client.get(job.get_absolute_url()).status_code == status


def test_import_confirm_with_wrong_token_creates_nothing(client_for, admin):
    client = client_for(admin)
    _upload(client, CSV.encode())
    response = client.post(reverse("crm:customer_import_confirm"), {"token": "falsch"})
    assert response.status_code == 302
    assert not Customer.objects.exists()


def test_import_bad_file_422_with_message(client_for, admin):
    response = _upload(client_for(admin), b"\x00\xff\xfe garbage")
    assert response.status_code == 422
    assert 'class="errorlist' in response.text


def test_import_without_file_422(client_for, admin):
    response = client_for(admin).post(reverse("crm:customer_import"), {})
    assert response.status_code == 422


# --- Command --------------------------------------------------------------------------------------


def test_import_customers_command_dry_run_and_real(tmp_path):
    path = tmp_path / "kunden.csv"
    path.write_bytes(CSV.encode("cp1252"))
    out = StringIO()
    call_command("import_customers", str(path), "--dry-run", stdout=out)
    assert "[dry run] 2" in out.getvalue()
    assert not Customer.objects.exists()
    out = StringIO()
    call_command("import_customers", str(path), stdout=out)
    assert Customer.objects.count() == 2
    out = StringIO()
    call_command("import_customers", str(path), stdout=out)
    assert Customer.objects.count() == 2  # idempotent: all duplicates now
    assert "skip" in out.getvalue()


def test_import_customers_command_errors(tmp_path):
    with pytest.raises(CommandError):
        call_command("import_customers", str(tmp_path / "fehlt.csv"), stdout=StringIO())
    empty = tmp_path / "leer.csv"
    empty.write_bytes(b"")
    with pytest.raises(CommandError):
        call_command("import_customers", str(empty), stdout=StringIO())


# --- Creating in chunks -------------------------------------------------------------------------

CHUNKED_CSV = (
    "Name;E-Mail;Nachname;Kontakt E-Mail\n"
    "Eins GmbH;eins@example.com;Erster;e1@example.com\n"
    "Zwei GmbH;zwei@example.com;;\n"
    "Drei GmbH;drei@example.com;Dritter;e3@example.com\n"
    "Vier GmbH;vier@example.com;;\n"
    "Fünf GmbH;fuenf@example.com;Fünfter;\n"
).encode()


def _audit_targets(action: str = AuditAction.CREATE) -> list[str]:
    return list(
        AuditEntry.objects.filter(action=action, content_type__app_label="crm")
        .order_by("seq")
        .values_list("content_type__model", flat=True)
    )


def test_import_creates_in_chunks_with_one_audit_entry_each_and_the_summary_last(
    admin, monkeypatch
):
    monkeypatch.setattr(importing, "CHUNK_SIZE", 2)
    calls: list[tuple[int, int]] = []
    result = customers_import(
        raw=CHUNKED_CSV,
        actor=admin,
        dry_run=False,
        progress=lambda done, total: calls.append((done, total)),
    )
    assert calls == [(2, 5), (4, 5), (5, 5)]
    assert len(result.to_create) == 5
    assert Customer.objects.count() == 5 and Contact.objects.count() == 3
    targets = _audit_targets()
    assert (targets.count("customer"), targets.count("contact")) == (5, 3)
    summary = AuditEntry.objects.get(action=AuditAction.IMPORT)
    assert summary.changes == {"created": 5, "skipped": 0, "refused": 0}
    assert summary.seq == AuditEntry.objects.order_by("-seq").values_list("seq", flat=True)[0]
    assert all(row.customer is not None for row in result.rows)


def test_import_dry_run_creates_nothing_and_reports_no_progress(monkeypatch):
    monkeypatch.setattr(importing, "CHUNK_SIZE", 2)
    calls: list[tuple[int, int]] = []
    result = customers_import(
        raw=CHUNKED_CSV, actor=None, dry_run=True, progress=lambda *a: calls.append(a)
    )
    assert len(result.to_create) == 5
    assert calls == []
    assert not Customer.objects.exists() and not AuditEntry.objects.exists()


def test_import_skips_a_duplicate_created_by_someone_else_between_chunks(admin, monkeypatch):
    """The preview found no duplicate; another user creates "Vier"'s e-mail and a contact with
    "Drei"'s VAT-less contact e-mail after chunk 1: chunk 2 must not create a second one."""
    monkeypatch.setattr(importing, "CHUNK_SIZE", 2)

    def meanwhile(done: int, total: int) -> None:
        if done == 2:
            CustomerFactory(email="VIER@example.com")
            ContactFactory(email="e3@example.com")

    result = customers_import(raw=CHUNKED_CSV, actor=admin, dry_run=False, progress=meanwhile)
    assert [(row.name, row.status) for row in result.rows] == [
        ("Eins GmbH", "create"),
        ("Zwei GmbH", "create"),
        ("Drei GmbH", "skip"),
        ("Vier GmbH", "skip"),
        ("Fünf GmbH", "create"),
    ]
    assert "e3@example.com" in result.rows[2].reason
    assert "vier@example.com" in result.rows[3].reason
    assert Customer.objects.filter(email__iexact="vier@example.com").count() == 1
    assert not Customer.objects.filter(name__in=["Drei GmbH", "Vier GmbH"]).exists()
    summary = AuditEntry.objects.get(action=AuditAction.IMPORT)
    assert summary.changes == {"created": 3, "skipped": 2, "refused": 0}


def test_import_refused_row_in_chunk_two_keeps_the_others(admin, monkeypatch):
    monkeypatch.setattr(importing, "CHUNK_SIZE", 2)
    real = importing.contact_create

    def picky(**fields):  # type: ignore[no-untyped-def]
        if fields["last_name"] == "Dritter":
            raise ValidationError({"last_name": "Nicht dieser."})
        return real(**fields)

    monkeypatch.setattr(importing, "contact_create", picky)
    result = customers_import(raw=CHUNKED_CSV, actor=admin, dry_run=False)
    assert [row.status for row in result.rows] == ["create", "create", "refuse", "create", "create"]
    assert result.rows[2].reason == "Nicht dieser."
    assert result.rows[2].customer is None
    # The row's savepoint took its customer back too.
    assert sorted(Customer.objects.values_list("name", flat=True)) == [
        "Eins GmbH",
        "Fünf GmbH",
        "Vier GmbH",
        "Zwei GmbH",
    ]
    assert _audit_targets().count("customer") == 4
    summary = AuditEntry.objects.get(action=AuditAction.IMPORT)
    assert summary.changes == {"created": 4, "skipped": 0, "refused": 1}


def test_import_running_page_shows_the_progress(client_for, admin):
    job = CustomerImport.objects.create(
        uploaded_by=admin,
        filename="gross.csv",
        status=CustomerImport.Status.RUNNING,
        rows_done=400,
        rows_total=1000,
    )
    poll = client_for(admin).get(
        job.get_absolute_url(), headers={"HX-Request": "true", "HX-Target": "customer-import-job"}
    )
    assert "gross.csv wird importiert" in poll.text
    assert "400 von 1000 Zeilen verarbeitet." in poll.text
    assert 'hx-trigger="every 2s"' in poll.text


def test_import_failed_page_says_what_was_kept(client_for, admin):
    job = CustomerImport.objects.create(
        uploaded_by=admin,
        filename="gross.csv",
        status=CustomerImport.Status.FAILED,
        error="database went away",
        rows_done=400,
        rows_total=1000,
    )
    page = client_for(admin).get(job.get_absolute_url()).text
    assert "Der Import von gross.csv ist fehlgeschlagen: database went away" in page
    assert "Die vor dem Fehler angelegten Kunden bleiben erhalten (400 von 1000" in page


@pytest.mark.django_db(transaction=True)
def test_import_crash_in_chunk_two_keeps_chunk_one_committed(monkeypatch):
    """Real transactions (no test transaction around them): chunk 1 is committed with its audit
    entries, the crashed chunk 2 is rolled back, the job records the failure and its progress."""
    monkeypatch.setattr(importing, "CHUNK_SIZE", 2)
    real = importing.contact_create

    def crashing(**fields):  # type: ignore[no-untyped-def]
        if fields["last_name"] == "Dritter":
            raise RuntimeError("disk full")
        return real(**fields)

    monkeypatch.setattr(importing, "contact_create", crashing)
    uploader = EmployeeFactory(role=None)
    job = CustomerImport.objects.create(uploaded_by=uploader, filename="k.csv", data=CHUNKED_CSV)
    customer_import_run(job_id=job.pk, keep_rows=200)
    job.refresh_from_db()
    assert (job.status, job.error) == (CustomerImport.Status.FAILED, "disk full")
    assert (job.rows_done, job.rows_total) == (2, 5)
    assert bytes(job.data) == b""
    assert sorted(Customer.objects.values_list("name", flat=True)) == ["Eins GmbH", "Zwei GmbH"]
    assert _audit_targets() == ["customer", "contact", "customer"]
    assert not AuditEntry.objects.filter(action=AuditAction.IMPORT).exists()
    # The job is not run again.
    assert customer_import_run(job_id=job.pk, keep_rows=200).status == CustomerImport.Status.FAILED
    assert Customer.objects.count() == 2
