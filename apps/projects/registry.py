"""Tabs of the project page. Time tracking, invoices, expenses, documents and chat add theirs from
their ``AppConfig.ready()``::

    from apps.common.tabs import Tab
    from apps.projects.registry import register_project_tab

    register_project_tab(Tab("time", _("Time"), "timetracking/_project_tab_time.html",
                             context=lambda request, project: {...}, order=30))

The tab template is a fragment rendered inside ``#project-tab`` with ``project``, ``can_edit``,
``is_member`` and the tab's own context. Suggested orders: overview 10, members 20, time 30,
expenses 40, invoices 50, documents 60, chat 70.

``register_usage_check(fn)``: ``fn(project) -> bool``; True means "has business records" (time
entries, invoices, chat messages...), so the project cannot be deleted, only completed or cancelled
(``services.project_delete``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from apps.common.tabs import Tab, TabRegistry

UsageCheck = Callable[[Any], bool]

project_tabs = TabRegistry()
_usage_checks: list[UsageCheck] = []


def register_project_tab(tab: Tab) -> None:
    project_tabs.register(tab)


def register_usage_check(check: UsageCheck) -> None:
    if check not in _usage_checks:
        _usage_checks.append(check)


def project_usage_checks() -> list[UsageCheck]:
    return list(_usage_checks)
