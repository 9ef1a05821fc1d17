from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from apps.common.navigation import nav_for


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": [], "LANGUAGES": settings.LANGUAGES}
    return {"nav_items": nav_for(user, request.path)}
