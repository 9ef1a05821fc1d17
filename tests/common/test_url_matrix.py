"""Persona × URL matrix of the platform pages (each module keeps its own next to its views).

``login`` = redirect to the sign-in page, ``admin-login`` = redirect to the admin's sign-in
(which sends visitors on to ours and answers 403 to signed-in employees without admin access).
Object URLs of objects a persona may not see answer 404 (their existence is not revealed).
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.employees.factories import DepartmentFactory, EmployeeFactory, role_named

pytestmark = pytest.mark.django_db

PERSONAS = ["admin", "member", "outsider", None]

MATRIX = {
    # url name (or callable taking the objects): admin, member (Mitarbeiter), outsider, anonymous
    "health": (200, 200, 200, 200),
    "login": (302, 302, 302, 200),
    "dashboards:home": (200, 200, 200, "login"),
    "employees:employee_list": (200, 200, 403, "login"),
    "employees:profile": (200, 200, 200, "login"),
    "employees:department_list": (200, 200, 403, "login"),
    "audit:audit_list": (200, 403, 403, "login"),
    "admin:index": (200, "admin-login", "admin-login", "admin-login"),
    "admin:audit_auditentry_changelist": (200, "admin-login", "admin-login", "admin-login"),
    "employee_detail": (200, 200, 404, "login"),
    "employee_edit": (200, 403, 404, "login"),
    "department_detail": (200, 200, 404, "login"),
}


def _url(name: str, colleague, department) -> str:
    if name == "employee_detail":
        return reverse("employees:employee_detail", args=[colleague.pk])
    if name == "employee_edit":
        return reverse("employees:employee_edit", args=[colleague.pk])
    if name == "department_detail":
        return reverse("employees:department_detail", args=[department.pk])
    return reverse(name)


@pytest.mark.parametrize("name", list(MATRIX))
@pytest.mark.parametrize("persona_index", range(len(PERSONAS)))
def test_platform_url_matrix(request, client_for, name, persona_index):
    persona = PERSONAS[persona_index]
    user = request.getfixturevalue(persona) if persona else None
    if persona == "admin":
        user.is_staff = True  # the Admin persona is staff already; stated for the admin URLs
    department = DepartmentFactory()
    colleague = EmployeeFactory(role=role_named("Mitarbeiter"), department=department)
    response = client_for(user).get(_url(name, colleague, department))
    expected = MATRIX[name][persona_index]
    if expected == "login":
        assert response.status_code == 302, response.status_code
        assert response["Location"].startswith(reverse("login") + "?next=")
    elif expected == "admin-login":
        assert response.status_code == 302, response.status_code
        assert response["Location"].startswith((reverse("admin:login"), reverse("login")))
    else:
        assert response.status_code == expected, (name, persona, response.status_code)
