"""CSV import of customers with their primary contact (web upload and ``import_customers``).

``customers_import(raw=bytes, dry_run=True)`` is the preview: every row is validated and sorted into
"create", "skip" (duplicate e-mail or VAT ID, in the database or earlier in the file) and "refuse"
(with the reason). ``dry_run=False`` creates the "create" rows through the services (each audited),
``CHUNK_SIZE`` rows per transaction, and then writes one IMPORT audit entry. Rows are read with
the standard library's csv module (tablib rejects a whole file when one row has the wrong number
of cells; we refuse that row only).

The web import runs the creating step in a task (``customer_import_queue`` / ``customer_import_run``,
a ``CustomerImport`` row between them): thousands of customers take minutes, far too long for a
request. A worker killed outright (OOM, deploy, SIGKILL) leaves its job "running" with no progress:
after ``CUSTOMER_IMPORT_STALE_MINUTES`` without progress the job is stored as failed ("interrupted"),
when its page is read or by ``manage.py interrupt_stale_imports`` (as a lost invoice e-mail becomes
stale, see ``apps.common.stale``). It is not run again: its committed chunks are kept (each customer
audited), and uploading the file again creates the rest, as rows whose e-mail address or VAT ID
exists already are skipped.
"""

from __future__ import annotations

import csv
import datetime
import io
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.audit.models import AuditAction
from apps.audit.services import audit_record
from apps.common.models import NumberSequence
from apps.common.stale import is_stale, stale_cutoff
from apps.common.validators import validate_vat_id
from apps.crm.models import Contact, Customer, CustomerImport
from apps.crm.search import fold
from apps.crm.services import contact_create, customer_create
from apps.crm.validators import validate_leitweg_id

logger = logging.getLogger(__name__)

MAX_ROWS = 10_000
CHUNK_SIZE = 200  # rows created per transaction (the audit chain is locked for one chunk only)

# Accepted column names (folded, without spaces/dashes/dots) -> field.
ALIASES: dict[str, tuple[str, ...]] = {
    "name": ("name", "firma", "firmenname", "kunde", "company", "customer"),
    "type": ("type", "typ", "kundentyp", "art"),
    "email": ("email", "mail", "emailadresse", "kundenemail"),
    "phone": ("phone", "telefon", "tel"),
    "website": ("website", "webseite", "homepage", "web", "url"),
    "street": ("street", "strasse", "adresse", "anschrift"),
    "zip_code": ("zipcode", "zip", "plz", "postleitzahl", "postcode"),
    "city": ("city", "ort", "stadt"),
    "country": ("country", "land"),
    "vat_id": ("vatid", "ustidnr", "ustid", "umsatzsteuerid", "vat"),
    "tax_number": ("taxnumber", "steuernummer", "stnr"),
    "leitweg_id": ("leitwegid", "leitweg"),
    "notes": ("notes", "notizen", "bemerkung", "bemerkungen"),
    "contact_first_name": ("contactfirstname", "vorname", "firstname", "ansprechpartnervorname"),
    "contact_last_name": (
        "contactlastname",
        "nachname",
        "lastname",
        "ansprechpartner",
        "ansprechpartnernachname",
        "kontakt",
    ),
    "contact_email": ("contactemail", "kontaktemail", "ansprechpartneremail"),
    "contact_phone": ("contactphone", "kontakttelefon", "ansprechpartnertelefon"),
}
_COLUMN = {alias: name for name, aliases in ALIASES.items() for alias in aliases}
_TYPES = {
    "b2b": Customer.Type.B2B,
    "firma": Customer.Type.B2B,
    "business": Customer.Type.B2B,
    "unternehmen": Customer.Type.B2B,
    "b2c": Customer.Type.B2C,
    "privat": Customer.Type.B2C,
    "privatkunde": Customer.Type.B2C,
    "consumer": Customer.Type.B2C,
}


