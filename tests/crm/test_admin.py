import pytest
from django.urls import reverse
from django.utils import timezone

from apps.audit.models import AuditAction, AuditEntry
from apps.crm import services
from apps.crm.models import Contact, Customer
from tests.admin_forms import admin_unchanged_post
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


# --- Contacts through the admin: audited one by one, as the app audits them ----------------------


def _unchanged_post(client, customer):  # type: ignore[no-untyped-def]
    """What the customer's admin page posts back when nothing is touched (form + contact inline)."""
    return admin_unchanged_post(client, reverse("admin:crm_customer_change", args=[customer.pk]))


def _contact_entries():  # type: ignore[no-untyped-def]
    from django.contrib.contenttypes.models import ContentType

    return AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Contact)
    ).order_by("seq")


def _post_change(client, customer, data):  # type: ignore[no-untyped-def]
    response = client.post(reverse("admin:crm_customer_change", args=[customer.pk]), data)
    assert response.status_code == 302, response.context and response.context["errors"]
    return response


def test_admin_unchanged_customer_save_writes_no_entries(client_for, admin):
    customer = CustomerFactory()
    ContactFactory(customer=customer, is_primary=True)
    ContactFactory(customer=customer)
    client = client_for(admin)
    before = AuditEntry.objects.count()
    _post_change(client, customer, _unchanged_post(client, customer))
    assert AuditEntry.objects.count() == before


def test_admin_contact_added_in_the_inline_is_audited_as_in_the_app(client_for, admin):
    customer = CustomerFactory()
    client = client_for(admin)
    data = _unchanged_post(client, customer)
    data.update(
        {
            "contacts-TOTAL_FORMS": "1",
            "contacts-0-customer": customer.pk,
            "contacts-0-first_name": "Nina",
            "contacts-0-last_name": "Neu",
            "contacts-0-email": "nina@example.com",
            "contacts-0-position": "Einkauf",
            "contacts-0-is_primary": "on",
        }
    )
    _post_change(client, customer, data)
    contact = Contact.objects.get(customer=customer)
    entry = _contact_entries().get()
    assert (entry.action, entry.actor, entry.object_id) == (
        AuditAction.CREATE,
        admin,
        str(contact.pk),
    )
    # The same entry the app's service writes for the same contact.
    reference = services.contact_create(
        actor=admin,
        customer=CustomerFactory(),
        first_name="Nina",
        last_name="Neu",
        email="nina@example.com",
        position="Einkauf",
        is_primary=True,
    )
    assert entry.changes == AuditEntry.objects.for_object(reference).get().changes
    assert entry.changes["last_name"] == {"old": None, "new": "Neu"}
    assert "neu" in Customer.objects.get(pk=customer.pk).search_text


def test_admin_contact_changed_in_the_inline_is_audited_with_old_and_new(client_for, admin):
    customer = CustomerFactory()
    contact = ContactFactory(customer=customer, position="Einkauf")
    other = ContactFactory(customer=customer)
    client = client_for(admin)
    data = _unchanged_post(client, customer)
    index = next(i for i in range(2) if data[f"contacts-{i}-id"] == contact.pk)
    data[f"contacts-{index}-position"] = "Geschäftsführung"
    before = _contact_entries().count()
    _post_change(client, customer, data)
    entry = _contact_entries()[before:].get()
    assert (entry.action, entry.actor, entry.object_id) == (
        AuditAction.UPDATE,
        admin,
        str(contact.pk),
    )
    assert entry.changes == {"position": {"old": "Einkauf", "new": "Geschäftsführung"}}
    assert not AuditEntry.objects.for_object(other).exclude(action=AuditAction.CREATE).exists()


def test_admin_contact_deleted_in_the_inline_is_audited(client_for, admin):
    customer = CustomerFactory()
    contact = ContactFactory(customer=customer, first_name="Greta", last_name="Geht")
    client = client_for(admin)
    data = _unchanged_post(client, customer)
    data["contacts-0-DELETE"] = "on"
    _post_change(client, customer, data)
    assert not Contact.objects.exists()
    entry = _contact_entries().get(action=AuditAction.DELETE)
    assert (entry.actor, entry.object_id, entry.object_repr) == (
        admin,
        str(contact.pk),
        "Greta Geht",
    )
    assert entry.changes == {"customer": {"old": customer.pk, "new": None}}
    assert "geht" not in Customer.objects.get(pk=customer.pk).search_text


