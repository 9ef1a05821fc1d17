from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.audit.models import AuditEntry
from apps.projects.models import Project, ProjectMember
from tests.crm.factories import CustomerFactory
from tests.employees.factories import DepartmentFactory, EmployeeFactory, role_named
from tests.projects.factories import ProjectFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def marketing(db):  # type: ignore[no-untyped-def]
    return EmployeeFactory(role=role_named("Marketing"))


@pytest.fixture
def nonmember(db):  # type: ignore[no-untyped-def]
    """A Mitarbeiter who is not in the project."""
    return EmployeeFactory(role=role_named("Mitarbeiter"))


# persona -> (detail, edit GET, member add POST, create GET)
MATRIX = [
    ("admin", 200, 200, 200, 200),
    ("manager", 200, 200, 200, 200),
    ("member", 200, 403, 403, 403),
    ("nonmember", 404, 404, 404, 403),
    ("marketing", 404, 404, 404, 403),
    ("outsider", 404, 404, 404, 403),
]


@pytest.mark.parametrize(("persona", "detail", "edit", "add", "create"), MATRIX)
def test_project_permission_matrix(request, client_for, member, persona, detail, edit, add, create):
    project = ProjectFactory(members=[member])
    other = EmployeeFactory(role=role_named("Mitarbeiter"))
    client = client_for(request.getfixturevalue(persona))
    assert client.get(reverse("projects:project_detail", args=[project.pk])).status_code == detail
    assert client.get(reverse("projects:project_edit", args=[project.pk])).status_code == edit
    add_status = client.post(
        reverse("projects:project_member_add", args=[project.pk]), {"employee": other.pk}
    ).status_code
    assert add_status == (302 if add == 200 else add)
    remove_status = client.post(
        reverse("projects:project_member_remove", args=[project.pk, member.pk])
    ).status_code
    assert remove_status == (302 if add == 200 else add)
    assert client.get(reverse("projects:project_create")).status_code == create
    assert client.get(reverse("projects:project_list")).status_code == 200


def test_project_list_is_scoped_to_membership(client_for, member, nonmember):
    mine = ProjectFactory(title="Meins", members=[member])
    ProjectFactory(title="Fremd")
    text = client_for(member).get(reverse("projects:project_list")).text
    assert mine.title in text and "Fremd" not in text
    assert "Meins" not in client_for(nonmember).get(reverse("projects:project_list")).text


def test_project_manager_without_module_permission_may_edit_own_project(client_for, member):
    project = ProjectFactory(manager=member)
    client = client_for(member)
    assert client.get(reverse("projects:project_detail", args=[project.pk])).status_code == 200
    assert client.get(reverse("projects:project_edit", args=[project.pk])).status_code == 200


def test_project_list_filters(client_for, admin):
    today = timezone.localdate()
    department = DepartmentFactory(name="Technik")
    customer = CustomerFactory(name="Müller GmbH")
    ProjectFactory(
        title="Alpha-Verzug",
        deadline=today - timedelta(days=3),
        customer=customer,
        department=department,
        manager=admin,
    )
    ProjectFactory(title="Beta-Fertig", deadline=today - timedelta(days=3), status="completed")
    ProjectFactory(title="Gamma-Plan", status="planned", deadline=today + timedelta(days=3))
    client = client_for(admin)
    url = reverse("projects:project_list")

    def titles(params):  # type: ignore[no-untyped-def]
        text = client.get(url, params).text
        return {t for t in ("Alpha-Verzug", "Beta-Fertig", "Gamma-Plan") if t in text}

    assert titles({"overdue": "true"}) == {"Alpha-Verzug"}
    assert titles({"status": "planned"}) == {"Gamma-Plan"}
    assert titles({"customer": "muller"}) == {"Alpha-Verzug"}
    assert titles({"customer": str(customer.pk)}) == {"Alpha-Verzug"}
    assert titles({"department": department.pk}) == {"Alpha-Verzug"}
    assert titles({"manager": admin.pk}) == {"Alpha-Verzug"}
    assert titles({"q": "gamma-pl"}) == {"Gamma-Plan"}


def test_project_list_htmx_fragment(client_for, admin):
    ProjectFactory()
    response = client_for(admin).get(
        reverse("projects:project_list"),
        headers={"HX-Request": "true", "HX-Target": "project-results"},
    )
    assert "<html" not in response.text
    assert 'id="project-row-' in response.text
    assert "HX-Request" in response["Vary"]


@pytest.mark.parametrize("rows", [5, 50])
def test_project_list_query_budget(client_for, admin, django_assert_max_num_queries, rows):
    customer = CustomerFactory()
    for _ in range(rows):
        ProjectFactory(customer=customer, manager=admin)
    client = client_for(admin)
    client.get(reverse("projects:project_list"))
    with django_assert_max_num_queries(10):
        assert client.get(reverse("projects:project_list")).status_code == 200


@pytest.mark.parametrize("rows", [5, 50])
def test_project_list_query_budget_for_member(
    client_for, member, django_assert_max_num_queries, rows
):
    customer = CustomerFactory()
    for _ in range(rows):
        ProjectFactory(customer=customer, members=[member])
    client = client_for(member)
    client.get(reverse("projects:project_list"))
    with django_assert_max_num_queries(10):
        assert client.get(reverse("projects:project_list")).status_code == 200


