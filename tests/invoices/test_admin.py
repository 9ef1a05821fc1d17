from decimal import Decimal

import pytest
from django.contrib.admin.sites import site
from django.test import RequestFactory
from django.urls import reverse

from apps.invoices.models import Invoice
from tests.invoices.factories import company_ready, draft, issued

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _company():
    company_ready()


def _request(user):
    request = RequestFactory().get("/")
    request.user = user
    return request


def test_admin_issued_invoice_is_read_only_and_undeletable(admin):
    invoice = issued()
    model_admin = site._registry[Invoice]
    request = _request(admin)
    readonly = set(model_admin.get_readonly_fields(request, invoice))
    assert {"customer", "gross_total", "issue_date", "status", "due_date"} <= readonly
    assert "notes" not in readonly
    assert not model_admin.has_delete_permission(request, invoice)
    assert "delete_selected" not in model_admin.get_actions(request)
    for inline in model_admin.get_inline_instances(request, invoice):
        assert not inline.has_change_permission(request, invoice)
        assert not inline.has_delete_permission(request, invoice)
        assert not inline.has_add_permission(request, invoice)


def test_admin_draft_stays_editable(admin):
    invoice = draft()
    model_admin = site._registry[Invoice]
    request = _request(admin)
    assert model_admin.has_delete_permission(request, invoice)
    assert "customer" not in model_admin.get_readonly_fields(request, invoice)


def test_admin_post_to_issued_invoice_changes_only_notes(client_for, admin):
    invoice = issued()
    url = reverse("admin:invoices_invoice_change", args=[invoice.pk])
    client = client_for(admin)
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "notes": "intern",
            "gross_total": "1.00",
            "lines-TOTAL_FORMS": "0",
            "lines-INITIAL_FORMS": "0",
            "payments-TOTAL_FORMS": "0",
            "payments-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code in (200, 302)
    invoice.refresh_from_db()
    assert invoice.gross_total == Decimal("484.93")
    assert invoice.lines.count() == 2
    assert invoice.notes == "intern"


def test_admin_delete_view_refuses_issued_invoice(client_for, admin):
    invoice = issued()
    url = reverse("admin:invoices_invoice_delete", args=[invoice.pk])
    assert client_for(admin).post(url, {"post": "yes"}).status_code == 403
    assert Invoice.objects.filter(pk=invoice.pk).exists()