class ImportFileError(Exception):
    """The file as a whole cannot be read (encoding, binary data, no name column, empty)."""


def normalise_header(value: str) -> str:
    return "".join(char for char in fold(value.strip().lstrip("\ufeff")) if char.isalnum())


def decode(raw: bytes) -> tuple[str, str]:
    """UTF-8 (with or without BOM), else Windows-1252, else Latin-1 (which never fails)."""
    if b"\x00" in raw[:4096]:
        raise ImportFileError(_("This is not a CSV text file."))
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8", errors="replace"), "UTF-8"
    try:
        return raw.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("cp1252"), "Windows-1252"
    except UnicodeDecodeError:
        return raw.decode("latin-1"), "ISO-8859-1"


def detect_delimiter(text: str) -> str:
    header = text.split("\n", 1)[0]
    return ";" if header.count(";") >= header.count(",") and ";" in header else ","


class ImportRowForm(forms.Form):
    """One CSV row; the same field rules as the customer form (VAT ID, Leitweg-ID, e-mail)."""

    name = forms.CharField(max_length=200)
    type = forms.CharField(required=False)
    email = forms.EmailField(required=False, max_length=254)
    phone = forms.CharField(required=False, max_length=50)
    website = forms.URLField(required=False, max_length=200)
    street = forms.CharField(required=False, max_length=200)
    zip_code = forms.CharField(required=False, max_length=10)
    city = forms.CharField(required=False, max_length=100)
    country = forms.CharField(required=False, max_length=2)
    vat_id = forms.CharField(required=False, max_length=20)
    tax_number = forms.CharField(required=False, max_length=30)
    leitweg_id = forms.CharField(required=False, max_length=46)
    notes = forms.CharField(required=False, max_length=5000)
    contact_first_name = forms.CharField(required=False, max_length=100)
    contact_last_name = forms.CharField(required=False, max_length=100)
    contact_email = forms.EmailField(required=False, max_length=254)
    contact_phone = forms.CharField(required=False, max_length=50)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, bound in self.fields.items():
            bound.label = CONTACT_LABELS.get(name) or Customer._meta.get_field(name).verbose_name

    def clean_type(self) -> str:
        value = fold(self.cleaned_data["type"].strip())
        if not value:
            return Customer.Type.B2B
        if value not in _TYPES:
            raise forms.ValidationError(_("Unknown customer type (B2B or B2C)."))
        return _TYPES[value]

    def clean_vat_id(self) -> str:
        value = "".join(self.cleaned_data["vat_id"].split()).upper()
        if value:
            validate_vat_id(value)
        return value

    def clean_leitweg_id(self) -> str:
        value = self.cleaned_data["leitweg_id"].strip().upper()
        if value:
            validate_leitweg_id(value)
        return value

    def clean_country(self) -> str:
        country = self.cleaned_data["country"].strip().upper() or "DE"
        if len(country) != 2 or not country.isalpha():
            raise forms.ValidationError(_("Use the two-letter country code, e.g. DE."))
        return country

    def clean_email(self) -> str:
        return self.cleaned_data["email"].lower()

    def clean_contact_email(self) -> str:
        return self.cleaned_data["contact_email"].lower()

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        has_contact = any(
            data.get(name) for name in ("contact_first_name", "contact_email", "contact_phone")
        )
        if has_contact and not data.get("contact_last_name"):
            self.add_error("contact_last_name", _("The contact needs a last name."))
        return data


CONTACT_LABELS = {
    "contact_first_name": gettext_lazy("contact first name"),
    "contact_last_name": gettext_lazy("contact last name"),
    "contact_email": gettext_lazy("contact e-mail"),
    "contact_phone": gettext_lazy("contact phone"),
}


@dataclass
class ImportRow:
    line: int
    status: str  # "create", "skip", "refuse"
    name: str = ""
    reason: str = ""
    data: dict[str, Any] = field(default_factory=dict)
    customer: Customer | None = None


