"""Extension points of the customer page, for modules that land later (documents, invoices...).

Another app plugs in from its ``AppConfig.ready()`` without editing crm templates:

* ``register_customer_tab(Tab(...))``: a tab on the customer detail page (``apps.common.tabs.Tab``).
* ``register_timeline_source(fn)``: ``fn(customer, user, limit) -> list[TimelineEvent]``, merged
  into the customer timeline newest first (activities, audit events, projects are built in).
* ``register_usage_check(fn)``: ``fn(customer) -> bool``; True means "has business records", so
  the customer can only be deactivated, not deleted (projects now, invoices later).
* ``register_revenue_source(fn)``: ``fn(customer) -> CustomerRevenue | None`` (invoices module):
  ``selectors.customer_revenue`` returns the first answer, or None (the page shows "—").
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from apps.common.tabs import Tab, TabRegistry


@dataclass(frozen=True)
class TimelineEvent:
    when: datetime
    kind: str  # "activity", "audit", "project", "invoice", "document"... (CSS class and icon)
    title: str
    text: str = ""
    url: str = ""
    actor: str = ""
    details: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class CustomerRevenue:
    revenue: Decimal  # paid invoices, net
    outstanding: Decimal  # issued, not yet paid


TimelineSource = Callable[[Any, Any, int], list[TimelineEvent]]
UsageCheck = Callable[[Any], bool]
RevenueSource = Callable[[Any], CustomerRevenue | None]

customer_tabs = TabRegistry()
_timeline_sources: list[TimelineSource] = []
_usage_checks: list[UsageCheck] = []
_revenue_sources: list[RevenueSource] = []


def register_customer_tab(tab: Tab) -> None:
    customer_tabs.register(tab)


def register_timeline_source(source: TimelineSource) -> None:
    if source not in _timeline_sources:
        _timeline_sources.append(source)


def register_usage_check(check: UsageCheck) -> None:
    if check not in _usage_checks:
        _usage_checks.append(check)


def register_revenue_source(source: RevenueSource) -> None:
    if source not in _revenue_sources:
        _revenue_sources.append(source)


def timeline_sources() -> list[TimelineSource]:
    return list(_timeline_sources)


def customer_usage_checks() -> list[UsageCheck]:
    return list(_usage_checks)


def revenue_sources() -> list[RevenueSource]:
    return list(_revenue_sources)
