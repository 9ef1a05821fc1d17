"""Gapless numbering under concurrency (PostgreSQL: real row locks)."""

import threading

import pytest
from django.db import connection
from django.test import override_settings

from apps.invoices import services
from apps.invoices.models import Invoice
from tests.invoices.factories import ISSUE_DATE, company_ready, customer_ready, draft


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@override_settings(TASKS={"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}})
def test_parallel_issuing_gets_gapless_distinct_numbers():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (row locks)")
    company_ready()
    customer = customer_ready()
    drafts = [draft(customer=customer) for _ in range(50)]
    errors: list[BaseException] = []
    barrier = threading.Barrier(len(drafts))

    def issue(invoice: Invoice) -> None:
        try:
            barrier.wait()
            services.invoice_issue(actor=None, invoice=invoice, issue_date=ISSUE_DATE)
        except BaseException as error:  # collected and asserted below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=issue, args=(invoice,)) for invoice in drafts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    numbers = sorted(Invoice.objects.values_list("number", flat=True))
    assert numbers == [f"RE-2026-{n:04d}" for n in range(1, 51)]
