from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, QuerySet

from apps.projects.models import Project, ProjectMember


def projects_for_user(user: Any) -> QuerySet[Project]:
    """Every project for the module permission; otherwise the projects the user is a member of."""
    qs = Project.objects.select_related("customer", "manager", "department")
    if user.has_perm("projects.view_project"):
        return qs.order_by("-created_at", "-id")
    member = ProjectMember.objects.filter(project=OuterRef("pk"), employee=user)
    return qs.filter(Exists(member)).order_by("-created_at", "-id")


def project_is_member(*, project: Project, user: Any) -> bool:
    return ProjectMember.objects.filter(project=project, employee=user).exists()
