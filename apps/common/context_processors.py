from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from apps.common.navigation import nav_for


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": [], "LANGUAGES": settings.LANGUAGES}
    # Lazy: the badges cost queries (unread chat, due reminders...), and htmx fragments, which
    # never render the navigation, should not pay for them.
    return {"nav_items": SimpleLazyObject(lambda: nav_for(user, request.path))}
