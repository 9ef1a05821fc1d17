"""Journey: create a customer with a contact, find it by part of its name (umlaut folding), move it
through the pipeline (keyboard fallback and drag and drop), create a project for it, add a member."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from apps.crm.models import Customer
from apps.projects.models import ProjectMember
from tests.e2e.conftest import login
from tests.employees.factories import EmployeeFactory, role_named

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_customer_to_project_journey(page, e2e_user):
    admin = e2e_user(role="Admin", first_name="Anna", last_name="Admin")
    EmployeeFactory(first_name="Tim", last_name="Techniker", role=role_named("Mitarbeiter"))
    login(page, admin)

    # Create the customer (htmx form; invalid input first: 422 with the error next to the field).
    page.goto("/crm/customers/")
    page.get_by_test_id("customer-create").click()
    form = page.get_by_test_id("customer-form")
    form.get_by_label("Name:", exact=True).fill("Müller Elektrotechnik GmbH")
    form.get_by_label("USt-IdNr.", exact=True).fill("DE123")
    form.get_by_role("button", name="Speichern").click()
    expect(form.locator(".errorlist")).to_contain_text("USt-IdNr")  # swapped in with 422
    form.get_by_label("USt-IdNr.", exact=True).fill("")
    form.get_by_label("E-Mail:", exact=True).fill("info@mueller-elektro.example")
    form.get_by_label("Ort:", exact=True).fill("Köln")
    form.get_by_role("button", name="Speichern").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Müller Elektrotechnik GmbH")
    customer = Customer.objects.get()  # the invalid attempt saved nothing

    # Add the primary contact in the contacts tab (loaded and submitted in place).
    page.get_by_role("link", name="Ansprechpartner", exact=True).click()
    expect(page).to_have_url(re.compile(r"\?tab=contacts$"))
    contact_form = page.get_by_test_id("contact-form")
    contact_form.get_by_label("Vorname:", exact=True).fill("Jürgen")
    contact_form.get_by_label("Nachname:", exact=True).fill("Weiß")
    contact_form.get_by_label("Hauptansprechpartner:", exact=True).check()
    contact_form.get_by_role("button", name="Ansprechpartner hinzufügen").click()
    table = page.get_by_test_id("contact-table")
    expect(table).to_contain_text("Jürgen Weiß")
    expect(table.get_by_test_id("primary-badge")).to_be_visible()

    # Find it by typing part of the name without umlaut and in capitals (htmx live search).
    page.goto("/crm/customers/")
    search = page.get_by_label("Suche")
    search.fill("MULLER ELEKTRO")
    results = page.locator("#customer-results")
    expect(page).to_have_url(re.compile(r"q=MULLER"))
    expect(results).to_contain_text("Müller Elektrotechnik GmbH")
    expect(search).to_be_focused()
    search.fill("weiss")  # contact names are searched as well
    expect(results).to_contain_text("Müller Elektrotechnik GmbH")

    # Pipeline: keyboard-usable fallback first, then drag and drop.
    page.goto("/crm/pipeline/")
    card = page.locator(f"#pipeline-card-{customer.pk}")
    expect(page.get_by_test_id("stage-new_lead")).to_contain_text("Müller Elektrotechnik GmbH")
    card.get_by_label("Phase von Müller Elektrotechnik GmbH").select_option("qualified")
    card.get_by_role("button", name="Verschieben").click()
    expect(page.get_by_test_id("stage-qualified")).to_contain_text("Müller Elektrotechnik GmbH")
    with page.expect_response(lambda response: "/move/" in response.url) as moved:
        page.locator(f"#pipeline-card-{customer.pk}").drag_to(page.get_by_test_id("stage-proposal"))
    assert moved.value.status == 200
    expect(page.get_by_test_id("stage-proposal")).to_contain_text("Müller Elektrotechnik GmbH")
    expect(page.locator(f"#pipeline-card-{customer.pk} select[name=stage]")).to_have_value(
        "proposal"
    )
    customer.refresh_from_db()
    assert customer.stage == "proposal"

    # A project for the customer, from its projects tab.
    page.goto(f"/crm/customers/{customer.pk}/?tab=projects")
    page.get_by_test_id("customer-new-project").click()
    project_form = page.get_by_test_id("project-form")
    expect(project_form.get_by_label("Kunde", exact=True)).to_have_value(
        f"{customer.number} {customer.name}"
    )
    project_form.get_by_label("Titel:", exact=True).fill("Netzwerk-Modernisierung")
    project_form.get_by_role("button", name="Speichern").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Netzwerk-Modernisierung")

    # Add a member in the members tab.
    page.get_by_role("link", name="Mitglieder").click()
    member_form = page.get_by_test_id("member-form")
    member_form.get_by_label("Mitarbeiter:", exact=True).select_option(label="Tim Techniker")
    member_form.get_by_role("button", name="Mitglied hinzufügen").click()
    expect(page.get_by_test_id("member-list")).to_contain_text("Tim Techniker")
    assert ProjectMember.objects.filter(employee__last_name="Techniker").exists()
