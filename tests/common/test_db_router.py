import pytest
from django.db import transaction

from apps.common.db_router import PrimaryReplicaRouter
from apps.employees.models import Employee


def test_reads_go_to_the_replica_outside_transactions():
    # No database fixture: pytest-django's ``db`` would wrap the test in a transaction.
    assert PrimaryReplicaRouter().db_for_read(Employee) == "replica"


@pytest.mark.django_db(transaction=True)
def test_reads_inside_a_transaction_stay_on_the_primary():
    router = PrimaryReplicaRouter()
    with transaction.atomic():
        assert router.db_for_read(Employee) == "default"
    assert router.db_for_write(Employee) == "default"
