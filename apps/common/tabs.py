"""Tabs on detail pages that other modules can add to (customer, project...).

A page owns a ``TabRegistry``; apps register ``Tab``s from ``AppConfig.ready()``. The detail view
renders the tab bar from ``registry.visible(user, obj)`` and the active tab's template, which gets
the page context plus ``tab.context(request, obj)``. Tabs are URL-addressable (``?tab=<key>``) and
loaded with htmx into ``#<entity>-tab`` (the view's partial whitelist), without JavaScript as links.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest, HttpResponse
from django_htmx.http import push_url

from apps.common.htmx import render_page
from apps.common.permissions import can


@dataclass(frozen=True)
class Tab:
    key: str  # URL value (?tab=key), unique per page
    label: Any  # lazy translation
    template: str  # a fragment template (``<app>/_<entity>_tab_<key>.html``), never extends base
    context: Callable[[Any, Any], dict[str, Any]] | None = None  # (request, obj) -> extra context
    visible: Callable[[Any, Any], bool] | None = None  # (user, obj) -> bool; None = always
    order: int = 100
    # A small number beside the label, computed only when cheap (one query at most).
    count: Callable[[Any], int] | None = None

    def allowed(self, user: Any, obj: Any) -> bool:
        return self.visible is None or bool(self.visible(user, obj))


class TabRegistry:
    def __init__(self) -> None:
        self._tabs: dict[str, Tab] = {}

    def register(self, tab: Tab) -> None:
        self._tabs[tab.key] = tab  # re-registering (autoreload, tests) replaces

    def unregister(self, key: str) -> None:
        self._tabs.pop(key, None)

    def visible(self, user: Any, obj: Any) -> list[Tab]:
        return sorted(
            (tab for tab in self._tabs.values() if tab.allowed(user, obj)),
            key=lambda tab: (tab.order, tab.key),
        )

    def select(self, user: Any, obj: Any, key: str | None) -> tuple[list[Tab], Tab]:
        """The visible tabs and the active one (unknown or hidden keys fall back to the first)."""
        tabs = self.visible(user, obj)
        active = next((tab for tab in tabs if tab.key == key), tabs[0])
        return tabs, active


def render_tab_page(
    request: HttpRequest,
    obj: Any,
    tab_key: str | None,
    *,
    registry: TabRegistry,
    name: str,
    template: str,
    permission_flags: dict[str, str],
    extra: dict[str, Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    """The detail page of ``obj`` (in the context as ``name``) with its tabs, or for htmx only the
    tab area ``#<name>-tab`` (partial ``tab``). ``permission_flags`` maps context names to the
    object permissions they show (``{"can_edit": "crm.change_customer"}``). Views that change
    something inside a tab answer with this too; after a successful htmx POST the address bar
    shows the tab."""
    tabs, active = registry.select(request.user, obj, tab_key)
    context: dict[str, Any] = {
        name: obj,
        "tabs": tabs,
        "active_tab": active,
        **{flag: can(request.user, perm, obj) for flag, perm in permission_flags.items()},
    }
    if active.context:
        context.update(active.context(request, obj))
    context.update(extra or {})
    response = render_page(
        request, template, context, partials={f"{name}-tab": "tab"}, status=status
    )
    if getattr(request, "htmx", False) and request.method == "POST" and status < 400:
        push_url(response, f"{obj.get_absolute_url()}?tab={active.key}")
    return response
