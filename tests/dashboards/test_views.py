from __future__ import annotations

import pytest
from django.urls import reverse

from apps.audit.models import AuditAction
from apps.audit.services import audit_record
from apps.employees import services
from tests.employees.factories import EmployeeFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("persona", "expected"), [("admin", 200), ("member", 200), ("outsider", 200), (None, 302)]
)
def test_home_permissions(request, client_for, persona, expected):
    user = request.getfixturevalue(persona) if persona else None
    assert client_for(user).get(reverse("dashboards:home")).status_code == expected


def test_home_shows_own_recent_activity_only(client_for, admin, member):
    colleague = EmployeeFactory(last_name="Kollegin")
    services.employee_update(actor=admin, employee=colleague, position="Teamleitung")
    audit_record(action=AuditAction.EXPORT, actor=member, object_repr="Geheimer Export")
    response = client_for(admin).get(reverse("dashboards:home"))
    assert "Kollegin" in response.text
    assert "Geheimer Export" not in response.text


@pytest.mark.parametrize("rows", [5, 50])
def test_home_query_budget(client_for, admin, django_assert_max_num_queries, rows):
    for _ in range(rows):
        audit_record(action=AuditAction.LOGIN, actor=admin, target=admin)
    client = client_for(admin)
    with django_assert_max_num_queries(10):
        assert client.get(reverse("dashboards:home")).status_code == 200


def test_home_leaves_out_sign_ins(client_for, admin):
    audit_record(action=AuditAction.LOGIN, actor=admin, target=admin, message="password")
    audit_record(action=AuditAction.EXPORT, actor=admin, object_repr="Mitarbeiterliste")
    response = client_for(admin).get(reverse("dashboards:home"))
    recent = response.context["recent"]
    assert [entry.action for entry in recent] == [AuditAction.EXPORT]
