from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from apps.audit.models import AuditAction, AuditEntry
from apps.crm import services
from apps.crm.models import Contact, Customer
from apps.crm.registry import CustomerRevenue, register_revenue_source, revenue_sources
from apps.crm.selectors import customer_revenue, customer_timeline, pipeline_board
from tests.crm.factories import ContactFactory, CustomerFactory
from tests.projects.factories import ProjectFactory

pytestmark = pytest.mark.django_db


def test_customer_numbers_are_consecutive():
    first, second = CustomerFactory(), CustomerFactory()
    assert (first.number, second.number) == ("KD-00001", "KD-00002")


def test_customer_create_rejects_invalid_vat_id_and_keeps_number():
    with pytest.raises(ValidationError):
        services.customer_create(actor=None, name="X", vat_id="DE000")
    assert CustomerFactory().number == "KD-00001"


def test_contact_create_primary_replaces_primary():
    customer = CustomerFactory()
    first = ContactFactory(customer=customer, is_primary=True)
    second = ContactFactory(customer=customer, is_primary=True)
    first.refresh_from_db()
    assert second.is_primary and not first.is_primary


def test_contact_update_to_primary_clears_other():
    customer = CustomerFactory()
    first = ContactFactory(customer=customer, is_primary=True)
    second = ContactFactory(customer=customer)
    services.contact_update(actor=None, contact=second, is_primary=True)
    assert Contact.objects.filter(customer=customer, is_primary=True).get() == second
    first.refresh_from_db()
    assert not first.is_primary


def test_contact_make_primary_audits_the_contact_that_gives_the_flag_up(admin):
    customer = CustomerFactory()
    first = ContactFactory(customer=customer, is_primary=True)
    second = ContactFactory(customer=customer)
    services.contact_make_primary(actor=admin, contact=second)
    given_up = AuditEntry.objects.for_object(first).get(action=AuditAction.UPDATE)
    taken = AuditEntry.objects.for_object(second).get(action=AuditAction.UPDATE)
    assert given_up.changes == {"is_primary": {"old": True, "new": False}}
    assert taken.changes == {"is_primary": {"old": False, "new": True}}
    assert given_up.actor == taken.actor == admin
    assert given_up.seq < taken.seq


def test_customer_move_stage_audited():
    customer = CustomerFactory(stage="new_lead")
    services.customer_move_stage(actor=None, customer=customer, stage="proposal")
    assert AuditEntry.objects.for_object(customer).filter(action=AuditAction.STATUS).exists()


def test_customer_move_stage_unknown_refused():
    customer = CustomerFactory()
    with pytest.raises(ValidationError):
        services.customer_move_stage(actor=None, customer=customer, stage="nirvana")


def test_customer_delete_refused_with_projects():
    project = ProjectFactory()
    with pytest.raises(services.CustomerInUse):
        services.customer_delete(actor=None, customer=project.customer)
    assert Customer.objects.filter(pk=project.customer_id).exists()


def test_customer_revenue_none_until_a_source_answers():
    customer = CustomerFactory()
    assert customer_revenue(customer) is None
    from decimal import Decimal

    def source(c):  # type: ignore[no-untyped-def]
        return CustomerRevenue(revenue=Decimal("100.00"), outstanding=Decimal("19.00"))

    register_revenue_source(source)
    try:
        assert customer_revenue(customer).revenue == Decimal("100.00")
    finally:
        from apps.crm import registry

        registry._revenue_sources.remove(source)
    assert source not in revenue_sources()


def test_customer_timeline_merges_sources_newest_first(admin):
    customer = CustomerFactory()
    ContactFactory(customer=customer)
    services.activity_log(actor=admin, customer=customer, type="note", text="Notiz")
    ProjectFactory(customer=customer)
    events = customer_timeline(customer, admin)
    kinds = {event.kind.split()[0] for event in events}
    assert {"activity", "audit", "project"} <= kinds
    assert [e.when for e in events] == sorted((e.when for e in events), reverse=True)


def test_pipeline_board_counts_and_limits():
    for index in range(6):
        CustomerFactory(stage=Customer.Stage.values[index % 2])
    columns = pipeline_board(Customer.objects.all())
    assert [c["count"] for c in columns][:2] == [3, 3]
    assert len(columns) == len(Customer.Stage.values)