@dataclass
class ImportResult:
    rows: list[ImportRow]
    encoding: str
    delimiter: str
    columns: list[str]
    ignored_columns: list[str]
    dry_run: bool

    def _of(self, status: str) -> list[ImportRow]:
        return [row for row in self.rows if row.status == status]

    @property
    def to_create(self) -> list[ImportRow]:
        return self._of("create")

    @property
    def skipped(self) -> list[ImportRow]:
        return self._of("skip")

    @property
    def refused(self) -> list[ImportRow]:
        return self._of("refuse")

    @property
    def row_count(self) -> int:
        return len(self.rows)

    def summary(self) -> str:
        verb = _("to create") if self.dry_run else _("created")
        return _("%(create)d %(verb)s, %(skip)d skipped as duplicates, %(refuse)d refused") % {
            "create": len(self.to_create),
            "verb": verb,
            "skip": len(self.skipped),
            "refuse": len(self.refused),
        }


def _existing(values: Iterable[str], lookups: list[tuple[Any, str]]) -> set[str]:
    wanted = sorted({value for value in values if value})
    found: set[str] = set()
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        for queryset, column in lookups:
            found.update(queryset.filter(**{f"{column}__in": chunk}).values_list(column, flat=True))
    return found


def _error_text(form: forms.Form) -> str:
    parts = []
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        parts.append(f"{label}: {' '.join(errors)}" if label else " ".join(errors))
    return "; ".join(parts)


def parse(raw: bytes) -> tuple[list[ImportRow], str, str, list[str], list[str]]:
    text, encoding = decode(raw)
    if not text.strip():
        raise ImportFileError(_("The file is empty."))
    delimiter = detect_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader)
    except (csv.Error, StopIteration) as error:
        raise ImportFileError(
            _("The first row cannot be read: %(error)s") % {"error": error}
        ) from None
    columns = [_COLUMN.get(normalise_header(cell), "") for cell in header]
    if "name" not in columns:
        raise ImportFileError(
            _("The first row must name the columns; a column “Name” (or “Firma”) is missing.")
        )
    ignored = [cell for cell, column in zip(header, columns, strict=True) if not column]
    rows: list[ImportRow] = []
    line = 1
    while True:
        line += 1
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            rows.append(ImportRow(line=line, status="refuse", reason=str(error)))
            continue
        if not any(cell.strip() for cell in cells):
            continue
        if len(rows) >= MAX_ROWS:
            raise ImportFileError(_("At most %(max)d rows per import.") % {"max": MAX_ROWS})
        if len(cells) != len(header):
            rows.append(
                ImportRow(
                    line=line,
                    status="refuse",
                    name=cells[columns.index("name")][:200]
                    if len(cells) > columns.index("name")
                    else "",
                    reason=_("Expected %(expected)d cells, found %(found)d.")
                    % {"expected": len(header), "found": len(cells)},
                )
            )
            continue
        values = {
            column: cell.strip() for column, cell in zip(columns, cells, strict=True) if column
        }
        form = ImportRowForm(values)
        if not form.is_valid():
            rows.append(
                ImportRow(
                    line=line,
                    status="refuse",
                    name=values.get("name", "")[:200],
                    reason=_error_text(form),
                )
            )
            continue
        rows.append(
            ImportRow(
                line=line, status="create", name=form.cleaned_data["name"], data=form.cleaned_data
            )
        )
    return rows, encoding, delimiter, [c for c in columns if c], ignored


def _taken(rows: list[ImportRow]) -> tuple[set[str], set[str]]:
    """The e-mail addresses and VAT IDs of ``rows`` that a customer or contact already has."""
    emails = _existing(
        (e for row in rows for e in (row.data["email"], row.data["contact_email"])),
        [
            (Customer.objects.annotate(lower_email=Lower("email")), "lower_email"),
            (Contact.objects.annotate(lower_email=Lower("email")), "lower_email"),
        ],
    )
    vat_ids = _existing((row.data["vat_id"] for row in rows), [(Customer.objects.all(), "vat_id")])
    return emails, vat_ids


