"""Building blocks for rows ready to print: pages with many rows load only the columns they show
(``values_list``) and turn them into plain slotted objects in one Python pass, with text formatted,
labels translated and URLs built once per request. The templates print attributes.

Used by ``apps.timetracking.rows`` and ``apps.crm.rows``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString


class TemplateRow:
    """Base of the row classes: cheap to print in Django templates.

    The engine resolves ``{{ row.name }}`` as ``row["name"]`` first and only then as an
    attribute; answering the first try saves raising and catching a TypeError per printed value.
    """

    __slots__ = ()

    def __getitem__(self, name: str) -> Any:
        return getattr(self, name)


def url_for_pk(name: str) -> Callable[[int], SafeString]:
    """``pk -> URL`` of the URL pattern ``name`` (one ``<int:pk>`` argument) from one
    ``reverse()``: ``/time/entries/0/edit/`` is split around its ``/0/``. The URLs are
    HTML-escaped (and marked safe), for attributes."""
    prefix, marker, suffix = reverse(name, args=[0]).rpartition("/0/")
    if not marker:  # not a ".../<pk>/..." pattern: reverse each one
        return lambda pk: escape(reverse(name, args=[pk]))
    prefix, suffix = escape(prefix), escape(suffix)
    return lambda pk: SafeString(f"{prefix}/{pk}/{suffix}")
