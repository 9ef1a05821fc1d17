from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

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
