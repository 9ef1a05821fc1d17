"""Journey: "My reminders" on a phone, keyboard only: open a reminder's inline form, change the
title, save with Enter; the item comes back with its record link and the focus on "Bearbeiten"."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from apps.reminders.models import Reminder
from tests.crm.factories import CustomerFactory
from tests.e2e.conftest import login
from tests.reminders.factories import make_reminder

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_edit_a_reminder_in_my_reminders_by_keyboard_on_a_phone(page, e2e_user):
    member = e2e_user(role="Mitarbeiter")
    make_reminder(owner=member, target=CustomerFactory(name="Nordlicht GmbH"), title="Anrufen")
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, member)
    page.goto("/reminders/")

    # The link names its reminder for screen readers ("Bearbeiten: Anrufen").
    page.get_by_role("link", name=re.compile(r"^Bearbeiten\W+Anrufen$")).focus()
    page.keyboard.press("Enter")
    form = page.locator("[data-testid=reminder-edit-form]")
    expect(form.get_by_label("Titel")).to_be_focused()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.keyboard.press("Control+A")
    page.keyboard.type("Angebot nachfassen")
    page.keyboard.press("Enter")

    item = page.locator("[data-testid=reminder-item]")
    expect(item).to_contain_text("Angebot nachfassen")
    expect(item.get_by_role("link", name="Nordlicht GmbH")).to_be_visible()
    expect(item.get_by_role("link", name="Bearbeiten")).to_be_focused()
    expect(page.locator("#messages")).to_contain_text("Die Erinnerung wurde gespeichert.")
    assert Reminder.objects.get().title == "Angebot nachfassen"
    assert not page.console_errors
