"""Invoices ↔ documents (the issued PDF is archived as a Document) and reminders (overdue)."""

import datetime
from io import StringIO

import pytest
from django.apps import apps as django_apps
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command

from apps.invoices import services
from apps.invoices.models import Invoice
from tests.employees.factories import EmployeeFactory, role_named
from tests.invoices.factories import ISSUE_DATE, company_ready, customer_ready, draft, issued

pytestmark = pytest.mark.django_db

# Documents and reminders land in parallel (see tests/invoices/conftest.py).
DocumentLink = django_apps.get_model("documents", "DocumentLink")
Reminder = django_apps.get_model("reminders", "Reminder")


@pytest.fixture(autouse=True)
def _company():
    company_ready()


@pytest.mark.slow
def test_issued_pdf_is_archived_as_a_document_linked_to_the_invoice(
    django_capture_on_commit_callbacks,
):
    accountant = EmployeeFactory(role=role_named("Buchhaltung"))
    invoice = draft()
    with django_capture_on_commit_callbacks(execute=True):
        services.invoice_issue(actor=accountant, invoice=invoice, issue_date=ISSUE_DATE)
    links = DocumentLink.objects.filter(
        content_type=ContentType.objects.get_for_model(Invoice), object_id=invoice.pk
    ).select_related("document")
    assert [link.document.mime_type for link in links] == ["application/pdf"]
    assert links[0].document.category == "invoice"


def test_mark_overdue_reminds_the_account_manager_once():
    manager = EmployeeFactory(role=role_named("Projektleitung"))
    invoice = issued(customer=customer_ready(account_manager=manager))
    for day in ("2026-03-20", "2026-03-21"):
        call_command("mark_overdue_invoices", "--date", day, stdout=StringIO())
    reminders = Reminder.objects.filter(owner=manager)
    assert reminders.count() == 1
    assert invoice.number in reminders.get().title
    assert reminders.get().due_date == datetime.date(2026, 3, 20)


def test_invoice_detail_carries_documents_and_reminders_panels(client_for, member):
    from django.urls import reverse

    accountant = EmployeeFactory(role=role_named("Buchhaltung"))
    invoice = issued()
    ct = ContentType.objects.get_for_model(Invoice).pk
    page = client_for(accountant).get(invoice.get_absolute_url())
    assert 'id="documents-panel"' in page.text
    assert 'id="reminders-panel"' in page.text
    panel = reverse("documents:document_panel", args=[ct, invoice.pk])
    assert client_for(accountant).get(panel).status_code == 200
    assert client_for(member).get(panel).status_code == 404
