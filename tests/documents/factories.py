from __future__ import annotations

import itertools
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from apps.documents.models import Document
from apps.documents.samples import minimal_pdf
from apps.documents.services import document_upload

_counter = itertools.count(1)


def make_document(
    *,
    owner: Any,
    target: Any = None,
    name: str = "",
    content: bytes | None = None,
    confidential: bool = False,
    category: str = Document.Category.OTHER,
) -> Document:
    """A stored document created through the upload service (unique content by default)."""
    n = next(_counter)
    return document_upload(
        uploaded=SimpleUploadedFile(
            name or f"dokument-{n}.pdf", content or minimal_pdf(f"Dokument {n}")
        ),
        uploaded_by=owner,
        target=target,
        confidential=confidential,
        category=category,
    )


def panel_args(target: Any) -> list[int]:
    return [ContentType.objects.get_for_model(target).pk, target.pk]


def upload_url(target: Any) -> str:
    return reverse("documents:document_upload", args=panel_args(target))


HTMX_PANEL = {"HX-Request": "true", "HX-Target": "documents-panel"}


def post_upload(client: Any, target: Any, files: list[tuple[str, bytes]], **data: Any) -> Any:
    payload = {"files": [SimpleUploadedFile(name, content) for name, content in files]}
    payload.update({"category": "other", **data})
    return client.post(upload_url(target), payload, headers=HTMX_PANEL)