def test_activity_update_refuses_a_contact_of_another_customer_and_changes_nothing(admin):
    customer = CustomerFactory()
    activity = services.activity_log(actor=admin, customer=customer, type="note", text="Notiz")
    with pytest.raises(ValidationError) as error:
        services.activity_update(actor=admin, activity=activity, contact=ContactFactory())
    assert "contact" in error.value.message_dict
    activity.refresh_from_db()
    assert activity.contact is None
    assert not AuditEntry.objects.for_object(activity).filter(action=AuditAction.UPDATE).exists()


def test_activity_update_refuses_fields_it_does_not_change(admin):
    activity = services.activity_log(actor=admin, customer=CustomerFactory(), type="note", text="x")
    with pytest.raises(TypeError):
        services.activity_update(actor=admin, activity=activity, customer=CustomerFactory())


def test_activity_update_without_a_change_writes_no_entry(admin):
    activity = services.activity_log(actor=admin, customer=CustomerFactory(), type="note", text="x")
    services.activity_update(actor=admin, activity=activity, text="x")
    assert AuditEntry.objects.for_object(activity).count() == 1  # the creation


def test_activity_delete_keeps_what_it_said_in_the_entry(admin):
    from apps.crm.models import Activity

    customer = CustomerFactory()
    activity = services.activity_log(actor=admin, customer=customer, type="call", text="Anruf")
    pk = str(activity.pk)
    services.activity_delete(actor=admin, activity=activity)
    assert not Activity.objects.exists()
    entry = AuditEntry.objects.get(action=AuditAction.DELETE, object_id=pk)
    assert entry.actor == admin
    assert entry.changes["text"] == {"old": "Anruf", "new": None}
    assert entry.changes["customer"] == {"old": customer.pk, "new": None}
    assert entry.changes["employee"] == {"old": admin.pk, "new": None}


# --- customer_delete: the cascaded records are audited -------------------------------------------


def _customer_with_contacts_and_activities(admin):  # type: ignore[no-untyped-def]
    customer = CustomerFactory(name="Weg GmbH")
    first = ContactFactory(customer=customer, first_name="Greta", last_name="Geht")
    second = ContactFactory(customer=customer, first_name="Karl", last_name="Kommt")
    activities = [
        services.activity_log(actor=admin, customer=customer, type="call", text=f"Anruf {n}")
        for n in range(2)
    ]
    activities.append(
        services.activity_log(
            actor=admin, customer=customer, type="meeting", text="Termin", contact=first
        )
    )
    return customer, [first, second], activities


def test_customer_delete_audits_each_cascaded_contact_and_activity(admin):
    from apps.audit.services import audit_chain_verify
    from apps.crm.models import Activity

    customer, contacts, activities = _customer_with_contacts_and_activities(admin)
    last_seq = AuditEntry.objects.order_by("-seq").values_list("seq", flat=True).first()
    services.customer_delete(actor=admin, customer=customer)
    assert not Contact.objects.exists()
    assert not Activity.objects.exists()
    entries = list(AuditEntry.objects.filter(seq__gt=last_seq).order_by("seq"))
    assert {e.action for e in entries} == {AuditAction.DELETE}
    assert {e.actor for e in entries} == {admin}
    assert [(e.content_type.model, e.object_id) for e in entries] == [
        ("customer", str(customer.pk)),
        *(("contact", str(c.pk)) for c in contacts),
        *(("activity", str(a.pk)) for a in activities),
    ]
    customer_entry, greta, _karl, _call, _call2, meeting = entries
    assert customer_entry.changes["name"] == {"old": "Weg GmbH", "new": None}
    assert greta.object_repr == "Greta Geht"
    assert greta.changes == {"customer": {"old": customer.pk, "new": None}}
    assert meeting.changes == {
        "customer": {"old": customer.pk, "new": None},
        "employee": {"old": admin.pk, "new": None},
        "type": {"old": "meeting", "new": None},
        "text": {"old": "Termin", "new": None},
        "occurred_at": meeting.changes["occurred_at"],
        "contact": {"old": contacts[0].pk, "new": None},
    }
    assert meeting.changes["occurred_at"]["old"] is not None
    assert audit_chain_verify()[1] is None


