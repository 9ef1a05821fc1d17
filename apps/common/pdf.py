"""PDF rendering with WeasyPrint, restricted to our own static files (no SSRF, no local files).

``render_pdf("invoices/pdf/invoice.html", context)`` renders a template and returns the PDF bytes.
Templates reference stylesheets and images with ``{% static %}``; the fetcher serves exactly those
files from the static directories (through the staticfiles finders) and ``data:`` URLs, and
refuses everything else (http(s), file:, other hosts).
"""

from __future__ import annotations

import mimetypes
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string

BASE_URL = "https://workmate-static.invalid/"


def _static_path(url: str) -> Path | None:
    parts = urlsplit(url)
    if parts.scheme != "https" or parts.netloc != urlsplit(BASE_URL).netloc:
        return None
    prefix = "/" + settings.STATIC_URL.strip("/") + "/"
    path = unquote(parts.path)
    if not path.startswith(prefix):
        return None
    relative = path[len(prefix) :]
    if not relative or ".." in Path(relative).parts:
        return None
    found = finders.find(relative)
    if not found:
        root = Path(settings.STATIC_ROOT)
        candidate = (root / relative).resolve()
        if candidate.is_file() and candidate.is_relative_to(root.resolve()):
            return candidate
        return None
    return Path(found if isinstance(found, str) else found[0])


def _fetcher_class() -> Any:
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticOnlyFetcher(URLFetcher):  # type: ignore[misc]
        """Serves our static files and data: URLs; everything else is refused."""

        def fetch(self, url: str, headers: Any = None) -> Any:
            if url.startswith("data:"):
                return super().fetch(url, headers)
            path = _static_path(url)
            if path is None:
                raise ValueError(f"PDF resource not allowed: {url[:100]}")
            mime, _encoding = mimetypes.guess_type(path.name)
            return URLFetcherResponse(
                url,
                body=path.read_bytes(),
                headers={"Content-Type": mime or "application/octet-stream"},
            )

    return StaticOnlyFetcher


def safe_url_fetcher() -> Any:
    return _fetcher_class()()


def render_pdf(template: str, context: dict[str, Any], *, request: Any = None) -> bytes:
    from weasyprint import HTML

    html = render_to_string(template, context, request=request)
    return bytes(HTML(string=html, base_url=BASE_URL, url_fetcher=safe_url_fetcher()).write_pdf())
