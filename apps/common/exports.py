"""Files generated off the request: report PDFs and large list exports.

A page asks for a file with ``export_request``; after commit the ``render_export`` task calls the
kind's ``render`` and stores the result under a random key in the default storage (private: only
``export_download`` serves it). The page shows "being created …" and polls ``export_detail``
(htmx, every second) until the download link appears; without JavaScript the same URL is a plain
page with a refresh link. Only the requester may download, only while the kind still allows it
(checked again at download) and until the file expires; every download is audited as an export,
as the synchronous downloads were. Asking for the same file again (same user, kind, parameters)
replaces the old one.

Each domain registers its kinds once (``register_export`` in its ``AppConfig.ready``).
"""

from __future__ import annotations

import datetime
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone, translation

from apps.audit.models import AuditAction
from apps.audit.services import audit_record
from apps.common.models import ExportFile

logger = logging.getLogger(__name__)

EXPORT_LIFETIME = datetime.timedelta(hours=24)


@dataclass(frozen=True)
class ExportKind:
    """What a kind of export needs: who may have it, how it is rendered, how a download is
    audited (``audit_record`` arguments: ``target`` or ``object_repr``, ``message``) and where
    the page that asked for it is."""

    name: str
    content_type: str
    allowed: Callable[[Any, dict[str, Any]], bool]
    render: Callable[[dict[str, Any], Any], bytes]
    audit: Callable[[ExportFile], dict[str, Any]]
    back_url: Callable[[dict[str, Any]], str]


_kinds: dict[str, ExportKind] = {}


def register_export(kind: ExportKind) -> None:
    _kinds[kind.name] = kind


def export_kind(name: str) -> ExportKind:
    return _kinds[name]


def _subject(params: dict[str, Any]) -> str:
    return json.dumps(params, sort_keys=True, separators=(",", ":"))[:200]


def _delete_files(names: list[str]) -> None:
    for name in names:
        try:
            default_storage.delete(name)
        except OSError:  # already gone; prune_exports does not need it either
            logger.warning("Could not delete export file %s", name)


def export_request(*, user: Any, kind: str, params: dict[str, Any], filename: str) -> ExportFile:
    """Queue the file (rendered by a task after commit), replacing the user's earlier one."""
    export_kind(kind)  # unknown kinds fail here, not in the worker
    subject = _subject(params)
    with transaction.atomic():
        # Locked: a render still running finishes first, so its file is deleted with the row.
        earlier = list(
            ExportFile.objects.select_for_update().filter(
                requested_by=user, kind=kind, subject=subject
            )
        )
        names = [export.file.name for export in earlier if export.file]
        ExportFile.objects.filter(pk__in=[export.pk for export in earlier]).delete()
        export = ExportFile.objects.create(
            kind=kind,
            params=params,
            subject=subject,
            requested_by=user,
            filename=filename,
            language=translation.get_language() or "",
            expires_at=timezone.now() + EXPORT_LIFETIME,
        )
        export_id = export.pk
        transaction.on_commit(lambda: _delete_files(names))
        transaction.on_commit(lambda: _enqueue(export_id))
    return export


def _enqueue(export_id: int) -> None:
    from apps.common.tasks import render_export

    render_export.enqueue(export_id)


def export_render(*, export_id: int) -> ExportFile | None:
    """Render a pending file once (the task's work); a failure is kept and shown."""
    with transaction.atomic():
        export = (
            ExportFile.objects.select_for_update()
            .select_related("requested_by")
            .filter(pk=export_id)
            .first()
        )
        if export is None or export.status != ExportFile.Status.PENDING:
            return export
        kind = export_kind(export.kind)
        try:
            # In the requester's language; a database error while rendering leaves ours usable.
            with (
                translation.override(export.language or settings.LANGUAGE_CODE),
                transaction.atomic(),
            ):
                content = kind.render(export.params, export.requested_by)
        except Exception as error:  # shown on the page; the user can ask again
            logger.exception("Export %s (%s) failed", export.pk, export.kind)
            export.status = ExportFile.Status.FAILED
            export.error = (str(error) or error.__class__.__name__)[:1000]
        else:
            export.file.save(export.filename, ContentFile(content), save=False)
            export.status = ExportFile.Status.READY
        export.finished_at = timezone.now()
        export.save(update_fields=["status", "file", "error", "finished_at", "updated_at"])
    return export


def export_get_for_user(user: Any, key: Any) -> ExportFile | None:
    """The user's own file with this key (another user's key finds nothing)."""
    return ExportFile.objects.filter(requested_by=user, key=key).first()


def export_is_available(export: ExportFile, *, now: datetime.datetime | None = None) -> bool:
    return export.is_ready and export.expires_at > (now or timezone.now())


def export_allowed(user: Any, export: ExportFile) -> bool:
    kind = _kinds.get(export.kind)
    return kind is not None and kind.allowed(user, export.params)


def export_record_download(*, user: Any, export: ExportFile) -> None:
    """Audited like the synchronous downloads were (the kind says what it concerns)."""
    audit_record(action=AuditAction.EXPORT, actor=user, **export_kind(export.kind).audit(export))


def exports_prune(*, now: datetime.datetime | None = None) -> int:
    """Delete expired files and their rows; returns how many."""
    expired = list(ExportFile.objects.filter(expires_at__lte=now or timezone.now()))
    names = [export.file.name for export in expired if export.file]
    ExportFile.objects.filter(pk__in=[export.pk for export in expired]).delete()
    _delete_files(names)
    return len(expired)
