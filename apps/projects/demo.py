"""Demo projects with members (``manage.py seed_demo``): small 10, large 5,000.

Members get the same guardian object permission the services grant, written in bulk.
Idempotent: demo projects are those of demo customers (``@kunde.example``).
"""

from __future__ import annotations

import random
import time
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.utils import timezone
from guardian.models import UserObjectPermission

from apps.audit.models import AuditAction
from apps.audit.services import audit_record
from apps.common.sequences import format_number, next_values
from apps.company.selectors import company_get
from apps.crm.demo import DEMO_DOMAIN
from apps.crm.models import Customer
from apps.employees.models import Employee
from apps.projects.models import Project, ProjectMember

SIZES = {"small": 10, "large": 5_000}
TOPICS = [
    "Netzwerk-Modernisierung",
    "Microsoft-365-Migration",
    "Server-Virtualisierung",
    "Backup-Konzept",
    "Firewall-Erneuerung",
    "Webshop-Relaunch",
    "Arbeitsplatz-Rollout",
    "IT-Sicherheitsaudit",
    "WLAN-Ausbau",
    "Telefonanlage (VoIP)",
    "Datenschutz-Beratung",
    "Cloud-Umzug",
    "Wartungsvertrag Einrichtung",
    "Dokumentenmanagement",
]
BATCH = 2000


def seed(*, size: str, stdout: Any) -> None:
    started = time.monotonic()
    target = SIZES.get(size, SIZES["small"])
    existing = Project.objects.filter(customer__email__endswith=f"@{DEMO_DOMAIN}").count()
    missing = target - existing
    if missing <= 0:
        stdout.write(f"projects: {existing} demo projects exist, nothing to do")
        return
    customer_ids = list(
        Customer.objects.filter(email__endswith=f"@{DEMO_DOMAIN}").values_list("pk", flat=True)
    )
    if not customer_ids:
        stdout.write("projects: no demo customers, nothing to do")
        return
    employees = list(Employee.objects.exclude(status=Employee.Status.INACTIVE).order_by("id")[:50])
    rng = random.Random(815 + existing)
    today = timezone.localdate()
    statuses = Project.Status.values
    prefix = company_get().project_prefix
    view_perm = Permission.objects.get(content_type__app_label="projects", codename="view_project")
    project_type = ContentType.objects.get_for_model(Project)
    with transaction.atomic():
        numbers = next_values(f"project:{today.year}", missing)
        for start in range(0, missing, BATCH):
            chunk = numbers[start : start + BATCH]
            projects, teams = [], []
            for value in chunk:
                begin = today - timedelta(days=rng.randint(0, 400))
                hours = Decimal(rng.choice([20, 40, 80, 120, 200]))
                rate = Decimal(rng.choice(["85.00", "95.00", "110.00", "125.00"]))
                projects.append(
                    Project(
                        number=format_number(prefix, value, width=4, year=today.year),
                        title=rng.choice(TOPICS),
                        customer_id=rng.choice(customer_ids),
                        manager=rng.choice(employees) if employees else None,
                        status=rng.choice(statuses),
                        priority=rng.choice(Project.Priority.values),
                        start_date=begin,
                        end_date=begin + timedelta(days=rng.randint(14, 300)),
                        deadline=begin + timedelta(days=rng.randint(14, 300)),
                        budget_hours=hours,
                        budget_amount=hours * rate,
                        hourly_rate=rate,
                        billing_rounding=rng.choice(Project.Rounding.values),
                        description="Demo-Projekt.",
                    )
                )
                teams.append(rng.sample(employees, k=min(len(employees), rng.randint(2, 4))))
            Project.objects.bulk_create(projects, batch_size=BATCH)
            memberships = [
                ProjectMember(project=project, employee=employee)
                for project, team in zip(projects, teams, strict=True)
                for employee in team
            ]
            ProjectMember.objects.bulk_create(memberships, batch_size=BATCH)
            UserObjectPermission.objects.bulk_create(
                [
                    UserObjectPermission(
                        user=membership.employee,
                        permission=view_perm,
                        content_type=project_type,
                        object_pk=str(membership.project.pk),
                    )
                    for membership in memberships
                ],
                batch_size=BATCH,
                ignore_conflicts=True,
            )
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:  # fresh statistics for the planner after bulk load
                cursor.execute("ANALYZE projects_project, projects_projectmember")
        audit_record(
            action=AuditAction.IMPORT,
            actor=None,
            object_repr=str(Project._meta.verbose_name_plural),
            message=f"demo data ({size}): {missing} projects",
        )
    stdout.write(
        f"projects: {missing} demo projects with members created in "
        f"{time.monotonic() - started:.1f} s"
    )