def test_customer_delete_writes_the_entries_the_single_deletes_write(admin):
    """A cascaded contact's and activity's entries are those contact_delete/activity_delete write."""
    when = timezone.now()

    def delete_entries(cascade):  # type: ignore[no-untyped-def]
        customer = CustomerFactory(name="Weg GmbH")
        contact = ContactFactory(customer=customer, first_name="Greta", last_name="Geht")
        activity = services.activity_log(
            actor=admin, customer=customer, type="call", text="Anruf", occurred_at=when
        )
        services.activity_update(actor=admin, activity=activity, contact=contact)
        targets = [(Contact, contact.pk), (type(activity), activity.pk)]
        ids = {"customer": customer.pk, "contact": contact.pk}  # delete() forgets the pk
        if cascade:
            services.customer_delete(actor=admin, customer=customer)
        else:
            services.activity_delete(actor=admin, activity=activity)
            services.contact_delete(actor=admin, contact=contact)
        return [
            (
                entry.action,
                entry.content_type_id,
                entry.object_repr,
                {k: v["old"] == ids[k] if k in ids else v for k, v in entry.changes.items()},
            )
            for entry in (
                AuditEntry.objects.for_object(model(pk=pk)).get(action=AuditAction.DELETE)
                for model, pk in targets
            )
        ]

    assert delete_entries(cascade=True) == delete_entries(cascade=False)


def test_customer_delete_in_use_writes_nothing_and_deletes_nothing(admin):
    customer, _contacts, _activities = _customer_with_contacts_and_activities(admin)
    ProjectFactory(customer=customer)
    before = AuditEntry.objects.count()
    with pytest.raises(services.CustomerInUse):
        services.customer_delete(actor=admin, customer=customer)
    assert AuditEntry.objects.count() == before
    assert Contact.objects.filter(customer=customer).count() == 2
    assert customer.activities.count() == 3


def test_customer_delete_with_booked_time_is_refused_and_rolled_back(admin):
    """Time booked on the customer without a project (PROTECT) fails after the entries are
    written: they go with the rolled-back transaction."""
    from apps.audit.services import audit_chain_verify
    from tests.timetracking.factories import make_entry, today

    customer, _contacts, _activities = _customer_with_contacts_and_activities(admin)
    make_entry(admin, today(), "08:00", "09:00", customer=customer)
    before = AuditEntry.objects.count()
    with pytest.raises(services.CustomerInUse):
        services.customer_delete(actor=admin, customer=customer)
    assert AuditEntry.objects.count() == before
    assert Customer.objects.filter(pk=customer.pk).exists()
    assert Contact.objects.filter(customer=customer).count() == 2
    services.customer_update(actor=admin, customer=customer, city="Köln")  # the chain goes on
    assert audit_chain_verify()[1] is None


def test_customer_delete_keeps_documents_and_reminders_linked(admin):
    """Attachments are kept (KeptGenericRelation), not deleted: nothing to audit for them."""
    from apps.documents.models import DocumentLink
    from apps.reminders.models import Reminder
    from tests.documents.factories import make_document
    from tests.reminders.factories import make_reminder

    customer, _contacts, _activities = _customer_with_contacts_and_activities(admin)
    document = make_document(owner=admin, target=customer)
    make_reminder(owner=admin, target=customer, title="Nachfassen")
    services.customer_delete(actor=admin, customer=customer)
    link = DocumentLink.objects.get(document=document)
    assert (link.object_id, link.target_repr) == (customer.pk, "Kunde: Weg GmbH")
    assert Reminder.objects.get(title="Nachfassen").object_id == customer.pk


def test_customer_delete_queries_do_not_grow_with_the_activities(admin):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries_to_delete(activity_count):  # type: ignore[no-untyped-def]
        customer = CustomerFactory()
        for n in range(2):
            ContactFactory(customer=customer, last_name=f"K{n}")
        for n in range(activity_count):
            services.activity_log(actor=admin, customer=customer, type="note", text=f"{n}")
        with CaptureQueriesContext(connection) as queries:
            services.customer_delete(actor=admin, customer=customer)
        return len(queries)

    few, many = queries_to_delete(3), queries_to_delete(300)
    assert many == few
    assert AuditEntry.objects.filter(action=AuditAction.DELETE).count() == 2 * (1 + 2) + 303
