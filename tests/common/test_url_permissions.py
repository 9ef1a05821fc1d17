"""Every view of ours declares who may use it (STYLE: "Permissions: declared once per view")."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver

from apps.common.permissions import ACCESS_ATTR


def _walk(patterns: list[Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            if entry.app_name == "admin":
                # The Django admin guards its views itself (is_staff, then the ModelAdmin's
                # has_*_permission, answered by the role backend); see tests/employees/test_admin.py.
                continue
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry.callback


def _unwrap_class_view(callback: Any) -> Any:
    """``View.as_view()`` returns a function carrying ``view_class``; the marker may sit on it."""
    return getattr(callback, "view_class", None) or getattr(callback, "cls", None)


def _our_views() -> list[tuple[str, Any]]:
    return [
        (route, callback)
        for route, callback in _walk(get_resolver().url_patterns)
        if (callback.__module__ or "").startswith("apps.")
    ]


def test_the_walk_finds_our_views():
    routes = {route for route, _view in _our_views()}
    assert "employees/" in routes
    assert "audit/" in routes
    assert "health/" in routes
    assert "accounts/login/" in routes


def test_every_view_under_apps_declares_its_permission():
    offenders = []
    for route, callback in _our_views():
        marked = getattr(callback, ACCESS_ATTR, None) or getattr(
            _unwrap_class_view(callback), ACCESS_ATTR, None
        )
        if not marked:
            offenders.append(f"/{route} -> {callback.__module__}.{callback.__qualname__}")
    assert not offenders, (
        "Views without @public / @login_only / @permission_required_for / @object_permission:\n"
        + "\n".join(sorted(offenders))
    )
