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


def test_bill_tracked_time_issue_pdf_and_payments(page, e2e_user, live_server):
    """The issue's journey: tracked time → draft → issued invoice → PDF → partial, final payment."""
    import datetime as dt
    from decimal import Decimal

    from tests.employees.factories import EmployeeFactory
    from tests.projects.factories import ProjectFactory
    from tests.timetracking.factories import make_entry

    accountant = e2e_user(role="Buchhaltung", first_name="Berta", last_name="Buchhaltung")
    company_ready()
    customer = customer_ready(name="Zeitkunde GmbH")
    project = ProjectFactory(customer=customer, hourly_rate=Decimal("90.00"), billing_rounding=15)
    worker = EmployeeFactory(first_name="Tim", last_name="Techniker")
    # The form's default period is the previous month: two approved entries in it, 3 h in all.
    first_of_month = timezone.localdate().replace(day=1)
    day = (first_of_month - dt.timedelta(days=1)).replace(day=10)
    work = {"project": project, "customer": customer, "hourly_rate": Decimal("90.00")}
    make_entry(worker, day, "09:00", "10:00", status="approved", **work)
    make_entry(worker, day, "10:00", "12:00", status="approved", **work)

    login(page, accountant)
    page.goto(live_server.url + "/invoices/from-time/")
    page.get_by_label("Kunde").select_option(str(customer.pk))
    page.get_by_role("button", name="Einträge anzeigen").click()
    entries = page.locator("#time-entries")
    expect(entries).to_contain_text("270,00")  # 3 h × 90 € net
    entries.get_by_role("button", name=re.compile(r"Entwurf aus 2 Einträgen erstellen")).click()

    page.get_by_role("button", name="Entwurf speichern").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Entwurf")
    page.get_by_role("link", name="Rechnung stellen").click()
    page.get_by_role("button", name="Rechnung stellen").click()
    number = f"RE-{timezone.localdate().year}-0001"
    expect(page.get_by_role("heading", level=1)).to_contain_text(number)

    pdf_link = page.get_by_role("link", name="PDF herunterladen")
    expect(pdf_link).to_be_visible()
    pdf = page.request.get(live_server.url + pdf_link.get_attribute("href"))
    assert pdf.ok and pdf.body().startswith(b"%PDF")

    payments = page.locator("#invoice-payments")
    payments.get_by_label("Betrag (EUR)").fill("100.00")
    payments.get_by_role("button", name="Zahlung erfassen").click()
    expect(payments).to_contain_text("teilweise bezahlt")
    expect(page.locator("#invoice-open-amount")).to_contain_text("221,30")  # 321,30 gross − 100
    payments.get_by_label("Betrag (EUR)").fill("221.30")
    payments.get_by_role("button", name="Zahlung erfassen").click()
    expect(payments).to_contain_text(re.compile(r"\bbezahlt"))
    expect(page.locator("#invoice-open-amount")).to_contain_text("0,00")
