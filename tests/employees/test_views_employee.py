"""Directory, detail, edit, deactivate, profile and preferences: permissions, htmx, query counts."""

from __future__ import annotations

import pytest
from django.urls import reverse

from apps.audit.models import AuditAction, AuditEntry
from apps.employees.models import Employee
from tests.employees.factories import DepartmentFactory, EmployeeFactory, role_named

pytestmark = pytest.mark.django_db

ADMIN, MEMBER, OUTSIDER, ANONYMOUS = "admin", "member", "outsider", None


def _client(request, client_for, persona):
    user = request.getfixturevalue(persona) if persona else None
    return client_for(user), user


def _assert_status(response, expected):
    if expected == "login":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    else:
        assert response.status_code == expected


@pytest.mark.parametrize(
    ("persona", "expected"),
    [(ADMIN, 200), (MEMBER, 200), (OUTSIDER, 403), (ANONYMOUS, "login")],
)
def test_employee_list_permissions(request, client_for, persona, expected):
    client, _user = _client(request, client_for, persona)
    _assert_status(client.get(reverse("employees:employee_list")), expected)


@pytest.mark.parametrize(
    ("persona", "expected"),
    [(ADMIN, 200), (MEMBER, 200), (OUTSIDER, 404), (ANONYMOUS, "login")],
)
def test_employee_detail_of_a_colleague_permissions(request, client_for, persona, expected):
    colleague = EmployeeFactory(role=role_named("Mitarbeiter"))
    client, _user = _client(request, client_for, persona)
    _assert_status(client.get(colleague.get_absolute_url()), expected)


def test_employee_detail_own_record_is_visible_without_role(client_for, outsider):
    assert client_for(outsider).get(outsider.get_absolute_url()).status_code == 200


def test_employee_detail_unknown_pk_is_404(client_for, admin):
    assert (
        client_for(admin).get(reverse("employees:employee_detail", args=[99999])).status_code == 404
    )


@pytest.mark.parametrize(
    ("persona", "expected"),
    [(ADMIN, 200), (MEMBER, 403), (OUTSIDER, 404), (ANONYMOUS, "login")],
)
def test_employee_edit_permissions(request, client_for, persona, expected):
    colleague = EmployeeFactory(role=role_named("Mitarbeiter"))
    client, _user = _client(request, client_for, persona)
    _assert_status(client.get(reverse("employees:employee_edit", args=[colleague.pk])), expected)


@pytest.mark.parametrize(
    ("persona", "expected"),
    [(ADMIN, 302), (MEMBER, 403), (OUTSIDER, 404), (ANONYMOUS, "login")],
)
def test_employee_deactivate_permissions(request, client_for, persona, expected):
    colleague = EmployeeFactory(role=role_named("Mitarbeiter"))
    client, _user = _client(request, client_for, persona)
    response = client.post(reverse("employees:employee_deactivate", args=[colleague.pk]))
    _assert_status(response, expected)
    colleague.refresh_from_db()
    assert (colleague.status == Employee.Status.INACTIVE) is (persona == ADMIN)


def test_employee_deactivate_needs_post(client_for, admin):
    colleague = EmployeeFactory()
    response = client_for(admin).get(reverse("employees:employee_deactivate", args=[colleague.pk]))
    assert response.status_code == 405


def test_employee_deactivate_refuses_yourself(client_for, admin):
    response = client_for(admin).post(
        reverse("employees:employee_deactivate", args=[admin.pk]), follow=True
    )
    admin.refresh_from_db()
    assert admin.status == Employee.Status.ACTIVE
    assert "selbst" in response.text


@pytest.mark.parametrize(
    ("persona", "expected"),
    [(ADMIN, 200), (MEMBER, 200), (OUTSIDER, 200), (ANONYMOUS, "login")],
)
def test_profile_permissions(request, client_for, persona, expected):
    client, _user = _client(request, client_for, persona)
    _assert_status(client.get(reverse("employees:profile")), expected)


