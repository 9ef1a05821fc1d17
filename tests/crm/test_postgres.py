"""PostgreSQL only: the customer search runs on the trigram GIN index."""

from __future__ import annotations

import pytest
from django.db import connection

from apps.crm.models import Customer
from apps.crm.selectors import customer_search, customers_for_user

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


@pytest.fixture
def postgres_only():  # type: ignore[no-untyped-def]
    if connection.vendor != "postgresql":
        pytest.skip("EXPLAIN of the trigram index needs PostgreSQL")


def test_customer_search_uses_trigram_index(postgres_only, admin):
    words = ["schmidt", "weber", "fischer", "wagner", "becker", "hoffmann", "koch", "richter"]
    Customer.objects.bulk_create(
        Customer(
            number=f"KD-{i:05d}",
            name=f"{words[i % 8]} {i}",
            search_text=f"{words[i % 8]} {words[(i * 7) % 8]} {i} | kd-{i:05d}",
        )
        for i in range(1, 5001)
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE crm_customer")
        # Force the planner off full scans; what is left for LIKE '%...%' is the trigram index.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
    plan = customer_search(customers_for_user(admin), "MÜLLER")[:25].explain()
    assert "crm_customer_search_trgm" in plan, plan


def test_extensions_installed(postgres_only):
    with connection.cursor() as cursor:
        cursor.execute("SELECT extname FROM pg_extension")
        names = {row[0] for row in cursor.fetchall()}
    assert {"pg_trgm", "unaccent"} <= names