@pytest.mark.parametrize("rows", [5, 50])
@pytest.mark.parametrize("tab", ["overview", "members"])
def test_project_detail_query_budget(client_for, admin, django_assert_max_num_queries, rows, tab):
    members = [EmployeeFactory() for _ in range(rows)]
    project = ProjectFactory(members=members)
    client = client_for(admin)
    url = reverse("projects:project_detail", args=[project.pk])
    client.get(url)
    with django_assert_max_num_queries(10):
        assert client.get(url, {"tab": tab}).status_code == 200


@pytest.mark.parametrize("tab", ["overview", "members"])
def test_project_detail_tab_htmx_fragment(client_for, admin, tab):
    project = ProjectFactory()
    response = client_for(admin).get(
        reverse("projects:project_detail", args=[project.pk]),
        {"tab": tab},
        headers={"HX-Request": "true", "HX-Target": "project-tab"},
    )
    assert "<html" not in response.text
    assert f'data-tab="{tab}" aria-current="page"' in response.text
    assert "HX-Request" in response["Vary"]


def _valid(**overrides):  # type: ignore[no-untyped-def]
    data = {
        "title": "Netzwerk",
        "status": "planned",
        "priority": "medium",
        "hourly_rate": "95.00",
        "billing_rounding": "15",
    }
    data.update(overrides)
    return data


def test_project_create_with_customer_number(client_for, manager):
    customer = CustomerFactory(name="Müller GmbH")
    response = client_for(manager).post(
        reverse("projects:project_create"),
        _valid(customer=f"{customer.number} Müller GmbH", start_date="2026-01-01"),
    )
    project = Project.objects.get()
    assert response.status_code == 302
    assert project.customer == customer
    assert project.number.startswith("PRJ-") and project.number.endswith("-0001")


def test_project_create_prefills_customer_from_query(client_for, manager):
    customer = CustomerFactory(name="Vorbelegt AG")
    response = client_for(manager).get(
        reverse("projects:project_create"), {"customer": customer.pk}
    )
    assert f'value="{customer.number} Vorbelegt AG"' in response.text


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"start_date": "2026-05-01", "end_date": "2026-04-01"}, "end_date"),
        ({"customer": "KD-99999"}, "customer"),
        ({"title": ""}, "title"),
        ({"title": "x" * 10_000}, "title"),
        ({"budget_amount": "-5"}, "budget_amount"),
        ({"budget_amount": "abc"}, "budget_amount"),
        ({"start_date": "31.02.2026"}, "start_date"),
    ],
)
def test_project_create_invalid_422_nothing_saved(client_for, manager, overrides, field):
    response = client_for(manager).post(
        reverse("projects:project_create"),
        _valid(**overrides),
        headers={"HX-Request": "true", "HX-Target": "project-form"},
    )
    assert response.status_code == 422
    assert "<html" not in response.text
    assert response.context["form"].errors.get(field)
    assert not Project.objects.exists()


def test_project_edit_saves(client_for, manager):
    project = ProjectFactory(title="Alt")
    response = client_for(manager).post(
        reverse("projects:project_edit", args=[project.pk]), _valid(title="Neu")
    )
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.title == "Neu"


def test_member_add_and_remove_via_htmx_grants_and_revokes_access(client_for, manager, nonmember):
    project = ProjectFactory()
    client = client_for(manager)
    headers = {"HX-Request": "true", "HX-Target": "project-tab"}
    response = client.post(
        reverse("projects:project_member_add", args=[project.pk]),
        {"employee": nonmember.pk},
        headers=headers,
    )
    assert response.status_code == 200
    assert "<html" not in response.text
    assert str(nonmember) in response.text
    assert client_for(nonmember).get(project.get_absolute_url()).status_code == 200
    response = client.post(
        reverse("projects:project_member_remove", args=[project.pk, nonmember.pk]),
        headers=headers,
    )
    assert response.status_code == 200
    assert not ProjectMember.objects.filter(project=project).exists()
    fresh = type(nonmember).objects.get(pk=nonmember.pk)
    assert client_for(fresh).get(project.get_absolute_url()).status_code == 404
    assert AuditEntry.objects.for_object(project).filter(message="member removed").exists()


def test_member_add_invalid_employee_422(client_for, manager):
    project = ProjectFactory()
    response = client_for(manager).post(
        reverse("projects:project_member_add", args=[project.pk]),
        {"employee": "999999"},
        headers={"HX-Request": "true", "HX-Target": "project-tab"},
    )
    assert response.status_code == 422


def test_member_remove_unknown_employee_404(client_for, manager):
    project = ProjectFactory()
    response = client_for(manager).post(
        reverse("projects:project_member_remove", args=[project.pk, 999999])
    )
    assert response.status_code == 404


def test_project_title_is_escaped(client_for, admin):
    project = ProjectFactory(title="<script>alert(1)</script>")
    text = client_for(admin).get(project.get_absolute_url()).text
    assert "<script>alert(1)</script>" not in text
