"""Journey: sign in, switch the language and back, search the directory, open an employee."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import login
from tests.employees.factories import DepartmentFactory, EmployeeFactory, role_named

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_sign_in_switch_language_and_browse_the_directory(page, e2e_user):
    admin = e2e_user(role="Admin", first_name="Anna", last_name="Admin", is_staff=True)
    support = DepartmentFactory(name="Support", code="SUP")
    EmployeeFactory(
        first_name="Gerda",
        last_name="Günther",
        department=support,
        role=role_named("Mitarbeiter"),
        position="Support-Technikerin",
    )
    EmployeeFactory(first_name="Bernd", last_name="Becker", role=role_named("Mitarbeiter"))

    login(page, admin)
    expect(page.locator("html")).to_have_attribute("lang", "de")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Hallo, Anna")

    # Switch to English in the user menu (the select submits itself) and back to German.
    page.locator("details.user-menu summary").click()
    page.locator("#pref-language").select_option("en")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Hello, Anna")
    page.locator("details.user-menu summary").click()
    page.locator("#pref-language").select_option("de")
    expect(page.locator("html")).to_have_attribute("lang", "de")

    # The directory: typing in the search swaps only the results (htmx) and pushes the URL.
    page.get_by_role("navigation", name="Hauptnavigation").get_by_role(
        "link", name="Mitarbeitende"
    ).click()
    expect(page).to_have_url(re.compile(r"/employees/$"))
    results = page.locator("#employee-results")
    expect(results).to_contain_text("Becker")
    search = page.get_by_label("Suche")
    search.fill("Günther")
    expect(results).not_to_contain_text("Becker")
    expect(results).to_contain_text("Gerda Günther")
    expect(page).to_have_url(re.compile(r"q=G%C3%BCnther|q=Günther"))
    expect(search).to_be_focused()

    # Open the employee.
    results.get_by_role("link", name="Gerda Günther").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Gerda Günther")
    expect(page.locator("dl.facts")).to_contain_text("Support-Technikerin")
