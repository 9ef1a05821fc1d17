from __future__ import annotations

import io

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.documents.factories import make_document

pytestmark = pytest.mark.django_db


def test_verify_documents_passes_when_everything_is_intact(admin):
    make_document(owner=admin)
    out = io.StringIO()
    call_command("verify_documents", stdout=out)
    assert "1 document(s) checked: 0 missing, 0 altered." in out.getvalue()


def test_verify_documents_reports_missing_and_altered_files(admin):
    missing = make_document(owner=admin)
    altered = make_document(owner=admin)
    storage = missing.file.storage
    storage.delete(missing.file.name)
    storage.delete(altered.file.name)
    storage.save(altered.file.name, ContentFile(b"%PDF-1.4 changed"))
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("verify_documents", stdout=out)
    assert f"MISSING: document {missing.pk}" in out.getvalue()
    assert f"ALTERED: document {altered.pk}" in out.getvalue()


def test_demo_seed_is_idempotent(admin):
    from apps.documents import demo as documents_demo
    from apps.documents.models import Document
    from apps.reminders import demo as reminders_demo
    from apps.reminders.models import Reminder

    for _ in range(2):
        documents_demo.seed(size="small", stdout=io.StringIO())
        reminders_demo.seed(size="small", stdout=io.StringIO())
    assert Document.objects.count() == 5
    assert Reminder.objects.count() == 4