def test_permission_denial_is_audited(client_for, outsider):
    client_for(outsider).get(reverse("employees:employee_list"))
    entry = AuditEntry.objects.filter(action=AuditAction.PERMISSION_DENIED).get()
    assert entry.actor == outsider
    assert "/employees/" in entry.message


def test_employee_list_search_filters_by_name(client_for, admin):
    EmployeeFactory(first_name="Gerda", last_name="Günther")
    EmployeeFactory(first_name="Bernd", last_name="Becker")
    response = client_for(admin).get(reverse("employees:employee_list"), {"q": "günth"})
    assert "Gerda Günther" in response.text
    assert "Becker" not in response.text


def test_employee_list_filters_by_department_role_and_status(client_for, admin):
    support = DepartmentFactory(name="Support", code="SUP")
    EmployeeFactory(last_name="Imsupport", department=support, role=role_named("Mitarbeiter"))
    EmployeeFactory(last_name="Woanders", role=role_named("Mitarbeiter"))
    EmployeeFactory(last_name="Ausgeschieden", department=support, status="inactive")
    client = client_for(admin)
    url = reverse("employees:employee_list")
    by_department = client.get(url, {"department": support.pk}).text
    assert "Imsupport" in by_department and "Woanders" not in by_department
    by_role = client.get(url, {"role": role_named("Mitarbeiter").pk}).text
    assert "Imsupport" in by_role and "Ausgeschieden" not in by_role
    by_status = client.get(url, {"status": "inactive"}).text
    assert "Ausgeschieden" in by_status and "Imsupport" not in by_status


def test_employee_list_bad_filter_value_is_not_a_500(client_for, admin):
    response = client_for(admin).get(
        reverse("employees:employee_list"), {"department": "nope", "page": "x"}
    )
    assert response.status_code == 200


def test_employee_list_filter_is_totally_ordered(admin, rf):
    from apps.employees.filters import EmployeeFilter
    from apps.employees.selectors import employees_for_user

    for ordering in ["", "name", "-code", "department"]:
        filterset = EmployeeFilter({"ordering": ordering}, queryset=employees_for_user(admin))
        assert filterset.qs.totally_ordered


def test_employee_list_htmx_returns_only_the_results(client_for, admin):
    EmployeeFactory(first_name="Gerda", last_name="Günther")
    response = client_for(admin).get(
        reverse("employees:employee_list"),
        {"q": "Günther"},
        headers={"HX-Request": "true", "HX-Target": "employee-results"},
    )
    assert response.status_code == 200
    assert "<html" not in response.text
    assert "Gerda Günther" in response.text
    assert 'id="employee-row-' in response.text
    assert "HX-Request" in response["Vary"]


def test_employee_list_boosted_request_gets_the_whole_page(client_for, admin):
    response = client_for(admin).get(
        reverse("employees:employee_list"),
        headers={"HX-Request": "true", "HX-Boosted": "true", "HX-Target": "employee-results"},
    )
    assert "<html" in response.text


def test_employee_list_unknown_target_gets_the_whole_page(client_for, admin):
    response = client_for(admin).get(
        reverse("employees:employee_list"), headers={"HX-Request": "true", "HX-Target": "main"}
    )
    assert "<html" in response.text


@pytest.mark.parametrize("rows", [5, 50])
def test_employee_list_query_budget(client_for, admin, django_assert_max_num_queries, rows):
    department = DepartmentFactory()
    for _ in range(rows):
        EmployeeFactory(department=department, role=role_named("Mitarbeiter"))
    client = client_for(admin)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("employees:employee_list"))
    assert response.status_code == 200


@pytest.mark.parametrize("rows", [5, 50])
def test_employee_detail_query_budget(client_for, admin, django_assert_max_num_queries, rows):
    boss = EmployeeFactory()
    department = DepartmentFactory()
    for _ in range(rows):
        EmployeeFactory(reports_to=boss, department=department)
    client = client_for(admin)
    with django_assert_max_num_queries(12):
        response = client.get(boss.get_absolute_url())
    assert response.status_code == 200


