"""The customer page's built-in tabs (other apps add theirs via apps.crm.registry)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from apps.common.permissions import can
from apps.common.tabs import Tab
from apps.company.selectors import company_get
from apps.crm import selectors
from apps.crm.forms import ActivityForm, ContactForm
from apps.crm.registry import register_customer_tab


def overview_context(request: Any, customer: Any) -> dict[str, Any]:
    return {
        "primary_contact": selectors.customer_primary_contact(customer),
        "revenue": selectors.customer_revenue(customer),
        "payment_terms": customer.payment_terms_days
        if customer.payment_terms_days is not None
        else company_get().payment_terms_days,
        "payment_terms_default": customer.payment_terms_days is None,
    }


def contacts_context(request: Any, customer: Any) -> dict[str, Any]:
    user = request.user
    can_add = can(user, "crm.add_contact", customer)
    return {
        "contacts": selectors.customer_contacts(customer),
        "can_add_contact": can_add,
        "can_change_contact": user.has_perm("crm.change_contact"),
        "can_delete_contact": user.has_perm("crm.delete_contact"),
        "contact_form": ContactForm(prefix="new") if can_add else None,
    }


def activities_context(request: Any, customer: Any) -> dict[str, Any]:
    can_log = can(request.user, "crm.add_activity", customer)
    return {
        "activities": selectors.customer_activities(customer),
        "can_log_activity": can_log,
        "activity_form": ActivityForm(customer=customer, prefix="activity") if can_log else None,
    }


def timeline_context(request: Any, customer: Any) -> dict[str, Any]:
    return {"timeline": selectors.customer_timeline(customer, request.user)}


def register_builtin_tabs() -> None:
    register_customer_tab(
        Tab(
            "overview", _("Overview"), "crm/_customer_tab_overview.html", overview_context, order=10
        )
    )
    register_customer_tab(
        Tab(
            "contacts", _("Contacts"), "crm/_customer_tab_contacts.html", contacts_context, order=20
        )
    )
    register_customer_tab(
        Tab(
            "activities",
            _("Activities"),
            "crm/_customer_tab_activities.html",
            activities_context,
            order=40,
        )
    )
    register_customer_tab(
        Tab(
            "timeline", _("Timeline"), "crm/_customer_tab_timeline.html", timeline_context, order=90
        )
    )