def _skip_if_taken(row: ImportRow, emails: set[str], vat_ids: set[str]) -> None:
    row_emails = {e for e in (row.data["email"], row.data["contact_email"]) if e}
    if row_emails & emails:
        row.status = "skip"
        row.reason = _("A customer or contact with the e-mail %(email)s exists already.") % {
            "email": ", ".join(sorted(row_emails & emails))
        }
    elif row.data["vat_id"] and row.data["vat_id"] in vat_ids:
        row.status = "skip"
        row.reason = _("A customer with the VAT ID %(vat_id)s exists already.") % {
            "vat_id": row.data["vat_id"]
        }


def _mark_duplicates(rows: list[ImportRow]) -> None:
    candidates = [row for row in rows if row.status == "create"]
    emails, vat_ids = _taken(candidates)
    for row in candidates:
        _skip_if_taken(row, emails, vat_ids)
        # Later rows of the same file are duplicates of this one.
        emails.update(e for e in (row.data["email"], row.data["contact_email"]) if e)
        if row.data["vat_id"]:
            vat_ids.add(row.data["vat_id"])


CUSTOMER_COLUMNS = [
    "name",
    "type",
    "email",
    "phone",
    "website",
    "street",
    "zip_code",
    "city",
    "country",
    "vat_id",
    "tax_number",
    "leitweg_id",
    "notes",
]


def _create(row: ImportRow, actor: Any) -> None:
    data = row.data
    try:
        with transaction.atomic():
            customer = customer_create(
                actor=actor,
                status=Customer.Status.LEAD,
                **{name: data[name] for name in CUSTOMER_COLUMNS},
            )
            if data["contact_last_name"]:
                contact_create(
                    actor=actor,
                    customer=customer,
                    first_name=data["contact_first_name"],
                    last_name=data["contact_last_name"],
                    email=data["contact_email"],
                    phone=data["contact_phone"],
                    is_primary=True,
                )
    except ValidationError as error:
        row.status = "refuse"
        row.reason = "; ".join(error.messages)
    else:
        row.customer = customer


def customers_import(
    *,
    raw: bytes,
    actor: Any,
    dry_run: bool = True,
    filename: str = "",
    progress: Callable[[int, int], None] | None = None,
) -> ImportResult:
    """Read, validate and (unless ``dry_run``) create. Raises ImportFileError for unreadable files.

    Creating runs in transactions of ``CHUNK_SIZE`` rows: every audited write serialises on the
    audit chain's counter, so one transaction for the whole file would make every other user's
    save wait for the import. A crash keeps the chunks committed before it (each customer audited
    on its own); the IMPORT entry is written only after the last chunk. Call it outside a
    transaction, or the chunks are savepoints of that one. ``progress(done, total)`` is called
    after each committed chunk.
    """
    rows, encoding, delimiter, columns, ignored = parse(raw)
    _mark_duplicates(rows)
    result = ImportResult(
        rows=rows,
        encoding=encoding,
        delimiter=delimiter,
        columns=columns,
        ignored_columns=ignored,
        dry_run=dry_run,
    )
    if dry_run:
        return result
    to_create = result.to_create
    for start in range(0, len(to_create), CHUNK_SIZE):
        _create_chunk(to_create[start : start + CHUNK_SIZE], actor)
        if progress is not None:
            progress(min(start + CHUNK_SIZE, len(to_create)), len(to_create))
    # After the last chunk, so the counts are final (a duplicate found late is a skip).
    audit_record(
        action=AuditAction.IMPORT,
        actor=actor,
        object_repr=str(Customer._meta.verbose_name_plural),
        message=f"{filename or 'CSV'}: {result.summary()}",
        changes={
            "created": len(result.to_create),
            "skipped": len(result.skipped),
            "refused": len(result.refused),
        },
    )
    return result


