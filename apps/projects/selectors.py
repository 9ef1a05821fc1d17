from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from apps.projects.models import Project, ProjectMember

OPEN_STATUSES = [Project.Status.PLANNED, Project.Status.IN_PROGRESS, Project.Status.ON_HOLD]


def projects_for_user(user: Any) -> QuerySet[Project]:
    """Every project for the module permission; otherwise the projects the user is a member or the
    manager of (members hold guardian's object permission, see services.project_member_add)."""
    qs = Project.objects.select_related("customer", "manager", "department")
    if user.has_perm("projects.view_project"):
        return qs.order_by("-created_at", "-id")
    member = ProjectMember.objects.filter(project=OuterRef("pk"), employee=user)
    return qs.filter(Exists(member) | Q(manager=user)).order_by("-created_at", "-id")


def project_is_member(*, project: Project, user: Any) -> bool:
    return ProjectMember.objects.filter(project=project, employee=user).exists()


def user_has_projects(user: Any) -> bool:
    """For the navigation: does the user see at least one project? (One query on every page.)"""
    from apps.employees.models import Employee

    # Uncorrelated subqueries (the user's id, not OuterRef): PostgreSQL runs each once on its
    # index. Correlated, the planner hashed both whole tables on every page (2 ms).
    member = Exists(ProjectMember.objects.filter(employee_id=user.pk))
    manager = Exists(Project.objects.filter(manager_id=user.pk))
    return Employee.objects.filter(member | manager, pk=user.pk).exists()


def overdue(qs: QuerySet[Project]) -> QuerySet[Project]:
    return qs.filter(deadline__lt=timezone.localdate(), status__in=OPEN_STATUSES)


def project_members(project: Project) -> list[ProjectMember]:
    return list(
        ProjectMember.objects.filter(project=project)
        .select_related("employee")
        .order_by("employee__last_name", "employee__first_name", "id")
    )


def projects_for_customer(customer: Any, user: Any) -> list[Project]:
    return list(projects_for_user(user).filter(customer=customer)[:100])
