"""Tabs of the project page. Time tracking, invoices, expenses, documents and chat add theirs from
their ``AppConfig.ready()``::

    from apps.common.tabs import Tab
    from apps.projects.registry import register_project_tab

    register_project_tab(Tab("time", _("Time"), "timetracking/_project_tab_time.html",
                             context=lambda request, project: {...}, order=30))

The tab template is a fragment rendered inside ``#project-tab`` with ``project``, ``can_edit``,
``is_member`` and the tab's own context. Suggested orders: overview 10, members 20, time 30,
expenses 40, invoices 50, documents 60, chat 70.
"""

from __future__ import annotations

from apps.common.tabs import Tab, TabRegistry

project_tabs = TabRegistry()


def register_project_tab(tab: Tab) -> None:
    project_tabs.register(tab)
