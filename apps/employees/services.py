"""State changes of employees, departments and roles; each one audited."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from apps.audit.models import AuditAction
from apps.audit.services import audit_actor, audit_changed, audit_created, audit_record, snapshot
from apps.common.sequences import format_number, next_value
from apps.company.selectors import company_get
from apps.employees.models import Department, Employee, Role

EMPLOYEE_AUDIT_FIELDS = [
    "code",
    "email",
    "first_name",
    "last_name",
    "department",
    "role",
    "reports_to",
    "phone",
    "position",
    "employment_type",
    "hire_date",
    "termination_date",
    "status",
    "language",
    "theme",
    "is_staff",
    "is_superuser",
    "oidc_sub",
]
EDITABLE_FIELDS = {
    "email",
    "first_name",
    "last_name",
    "department",
    "role",
    "reports_to",
    "phone",
    "position",
    "employment_type",
    "hire_date",
    "termination_date",
    "status",
    "language",
    "theme",
    "is_staff",
    "is_superuser",
    "oidc_sub",
}


def employee_next_code() -> str:
    """Inside a transaction: the next ``KIT-0001`` code (never reused, gapless)."""
    return format_number(company_get().employee_prefix, next_value("employee"), width=4)


def _full_clean(employee: Employee) -> None:
    # Uniqueness of the code is guaranteed by the sequence; password is set separately.
    employee.full_clean(exclude=["password", "code"])


@transaction.atomic
def employee_create(
    *, actor: Any, email: str, password: str | None = None, **fields: Any
) -> Employee:
    unknown = set(fields) - EDITABLE_FIELDS
    if unknown:
        raise TypeError(f"employee_create() got unknown fields: {sorted(unknown)}")
    employee = Employee(email=Employee.objects.normalize_email(email).lower(), **fields)
    if password:
        employee.set_password(password)
    else:
        employee.set_unusable_password()
    _full_clean(employee)
    employee.code = employee_next_code()
    employee.save(force_insert=True)
    audit_created(target=employee, fields=EMPLOYEE_AUDIT_FIELDS, actor=actor)
    return employee


@transaction.atomic
def employee_update(*, actor: Any, employee: Employee, **fields: Any) -> Employee:
    unknown = set(fields) - EDITABLE_FIELDS
    if unknown:
        raise TypeError(f"employee_update() got unknown fields: {sorted(unknown)}")
    employee = Employee.objects.select_for_update().get(pk=employee.pk)
    before = snapshot(employee, EMPLOYEE_AUDIT_FIELDS)
    for name, value in fields.items():
        setattr(employee, name, value)
    if "email" in fields:
        employee.email = Employee.objects.normalize_email(employee.email).lower()
    if employee.reports_to_id and employee.reports_to_id == employee.pk:
        raise ValidationError({"reports_to": _("An employee cannot report to themselves.")})
    _full_clean(employee)
    employee.save()
    action = AuditAction.STATUS if set(fields) == {"status"} else AuditAction.UPDATE
    audit_changed(target=employee, before=before, actor=actor, action=action)
    return employee


def employee_deactivate(*, actor: Any, employee: Employee) -> Employee:
    """Employees are never deleted: they become inactive, keep their records, cannot sign in."""
    if employee.status == Employee.Status.INACTIVE:
        return employee
    fields: dict[str, Any] = {"status": Employee.Status.INACTIVE}
    return employee_update(actor=actor, employee=employee, **fields)


def employee_set_preferences(
    *, employee: Employee, language: str | None = None, theme: str | None = None
) -> Employee:
    fields: dict[str, Any] = {}
    if language is not None:
        fields["language"] = language
    if theme is not None:
        fields["theme"] = theme
    return employee_update(actor=employee, employee=employee, **fields) if fields else employee


@transaction.atomic
def employee_set_password(*, actor: Any, employee: Employee, password: str) -> None:
    # Audited by the password hook (apps.audit.signals), like every other password change.
    with audit_actor(actor):
        employee.set_password(password)
        employee.save(update_fields=["password"])


ROLE_FIELDS = ["name", "description", "priority", "idp_role_key", "is_default", "permissions"]


@transaction.atomic
def role_save(*, actor: Any, role: Role) -> Role:
    """Create or update a role after validating its patterns (unknown patterns are refused).

    Making a role the default takes the flag from the previous default role (one default)."""
    if role.is_default:
        previous_defaults = Role.objects.select_for_update().filter(is_default=True)
        for previous in previous_defaults.exclude(pk=role.pk) if role.pk else previous_defaults:
            before = snapshot(previous, ROLE_FIELDS)
            previous.is_default = False
            previous.save(update_fields=["is_default", "updated_at"])
            audit_changed(target=previous, before=before, actor=actor)
    role.full_clean()
    if role.pk is None:
        role.save()
        audit_created(target=role, fields=ROLE_FIELDS, actor=actor)
        return role
    before_row = Role.objects.select_for_update().get(pk=role.pk)
    before = snapshot(before_row, ROLE_FIELDS)
    role.save()
    audit_changed(target=role, before=before, actor=actor)
    return role


DEPARTMENT_FIELDS = ["name", "code", "manager"]


@transaction.atomic
def department_save(*, actor: Any, department: Department) -> Department:
    department.full_clean()
    if department.pk is None:
        department.save()
        audit_created(target=department, fields=DEPARTMENT_FIELDS, actor=actor)
        return department
    before = snapshot(Department.objects.get(pk=department.pk), DEPARTMENT_FIELDS)
    department.save()
    audit_changed(target=department, before=before, actor=actor)
    return department


@transaction.atomic
def role_delete(*, actor: Any, role: Role) -> None:
    """Employees holding the role keep their records and lose the role's permissions."""
    audit_record(
        action=AuditAction.DELETE,
        target=role,
        actor=actor,
        changes={
            name: {"old": value, "new": None} for name, value in snapshot(role, ROLE_FIELDS).items()
        },
    )
    role.delete()


@transaction.atomic
def department_delete(*, actor: Any, department: Department) -> None:
    """Members stay; their department becomes empty."""
    audit_record(
        action=AuditAction.DELETE,
        target=department,
        actor=actor,
        changes={
            name: {"old": value, "new": None}
            for name, value in snapshot(department, DEPARTMENT_FIELDS).items()
        },
    )
    department.delete()
