"""The Django admin as the admin panel: what a role shows there, and what it may do."""

from __future__ import annotations

import pytest
from django.urls import reverse

from apps.audit.models import AuditAction, AuditEntry
from apps.audit.services import audit_record
from apps.employees.models import Employee, Role
from tests.employees.factories import EmployeeFactory, RoleFactory, role_named

pytestmark = pytest.mark.django_db


def _app_labels(response) -> set[str]:
    return {app["app_label"] for app in response.context["app_list"]}


@pytest.fixture
def crm_in_admin():
    """The CRM's own admin module may not be registered yet on this branch: make sure it is."""
    from django.contrib import admin

    from apps.crm.models import Customer

    registered = Customer in admin.site._registry
    if registered:
        yield
        return
    admin.site.register(Customer)
    _reload_urls()
    yield
    admin.site.unregister(Customer)
    _reload_urls()


def _reload_urls() -> None:
    """The admin's URL patterns are built when workmate.urls is imported."""
    import importlib

    from django.urls import clear_url_caches

    import workmate.urls

    importlib.reload(workmate.urls)
    clear_url_caches()


def test_admin_index_shows_only_the_modules_the_role_grants(client_for, crm_in_admin):
    crm_staff = EmployeeFactory(role=RoleFactory(permissions=["crm.*"]), is_staff=True)
    response = client_for(crm_staff).get(reverse("admin:index"))
    assert response.status_code == 200
    assert _app_labels(response) == {"crm"}


def test_admin_index_shows_everything_to_the_admin_role(client_for, admin, crm_in_admin):
    labels = _app_labels(client_for(admin).get(reverse("admin:index")))
    assert {"employees", "audit", "company", "crm"} <= labels


def test_admin_crm_staff_cannot_open_the_employee_admin(client_for):
    crm_staff = EmployeeFactory(role=RoleFactory(permissions=["crm.*"]), is_staff=True)
    response = client_for(crm_staff).get(reverse("admin:employees_employee_changelist"))
    assert response.status_code == 403


def test_admin_is_closed_to_employees_without_staff_flag(client_for, member):
    client = client_for(member)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
    assert client.get(response["Location"]).status_code == 403


def test_admin_login_sends_visitors_to_the_one_sign_in_page(client):
    response = client.get(reverse("admin:login"), {"next": "/admin/employees/"})
    assert response.status_code == 302
    assert response["Location"] == reverse("login") + "?next=/admin/employees/"


def test_admin_login_ignores_foreign_next(client):
    response = client.get(reverse("admin:login"), {"next": "https://evil.example/"})
    assert response["Location"] == reverse("login") + "?next=/admin/"


def test_role_admin_refuses_unknown_patterns(client_for, admin):
    response = client_for(admin).post(
        reverse("admin:employees_role_add"),
        {"name": "Phantasie", "priority": 1, "permissions": "crm.*\nmade.up_permission\nnope.*"},
    )
    assert response.status_code == 200
    assert not Role.objects.filter(name="Phantasie").exists()
    errors = str(response.context["adminform"].form.errors)
    assert "made.up_permission" in errors
    assert "nope" in errors


def test_role_admin_saves_valid_patterns_and_audits(client_for, admin):
    response = client_for(admin).post(
        reverse("admin:employees_role_add"),
        {"name": "Vertrieb", "priority": 5, "permissions": "crm.*\nemployees.view_*"},
    )
    assert response.status_code == 302
    role = Role.objects.get(name="Vertrieb")
    assert role.permissions == ["crm.*", "employees.view_*"]
    assert AuditEntry.objects.for_object(role).filter(action=AuditAction.CREATE).exists()


def test_role_admin_shows_the_granted_modules(client_for, admin):
    role = RoleFactory(permissions=["crm.*", "employees.view_*"])
    response = client_for(admin).get(reverse("admin:employees_role_change", args=[role.pk]))
    assert "CRM, Mitarbeitende" in response.text


def test_admin_deactivate_action_deactivates_and_audits(client_for, admin):
    one, two = EmployeeFactory(), EmployeeFactory()
    response = client_for(admin).post(
        reverse("admin:employees_employee_changelist"),
        {"action": "deactivate_employees", "_selected_action": [one.pk, two.pk, admin.pk]},
    )
    assert response.status_code == 302
    assert set(Employee.objects.filter(status="inactive").values_list("pk", flat=True)) == {
        one.pk,
        two.pk,
    }
    for employee in (one, two):
        entry = AuditEntry.objects.for_object(employee).get(action=AuditAction.STATUS)
        assert entry.actor == admin


def test_admin_cannot_delete_employees(client_for, admin):
    employee = EmployeeFactory()
    response = client_for(admin).get(reverse("admin:employees_employee_delete", args=[employee.pk]))
    assert response.status_code == 403


