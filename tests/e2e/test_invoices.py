"""Journey: write an invoice with the line editor, issue it, open the PDF, record a partial and
then the final payment, and see it paid."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.e2e.conftest import login
from tests.invoices.factories import company_ready, customer_ready

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_invoice_issue_pdf_and_payments(page, e2e_user, live_server):
    accountant = e2e_user(role="Buchhaltung", first_name="Berta", last_name="Buchhaltung")
    company_ready()
    customer = customer_ready(name="Nordlicht Logistik AG")
    today = timezone.localdate()

    login(page, accountant)
    page.goto(live_server.url + "/invoices/new/")
    page.get_by_label("Kunde").select_option(str(customer.pk))
    page.get_by_label("Leistungsdatum").fill(today.isoformat())
    row = page.locator("#line-row-0")
    row.get_by_label("Beschreibung").fill("Beratung")
    row.get_by_label("Menge").fill("2")
    row.get_by_label("Einzelpreis (netto)").fill("85")
    # The server recomputes the totals while typing (htmx partial swap).
    expect(page.locator("#invoice-totals")).to_contain_text("202,30")
    page.get_by_role("button", name="Entwurf speichern").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Entwurf")

    page.get_by_role("link", name="Rechnung stellen").click()
    page.get_by_role("button", name="Rechnung stellen").click()
    number = f"RE-{today.year}-0001"
    expect(page.get_by_role("heading", level=1)).to_contain_text(number)

    pdf_link = page.get_by_role("link", name="PDF herunterladen")
    expect(pdf_link).to_be_visible()
    pdf = page.request.get(live_server.url + pdf_link.get_attribute("href"))
    assert pdf.ok
    assert pdf.body().startswith(b"%PDF")

    payments = page.locator("#invoice-payments")
    payments.get_by_label("Betrag (EUR)").fill("100.00")
    payments.get_by_role("button", name="Zahlung erfassen").click()
    expect(payments).to_contain_text("teilweise bezahlt")
    expect(page.locator("#invoice-open-amount")).to_contain_text("102,30")
    payments.get_by_label("Betrag (EUR)").fill("102.30")
    payments.get_by_role("button", name="Zahlung erfassen").click()
    expect(payments).to_contain_text(re.compile(r"\bbezahlt"))
    expect(page.locator("#invoice-open-amount")).to_contain_text("0,00")
