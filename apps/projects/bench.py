"""Pages for ``make bench`` (evaluated after seeding; see bench/run.py)."""

from __future__ import annotations

from django.urls import reverse


def _first_project_detail() -> str:
    from apps.projects.models import Project

    project = Project.objects.order_by("id").first()
    return reverse("projects:project_detail", args=[project.pk]) if project else "/projects/"


PAGES = [
    {"name": "project list", "path": "/projects/", "user": "admin"},
    {"name": "project list overdue", "path": "/projects/?overdue=true", "user": "admin"},
    {"name": "project detail", "path": _first_project_detail, "user": "admin"},
]
