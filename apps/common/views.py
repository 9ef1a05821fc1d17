from __future__ import annotations

import logging
import uuid

from django.core.cache import cache
from django.core.files.storage import default_storage
from django.db import connection
from django.http import HttpRequest, HttpResponsePermanentRedirect, JsonResponse
from django.templatetags.static import static
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_safe

from apps.common.permissions import public

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
