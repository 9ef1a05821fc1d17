"""Built-in project tabs and what the projects module adds to the customer page."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.common.permissions import can
from apps.common.tabs import Tab
from apps.crm.registry import (
    TimelineEvent,
    register_customer_tab,
    register_timeline_source,
    register_usage_check,
)
from apps.projects import selectors
from apps.projects.forms import MemberAddForm
from apps.projects.models import Project
from apps.projects.registry import register_project_tab


def overview_context(request: Any, project: Project) -> dict[str, Any]:
    return {"members": selectors.project_members(project)}


def members_context(request: Any, project: Project) -> dict[str, Any]:
    may_manage = can(request.user, "projects.manage_members", project)
    return {
        "members": selectors.project_members(project),
        "member_form": MemberAddForm(project=project) if may_manage else None,
    }


def customer_projects_context(request: Any, customer: Any) -> dict[str, Any]:
    return {
        "projects": selectors.projects_for_customer(customer, request.user),
        "can_add_project": request.user.has_perm("projects.add_project"),
        "new_project_url": reverse("projects:project_create") + f"?customer={customer.pk}",
    }


def customer_has_projects(customer: Any) -> bool:
    return Project.objects.filter(customer=customer).exists()


def customer_project_events(customer: Any, user: Any, limit: int) -> list[TimelineEvent]:
    return [
        TimelineEvent(
            when=project.created_at,
            kind="project",
            title=_("Project %(number)s started") % {"number": project.number},
            text=project.title,
            url=project.get_absolute_url(),
        )
        for project in selectors.projects_for_user(user).filter(customer=customer)[:limit]
    ]


def register() -> None:
    register_project_tab(
        Tab(
            "overview",
            gettext_lazy("Overview"),
            "projects/_project_tab_overview.html",
            overview_context,
            order=10,
        )
    )
    register_project_tab(
        Tab(
            "members",
            gettext_lazy("Members"),
            "projects/_project_tab_members.html",
            members_context,
            order=20,
        )
    )
    register_customer_tab(
        Tab(
            "projects",
            gettext_lazy("Projects"),
            "projects/_customer_tab_projects.html",
            customer_projects_context,
            order=30,
        )
    )
    register_timeline_source(customer_project_events)
    register_usage_check(customer_has_projects)
