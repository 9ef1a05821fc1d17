from __future__ import annotations

import pytest
from django.urls import reverse

from apps.audit.models import AuditAction, AuditEntry
from apps.crm.models import Activity, Contact
from tests.crm.factories import ContactFactory, CustomerFactory
from tests.employees.factories import EmployeeFactory, role_named

pytestmark = pytest.mark.django_db

HX = {"HX-Request": "true", "HX-Target": "customer-tab"}


@pytest.fixture
def marketing(db):  # type: ignore[no-untyped-def]
    return EmployeeFactory(role=role_named("Marketing"))


@pytest.mark.parametrize(
    ("persona", "status"),
    [("admin", 302), ("manager", 302), ("marketing", 302), ("member", 403), ("outsider", 404)],
)
def test_contact_and_activity_posts_permission_matrix(request, client_for, persona, status):
    customer = CustomerFactory()
    contact = ContactFactory(customer=customer)
    client = client_for(request.getfixturevalue(persona))
    posts = [
        (reverse("crm:contact_create", args=[customer.pk]), {"new-last_name": "Neu"}),
        (reverse("crm:contact_edit", args=[contact.pk]), {f"c{contact.pk}-last_name": "Neu"}),
        (reverse("crm:contact_make_primary", args=[contact.pk]), {}),
        (
            reverse("crm:activity_create", args=[customer.pk]),
            {"activity-type": "call", "activity-text": "Telefonat"},
        ),
        (reverse("crm:contact_delete", args=[contact.pk]), {}),
    ]
    for url, data in posts:
        assert client.post(url, data).status_code == status, url


@pytest.mark.parametrize(
    ("persona", "status"),
    [("admin", 200), ("manager", 200), ("member", 403), ("outsider", 404)],
)
def test_contact_edit_form_permission_matrix(request, client_for, persona, status):
    contact = ContactFactory()
    client = client_for(request.getfixturevalue(persona))
    assert client.get(reverse("crm:contact_edit", args=[contact.pk])).status_code == status


def test_contact_create_htmx_returns_contacts_tab(client_for, manager):
    customer = CustomerFactory()
    response = client_for(manager).post(
        reverse("crm:contact_create", args=[customer.pk]),
        {"new-first_name": "Jürgen", "new-last_name": "Weiß", "new-is_primary": "on"},
        headers=HX,
    )
    assert response.status_code == 200
    assert "<html" not in response.text
    assert "Jürgen Weiß" in response.text
    assert 'hx-swap-oob="true"' in response.text  # the messages
    assert response["HX-Push-Url"].endswith("?tab=contacts")
    customer.refresh_from_db()
    assert "jurgen weiss" in customer.search_text


def test_contact_create_invalid_422_nothing_saved(client_for, manager):
    customer = CustomerFactory()
    response = client_for(manager).post(
        reverse("crm:contact_create", args=[customer.pk]),
        {"new-last_name": "", "new-email": "kaputt"},
        headers=HX,
    )
    assert response.status_code == 422
    assert "<html" not in response.text
    assert 'class="errorlist' in response.text
    assert not Contact.objects.exists()


def test_making_another_contact_primary_clears_the_first(client_for, manager):
    customer = CustomerFactory()
    first = ContactFactory(customer=customer, is_primary=True)
    second = ContactFactory(customer=customer)
    response = client_for(manager).post(
        reverse("crm:contact_make_primary", args=[second.pk]), headers=HX
    )
    assert response.status_code == 200
    first.refresh_from_db()
    second.refresh_from_db()
    assert second.is_primary and not first.is_primary


def test_contact_edit_get_shows_inline_form_in_tab(client_for, manager):
    contact = ContactFactory(last_name="Bearbeiter")
    response = client_for(manager).get(reverse("crm:contact_edit", args=[contact.pk]), headers=HX)
    assert response.status_code == 200
    assert "<html" not in response.text
    assert f'name="c{contact.pk}-last_name"' in response.text


def test_contact_edit_saves_and_audits(client_for, manager):
    contact = ContactFactory(last_name="Alt")
    response = client_for(manager).post(
        reverse("crm:contact_edit", args=[contact.pk]),
        {f"c{contact.pk}-last_name": "Neu"},
    )
    assert response.status_code == 302
    contact.refresh_from_db()
    assert contact.last_name == "Neu"
    assert AuditEntry.objects.for_object(contact).filter(action=AuditAction.UPDATE).exists()


def test_contact_delete_removes_and_audits(client_for, manager):
    contact = ContactFactory()
    pk = contact.pk
    client_for(manager).post(reverse("crm:contact_delete", args=[pk]), headers=HX)
    assert not Contact.objects.filter(pk=pk).exists()
    assert AuditEntry.objects.filter(action=AuditAction.DELETE, object_id=str(pk)).exists()


def test_activity_logged_in_place(client_for, manager):
    customer = CustomerFactory()
    contact = ContactFactory(customer=customer)
    response = client_for(manager).post(
        reverse("crm:activity_create", args=[customer.pk]),
        {
            "activity-type": "meeting",
            "activity-text": "Termin vor Ort",
            "activity-contact": contact.pk,
        },
        headers=HX,
    )
    assert response.status_code == 200
    assert "<html" not in response.text
    assert "Termin vor Ort" in response.text
    activity = Activity.objects.get()
    assert activity.employee == manager and activity.contact == contact


def test_activity_with_contact_of_other_customer_refused(client_for, manager):
    customer = CustomerFactory()
    foreign = ContactFactory()
    response = client_for(manager).post(
        reverse("crm:activity_create", args=[customer.pk]),
        {"activity-type": "call", "activity-text": "x", "activity-contact": foreign.pk},
        headers=HX,
    )
    assert response.status_code == 422
    assert not Activity.objects.exists()


def test_activity_text_required(client_for, manager):
    customer = CustomerFactory()
    response = client_for(manager).post(
        reverse("crm:activity_create", args=[customer.pk]),
        {"activity-type": "call", "activity-text": ""},
    )
    assert response.status_code == 422
    assert "<html" in response.text  # without htmx: the whole page with the errors
