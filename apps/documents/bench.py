"""Pages for ``make bench`` (evaluated after seeding)."""

from __future__ import annotations


def _first_document() -> str:
    from apps.documents.models import Document

    document = Document.objects.order_by("pk").first()
    return document.get_absolute_url() if document else "/documents/"


PAGES = [
    {"name": "document library", "path": "/documents/", "user": "admin"},
    {"name": "document detail", "path": _first_document, "user": "admin"},
]
