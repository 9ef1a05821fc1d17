from __future__ import annotations

import pytest
from django.urls import reverse

from apps.audit.models import AuditAction, AuditEntry
from apps.crm.models import Customer
from tests.crm.factories import CustomerFactory
from tests.employees.factories import EmployeeFactory, role_named

pytestmark = pytest.mark.django_db


@pytest.fixture
def marketing(db):  # type: ignore[no-untyped-def]
    return EmployeeFactory(role=role_named("Marketing"))


@pytest.mark.parametrize(
    ("persona", "status"),
    [("admin", 302), ("manager", 302), ("marketing", 302), ("member", 403), ("outsider", 404)],
)
def test_pipeline_move_permission_matrix(request, client_for, persona, status):
    customer = CustomerFactory(stage="new_lead", status="lead")
    client = client_for(request.getfixturevalue(persona))
    response = client.post(reverse("crm:pipeline_move", args=[customer.pk]), {"stage": "proposal"})
    assert response.status_code == status


def test_pipeline_shows_columns_for_every_stage(client_for, admin):
    CustomerFactory(name="Neu GmbH", stage="new_lead", status="lead")
    response = client_for(admin).get(reverse("crm:pipeline"))
    for stage in Customer.Stage.values:
        assert f'data-testid="stage-{stage}"' in response.text
    assert "Neu GmbH" in response.text


def test_pipeline_move_htmx_returns_board_and_audits(client_for, manager):
    customer = CustomerFactory(stage="new_lead", status="lead")
    response = client_for(manager).post(
        reverse("crm:pipeline_move", args=[customer.pk]),
        {"stage": "won"},
        headers={"HX-Request": "true", "HX-Target": "pipeline-board"},
    )
    assert response.status_code == 200
    assert "<html" not in response.text
    assert 'data-testid="pipeline"' in response.text
    assert "HX-Request" in response["Vary"]
    customer.refresh_from_db()
    assert customer.stage == "won"
    assert customer.status == "active"  # winning a lead makes it a customer
    entry = AuditEntry.objects.for_object(customer).get(action=AuditAction.STATUS)
    assert entry.changes["stage"] == {"old": "new_lead", "new": "won"}


def test_pipeline_move_unknown_stage_is_refused(client_for, manager):
    customer = CustomerFactory(stage="new_lead", status="lead")
    response = client_for(manager).post(
        reverse("crm:pipeline_move", args=[customer.pk]),
        {"stage": "bogus"},
        headers={"HX-Request": "true", "HX-Target": "pipeline-board"},
    )
    assert response.status_code == 422
    customer.refresh_from_db()
    assert customer.stage == "new_lead"


def test_pipeline_move_without_js_redirects_keeping_filter(client_for, manager):
    customer = CustomerFactory(stage="new_lead", status="lead")
    response = client_for(manager).post(
        reverse("crm:pipeline_move", args=[customer.pk]) + "?q=abc", {"stage": "qualified"}
    )
    assert response.status_code == 302
    assert response["Location"].endswith("/crm/pipeline/?q=abc")


def test_pipeline_htmx_filter_returns_board(client_for, admin):
    response = client_for(admin).get(
        reverse("crm:pipeline"),
        {"q": "x"},
        headers={"HX-Request": "true", "HX-Target": "pipeline-board"},
    )
    assert "<html" not in response.text
    assert 'data-testid="pipeline"' in response.text


@pytest.mark.parametrize("rows", [5, 50])
def test_pipeline_query_budget(client_for, admin, django_assert_max_num_queries, rows):
    for index in range(rows):
        CustomerFactory(stage=Customer.Stage.values[index % 5], status="lead")
    client = client_for(admin)
    client.get(reverse("crm:pipeline"))
    with django_assert_max_num_queries(10):
        assert client.get(reverse("crm:pipeline")).status_code == 200


def test_member_sees_board_without_move_forms(client_for, member):
    CustomerFactory(stage="new_lead", status="lead")
    response = client_for(member).get(reverse("crm:pipeline"))
    assert response.status_code == 200
    assert "pipeline-move" not in response.text
