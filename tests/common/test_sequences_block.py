import pytest
from django.db import transaction

from apps.common.sequences import next_value, next_values

pytestmark = pytest.mark.django_db


def test_next_values_reserves_a_gapless_block():
    with transaction.atomic():
        assert next_value("demo") == 1
        assert list(next_values("demo", 3)) == [2, 3, 4]
        assert next_value("demo") == 5


def test_next_values_rolled_back_returns_block():
    with pytest.raises(RuntimeError), transaction.atomic():
        next_values("demo", 10)
        raise RuntimeError
    with transaction.atomic():
        assert next_value("demo") == 1


def test_next_values_needs_positive_count():
    with pytest.raises(ValueError), transaction.atomic():
        next_values("demo", 0)