def test_employee_edit_saves_through_the_service_and_audits(client_for, admin):
    colleague = EmployeeFactory(first_name="Old", last_name="Name", role=role_named("Mitarbeiter"))
    response = client_for(admin).post(
        reverse("employees:employee_edit", args=[colleague.pk]),
        {
            "first_name": "Neu",
            "last_name": "Name",
            "email": colleague.email,
            "employment_type": "fulltime",
            "status": "active",
            "role": colleague.role_id,
        },
    )
    assert response.status_code == 302
    colleague.refresh_from_db()
    assert colleague.first_name == "Neu"
    entry = AuditEntry.objects.for_object(colleague).filter(action=AuditAction.UPDATE).first()
    assert entry.changes["first_name"] == {"old": "Old", "new": "Neu"}


def test_employee_edit_invalid_input_is_422_with_a_german_error(client_for, admin):
    colleague = EmployeeFactory()
    response = client_for(admin).post(
        reverse("employees:employee_edit", args=[colleague.pk]),
        {"first_name": "", "email": "not-an-email", "employment_type": "x", "status": "active"},
        headers={"HX-Request": "true", "HX-Target": "employee-form"},
    )
    assert response.status_code == 422
    assert "<html" not in response.text
    assert "Dieses Feld ist zwingend erforderlich" in response.text


def test_employee_edit_hire_after_termination_is_422(client_for, admin):
    colleague = EmployeeFactory()
    response = client_for(admin).post(
        reverse("employees:employee_edit", args=[colleague.pk]),
        {
            "first_name": "A",
            "email": colleague.email,
            "employment_type": "fulltime",
            "status": "active",
            "hire_date": "2026-05-01",
            "termination_date": "2026-01-01",
        },
    )
    assert response.status_code == 422


def test_preferences_switches_language_and_theme(client_for, member):
    client = client_for(member)
    response = client.post(
        reverse("employees:preferences"), {"language": "en", "theme": "dark", "next": "/employees/"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/employees/"
    member.refresh_from_db()
    assert (member.language, member.theme) == ("en", "dark")


def test_preferences_refuses_foreign_redirects(client_for, member):
    response = client_for(member).post(
        reverse("employees:preferences"), {"language": "de", "next": "https://evil.example/"}
    )
    assert response["Location"] == "/"


def test_preferences_bad_choice_is_400(client_for, member):
    response = client_for(member).post(reverse("employees:preferences"), {"language": "xx"})
    assert response.status_code == 400


def test_profile_saves_own_phone(client_for, member):
    response = client_for(member).post(
        reverse("employees:profile"), {"phone": "+49 261 1234", "language": "de", "theme": "light"}
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.phone == "+49 261 1234"


def test_employee_detail_history_shows_labels_and_names_not_ids(client_for, admin):
    from apps.employees import services

    colleague = EmployeeFactory(role=role_named("Mitarbeiter"))
    support = DepartmentFactory(name="Kundensupport", code="KS")
    services.employee_update(actor=admin, employee=colleague, department=support)
    response = client_for(admin).get(colleague.get_absolute_url())
    history = response.text.split('id="history-title"')[1]
    assert "Abteilung:" in history
    assert "Kundensupport" in history
    assert f"→ {support.pk}" not in history


def test_employee_detail_hides_history_without_audit_permission(client_for, member):
    colleague = EmployeeFactory()
    response = client_for(member).get(colleague.get_absolute_url())
    assert 'id="history-title"' not in response.text


def test_employee_edit_with_a_colleagues_email_is_422_and_changes_nothing(client_for, admin):
    taken = EmployeeFactory(email="vergeben@example.com")
    colleague = EmployeeFactory(first_name="Alt")
    response = client_for(admin).post(
        reverse("employees:employee_edit", args=[colleague.pk]),
        {
            "first_name": "Neu",
            "email": "Vergeben@Example.com",
            "employment_type": "fulltime",
            "status": "active",
        },
    )
    assert response.status_code == 422
    assert "E-Mail" in response.text
    colleague.refresh_from_db()
    assert colleague.first_name == "Alt"
    assert taken.email == "vergeben@example.com"
