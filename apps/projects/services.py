"""Project state changes. Membership is stored twice on purpose: ProjectMember (who is in the team,
for lists and joins) and django-guardian object permissions (what a member may do), both written
here in one transaction."""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from guardian.models import GroupObjectPermission, UserObjectPermission
from guardian.shortcuts import assign_perm, remove_perm

from apps.audit.models import AuditAction
from apps.audit.services import audit_changed, audit_created, audit_record, snapshot
from apps.common.sequences import format_number, next_value
from apps.company.selectors import company_get
from apps.projects.models import Project, ProjectMember

PROJECT_FIELDS = [
    "number",
    "title",
    "customer",
    "department",
    "manager",
    "status",
    "priority",
    "start_date",
    "end_date",
    "deadline",
    "budget_amount",
    "budget_hours",
    "hourly_rate",
    "billing_rounding",
    "description",
]
EDITABLE_FIELDS = set(PROJECT_FIELDS) - {"number"}
# What membership grants on the project itself; other modules check membership through these.
MEMBER_PERMISSIONS = ["projects.view_project"]


class ProjectInUse(ValidationError):
    """The project has business records (time entries, invoices, chat messages): it can only be
    completed or cancelled."""


def project_next_number(year: int) -> str:
    return format_number(
        company_get().project_prefix, next_value(f"project:{year}"), width=4, year=year
    )


@transaction.atomic
def project_create(*, actor: Any, members: list[Any] | None = None, **fields: Any) -> Project:
    unknown = set(fields) - EDITABLE_FIELDS
    if unknown:
        raise TypeError(f"project_create() got unknown fields: {sorted(unknown)}")
    project = Project(**fields)
    project.full_clean(exclude=["number"])
    project.number = project_next_number(timezone.localdate().year)
    project.save(force_insert=True)
    audit_created(target=project, fields=PROJECT_FIELDS, actor=actor)
    for employee in members or []:
        project_member_add(actor=actor, project=project, employee=employee)
    return project


@transaction.atomic
def project_update(*, actor: Any, project: Project, **fields: Any) -> Project:
    unknown = set(fields) - EDITABLE_FIELDS
    if unknown:
        raise TypeError(f"project_update() got unknown fields: {sorted(unknown)}")
    project = Project.objects.select_for_update().get(pk=project.pk)
    before = snapshot(project, PROJECT_FIELDS)
    for name, value in fields.items():
        setattr(project, name, value)
    project.full_clean(exclude=["number"])
    project.save()
    action = AuditAction.STATUS if set(fields) == {"status"} else AuditAction.UPDATE
    audit_changed(target=project, before=before, actor=actor, action=action)
    return project


def project_in_use(project: Project) -> bool:
    """Has the project records that must stay (registered by the modules that keep them)?"""
    from apps.projects.registry import project_usage_checks

    return any(check(project) for check in project_usage_checks())


@transaction.atomic
def project_delete(*, actor: Any, project: Project) -> None:
    """Delete a project without business records; otherwise raise ProjectInUse.

    Its members leave with it (their object permissions on it go too; an empty chat room goes with
    the project). One audited deletion that keeps the project's fields and its members.
    """
    project = Project.objects.select_for_update().get(pk=project.pk)
    if project_in_use(project):
        raise ProjectInUse(
            _(
                "This project has time entries, invoices or chat messages and can only be "
                "completed or cancelled."
            ),
            code="project_in_use",
        )
    before = snapshot(project, PROJECT_FIELDS)
    changes = {k: {"old": v, "new": None} for k, v in before.items() if v not in (None, "")}
    members = [
        str(membership.employee)
        for membership in project.memberships.select_related("employee").order_by("added_at", "id")
    ]
    if members:
        changes["members"] = {"old": members, "new": None}
    audit_record(action=AuditAction.DELETE, target=project, actor=actor, changes=changes)
    # Object permissions are generic rows (no foreign key): remove them with the project.
    on_project = {
        "content_type": ContentType.objects.get_for_model(Project),
        "object_pk": str(project.pk),
    }
    UserObjectPermission.objects.filter(**on_project).delete()
    GroupObjectPermission.objects.filter(**on_project).delete()
    project.delete()


@transaction.atomic
def project_member_add(*, actor: Any, project: Project, employee: Any) -> ProjectMember:
    membership, created = ProjectMember.objects.get_or_create(project=project, employee=employee)
    if created:
        for perm in MEMBER_PERMISSIONS:
            assign_perm(perm, employee, project)
        audit_record(
            action=AuditAction.UPDATE,
            target=project,
            actor=actor,
            changes={"members": {"old": None, "new": str(employee)}},
            message="member added",
        )
    return membership


@transaction.atomic
def project_member_remove(*, actor: Any, project: Project, employee: Any) -> None:
    deleted, _ = ProjectMember.objects.filter(project=project, employee=employee).delete()
    if deleted:
        for perm in MEMBER_PERMISSIONS:
            remove_perm(perm, employee, project)
        audit_record(
            action=AuditAction.UPDATE,
            target=project,
            actor=actor,
            changes={"members": {"old": str(employee), "new": None}},
            message="member removed",
        )