def test_admin_employee_change_goes_through_the_service(client_for, admin):
    employee = EmployeeFactory(position="Entwickler", role=role_named("Mitarbeiter"))
    url = reverse("admin:employees_employee_change", args=[employee.pk])
    client = client_for(admin)
    form = client.get(url).context["adminform"].form
    data = {
        name: value
        for name, value in form.initial.items()
        if value is not None and name not in {"password", "last_login"}
    }
    data.update(position="Teamleiter", role=employee.role_id)
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    employee.refresh_from_db()
    assert employee.position == "Teamleiter"
    entry = AuditEntry.objects.for_object(employee).get(action=AuditAction.UPDATE)
    assert entry.changes["position"] == {"old": "Entwickler", "new": "Teamleiter"}


def test_admin_creates_employee_with_the_next_code(client_for, admin):
    response = client_for(admin).post(
        reverse("admin:employees_employee_add"),
        {
            "email": "neu@example.com",
            "first_name": "Nora",
            "last_name": "Neu",
            "password1": "ein-sehr-gutes-Passwort-2026",
            "password2": "ein-sehr-gutes-Passwort-2026",
            "usable_password": "true",
        },
    )
    assert response.status_code == 302
    employee = Employee.objects.get(email="neu@example.com")
    assert employee.code.startswith("KIT-")
    assert AuditEntry.objects.for_object(employee).filter(action=AuditAction.CREATE).exists()


def test_audit_entries_are_read_only_in_the_admin(client_for, admin):
    entry = audit_record(action=AuditAction.EXPORT, actor=None, message="Export")
    client = client_for(admin)
    assert client.get(reverse("admin:audit_auditentry_changelist")).status_code == 200
    assert client.get(reverse("admin:audit_auditentry_add")).status_code == 403
    assert client.get(reverse("admin:audit_auditentry_delete", args=[entry.pk])).status_code == 403
    change = client.get(reverse("admin:audit_auditentry_change", args=[entry.pk]))
    assert change.status_code == 200  # the view page, without a save button
    assert 'name="_save"' not in change.text
    client.post(reverse("admin:audit_auditentry_change", args=[entry.pk]), {"message": "neu"})
    entry.refresh_from_db()
    assert entry.message == "Export"


def test_company_settings_admin_validates_the_iban(client_for, admin):
    url = reverse("admin:company_companysettings_change", args=[1])
    client = client_for(admin)
    client.get(reverse("admin:company_companysettings_changelist"))
    form = client.get(url).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and k != "logo"}
    data["iban"] = "DE00 1234 5678 9012 3456 78"
    response = client.post(url, data)
    assert response.status_code == 200
    assert "iban" in response.context["adminform"].form.errors


def test_only_superusers_can_grant_superuser_rights(client_for, admin):
    colleague = EmployeeFactory()
    client = client_for(admin)  # Admin role and staff, but no superuser
    form = (
        client.get(reverse("admin:employees_employee_change", args=[colleague.pk]))
        .context["adminform"]
        .form
    )
    assert "is_superuser" not in form.fields


def test_superuser_grants_superuser_rights_through_the_service(client_for):
    boss = EmployeeFactory(is_superuser=True, is_staff=True)
    colleague = EmployeeFactory(role=role_named("Mitarbeiter"))
    url = reverse("admin:employees_employee_change", args=[colleague.pk])
    client = client_for(boss)
    form = client.get(url).context["adminform"].form
    data = {
        name: value
        for name, value in form.initial.items()
        if value is not None and name not in {"password", "last_login", "is_superuser"}
    }
    data.update(is_superuser="on", role=colleague.role_id)
    assert client.post(url, data).status_code == 302
    colleague.refresh_from_db()
    assert colleague.is_superuser
    entry = AuditEntry.objects.for_object(colleague).get(action=AuditAction.UPDATE)
    assert entry.changes["is_superuser"] == {"old": False, "new": True}


