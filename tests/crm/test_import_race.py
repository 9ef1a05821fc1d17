"""A big import must not make everybody else's audited writes wait until it is done: the audit
chain's counter is locked for one chunk at a time, and another connection's write gets in between
two chunks."""

from __future__ import annotations

import threading

import pytest
from django.conf import settings
from django.db import connections

from apps.audit.models import AuditAction, AuditEntry
from apps.audit.services import audit_record
from apps.crm import importing
from apps.crm.importing import customers_import
from apps.crm.models import Customer
from tests.crm.factories import CustomerFactory

ON_POSTGRESQL = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not ON_POSTGRESQL, reason="needs PostgreSQL (row locks across connections)"),
    pytest.mark.django_db(transaction=True),
]

CSV = "Name;E-Mail\n" + "".join(f"Firma {i};firma{i}@example.com\n" for i in range(4))


def test_another_users_audited_write_gets_in_between_two_chunks(monkeypatch):
    """While chunk 1 is open the other write waits for the audit chain (so the test measures the
    lock); as soon as chunk 1 commits it goes through, long before the import has finished."""
    monkeypatch.setattr(importing, "CHUNK_SIZE", 2)
    done = threading.Event()
    errors: list[BaseException] = []

    def other_user_saves() -> None:
        try:
            audit_record(action=AuditAction.UPDATE, actor=None, message="someone else")
        except BaseException as error:  # reported by the assertion below
            errors.append(error)
        finally:
            done.set()
            connections.close_all()

    other = threading.Thread(target=other_user_saves)
    real_create = importing._create
    seen: list[str] = []

    def create(row, actor):  # type: ignore[no-untyped-def]
        real_create(row, actor)  # this row's audit entry: the chunk holds the chain's lock now
        seen.append(row.name)
        if len(seen) == 1:
            other.start()
            assert not done.wait(1.0), "the other write did not wait for the open chunk"

    def progress(rows_done: int, total: int) -> None:
        if rows_done == 2:  # chunk 1 committed, chunk 2 not started
            assert done.wait(10.0), "the other write still waits after chunk 1 committed"

    monkeypatch.setattr(importing, "_create", create)
    result = customers_import(raw=CSV.encode(), actor=None, dry_run=False, progress=progress)
    other.join(10.0)
    assert errors == []
    assert len(result.to_create) == 4 and Customer.objects.count() == 4
    order = list(AuditEntry.objects.order_by("seq").values_list("action", "object_repr"))
    assert order == [
        (AuditAction.CREATE, "Firma 0"),
        (AuditAction.CREATE, "Firma 1"),
        (AuditAction.UPDATE, ""),
        (AuditAction.CREATE, "Firma 2"),
        (AuditAction.CREATE, "Firma 3"),
        (AuditAction.IMPORT, str(Customer._meta.verbose_name_plural)),
    ]


def test_a_customer_another_connection_creates_between_chunks_is_not_imported_twice(monkeypatch):
    """Nothing in the database makes e-mail addresses unique: chunk 2 looks them up again."""
    monkeypatch.setattr(importing, "CHUNK_SIZE", 2)
    errors: list[BaseException] = []

    def other_user_creates() -> None:
        try:
            CustomerFactory(name="Schon da", email="FIRMA3@example.com")
        except BaseException as error:  # reported by the assertion below
            errors.append(error)
        finally:
            connections.close_all()

    def progress(rows_done: int, total: int) -> None:
        if rows_done == 2:
            other = threading.Thread(target=other_user_creates)
            other.start()
            other.join(10.0)

    result = customers_import(raw=CSV.encode(), actor=None, dry_run=False, progress=progress)
    assert errors == []
    assert [row.status for row in result.rows] == ["create", "create", "create", "skip"]
    assert Customer.objects.filter(email__iexact="firma3@example.com").count() == 1
    summary = AuditEntry.objects.get(action=AuditAction.IMPORT)
    assert summary.changes == {"created": 3, "skipped": 1, "refused": 0}
