import pytest

from apps.crm.filters import CustomerFilter, PipelineFilter
from apps.crm.models import Customer
from tests.crm.factories import CustomerFactory
from tests.employees.factories import EmployeeFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("ordering", ["", "name", "-name", "city", "-status", "stage", "number"])
def test_customer_filter_is_totally_ordered(ordering):
    filterset = CustomerFilter({"ordering": ordering}, queryset=Customer.objects.all())
    assert filterset.qs.totally_ordered


@pytest.mark.parametrize("filterset_class", [CustomerFilter, PipelineFilter])
def test_account_manager_choices_come_from_one_plain_query(
    filterset_class, django_assert_num_queries
):
    managers = [
        EmployeeFactory(first_name="Zoe", last_name="Zander"),
        EmployeeFactory(first_name="Ada", last_name="Lovelace"),
    ]
    for manager in managers:
        CustomerFactory(account_manager=manager)
    EmployeeFactory(first_name="Nick", last_name="Nobody")  # looks after no customer
    filterset = filterset_class(
        {"account_manager": managers[0].pk}, queryset=Customer.objects.all()
    )
    assert filterset.qs.get().account_manager == managers[0]  # validated (one query)
    with django_assert_num_queries(1) as captured:  # no server-side cursor (DECLARE/FETCH)
        html = str(filterset.form["account_manager"])
    assert "DECLARE" not in captured.captured_queries[0]["sql"]
    assert html.count("<option ") == 3  # the empty choice and the two managers
    assert '<option value="" selected>' not in html
    assert f'<option value="{managers[0].pk}" selected>Zoe Zander</option>' in html
    assert f'<option value="{managers[1].pk}">Ada Lovelace</option>' in html
    assert "Nobody" not in html