def _create_chunk(rows: list[ImportRow], actor: Any) -> None:
    """Create ``rows`` in one transaction (each row in a savepoint, so a refused row is reported
    and the others stay).

    Other users may have created a customer or contact with one of these e-mail addresses or VAT
    IDs since the preview (nothing in the database makes them unique), so they are looked up again
    here. First the customer number counter is locked, as ``customer_create`` would: a customer
    being created elsewhere is then either committed and found, or waits for this chunk.
    """
    with transaction.atomic():
        NumberSequence.objects.bulk_create([NumberSequence(key="customer")], ignore_conflicts=True)
        list(NumberSequence.objects.select_for_update().filter(key="customer").values_list("pk"))
        emails, vat_ids = _taken(rows)
        for row in rows:
            _skip_if_taken(row, emails, vat_ids)
            if row.status == "create":
                _create(row, actor)


# --- The creating step in the background ---------------------------------------------------------


@dataclass
class StoredImportResult:
    """A finished import as the result page shows it (the first rows only, the full counts)."""

    summary_text: str
    encoding: str
    delimiter: str
    ignored_columns: list[str]
    rows: list[ImportRow]
    row_count: int

    def summary(self) -> str:
        return self.summary_text


def _stored(result: ImportResult, *, limit: int) -> dict[str, Any]:
    return {
        "summary": result.summary(),
        "encoding": result.encoding,
        "delimiter": result.delimiter,
        "ignored_columns": result.ignored_columns,
        "row_count": result.row_count,
        "rows": [
            {
                "line": row.line,
                "status": row.status,
                "name": row.name,
                "reason": row.reason,
                "customer": row.customer.pk if row.customer else None,
            }
            for row in result.rows[:limit]
        ],
    }


def customer_import_result(job: CustomerImport) -> StoredImportResult | None:
    """The stored outcome with the created customers loaded (one query), or None while running."""
    if job.status != CustomerImport.Status.DONE:
        return None
    stored = job.result
    ids = [row["customer"] for row in stored["rows"] if row["customer"]]
    customers = Customer.objects.in_bulk(ids)
    return StoredImportResult(
        summary_text=stored["summary"],
        encoding=stored["encoding"],
        delimiter=stored["delimiter"],
        ignored_columns=stored["ignored_columns"],
        row_count=stored["row_count"],
        rows=[
            ImportRow(
                line=row["line"],
                status=row["status"],
                name=row["name"],
                reason=row["reason"],
                customer=customers.get(row["customer"]) if row["customer"] else None,
            )
            for row in stored["rows"]
        ],
    )


def customer_import_queue(*, actor: Any, raw: bytes, filename: str) -> CustomerImport:
    """Keep the confirmed upload and queue its import after commit."""
    job = CustomerImport.objects.create(uploaded_by=actor, filename=filename[:200], data=raw)
    job_id = job.pk

    def enqueue() -> None:
        from apps.crm.tasks import run_customer_import

        run_customer_import.enqueue(job_id)

    transaction.on_commit(enqueue)
    return job


class ImportInterrupted(Exception):
    """The job was marked interrupted while this worker was still running it (it was too slow)."""


def _stale_after() -> datetime.timedelta:
    return datetime.timedelta(minutes=settings.CUSTOMER_IMPORT_STALE_MINUTES)


def customer_import_is_stale(job: CustomerImport, *, now: datetime.datetime | None = None) -> bool:
    """Queued or running, and no sign of life (claimed, a chunk committed) for too long."""
    return job.is_running and is_stale(job.updated_at, after=_stale_after(), now=now)


