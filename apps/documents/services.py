"""Writes of documents: upload (checked, deduplicated, stored under a random key), link, edit,
share, delete. Every change is audited."""

from __future__ import annotations

import hashlib
import logging
from pathlib import PurePosixPath
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, models, transaction
from django.utils.translation import gettext as _
from guardian.shortcuts import assign_perm, remove_perm

from apps.audit.models import AuditAction
from apps.audit.services import audit_created, audit_record, snapshot
from apps.documents.models import Document, DocumentLink
from apps.documents.targets import target_label
from apps.documents.validation import detect_kind, sanitize_file_name

logger = logging.getLogger(__name__)

AUDITED_FIELDS = (
    "title",
    "original_name",
    "category",
    "owner",
    "sha256",
    "size",
    "mime_type",
    "confidential",
)


class DuplicateDocument(Exception):
    """The same content (SHA-256) is already stored; nothing new was stored."""

    def __init__(self, existing: Document, name: str) -> None:
        super().__init__(name)
        self.existing = existing
        self.name = name


def _sha256(stream: Any) -> str:
    stream.seek(0)
    hasher = hashlib.sha256()
    while chunk := stream.read(1024 * 1024):
        hasher.update(chunk)
    stream.seek(0)
    return hasher.hexdigest()


def document_check_upload(*, uploaded: UploadedFile) -> tuple[str, str, str]:
    """Validate one uploaded file: (display name, MIME type, sha256) or ValidationError."""
    name = sanitize_file_name(uploaded.name)
    size = uploaded.size or 0
    if size > settings.DOCUMENT_MAX_BYTES:
        raise ValidationError(
            _("The file is larger than %(limit)s MB.")
            % {"limit": f"{settings.DOCUMENT_MAX_BYTES / 1024 / 1024:g}"},
            code="too_large",
        )
    stream = uploaded.file
    kind = detect_kind(stream, size=size, name=name)
    sha256 = getattr(uploaded, "sha256", None) or _sha256(stream)
    return name, kind.mime_type, sha256


def document_upload(
    *,
    uploaded: UploadedFile,
    uploaded_by: Any,
    target: models.Model | None = None,
    title: str = "",
    category: str = Document.Category.OTHER,
    confidential: bool = False,
    owner: Any = None,
) -> Document:
    """Check, deduplicate and store one file; link it to ``target``.

    Raises ValidationError (refused file) or DuplicateDocument (content already stored: nothing
    new is written; the caller may offer ``document_link`` to the existing document).
    """
    name, mime_type, sha256 = document_check_upload(uploaded=uploaded)
    existing = Document.objects.filter(sha256=sha256).first()
    if existing is not None:
        raise DuplicateDocument(existing, name)
    document = Document(
        title=(title.strip() or PurePosixPath(name).stem or name)[:200],
        original_name=name[:200],
        category=category,
        owner=owner or uploaded_by,
        uploaded_by=uploaded_by,
        sha256=sha256,
        size=uploaded.size,
        mime_type=mime_type,
        confidential=confidential,
    )
    uploaded.file.seek(0)
    # Stored first (outside the transaction); removed again if the row cannot be written.
    document.file.save("upload", File(uploaded.file), save=False)
    try:
        with transaction.atomic():
            document.save(force_insert=True)
            audit_created(target=document, fields=AUDITED_FIELDS, actor=uploaded_by)
            if target is not None:
                _link(document=document, target=target, actor=uploaded_by)
    except IntegrityError as error:
        document.file.delete(save=False)
        existing = Document.objects.filter(sha256=sha256).first()
        if existing is not None:
            raise DuplicateDocument(existing, name) from error
        raise
    except BaseException:
        document.file.delete(save=False)
        raise
    return document


def _link(*, document: Document, target: models.Model, actor: Any) -> DocumentLink:
    content_type = ContentType.objects.get_for_model(target)
    link, created = DocumentLink.objects.get_or_create(
        document=document,
        content_type=content_type,
        object_id=target.pk,
        defaults={"target_repr": target_label(target), "linked_by": actor},
    )
    if created:
        audit_record(
            action=AuditAction.UPDATE,
            target=document,
            actor=actor,
            changes={"linked_to": {"old": None, "new": link.target_repr}},
        )
    return link


