"""One view serves a page and its htmx fragments (template partials)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers


def render_page(
    request: HttpRequest,
    template: str,
    context: dict[str, Any],
    *,
    partials: dict[str, str] | None = None,
    status: int = 200,
) -> HttpResponse:
    """Render ``template``, or only one of its partials for an htmx request.

    ``partials`` maps an HX-Target element id to a partial name: a whitelist, so the client never
    names a template block. Boosted and history-restore requests always get the whole page.
    """
    htmx = getattr(request, "htmx", None)
    serves_fragment = htmx and not htmx.boosted and not htmx.history_restore_request
    if serves_fragment and partials and (name := partials.get(htmx.target or "")):
        template = f"{template}#{name}"
    response = render(request, template, context, status=status)
    patch_vary_headers(response, ("HX-Request", "HX-Target"))
    return response
