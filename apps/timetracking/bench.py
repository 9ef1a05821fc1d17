"""Pages for ``make bench`` (evaluated after seeding; the bench users exist by then)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count
from django.urls import reverse
from django.utils import timezone

BENCH_MEMBER_EMAIL = "bench-member@bench.invalid"


def _member_week() -> str:
    """Last week of the bench member, filled once with a realistic week (5 days × 8 entries), so
    the week view renders a full grid (the bench users are not part of the demo data). The
    entries are bulk-created, so their daily totals are rebuilt afterwards."""
    from apps.employees.models import Employee
    from apps.projects.models import Project
    from apps.timetracking import services
    from apps.timetracking.models import TimeEntry
    from apps.timetracking.timeutils import iso_week, local_datetime, week_monday

    monday = week_monday(timezone.localdate()) - dt.timedelta(days=7)
    user = Employee.objects.filter(email=BENCH_MEMBER_EMAIL).first()
    if user is not None and not TimeEntry.objects.filter(employee=user).exists():
        projects = list(Project.objects.order_by("id")[:4]) or [None]
        entries = []
        for day_offset in range(5):
            day = monday + dt.timedelta(days=day_offset)
            start = local_datetime(day, dt.time(8, 0))
            for i in range(8):
                project = projects[i % len(projects)]
                entries.append(
                    TimeEntry(
                        employee=user,
                        project=project,
                        customer_id=project.customer_id if project else None,
                        start=start,
                        end=start + dt.timedelta(minutes=50),
                        duration_minutes=50,
                        hourly_rate=project.hourly_rate if project else 0,
                    )
                )
                start += dt.timedelta(minutes=60)
        TimeEntry.objects.bulk_create(entries)
        services.time_totals_rebuild(employee_ids=[user.pk])
    return reverse("timetracking:my_week") + f"?week={iso_week(monday)}"


def _busiest_project() -> str:
    from apps.timetracking.models import TimeEntry

    row = (
        TimeEntry.objects.filter(project__isnull=False)
        .values("project_id")
        .annotate(n=Count("id"))
        .order_by("-n")
        .first()
    )
    if row is not None:
        return reverse("timetracking:project_time_list", args=[row["project_id"]])
    from apps.projects.models import Project

    project = Project.objects.order_by("id").first()
    if project is not None:
        return reverse("timetracking:project_time_list", args=[project.pk])
    # No projects at all (an empty database): the page cannot exist; measure the queue instead.
    return reverse("timetracking:approval_list")


PAGES = [
    {"name": "time: my week", "path": _member_week, "user": "member"},
    {"name": "time: team view (month)", "path": "/time/team/?period=month", "user": "manager"},
    {"name": "time: team view (week)", "path": "/time/team/", "user": "manager"},
    {"name": "time: approval queue", "path": "/time/approvals/", "user": "manager"},
    {"name": "time: project time list", "path": _busiest_project, "user": "manager"},
]
