"""Main navigation: each app lists its entries in ``AppConfig.nav_items``.

An entry shows when the user has ``perm`` (a module permission) or ``visible(user)`` says so
(e.g. "is a member of a project"). Adding a module never touches base.html.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.apps import apps
from django.urls import reverse


@dataclass(frozen=True)
class NavItem:
    label: Any  # a lazy translation
    url_name: str
    perm: str | None = None
    visible: Callable[[Any], bool] | None = None
    order: int = 100
    # A prefix of request.path that marks the entry as current (defaults to the URL itself).
    active_prefix: str | None = None
    # A count shown beside the label (unread messages, due reminders); one cheap query at most.
    badge: Callable[[Any], int] | None = None

    def allowed(self, user: Any) -> bool:
        if self.perm and user.has_perm(self.perm):
            return True
        if self.visible and self.visible(user):
            return True
        return self.perm is None and self.visible is None


@cache
def _all_items() -> tuple[NavItem, ...]:
    """Every app's entries in display order; fixed once the app registry is ready."""
    return tuple(
        sorted(
            (
                item
                for config in apps.get_app_configs()
                for item in getattr(config, "nav_items", [])
            ),
            key=lambda item: item.order,
        )
    )


@cache
def _url(url_name: str) -> str:
    # Django's reverse() is not free (~20 µs); the navigation's URLs take no arguments.
    return reverse(url_name)


def nav_for(user: Any, path: str) -> list[dict[str, Any]]:
    result = []
    for item in _all_items():
        if not item.allowed(user):
            continue
        url = _url(item.url_name)
        prefix = item.active_prefix or url
        active = path == url if prefix == "/" else path.startswith(prefix)
        badge = item.badge(user) if item.badge else 0
        result.append({"label": item.label, "url": url, "active": active, "badge": badge})
    return result