def document_link(*, document: Document, target: models.Model, actor: Any) -> DocumentLink:
    """Link an existing document to one more record (idempotent)."""
    if not getattr(type(target), "carries_attachments", False):
        raise ValidationError(_("Documents cannot be attached to this record."), code="target")
    with transaction.atomic():
        return _link(document=document, target=target, actor=actor)


def document_unlink(*, link: DocumentLink, actor: Any) -> None:
    with transaction.atomic():
        document = link.document
        audit_record(
            action=AuditAction.UPDATE,
            target=document,
            actor=actor,
            changes={"linked_to": {"old": link.target_repr, "new": None}},
        )
        link.delete()


def document_update(
    *,
    document: Document,
    actor: Any,
    title: str,
    category: str,
    confidential: bool,
    owner: Any = None,
) -> Document:
    """Title, category and confidentiality; ``owner`` (the admin panel) hands the document to
    another active employee. Audited with the old and new values."""
    from apps.audit.services import audit_changed

    if owner is not None and not owner.is_active:
        raise ValidationError(
            {"owner": _("Inactive employees cannot own documents.")}, code="inactive"
        )
    with transaction.atomic():
        before = snapshot(document, ("title", "category", "confidential", "owner"))
        document.title = title.strip()[:200] or document.title
        document.category = category
        document.confidential = confidential
        if owner is not None:
            document.owner = owner
        document.full_clean(exclude=["file"])
        document.save(update_fields=["title", "category", "confidential", "owner", "updated_at"])
        audit_changed(target=document, before=before, actor=actor)
    return document


def document_delete(*, document: Document, actor: Any) -> None:
    """Delete the document everywhere; the stored file goes after the commit."""
    storage, key = document.file.storage, document.file.name
    with transaction.atomic():
        audit_record(
            action=AuditAction.DELETE,
            target=document,
            actor=actor,
            changes={
                f: {"old": v, "new": None} for f, v in snapshot(document, AUDITED_FIELDS).items()
            },
        )
        document.delete()
        transaction.on_commit(lambda: _delete_blob(storage, key))


def _delete_blob(storage: Any, key: str) -> None:
    try:
        storage.delete(key)
    except Exception:  # a missing blob must not break the request; verify_documents reports
        logger.exception("Could not delete stored file %s", key)


def document_share(*, document: Document, employee: Any, actor: Any) -> None:
    if not employee.is_active:
        raise ValidationError(_("Inactive employees cannot receive documents."), code="inactive")
    with transaction.atomic():
        assign_perm("documents.view_document", employee, document)
        audit_record(
            action=AuditAction.UPDATE,
            target=document,
            actor=actor,
            changes={"shared_with": {"old": None, "new": str(employee)}},
        )


def document_unshare(*, document: Document, employee: Any, actor: Any) -> None:
    with transaction.atomic():
        remove_perm("documents.view_document", employee, document)
        audit_record(
            action=AuditAction.UPDATE,
            target=document,
            actor=actor,
            changes={"shared_with": {"old": str(employee), "new": None}},
        )


def document_record_download(*, document: Document, actor: Any, inline: bool) -> None:
    """Confidential documents: every download (and inline view) goes into the audit log."""
    if document.confidential:
        audit_record(
            action=AuditAction.DOWNLOAD,
            target=document,
            actor=actor,
            message="inline" if inline else "attachment",
        )


def document_verify(document: Document) -> str | None:
    """None if the stored file matches its checksum, else a short problem description."""
    storage = document.file.storage
    try:
        with storage.open(document.file.name, "rb") as handle:
            hasher = hashlib.sha256()
            size = 0
            while chunk := handle.read(1024 * 1024):
                hasher.update(chunk)
                size += len(chunk)
    except (FileNotFoundError, OSError):
        return "missing"
    except Exception as error:  # S3 raises botocore errors for missing keys
        if "404" in str(error) or "NoSuchKey" in str(error) or "Not Found" in str(error):
            return "missing"
        raise
    if hasher.hexdigest() != document.sha256 or size != document.size:
        return "altered"
    return None
