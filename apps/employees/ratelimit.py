"""django-axes hooks for the local sign-in (rate limiting per username and per IP address)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest


def client_username(request: HttpRequest, credentials: dict[str, Any] | None = None) -> str:
    """The e-mail address as typed, case-folded: ``Anna@X.de`` and ``anna@x.de`` share one
    failure counter, so varying the case does not get around the lockout."""
    source: Any = credentials if credentials else getattr(request, "POST", {})
    value = source.get("username") or source.get("email") or ""
    return str(value).strip().lower()[:254]
