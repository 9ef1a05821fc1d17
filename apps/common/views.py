from __future__ import annotations

import logging
import uuid

from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.db import connection
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponsePermanentRedirect,
    JsonResponse,
)
from django.shortcuts import redirect
from django.templatetags.static import static
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_safe

from apps.common import exports
from apps.common.htmx import render_page
from apps.common.http import AuthedRequest
from apps.common.models import ExportFile
from apps.common.permissions import login_only, public

logger = logging.getLogger(__name__)


def _check(probe) -> str:  # type: ignore[no-untyped-def]
    try:
        probe()
    except Exception as error:  # a health check reports every failure, whatever its type
        logger.warning("health check failed: %s", error)
        return "error"
    return "ok"


def _database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _cache() -> None:
    key = f"health:{uuid.uuid4().hex}"
    cache.set(key, "1", 5)
    if cache.get(key) != "1":
        raise RuntimeError("cache did not return the value it stored")
    cache.delete(key)


def _storage() -> None:
    default_storage.exists("health-probe")


@require_safe
@never_cache
@public
def health(request: HttpRequest) -> JsonResponse:
    """Liveness and readiness: 200 when the database answers, 503 when it does not."""
    checks = {"database": _check(_database), "cache": _check(_cache), "storage": _check(_storage)}
    status = 200 if checks["database"] == "ok" else 503
    overall = "ok" if all(v == "ok" for v in checks.values()) else "degraded"
    if status == 503:
        overall = "unavailable"
    return JsonResponse({"status": overall, "checks": checks}, status=status)


@require_GET
@public
def favicon(request: HttpRequest) -> HttpResponsePermanentRedirect:
    """Browsers ask for /favicon.ico on pages without our <link rel="icon"> (the admin)."""
    return HttpResponsePermanentRedirect(static("img/favicon.svg"))


# --- Files generated in the background (apps.common.exports) -----------------------------------


def _own_export(request: AuthedRequest, key: uuid.UUID) -> ExportFile:
    export = exports.export_get_for_user(request.user, key)
    if export is None:
        raise Http404
    return export


@require_GET
@login_only
def export_detail(request: AuthedRequest, key: uuid.UUID) -> HttpResponse:
    """The state of one's own export: polled by htmx while it is created; a plain page with a
    refresh link without JavaScript."""
    export = _own_export(request, key)
    return render_page(
        request,
        "common/export_detail.html",
        {
            "export": export,
            "available": exports.export_is_available(export),
            "back_url": exports.export_kind(export.kind).back_url(export.params),
        },
        partials={f"export-{export.key}": "status"},
    )


@require_GET
@login_only
def export_download(request: AuthedRequest, key: uuid.UUID) -> HttpResponse:
    """One's own ready, unexpired file, while one may still have it; audited."""
    export = _own_export(request, key)
    if not exports.export_is_available(export):
        raise Http404(_("This file is not available (any more)."))
    if not exports.export_allowed(request.user, export):
        raise PermissionDenied
    exports.export_record_download(user=request.user, export=export)
    return FileResponse(
        export.file.open("rb"),
        as_attachment=True,
        filename=export.filename,
        content_type=exports.export_kind(export.kind).content_type,
    )


def export_started(request: AuthedRequest, export: ExportFile, *, target: str) -> HttpResponse:
    """The answer to a page's "create this file" POST: for htmx the status fragment swapped into
    ``#<target>`` (it polls until the download link appears); otherwise the status page."""
    if request.htmx and request.htmx.target == target:
        export.refresh_from_db()  # an immediate task backend has rendered it already
        return render_page(
            request,
            "common/export_detail.html",
            {"export": export, "available": exports.export_is_available(export), "back_url": ""},
            partials={target: "status"},
        )
    return redirect(export)