def customer_imports_interrupt_stale(
    *, job_id: int | None = None, now: datetime.datetime | None = None
) -> int:
    """Store the stale jobs (all, or the one ``job_id``) as failed ("interrupted"), keeping their
    progress and dropping the file; returns how many. Each row is switched by one conditional
    UPDATE, so a worker's progress written meanwhile keeps it running, and it is marked once."""
    now = now or timezone.now()
    stale = CustomerImport.objects.filter(
        status__in=[CustomerImport.Status.QUEUED, CustomerImport.Status.RUNNING],
        updated_at__lt=stale_cutoff(_stale_after(), now=now),
    )
    if job_id is not None:
        stale = stale.filter(pk=job_id)
    count = 0
    for pk, rows_done, rows_total in stale.values_list("pk", "rows_done", "rows_total"):
        if stale.filter(pk=pk).update(
            status=CustomerImport.Status.FAILED,
            error=_("The import was interrupted (the background worker stopped)."),
            data=b"",
            finished_at=now,
            updated_at=now,
        ):
            count += 1
            logger.warning(
                "Customer import %s was interrupted (no progress for %s); %s of %s rows processed",
                pk,
                _stale_after(),
                rows_done,
                rows_total,
            )
    return count


def customer_import_check(job: CustomerImport) -> CustomerImport:
    """The job as its page shows it: a stale one is stored as interrupted first (in a transaction,
    so the new state is read back from the primary, not a lagging replica)."""
    if customer_import_is_stale(job):
        with transaction.atomic():
            if customer_imports_interrupt_stale(job_id=job.pk):
                job.refresh_from_db()
    return job


def customer_import_run(*, job_id: int, keep_rows: int) -> CustomerImport | None:
    """Run a queued import once (the task's work).

    The job is claimed (QUEUED -> RUNNING) in a short transaction of its own, so a second run
    finds it taken; the customers are then created chunk by chunk (see ``customers_import``) and
    the job's progress is saved after each chunk. A failure is kept on the job; the chunks
    committed before it stay (each customer audited). The file is dropped afterwards. A job marked
    interrupted (``customer_imports_interrupt_stale``) is neither run nor overwritten: a worker that
    finds it so after a chunk stops."""
    with transaction.atomic():
        job = (
            CustomerImport.objects.select_for_update()
            .select_related("uploaded_by")
            .filter(pk=job_id)
            .first()
        )
        if job is None or job.status != CustomerImport.Status.QUEUED:
            return job
        job.status = CustomerImport.Status.RUNNING
        job.save(update_fields=["status", "updated_at"])

    running = CustomerImport.objects.filter(pk=job.pk, status=CustomerImport.Status.RUNNING)

    def progress(done: int, total: int) -> None:
        job.rows_done, job.rows_total = done, total
        if not running.update(rows_done=done, rows_total=total, updated_at=timezone.now()):
            raise ImportInterrupted  # marked interrupted meanwhile: stop creating

    try:
        result = customers_import(
            raw=bytes(job.data),
            actor=job.uploaded_by,
            dry_run=False,
            filename=job.filename,
            progress=progress,
        )
    except ImportInterrupted:
        logger.warning("Customer import %s was marked interrupted while running; stopped", job.pk)
        job.refresh_from_db()
        return job
    except Exception as error:  # shown on the import's page
        logger.exception("Customer import %s failed", job.pk)
        job.status = CustomerImport.Status.FAILED
        job.error = (str(error) or error.__class__.__name__)[:1000]
    else:
        job.status, job.result = CustomerImport.Status.DONE, _stored(result, limit=keep_rows)
    job.data = b""
    job.finished_at = timezone.now()
    # Only while still running: a job marked interrupted meanwhile stays so.
    if not running.update(
        status=job.status,
        result=job.result,
        error=job.error,
        data=job.data,
        finished_at=job.finished_at,
        updated_at=job.finished_at,
    ):
        logger.warning("Customer import %s was marked interrupted before it finished", job.pk)
        job.refresh_from_db()
    return job
