from __future__ import annotations

import pytest
from django.urls import reverse

from tests.employees.factories import DepartmentFactory, EmployeeFactory

pytestmark = pytest.mark.django_db


def _client(request, client_for, persona):
    return client_for(request.getfixturevalue(persona) if persona else None)


@pytest.mark.parametrize(
    ("persona", "expected"), [("admin", 200), ("member", 200), ("outsider", 403), (None, 302)]
)
def test_department_list_permissions(request, client_for, persona, expected):
    response = _client(request, client_for, persona).get(reverse("employees:department_list"))
    assert response.status_code == expected


@pytest.mark.parametrize(
    ("persona", "expected"), [("admin", 200), ("member", 200), ("outsider", 404), (None, 302)]
)
def test_department_detail_permissions(request, client_for, persona, expected):
    department = DepartmentFactory()
    response = _client(request, client_for, persona).get(department.get_absolute_url())
    assert response.status_code == expected


def test_department_list_counts_only_active_members(client_for, admin):
    department = DepartmentFactory(name="Support")
    EmployeeFactory(department=department)
    EmployeeFactory(department=department, status="inactive")
    response = client_for(admin).get(reverse("employees:department_list"))
    assert response.context["page"][0].active_count == 1


def test_department_detail_htmx_returns_only_the_members(client_for, admin):
    department = DepartmentFactory()
    EmployeeFactory(department=department, first_name="Gerda", last_name="Günther")
    response = client_for(admin).get(
        department.get_absolute_url(),
        headers={"HX-Request": "true", "HX-Target": "department-members"},
    )
    assert "<html" not in response.text
    assert "Gerda Günther" in response.text
    assert "HX-Request" in response["Vary"]


@pytest.mark.parametrize("rows", [5, 50])
def test_department_list_query_budget(client_for, admin, django_assert_max_num_queries, rows):
    manager = EmployeeFactory()
    for _ in range(rows):
        DepartmentFactory(manager=manager)
    client = client_for(admin)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("employees:department_list"))
    assert response.status_code == 200


@pytest.mark.parametrize("rows", [5, 50])
def test_department_detail_query_budget(client_for, admin, django_assert_max_num_queries, rows):
    department = DepartmentFactory()
    for _ in range(rows):
        EmployeeFactory(department=department)
    client = client_for(admin)
    with django_assert_max_num_queries(10):
        response = client.get(department.get_absolute_url())
    assert response.status_code == 200
