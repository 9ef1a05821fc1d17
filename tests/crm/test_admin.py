import pytest
from django.urls import reverse

from apps.crm.models import Contact, Customer
from tests.crm.factories import ContactFactory, CustomerFactory
from tests.projects.factories import ProjectFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "url",
    [
        "admin:crm_customer_changelist",
        "admin:crm_contact_changelist",
        "admin:crm_activity_changelist",
        "admin:projects_project_changelist",
        "admin:crm_customer_add",
        "admin:projects_project_add",
    ],
)
def test_admin_pages_render(client_for, admin, url):
    ContactFactory()
    ProjectFactory()
    assert client_for(admin).get(reverse(url), {"q": "a"}).status_code == 200


def _inline_post(customer, contacts):  # type: ignore[no-untyped-def]
    data = {
        "name": customer.name,
        "type": "b2b",
        "status": "active",
        "stage": "won",
        "country": "DE",
        "vat_treatment": "domestic",
        "contacts-TOTAL_FORMS": str(len(contacts)),
        "contacts-INITIAL_FORMS": "0",
        "contacts-MIN_NUM_FORMS": "0",
        "contacts-MAX_NUM_FORMS": "1000",
    }
    for index, (last_name, primary) in enumerate(contacts):
        data[f"contacts-{index}-last_name"] = last_name
        if primary:
            data[f"contacts-{index}-is_primary"] = "on"
    return data


def test_admin_customer_with_two_primary_contacts_is_refused(client_for, admin):
    customer = CustomerFactory()
    response = client_for(admin).post(
        reverse("admin:crm_customer_change", args=[customer.pk]),
        _inline_post(customer, [("Eins", True), ("Zwei", True)]),
    )
    assert response.status_code == 200  # the form again, with the error
    assert not Contact.objects.exists()


def test_admin_customer_change_goes_through_service(client_for, admin):
    customer = CustomerFactory()
    response = client_for(admin).post(
        reverse("admin:crm_customer_change", args=[customer.pk]),
        _inline_post(customer, [("Weiß", True)]),
    )
    assert response.status_code == 302
    customer = Customer.objects.get()
    assert customer.stage == "won"
    assert "weiss" in customer.search_text
