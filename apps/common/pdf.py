"""HTML → PDF with WeasyPrint, fetching nothing but our own static files and data: URIs.

Templates reference assets as ``{% static "css/pdf.css" %}``; those URLs resolve against a
fixed, non-routable base URL and are served from the staticfiles finders (or STATIC_ROOT).
Everything else (http(s) to other hosts, file:, ftp:, paths outside the static files) is refused,
so user-controlled text in a document can never make the server fetch a URL (no SSRF, no local
file disclosure).
"""

from __future__ import annotations

import mimetypes
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.exceptions import SuspiciousFileOperation
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

BASE_URL = "https://workmate.invalid/"


class BlockedURL(ValueError):
    pass


def _static_path(url: str) -> Path | None:
    parts = urlsplit(url)
    if parts.scheme != "https" or parts.netloc != urlsplit(BASE_URL).netloc:
        return None
    path = unquote(parts.path)
    if not path.startswith(settings.STATIC_URL) or ".." in path.split("/"):
        return None
    relative = path[len(settings.STATIC_URL) :]
    try:
        found = finders.find(relative)
    except SuspiciousFileOperation:
        return None
    if found:
        return Path(found)
    root = Path(settings.STATIC_ROOT).resolve()
    candidate = (root / relative).resolve()
    if candidate.is_file() and candidate.is_relative_to(root):
        return candidate
    return None


class StaticFilesFetcher(URLFetcher):
    """A WeasyPrint URL fetcher that serves only data: URIs and our static files."""

    def fetch(self, url: str, headers: dict | None = None) -> URLFetcherResponse:
        if url.startswith("data:"):
            return super().fetch(url, headers)
        path = _static_path(url)
        if path is None:
            raise BlockedURL(f"URL not allowed in PDFs: {url[:200]}")
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(
            url, body=path.read_bytes(), headers={"Content-Type": content_type}
        )


def static_url() -> str:
    """The unhashed static URL prefix for PDF templates (``{{ pdf_static_url }}css/x.css``):
    resolved by the fetcher from the source static files, independent of collectstatic."""
    return settings.STATIC_URL


def render_pdf(html: str, *, pdf_variant: str | None = None) -> bytes:
    """Render ``html`` (a rendered template) to PDF bytes; ``pdf_variant`` e.g. "pdf/a-3b"."""
    options = {"pdf_variant": pdf_variant} if pdf_variant else {}
    document = HTML(string=html, base_url=BASE_URL, url_fetcher=StaticFilesFetcher())
    return document.write_pdf(**options)
