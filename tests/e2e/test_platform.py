"""Journey: sign in, switch the language and back, search the directory, open an employee."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import E2E_PASSWORD, login
from tests.employees.factories import DepartmentFactory, EmployeeFactory, role_named

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


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
    expect(page.locator("main")).to_contain_text("Support-Technikerin")
    expect(page.locator("main")).to_contain_text("Support")
    assert not page.console_errors


def test_keyboard_only_sign_in_menu_and_theme(page, e2e_user):
    member = e2e_user(role="Mitarbeiter", first_name="Mia", last_name="Muster")
    page.goto("/accounts/login/")
    # The e-mail field has the focus; type, tab to the password, submit with Enter.
    page.keyboard.type(member.email)
    page.keyboard.press("Tab")
    page.keyboard.type(E2E_PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Hallo, Mia")

    # The first Tab reaches the skip link, Enter moves the focus to the content.
    page.keyboard.press("Tab")
    expect(page.locator(".skip-link")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()

    # The user menu opens from the keyboard, Escape closes it again.
    page.locator("details.user-menu summary").focus()
    page.keyboard.press("Enter")
    expect(page.locator("details.user-menu")).to_have_attribute("open", "")
    page.keyboard.press("Escape")
    expect(page.locator("details.user-menu")).not_to_have_attribute("open", "")
    expect(page.locator("details.user-menu summary")).to_be_focused()

    # Dark theme, chosen in the menu, sticks.
    page.locator("details.user-menu summary").click()
    page.locator("#pref-theme").select_option("dark")
    expect(page.locator("html")).to_have_attribute("data-theme", "dark")
    page.reload()
    expect(page.locator("html")).to_have_attribute("data-theme", "dark")
    assert not page.console_errors


def test_directory_on_a_phone(page, e2e_user):
    admin = e2e_user(role="Admin", first_name="Anna", last_name="Admin")
    EmployeeFactory(first_name="Gerda", last_name="Günther", role=role_named("Mitarbeiter"))
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, admin)
    # The navigation hides behind the menu button.
    nav = page.get_by_role("navigation", name="Hauptnavigation")
    expect(nav).to_be_hidden()
    page.get_by_role("button", name="Menü").click()
    expect(nav).to_be_visible()
    nav.get_by_role("link", name="Mitarbeitende").click()
    # Rows become cards that fit the screen: no horizontal scrolling.
    row = page.locator("#employee-results tbody tr").filter(has_text="Gerda Günther")
    expect(row).to_be_visible()
    assert row.bounding_box()["width"] <= 390
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= 390
    page.get_by_label("Suche").fill("Gerda")
    expect(page.locator("#employee-results tbody tr")).to_have_count(1)
    assert not page.console_errors


def test_admin_panel_works_under_the_content_security_policy(page, e2e_user):
    admin = e2e_user(role="Admin", first_name="Anna", last_name="Admin", is_staff=True)
    colleague = EmployeeFactory(first_name="Gerda", last_name="Günther")
    login(page, admin)
    page.goto("/admin/")
    expect(page.locator("#content")).to_contain_text("Mitarbeitende")
    page.goto(f"/admin/employees/employee/{colleague.pk}/change/")
    expect(page.locator("input[name=first_name]")).to_have_value("Gerda")
    page.goto("/admin/employees/employee/?q=Günther")
    expect(page.locator("#result_list")).to_contain_text("Günther")
    assert not page.console_errors
