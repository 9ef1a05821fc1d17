import pytest

from apps.crm.filters import CustomerFilter
from apps.crm.models import Customer

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("ordering", ["", "name", "-name", "city", "-status", "stage", "number"])
def test_customer_filter_is_totally_ordered(ordering):
    filterset = CustomerFilter({"ordering": ordering}, queryset=Customer.objects.all())
    assert filterset.qs.totally_ordered
