from io import StringIO

import pytest
from django.core.management import call_command

from apps.audit.models import AuditAction, AuditEntry
from apps.employees.models import Employee

pytestmark = pytest.mark.django_db


def test_createsuperuser_creates_an_audited_superuser_with_a_code(monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "ein-sehr-gutes-Passwort-2026")
    call_command(
        "createsuperuser",
        interactive=False,
        email="Chefin@Example.com",
        first_name="Clara",
        last_name="Chefin",
        stdout=StringIO(),
    )
    boss = Employee.objects.get(email="chefin@example.com")
    assert boss.is_superuser and boss.is_staff
    assert boss.code.startswith("KIT-")
    assert boss.check_password("ein-sehr-gutes-Passwort-2026")
    assert boss.has_perm("invoices.issue_invoice")
    assert AuditEntry.objects.for_object(boss).filter(action=AuditAction.CREATE).exists()


def test_createsuperuser_keeps_the_password_out_of_the_audit_log(monkeypatch):
    import json

    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "ein-sehr-gutes-Passwort-2026")
    call_command(
        "createsuperuser",
        interactive=False,
        email="chefin@example.com",
        first_name="Clara",
        last_name="Chefin",
        stdout=StringIO(),
    )
    boss = Employee.objects.get(email="chefin@example.com")
    # The first password is part of the (audited) creation: one entry, without the secret.
    entry = AuditEntry.objects.for_object(boss).get()
    assert entry.action == AuditAction.CREATE
    dumped = json.dumps([entry.changes, entry.message])
    assert "ein-sehr-gutes-Passwort-2026" not in dumped
    assert boss.password not in dumped
    assert "password" not in entry.changes


def test_changepassword_is_audited_without_an_actor_and_without_the_password(monkeypatch):
    import json

    from apps.audit.services import audit_chain_verify
    from tests.employees.factories import EmployeeFactory

    employee = EmployeeFactory(email="erika@example.com")
    monkeypatch.setattr(
        "django.contrib.auth.management.commands.changepassword.getpass.getpass",
        lambda prompt="": "anderes-Passwort-2026",
    )
    call_command("changepassword", "erika@example.com", stdout=StringIO())
    employee.refresh_from_db()
    assert employee.check_password("anderes-Passwort-2026")
    entry = AuditEntry.objects.for_object(employee).get(action=AuditAction.PASSWORD_CHANGE)
    assert entry.actor is None and entry.actor_repr == ""  # shown as "System"
    dumped = json.dumps([entry.changes, entry.message, entry.object_repr])
    assert "anderes-Passwort-2026" not in dumped
    assert employee.password not in dumped
    assert audit_chain_verify()[1] is None
