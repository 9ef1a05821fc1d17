import threading

import pytest
from django.db import connection, transaction

from apps.common.sequences import next_value
from tests.employees.factories import EmployeeFactory


@pytest.mark.django_db
def test_next_value_counts_up_per_key():
    with transaction.atomic():
        assert [next_value("a"), next_value("a"), next_value("b")] == [1, 2, 1]


@pytest.mark.django_db
def test_rolled_back_number_is_given_back():
    with pytest.raises(RuntimeError), transaction.atomic():
        next_value("c")
        raise RuntimeError
    with transaction.atomic():
        assert next_value("c") == 1


@pytest.mark.django_db
def test_employee_codes_count_up():
    first, second = EmployeeFactory(), EmployeeFactory()
    number = int(first.code.split("-")[1])
    assert first.code.startswith("KIT-")
    assert second.code == f"KIT-{number + 1:04d}"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_parallel_employee_creation_gets_distinct_gapless_codes():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")
    codes: list[str] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(20)

    def create(i: int) -> None:
        try:
            barrier.wait()
            codes.append(EmployeeFactory(email=f"parallel{i}@example.com").code)
        except BaseException as error:  # collected and asserted below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=create, args=(i,)) for i in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    numbers = sorted(int(code.split("-")[1]) for code in codes)
    assert numbers == list(range(numbers[0], numbers[0] + 20))
