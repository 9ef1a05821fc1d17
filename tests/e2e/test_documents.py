"""Journey: attach a PDF to a record by drag and drop, see it listed, preview it, add a reminder
to the record, edit it in place and mark it done.

The record is a customer when the CRM detail page exists (crm:customer_detail), otherwise the
employee detail page (both carry the same panels through documents/_panels.html).
"""

from __future__ import annotations

import base64
import re

import pytest
from django.urls import NoReverseMatch, reverse
from playwright.sync_api import expect

from apps.documents.models import Document
from apps.documents.samples import minimal_pdf, minimal_png
from apps.reminders.models import Reminder
from tests.e2e.conftest import login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

MAKE_DATA_TRANSFER = """([b64, name]) => {
  const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  const transfer = new DataTransfer();
  transfer.items.add(new File([bytes], name, { type: "application/pdf" }));
  return transfer;
}"""


def _record(admin):
    try:
        reverse("crm:customer_detail", args=[1])
    except NoReverseMatch:
        return admin
    from tests.crm.factories import CustomerFactory

    return CustomerFactory(name="Nordlicht GmbH")


def test_attach_pdf_by_drag_and_drop_preview_and_remind(page, e2e_user):
    admin = e2e_user(role="Admin", first_name="Anna", last_name="Admin", is_staff=True)
    record = _record(admin)
    login(page, admin)
    page.goto(record.get_absolute_url())

    documents = page.locator("#documents-panel")
    expect(documents).to_contain_text("Noch keine Dokumente")

    # Drag and drop: a real DataTransfer with a File, dropped on the drop zone.
    transfer = page.evaluate_handle(
        MAKE_DATA_TRANSFER,
        [base64.b64encode(minimal_pdf("Rahmenvertrag")).decode(), "Rahmenvertrag.pdf"],
    )
    zone = documents.locator("[data-dropzone]")
    zone.dispatch_event("dragover", {"dataTransfer": transfer})
    zone.dispatch_event("drop", {"dataTransfer": transfer})

    expect(documents.locator("[data-testid=upload-outcomes]")).to_contain_text("wurde hochgeladen")
    row = documents.locator("[data-testid=document-table] tbody tr", has_text="Rahmenvertrag")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Rahmenvertrag")
    expect(row).to_contain_text("Sonstiges")
    document = Document.objects.get(mime_type="application/pdf")
    assert document.mime_type == "application/pdf"
    assert "Rahmenvertrag" not in document.file.name

    # The file picker path: choosing a file uploads it right away (same htmx form).
    documents.locator("input[type=file]").set_input_files(
        {"name": "Logo.png", "mimeType": "image/png", "buffer": minimal_png()}
    )
    expect(documents.locator("[data-testid=document-table] tbody tr")).to_have_count(2)
    expect(documents).to_contain_text("Logo")

    # Preview: the detail page frames the inline view (same origin, PDF content type).
    inline_url = reverse("documents:document_inline", args=[document.pk])
    with page.expect_response(lambda r: r.url.endswith(inline_url)) as preview:
        row.get_by_role("link", name="Vorschau").click()
    assert preview.value.status == 200
    assert preview.value.headers["content-type"] == "application/pdf"
    expect(page.get_by_role("heading", level=1)).to_contain_text("Rahmenvertrag")
    expect(page.locator("[data-testid=pdf-preview]")).to_be_visible()

    # Back on the record: add a reminder and mark it done, in place.
    page.goto(record.get_absolute_url())
    reminders = page.locator("#reminders-panel")
    expect(reminders).to_contain_text("Noch keine Erinnerungen")
    reminders.locator("input[name=title]").fill("Vertrag gegenzeichnen lassen")
    reminders.locator("input[name=due_date]").fill("2030-05-04")
    reminders.locator("select[name=priority]").select_option("high")
    reminders.get_by_role("button", name="Erinnerung hinzufügen").click()
    item = reminders.locator("[data-testid=reminder-item]")
    expect(item).to_contain_text("Vertrag gegenzeichnen lassen")
    expect(item).to_contain_text("hoch")

    # Edit in place: the item becomes its form (focus in the title); a refused save keeps the form.
    item.get_by_role("link", name="Bearbeiten").click()
    edit = reminders.locator("[data-testid=reminder-edit-form]")
    title = edit.get_by_label("Titel")
    expect(title).to_be_focused()
    expect(edit.get_by_label("Fälligkeitsdatum")).to_have_value("2030-05-04")
    title.fill("")
    edit.get_by_role("button", name="Speichern").click()
    expect(edit).to_contain_text("Dieses Feld ist zwingend erforderlich.")
    title.fill("Gegengezeichneten Vertrag ablegen")
    edit.get_by_role("button", name="Speichern").click()
    expect(item).to_contain_text("Gegengezeichneten Vertrag ablegen")
    expect(item.get_by_role("link", name="Bearbeiten")).to_be_focused()

    item.get_by_role("button", name="Erledigt").click()
    expect(item).to_have_class(re.compile(r"\bdone\b"))
    expect(item.get_by_role("button", name="Wieder öffnen")).to_be_visible()
    reminder = Reminder.objects.get()
    assert reminder.done and reminder.target == record
    assert reminder.title == "Gegengezeichneten Vertrag ablegen"
    # The refused save answered 422 on purpose; nothing else went wrong (CSP, scripts).
    assert [error for error in page.console_errors if "422" not in error] == []
