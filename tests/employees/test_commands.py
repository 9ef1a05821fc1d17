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
