from __future__ import annotations

from typing import Any

from django import template

from apps.timetracking.timeutils import format_minutes

register = template.Library()


@register.filter
def hm(minutes: Any) -> str:
    """Minutes as ``H:MM``."""
    try:
        return format_minutes(int(minutes or 0))
    except (TypeError, ValueError):
        return ""


@register.filter
def index(sequence: Any, i: int) -> Any:
    try:
        return sequence[i]
    except (IndexError, KeyError, TypeError):
        return None
