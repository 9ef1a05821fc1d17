from __future__ import annotations

from typing import Any

from django import template
from django.contrib.contenttypes.models import ContentType

register = template.Library()


@register.simple_tag
def content_type_id(obj: Any) -> int:
    """The content type id of a record (cached by Django: no query after the first)."""
    return ContentType.objects.get_for_model(obj).pk


@register.filter
def filesize_short(value: int) -> str:
    size = float(value or 0)
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}".replace(".", ",")
        size /= 1024
    return f"{size:.1f} GB"


@register.filter
def record_url(obj: Any) -> str:
    """The record's URL, or "" for a model without a (reachable) detail page."""
    from django.urls import NoReverseMatch

    try:
        return obj.get_absolute_url() if obj is not None else ""
    except (AttributeError, NoReverseMatch):
        return ""