def test_admin_moving_the_primary_flag_audits_both_contacts(client_for, admin):
    from apps.audit.services import audit_chain_verify

    customer = CustomerFactory()
    old = ContactFactory(customer=customer, last_name="Alt", is_primary=True)
    new = ContactFactory(customer=customer, last_name="Neu")
    client = client_for(admin)
    data = _unchanged_post(client, customer)
    for index in range(2):
        if data[f"contacts-{index}-id"] == old.pk:
            del data[f"contacts-{index}-is_primary"]
        else:
            data[f"contacts-{index}-is_primary"] = "on"
    before = _contact_entries().count()
    _post_change(client, customer, data)
    given_up, taken = _contact_entries()[before:]
    assert (given_up.object_id, given_up.changes) == (
        str(old.pk),
        {"is_primary": {"old": True, "new": False}},
    )
    assert (taken.object_id, taken.changes) == (
        str(new.pk),
        {"is_primary": {"old": False, "new": True}},
    )
    assert {given_up.actor, taken.actor} == {admin}
    assert audit_chain_verify()[1] is None


def test_contact_admin_change_and_delete_are_audited(client_for, admin):
    contact = ContactFactory(position="Einkauf")
    client = client_for(admin)
    url = reverse("admin:crm_contact_change", args=[contact.pk])
    form = client.get(url).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value not in (None, False)}
    data["position"] = "Vertrieb"
    assert client.post(url, data).status_code == 302
    change = AuditEntry.objects.for_object(contact).get(action=AuditAction.UPDATE)
    assert (change.actor, change.changes) == (
        admin,
        {"position": {"old": "Einkauf", "new": "Vertrieb"}},
    )
    response = client.post(reverse("admin:crm_contact_delete", args=[contact.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert AuditEntry.objects.for_object(contact).get(action=AuditAction.DELETE).actor == admin


def test_customer_admin_bulk_delete_is_audited_per_customer(client_for, admin):
    one, two = CustomerFactory(), CustomerFactory()
    response = client_for(admin).post(
        reverse("admin:crm_customer_changelist"),
        {"action": "delete_selected", "_selected_action": [one.pk, two.pk], "post": "yes"},
    )
    assert response.status_code == 302
    assert not Customer.objects.exists()
    deleted = AuditEntry.objects.filter(action=AuditAction.DELETE, actor=admin)
    assert set(deleted.values_list("object_id", flat=True)) == {str(one.pk), str(two.pk)}


def test_contact_admin_making_a_contact_primary_moves_the_flag_audited(client_for, admin):
    customer = CustomerFactory()
    old = ContactFactory(customer=customer, is_primary=True)
    new = ContactFactory(customer=customer)
    client = client_for(admin)
    url = reverse("admin:crm_contact_change", args=[new.pk])
    form = client.get(url).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value not in (None, False)}
    data["is_primary"] = "on"
    assert client.post(url, data).status_code == 302
    assert Contact.objects.get(customer=customer, is_primary=True) == new
    for contact, flag in ((old, False), (new, True)):
        entry = AuditEntry.objects.for_object(contact).get(action=AuditAction.UPDATE)
        assert (entry.actor, entry.changes["is_primary"]["new"]) == (admin, flag)


# --- Activities through the admin: the services' entries ------------------------------------------


def _activity_post(customer, **values):  # type: ignore[no-untyped-def]
    data = {
        "customer": customer.pk,
        "type": "call",
        "text": "Rückruf wegen Angebot",
        "occurred_at_0": "2026-03-02",
        "occurred_at_1": "09:30:00",
    }
    data.update(values)
    return data


def test_activity_admin_add_is_logged_as_in_the_app(client_for, admin):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from apps.crm.models import Activity

    customer = CustomerFactory()
    response = client_for(admin).post(reverse("admin:crm_activity_add"), _activity_post(customer))
    assert response.status_code == 302, response.context and response.context["errors"]
    activity = Activity.objects.get()
    assert (activity.employee, activity.customer) == (admin, customer)
    entry = AuditEntry.objects.for_object(activity).get()
    assert (entry.action, entry.actor) == (AuditAction.CREATE, admin)
    reference = services.activity_log(
        actor=admin,
        customer=customer,
        type="call",
        text="Rückruf wegen Angebot",
        occurred_at=datetime(2026, 3, 2, 9, 30, tzinfo=ZoneInfo("Europe/Berlin")),
    )
    assert entry.changes == AuditEntry.objects.for_object(reference).get().changes


def test_activity_admin_refuses_a_contact_of_another_customer(client_for, admin):
    from apps.crm.models import Activity

    customer = CustomerFactory()
    stranger = ContactFactory()
    response = client_for(admin).post(
        reverse("admin:crm_activity_add"), _activity_post(customer, contact=stranger.pk)
    )
    assert response.status_code == 200  # the form again
    assert "contact" in response.context["adminform"].form.errors
    assert not Activity.objects.exists()


def test_activity_admin_change_is_audited_with_old_and_new(client_for, admin, member):
    customer = CustomerFactory()
    contact = ContactFactory(customer=customer)
    activity = services.activity_log(actor=member, customer=customer, type="note", text="Alt")
    client = client_for(admin)
    url = reverse("admin:crm_activity_change", args=[activity.pk])
    local = timezone.localtime(activity.occurred_at)
    data = {
        "type": "meeting",
        "text": "Neu",
        "contact": contact.pk,
        "occurred_at_0": local.strftime("%Y-%m-%d"),
        "occurred_at_1": local.strftime("%H:%M:%S"),
    }
    response = client.post(url, data)
    assert response.status_code == 302, response.context and response.context["errors"]
    entry = AuditEntry.objects.for_object(activity).get(action=AuditAction.UPDATE)
    assert entry.actor == admin
    assert entry.changes == {
        "type": {"old": "note", "new": "meeting"},
        "text": {"old": "Alt", "new": "Neu"},
        "contact": {"old": None, "new": contact.pk},
    }
    activity.refresh_from_db()
    assert (activity.employee, activity.customer) == (member, customer)  # unchanged


def test_activity_admin_delete_and_bulk_delete_are_audited_as_the_service_does(client_for, admin):
    from apps.audit.services import audit_chain_verify
    from apps.crm.models import Activity

    customer = CustomerFactory()
    values = {"customer": customer, "type": "email", "text": "Angebot geschickt"}
    one, two, three, reference = (
        services.activity_log(actor=admin, occurred_at=_activity_time(), **values) for _ in range(4)
    )
    client = client_for(admin)
    response = client.post(reverse("admin:crm_activity_delete", args=[one.pk]), {"post": "yes"})
    assert response.status_code == 302
    response = client.post(
        reverse("admin:crm_activity_changelist"),
        {"action": "delete_selected", "_selected_action": [two.pk, three.pk], "post": "yes"},
    )
    assert response.status_code == 302
    reference_id = str(reference.pk)
    services.activity_delete(actor=admin, activity=reference)
    assert not Activity.objects.exists()
    expected = AuditEntry.objects.get(action=AuditAction.DELETE, object_id=reference_id).changes
    assert expected["text"] == {"old": "Angebot geschickt", "new": None}
    assert expected["customer"] == {"old": customer.pk, "new": None}
    for activity in (one, two, three):
        entry = AuditEntry.objects.for_object(activity).get(action=AuditAction.DELETE)
        assert (entry.actor, entry.changes) == (admin, expected)
    assert audit_chain_verify()[1] is None


def _activity_time():  # type: ignore[no-untyped-def]
    from datetime import datetime
    from zoneinfo import ZoneInfo

    return datetime(2026, 3, 2, 9, 30, tzinfo=ZoneInfo("Europe/Berlin"))


def test_customer_admin_delete_audits_the_cascaded_contacts_and_activities(client_for, admin):
    from apps.audit.services import audit_chain_verify
    from apps.crm.models import Activity

    customer = CustomerFactory()
    contacts = [ContactFactory(customer=customer, last_name=name) for name in ("Alt", "Neu")]
    activities = [
        services.activity_log(actor=admin, customer=customer, type="note", text=f"Notiz {n}")
        for n in range(3)
    ]
    response = client_for(admin).post(
        reverse("admin:crm_customer_delete", args=[customer.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    assert not Customer.objects.exists()
    assert not Activity.objects.exists()
    deleted = AuditEntry.objects.filter(action=AuditAction.DELETE, actor=admin)
    assert sorted(deleted.values_list("content_type__model", "object_id")) == sorted(
        [
            ("customer", str(customer.pk)),
            *(("contact", str(c.pk)) for c in contacts),
            *(("activity", str(a.pk)) for a in activities),
        ]
    )
    assert audit_chain_verify()[1] is None
