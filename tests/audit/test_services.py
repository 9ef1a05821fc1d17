from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse

from apps.audit.models import AuditAction, AuditEntry
from apps.audit.services import (
    GENESIS_HASH,
    audit_chain_verify,
    audit_deleted,
    audit_record,
    audit_record_many,
)
from apps.employees import services
from apps.employees.models import Employee
from tests.employees.factories import DepartmentFactory, EmployeeFactory

pytestmark = pytest.mark.django_db


def _entries(obj, action):
    return AuditEntry.objects.for_object(obj).filter(action=action)


def test_employee_create_is_audited_with_the_new_values(admin):
    employee = services.employee_create(
        actor=admin, email="Neu@Example.com", first_name="Nora", last_name="Neu"
    )
    entry = _entries(employee, AuditAction.CREATE).get()
    assert entry.actor == admin
    assert entry.changes["email"] == {"old": None, "new": "neu@example.com"}
    assert entry.changes["code"]["new"] == employee.code


def test_employee_update_records_old_and_new_values(admin):
    employee = EmployeeFactory(position="Entwickler")
    department = DepartmentFactory()
    services.employee_update(
        actor=admin, employee=employee, position="Teamleiter", department=department
    )
    entry = _entries(employee, AuditAction.UPDATE).get()
    assert entry.changes == {
        "position": {"old": "Entwickler", "new": "Teamleiter"},
        "department": {"old": None, "new": department.pk},
    }
    assert entry.actor == admin


def test_employee_update_without_change_writes_nothing(admin):
    employee = EmployeeFactory(position="Entwickler")
    count = AuditEntry.objects.count()
    services.employee_update(actor=admin, employee=employee, position="Entwickler")
    assert AuditEntry.objects.count() == count


def test_employee_deactivate_is_audited_as_status_change(admin):
    employee = EmployeeFactory()
    services.employee_deactivate(actor=admin, employee=employee)
    entry = _entries(employee, AuditAction.STATUS).get()
    assert entry.changes == {"status": {"old": "active", "new": "inactive"}}
    assert not Employee.objects.get(pk=employee.pk).is_active


def test_login_and_logout_are_audited_with_ip(client):
    employee = EmployeeFactory(password="richtig-geheim-123")
    client.post(
        reverse("login"),
        {"username": employee.email, "password": "richtig-geheim-123"},
        REMOTE_ADDR="203.0.113.7",
    )
    login = _entries(employee, AuditAction.LOGIN).get()
    assert login.actor == employee
    assert login.ip == "203.0.113.7"
    client.post(reverse("logout"))
    assert _entries(employee, AuditAction.LOGOUT).get().actor == employee


def test_failed_login_is_audited_without_the_password(client):
    employee = EmployeeFactory(password="richtig-geheim-123")
    client.post(reverse("login"), {"username": employee.email, "password": "falsch-123456"})
    entry = AuditEntry.objects.filter(action=AuditAction.LOGIN_FAILED).get()
    assert entry.object_repr == employee.email
    assert entry.actor is None
    assert "falsch-123456" not in str(entry.changes) + entry.message


def test_failed_login_for_unknown_address_is_audited(client):
    client.post(reverse("login"), {"username": "niemand@example.com", "password": "x" * 12})
    entry = AuditEntry.objects.filter(action=AuditAction.LOGIN_FAILED).get()
    assert entry.object_repr == "niemand@example.com"
    assert entry.content_type is None


def test_entries_are_chained():
    first = audit_record(action=AuditAction.EXPORT, actor=None, message="eins")
    second = audit_record(action=AuditAction.EXPORT, actor=None, message="zwei")
    assert second.prev_hash == first.hash
    assert second.seq == first.seq + 1
    assert AuditEntry.objects.order_by("seq").first().prev_hash == GENESIS_HASH


def test_verify_audit_log_passes_on_an_untouched_log():
    EmployeeFactory()
    audit_record(action=AuditAction.EXPORT, actor=None, message="Export")
    out = StringIO()
    call_command("verify_audit_log", stdout=out)
    assert "intact" in out.getvalue()
    assert audit_chain_verify()[1] is None


def test_verify_audit_log_names_the_entry_altered_in_the_database():
    for index in range(5):
        audit_record(action=AuditAction.EXPORT, actor=None, message=f"Export {index}")
    victim = AuditEntry.objects.order_by("seq")[2]
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE audit_auditentry SET message = %s WHERE id = %s", ["harmlos", victim.pk]
        )
    with pytest.raises(CommandError, match=rf"entry #{victim.seq}\b.*altered"):
        call_command("verify_audit_log", stdout=StringIO())


def test_verify_audit_log_names_a_deleted_entry():
    for index in range(4):
        audit_record(action=AuditAction.EXPORT, actor=None, message=f"Export {index}")
    victim = AuditEntry.objects.order_by("seq")[1]
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditentry WHERE id = %s", [victim.pk])
    with pytest.raises(CommandError, match=rf"entry #{victim.seq}\b.*deleted"):
        call_command("verify_audit_log", stdout=StringIO())


def test_audit_record_many_continues_the_chain_in_order(admin):
    first = audit_record(action=AuditAction.EXPORT, actor=None, message="davor")
    one, two = EmployeeFactory(), EmployeeFactory()
    batch = audit_record_many(
        action=AuditAction.EXPORT,
        records=[(one, {"x": {"old": 1, "new": None}}), (two, {})],
        actor=admin,
    )
    last = audit_record(action=AuditAction.EXPORT, actor=None, message="danach")
    stored = list(AuditEntry.objects.filter(seq__gte=batch[0].seq).order_by("seq"))
    assert [e.object_id for e in stored[:2]] == [str(one.pk), str(two.pk)]
    assert [e.seq for e in stored] == [batch[0].seq, batch[0].seq + 1, last.seq]
    assert stored[1].prev_hash == stored[0].hash
    assert last.prev_hash == stored[1].hash
    assert batch[0].seq > first.seq
    assert {e.actor for e in stored[:2]} == {admin}
    assert stored[0].changes == {"x": {"old": 1, "new": None}}
    assert audit_chain_verify() == (AuditEntry.objects.count(), None)


def test_audit_record_many_with_nothing_writes_nothing():
    before = AuditEntry.objects.count()
    assert audit_record_many(action=AuditAction.EXPORT, records=[]) == []
    assert AuditEntry.objects.count() == before


def test_audit_deleted_keeps_the_non_empty_values_as_old():
    employee = EmployeeFactory(first_name="Erika", last_name="Muster")
    (entry,) = audit_deleted(records=[(employee, ["first_name", "last_name", "phone"])], actor=None)
    assert entry.action == AuditAction.DELETE
    assert entry.changes == {
        "first_name": {"old": "Erika", "new": None},
        "last_name": {"old": "Muster", "new": None},
    }
