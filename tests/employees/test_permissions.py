import pytest
from django.core.exceptions import ValidationError

from apps.employees.permission_patterns import pattern_matches, validate_pattern
from tests.employees.factories import EmployeeFactory, RoleFactory


def test_star_grants_everything():
    assert pattern_matches("*", "invoices.issue_invoice")


def test_app_pattern_grants_only_that_app():
    assert pattern_matches("crm.*", "crm.view_customer")
    assert not pattern_matches("crm.*", "invoices.view_invoice")


def test_backoffice_grants_backoffice_apps_and_no_core_app():
    for app in ["crm", "projects", "timetracking", "invoices", "finance", "chat"]:
        assert pattern_matches("backoffice.*", f"{app}.view_x")
    for app in ["employees", "documents", "reminders", "dashboards", "audit"]:
        assert not pattern_matches("backoffice.*", f"{app}.view_x")


def test_core_grants_core_apps():
    assert pattern_matches("core.*", "employees.change_employee")
    assert not pattern_matches("core.*", "crm.view_customer")


def test_action_wildcard_grants_matching_codenames():
    assert pattern_matches("employees.view_*", "employees.view_department")
    assert not pattern_matches("employees.view_*", "employees.change_department")


@pytest.mark.parametrize("pattern", ["nonsense", "nope.*", "employees.fly_employee", "*.view", ""])
def test_unknown_pattern_is_refused(pattern):
    with pytest.raises(ValidationError):
        validate_pattern(pattern)


@pytest.mark.django_db
def test_role_with_unknown_pattern_is_refused_on_save():
    from apps.employees.services import role_save

    role = RoleFactory.build(permissions=["crm.*", "made.up_permission"])
    with pytest.raises(ValidationError):
        role_save(actor=None, role=role)


@pytest.mark.django_db
def test_has_perm_follows_role_patterns():
    role = RoleFactory(permissions=["employees.*"])
    user = EmployeeFactory(role=role)
    assert user.has_perm("employees.change_employee")
    assert not user.has_perm("audit.view_auditentry")
    assert user.has_module_perms("employees")
    assert not user.has_module_perms("audit")


@pytest.mark.django_db
def test_inactive_employee_has_no_permissions():
    user = EmployeeFactory(role=RoleFactory(permissions=["*"]), status="inactive")
    assert not user.has_perm("employees.view_employee")
