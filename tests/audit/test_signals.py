"""The password hook: every password change is audited once, whichever path made it."""

from __future__ import annotations

import pytest
from django.contrib.auth.hashers import MD5PasswordHasher

from apps.audit.models import AuditAction, AuditEntry
from apps.employees import services
from tests.employees.factories import EmployeeFactory

pytestmark = pytest.mark.django_db


class UpgradedMD5PasswordHasher(MD5PasswordHasher):
    """A cheap "newer" hasher: makes check_password() upgrade an MD5 hash at sign-in."""

    algorithm = "upgraded_md5"


def _password_entries(employee):
    return AuditEntry.objects.for_object(employee).filter(
        action__in=[AuditAction.PASSWORD_CHANGE, AuditAction.PASSWORD_DISABLE]
    )


def test_password_set_and_saved_is_audited_once():
    employee = EmployeeFactory()
    employee.set_password("neues-Passwort-2026")
    employee.save()
    assert _password_entries(employee).get().action == AuditAction.PASSWORD_CHANGE
    employee.save()  # nothing new to record
    assert _password_entries(employee).count() == 1


def test_password_disabled_and_saved_is_audited():
    employee = EmployeeFactory()
    employee.set_unusable_password()
    employee.save(update_fields=["password"])
    assert _password_entries(employee).get().action == AuditAction.PASSWORD_DISABLE


def test_password_of_a_new_employee_is_not_a_change():
    employee = EmployeeFactory()
    assert not _password_entries(employee).exists()
    assert AuditEntry.objects.for_object(employee).get().action == AuditAction.CREATE


def test_saves_without_the_password_write_no_password_entry(admin):
    employee = EmployeeFactory()
    services.employee_update(actor=admin, employee=employee, position="Teamleitung")
    employee.set_password("neues-Passwort-2026")
    employee.save(update_fields=["position"])  # the new password is not stored yet
    assert not _password_entries(employee).exists()
    employee.save(update_fields=["password"])  # now it is
    assert _password_entries(employee).count() == 1


def test_hash_upgrade_at_sign_in_is_not_a_password_change(settings):
    employee = EmployeeFactory()
    old_hash = employee.password
    settings.PASSWORD_HASHERS = [
        f"{__name__}.UpgradedMD5PasswordHasher",
        "django.contrib.auth.hashers.MD5PasswordHasher",
    ]
    assert employee.check_password("correct horse battery")
    employee.refresh_from_db()
    assert employee.password != old_hash  # upgraded and saved
    assert not _password_entries(employee).exists()


def test_employee_set_password_names_its_actor(admin):
    employee = EmployeeFactory()
    services.employee_set_password(actor=admin, employee=employee, password="neu-Passwort-2026")
    entry = AuditEntry.objects.for_object(employee).exclude(action=AuditAction.CREATE).get()
    assert (entry.action, entry.actor) == (AuditAction.PASSWORD_CHANGE, admin)
    assert entry.changes == {} and entry.message == ""


def test_password_actions_have_german_labels():
    from django.utils import translation

    with translation.override("de"):
        assert str(AuditAction.PASSWORD_CHANGE.label) == "Passwort geändert"
        assert str(AuditAction.PASSWORD_DISABLE.label) == "Anmeldung mit Passwort deaktiviert"
