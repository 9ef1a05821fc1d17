"""German first, English second; the German catalogue is complete."""

from __future__ import annotations

from pathlib import Path

import polib
import pytest
from django.urls import reverse

PO_FILE = Path(__file__).resolve().parents[2] / "locale" / "de" / "LC_MESSAGES" / "django.po"


@pytest.mark.django_db
def test_ui_is_german_by_default(client_for, member):
    response = client_for(member).get(reverse("employees:employee_list"))
    assert 'lang="de"' in response.text
    assert "Mitarbeitende" in response.text
    assert "Zum Inhalt springen" in response.text


@pytest.mark.django_db
def test_login_page_falls_back_to_german_for_other_browser_languages(client):
    response = client.get(reverse("login"), headers={"Accept-Language": "fr"})
    assert 'lang="de"' in response.text


@pytest.mark.django_db
def test_ui_is_english_after_switching_in_the_preferences(client_for, member):
    client = client_for(member)
    response = client.post(reverse("employees:preferences"), {"language": "en", "next": "/"})
    assert response.cookies["django_language"].value == "en"
    page = client.get(reverse("employees:employee_list"))
    assert 'lang="en"' in page.text
    assert "Skip to content" in page.text
    assert "Mitarbeitende" not in page.text


@pytest.mark.django_db
def test_switching_back_to_german_works(client_for, member):
    client = client_for(member)
    client.post(reverse("employees:preferences"), {"language": "en"})
    client.post(reverse("employees:preferences"), {"language": "de"})
    assert 'lang="de"' in client.get("/").text


def test_german_catalogue_has_no_untranslated_or_fuzzy_entries():
    catalogue = polib.pofile(str(PO_FILE))
    untranslated = [entry.msgid for entry in catalogue.untranslated_entries()]
    fuzzy = [entry.msgid for entry in catalogue.fuzzy_entries()]
    assert not untranslated, f"untranslated in {PO_FILE.name}: {untranslated}"
    assert not fuzzy, f"fuzzy in {PO_FILE.name}: {fuzzy}"


def test_german_catalogue_keeps_placeholders():
    import re

    placeholder = re.compile(r"%\(\w+\)[sd]|%[sd]|\{\w*\}")
    mismatched = []
    for entry in polib.pofile(str(PO_FILE)).translated_entries():
        translations = list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]
        expected = sorted(placeholder.findall(entry.msgid_plural or entry.msgid))
        for text in translations:
            if sorted(placeholder.findall(text)) != expected and not (
                entry.msgid_plural
                and sorted(placeholder.findall(text)) == sorted(placeholder.findall(entry.msgid))
            ):
                mismatched.append(entry.msgid)
    assert not mismatched, mismatched