def test_deleting_a_role_in_the_admin_is_audited_and_keeps_its_employees(client_for, admin):
    role = RoleFactory(name="Alt", permissions=["crm.*"])
    holder = EmployeeFactory(role=role)
    response = client_for(admin).post(
        reverse("admin:employees_role_delete", args=[role.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    holder.refresh_from_db()
    assert holder.role is None
    entry = AuditEntry.objects.get(action=AuditAction.DELETE)
    assert entry.object_repr == "Alt"
    assert entry.changes["permissions"] == {"old": ["crm.*"], "new": None}


def test_deleting_a_department_in_the_admin_is_audited(client_for, admin):
    from tests.employees.factories import DepartmentFactory

    department = DepartmentFactory(name="Weg")
    response = client_for(admin).post(
        reverse("admin:employees_department_delete", args=[department.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    assert AuditEntry.objects.get(action=AuditAction.DELETE).object_repr == "Weg"


def test_company_settings_changes_in_the_admin_are_audited(client_for, admin):
    from apps.company.selectors import company_get

    url = reverse("admin:company_companysettings_change", args=[1])
    client = client_for(admin)
    client.get(reverse("admin:company_companysettings_changelist"))
    form = client.get(url).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and k != "logo"}
    data.update(name="Neue Firma", iban="DE64570501201234567890")
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    company = company_get()
    assert company.name == "Neue Firma"
    entry = AuditEntry.objects.for_object(company).get(action=AuditAction.UPDATE)
    assert entry.actor == admin
    assert entry.changes["name"]["new"] == "Neue Firma"
    assert entry.changes["iban"] == {"old": "", "new": "DE64570501201234567890"}


def _png() -> bytes:
    from io import BytesIO

    from PIL import Image

    buffer = BytesIO()
    Image.new("RGB", (2, 2), "navy").save(buffer, "PNG")
    return buffer.getvalue()


def test_company_logo_changes_in_the_admin_are_audited(client_for, admin):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from apps.audit.services import audit_chain_verify
    from apps.company.selectors import company_get

    url = reverse("admin:company_companysettings_change", args=[1])
    client = client_for(admin)
    client.get(reverse("admin:company_companysettings_changelist"))
    form = client.get(url).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and k != "logo"}
    logo = SimpleUploadedFile("logo.png", _png(), content_type="image/png")
    response = client.post(url, {**data, "logo": logo})
    assert response.status_code == 302, response.context["adminform"].form.errors
    company = company_get()
    assert company.logo.name.startswith("company/")
    added = AuditEntry.objects.for_object(company).get(action=AuditAction.UPDATE)
    assert (added.actor, added.changes) == (
        admin,
        {"logo": {"old": None, "new": company.logo.name}},
    )
    response = client.post(url, {**data, "logo-clear": "on"})
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert not company_get().logo
    removed = AuditEntry.objects.for_object(company).order_by("seq").last()
    assert removed.changes == {"logo": {"old": company.logo.name, "new": None}}
    assert audit_chain_verify()[1] is None


NEW_PASSWORD = "neues-Passwort-fuer-2026"


def _password_material_in_audit_log(*secrets: str) -> list[str]:
    """Which of ``secrets`` (raw passwords, hashes, hash parts) appear anywhere in the log."""
    import json

    dumped = json.dumps(
        list(AuditEntry.objects.values("changes", "message", "object_repr", "actor_repr"))
    )
    return [secret for secret in secrets if secret and secret in dumped]


def _hash_parts(encoded: str) -> list[str]:
    return [encoded, *encoded.split("$")[1:]]  # the whole hash, its salt and its digest


def test_admin_password_change_is_audited_without_the_password(client_for, admin):
    from apps.audit.services import audit_chain_verify

    employee = EmployeeFactory()
    old_hash = employee.password
    response = client_for(admin).post(
        reverse("admin:auth_user_password_change", args=[employee.pk]),
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"},
    )
    assert response.status_code == 302
    employee.refresh_from_db()
    assert employee.check_password(NEW_PASSWORD)
    entry = AuditEntry.objects.for_object(employee).exclude(action=AuditAction.CREATE).get()
    assert entry.action == AuditAction.PASSWORD_CHANGE
    assert entry.actor == admin
    assert entry.object_repr == str(employee)
    assert entry.changes == {}
    assert entry.ip == "127.0.0.1"
    assert not _password_material_in_audit_log(
        NEW_PASSWORD,
        "correct horse battery",
        *_hash_parts(old_hash),
        *_hash_parts(employee.password),
    )
    assert audit_chain_verify()[1] is None


def test_admin_sets_a_first_password_for_a_single_sign_on_employee(client_for, admin):
    employee = EmployeeFactory(password=None)  # created without one: sign-in through Zitadel only
    assert not employee.has_usable_password()
    response = client_for(admin).post(
        reverse("admin:auth_user_password_change", args=[employee.pk]),
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    entry = AuditEntry.objects.for_object(employee).exclude(action=AuditAction.CREATE).get()
    assert (entry.action, entry.actor) == (AuditAction.PASSWORD_CHANGE, admin)
    assert not _password_material_in_audit_log(NEW_PASSWORD)


def test_admin_disabling_password_sign_in_is_audited(client_for, admin):
    employee = EmployeeFactory()
    old_hash = employee.password
    response = client_for(admin).post(
        reverse("admin:auth_user_password_change", args=[employee.pk]),
        {"usable_password": "false", "unset-password": "1"},
    )
    assert response.status_code == 302
    employee.refresh_from_db()
    assert not employee.has_usable_password()
    entry = AuditEntry.objects.for_object(employee).exclude(action=AuditAction.CREATE).get()
    assert (entry.action, entry.actor) == (AuditAction.PASSWORD_DISABLE, admin)
    assert not _password_material_in_audit_log(
        "correct horse battery", *_hash_parts(old_hash), *_hash_parts(employee.password)
    )


def test_admin_refused_password_change_writes_no_entry(client_for, admin):
    employee = EmployeeFactory()
    response = client_for(admin).post(
        reverse("admin:auth_user_password_change", args=[employee.pk]),
        {"password1": NEW_PASSWORD, "password2": "etwas-anderes-2026", "usable_password": "true"},
    )
    assert response.status_code == 200  # the form again, with the error
    assert not AuditEntry.objects.for_object(employee).exclude(action=AuditAction.CREATE).exists()
