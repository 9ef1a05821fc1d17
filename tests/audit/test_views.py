from __future__ import annotations

import pytest
from django.urls import reverse

from apps.audit.models import AuditAction
from apps.audit.services import audit_record
from tests.employees.factories import EmployeeFactory, role_named

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("admin", 200), ("manager", 403), ("member", 403), ("outsider", 403), (None, 302)],
)
def test_audit_list_permissions(request, client_for, persona, expected):
    user = request.getfixturevalue(persona) if persona else None
    assert client_for(user).get(reverse("audit:audit_list")).status_code == expected


def test_audit_list_is_open_to_the_management_role(client_for):
    ceo = EmployeeFactory(role=role_named("Geschäftsführung"))
    assert client_for(ceo).get(reverse("audit:audit_list")).status_code == 200


def test_audit_list_filters_by_action_and_search(client_for, admin):
    audit_record(action=AuditAction.EXPORT, actor=None, object_repr="Kundenliste")
    audit_record(action=AuditAction.IMPORT, actor=None, object_repr="Bankauszug")
    client = client_for(admin)
    by_action = client.get(reverse("audit:audit_list"), {"action": "export"}).text
    assert "Kundenliste" in by_action and "Bankauszug" not in by_action
    by_search = client.get(reverse("audit:audit_list"), {"q": "bankaus"}).text
    assert "Bankauszug" in by_search and "Kundenliste" not in by_search


def test_audit_list_bad_filter_is_not_a_500(client_for, admin):
    response = client_for(admin).get(
        reverse("audit:audit_list"), {"since": "gestern", "actor": "x", "action": "nope"}
    )
    assert response.status_code == 200


def test_audit_list_htmx_returns_only_the_results(client_for, admin):
    audit_record(action=AuditAction.EXPORT, actor=None, object_repr="Kundenliste")
    response = client_for(admin).get(
        reverse("audit:audit_list"), headers={"HX-Request": "true", "HX-Target": "audit-results"}
    )
    assert "<html" not in response.text
    assert "Kundenliste" in response.text
    assert "HX-Request" in response["Vary"]


@pytest.mark.parametrize("rows", [5, 50])
def test_audit_list_query_budget(client_for, admin, django_assert_max_num_queries, rows):
    for index in range(rows):
        EmployeeFactory(first_name=f"P{index}")  # each creation writes an entry with an actor
        audit_record(action=AuditAction.LOGIN, actor=admin, target=admin)
    client = client_for(admin)
    with django_assert_max_num_queries(14):
        response = client.get(reverse("audit:audit_list"))
    assert response.status_code == 200


def test_audit_list_filters_by_actor_name(client_for, admin):
    gerda = EmployeeFactory(first_name="Gerda", last_name="Günther")
    audit_record(action=AuditAction.EXPORT, actor=gerda, object_repr="Export von Gerda")
    audit_record(action=AuditAction.EXPORT, actor=admin, object_repr="Export von Anna")
    text = client_for(admin).get(reverse("audit:audit_list"), {"actor": "günther"}).text
    assert "Export von Gerda" in text
    assert "Export von Anna" not in text


def test_audit_list_filters_by_object_type_without_a_query_for_the_choices(
    client_for, admin, django_assert_max_num_queries
):
    from django.contrib.contenttypes.models import ContentType

    from apps.crm.models import Customer
    from apps.employees.models import Employee

    audit_record(action=AuditAction.LOGIN, actor=admin, target=admin)
    audit_record(action=AuditAction.EXPORT, actor=None, object_repr="Kundenliste")
    client = client_for(admin)
    employee_type = ContentType.objects.get_for_model(Employee)
    page = client.get(reverse("audit:audit_list"), {"content_type": employee_type.pk}).text
    assert f'<option value="{employee_type.pk}" selected>' in page
    assert f'value="{ContentType.objects.get_for_model(Customer).pk}"' in page
    assert "Kundenliste" not in page
    assert 'class="badge action-login"' in page
    # Derived data without permissions (the time rollup) is no object type of the audit log.
    from apps.timetracking.models import EmployeeDayTotal

    rollup_type = ContentType.objects.get_for_model(EmployeeDayTotal)
    assert f'value="{rollup_type.pk}"' not in page
    with django_assert_max_num_queries(9):  # the choices come from ContentType's cache
        client.get(reverse("audit:audit_list"), {"content_type": employee_type.pk})
