"""Pages for ``make bench`` (evaluated after seeding)."""

from __future__ import annotations

from django.db.models import Count
from django.urls import reverse


def _busiest_project() -> str:
    from apps.timetracking.models import TimeEntry

    row = (
        TimeEntry.objects.filter(project__isnull=False)
        .values("project_id")
        .annotate(n=Count("id"))
        .order_by("-n")
        .first()
    )
    pk = row["project_id"] if row else 0
    return reverse("timetracking:project_time_list", args=[pk])


PAGES = [
    {"name": "time: my week", "path": "/time/", "user": "admin"},
    {"name": "time: team view (month)", "path": "/time/team/?period=month", "user": "admin"},
    {"name": "time: team view (week)", "path": "/time/team/", "user": "admin"},
    {"name": "time: approval queue", "path": "/time/approvals/", "user": "admin"},
    {"name": "time: project time list", "path": _busiest_project, "user": "admin"},
]
