"""Project members in the admin's inline: through the services (permissions and audit follow)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from apps.audit.models import AuditAction, AuditEntry
from apps.projects.models import ProjectMember
from tests.employees.factories import EmployeeFactory
from tests.projects.factories import ProjectFactory

pytestmark = pytest.mark.django_db


def _unchanged_post(client, project):  # type: ignore[no-untyped-def]
    """What the project's admin page posts back when nothing is touched (form + member inline)."""
    page = client.get(reverse("admin:projects_project_change", args=[project.pk]))
    data = {
        name: value
        for name, value in page.context["adminform"].form.initial.items()
        if value is not None
    }
    formset = page.context["inline_admin_formsets"][0].formset
    management = formset.management_form
    data.update({management.add_prefix(name): value for name, value in management.initial.items()})
    for form in formset.initial_forms:
        data[form.add_prefix("id")] = form.instance.pk
        data[form.add_prefix("project")] = project.pk
        data[form.add_prefix("employee")] = form.instance.employee_id
    return data


def _save(client, project, data):  # type: ignore[no-untyped-def]
    response = client.post(reverse("admin:projects_project_change", args=[project.pk]), data)
    assert response.status_code == 302, response.context and response.context["errors"]


def _member_entries(project):  # type: ignore[no-untyped-def]
    return (
        AuditEntry.objects.for_object(project).filter(message__startswith="member").order_by("seq")
    )


def test_admin_member_added_in_the_inline_is_audited_and_may_see_the_project(client_for, admin):
    project = ProjectFactory()
    newcomer = EmployeeFactory()
    client = client_for(admin)
    data = _unchanged_post(client, project)
    data.update(
        {
            "memberships-TOTAL_FORMS": "1",
            "memberships-0-project": project.pk,
            "memberships-0-employee": newcomer.pk,
        }
    )
    _save(client, project, data)
    entry = _member_entries(project).get()
    assert (entry.action, entry.actor, entry.message) == (AuditAction.UPDATE, admin, "member added")
    assert entry.changes == {"members": {"old": None, "new": str(newcomer)}}
    assert newcomer.has_perm("projects.view_project", project)


def test_admin_member_removed_in_the_inline_is_audited(client_for, admin):
    leaver = EmployeeFactory()
    project = ProjectFactory(members=[leaver])
    client = client_for(admin)
    data = _unchanged_post(client, project)
    data["memberships-0-DELETE"] = "on"
    before = _member_entries(project).count()
    _save(client, project, data)
    entry = _member_entries(project)[before:].get()
    assert (entry.actor, entry.message) == (admin, "member removed")
    assert not ProjectMember.objects.filter(project=project).exists()


def test_admin_swapping_a_members_employee_removes_and_adds_audited(client_for, admin):
    leaver, newcomer = EmployeeFactory(), EmployeeFactory()
    project = ProjectFactory(members=[leaver])
    client = client_for(admin)
    data = _unchanged_post(client, project)
    data["memberships-0-employee"] = newcomer.pk
    before = _member_entries(project).count()
    _save(client, project, data)
    removed, added = _member_entries(project)[before:]
    assert removed.changes == {"members": {"old": str(leaver), "new": None}}
    assert added.changes == {"members": {"old": None, "new": str(newcomer)}}
    assert {removed.actor, added.actor} == {admin}
    assert list(
        ProjectMember.objects.filter(project=project).values_list("employee", flat=True)
    ) == [newcomer.pk]
    assert newcomer.has_perm("projects.view_project", project)
    leaver = type(leaver).objects.get(pk=leaver.pk)  # fresh permission cache
    assert not leaver.has_perm("projects.view_project", project)
