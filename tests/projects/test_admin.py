"""Project members in the admin's inline: through the services (permissions and audit follow)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from apps.audit.models import AuditAction, AuditEntry
from apps.projects.models import ProjectMember
from tests.admin_forms import admin_unchanged_post
from tests.employees.factories import EmployeeFactory
from tests.projects.factories import ProjectFactory

pytestmark = pytest.mark.django_db


def _unchanged_post(client, project):  # type: ignore[no-untyped-def]
    """What the project's admin page posts back when nothing is touched (form + member inline)."""
    return admin_unchanged_post(client, reverse("admin:projects_project_change", args=[project.pk]))


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


# --- Deleting in the admin: project_delete (only unused projects, audited) ------------------------


def test_admin_project_delete_is_the_services_delete(client_for, admin, member):
    from guardian.models import UserObjectPermission

    from apps.audit.services import audit_chain_verify
    from apps.projects import services
    from apps.projects.models import Project
    from tests.chat.factories import project_room

    project = ProjectFactory(members=[member], title="Relaunch")
    reference = ProjectFactory(members=[member], title="Relaunch", customer=project.customer)
    project_room(project)  # an empty room goes with the project
    client = client_for(admin)
    url = reverse("admin:projects_project_delete", args=[project.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"post": "yes"})
    assert response.status_code == 302
    assert not Project.objects.filter(pk=project.pk).exists()
    assert not UserObjectPermission.objects.filter(object_pk=str(project.pk)).exists()
    entry = AuditEntry.objects.for_object(project).get(action=AuditAction.DELETE)
    reference_id = str(reference.pk)
    services.project_delete(actor=admin, project=reference)
    expected = AuditEntry.objects.get(action=AuditAction.DELETE, object_id=reference_id).changes
    expected["number"] = {"old": project.number, "new": None}
    assert entry.actor == admin
    assert entry.changes == expected
    assert entry.changes["members"] == {"old": [str(member)], "new": None}
    assert audit_chain_verify()[1] is None


def test_admin_project_in_use_cannot_be_deleted(client_for, admin):
    from apps.projects.models import Project
    from tests.chat.factories import ChatMessageFactory, project_room

    project = ProjectFactory()
    ChatMessageFactory(room=project_room(project), author=admin)
    client = client_for(admin)
    url = reverse("admin:projects_project_delete", args=[project.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert "bitte abschließen oder abbrechen" in page.text
    client.post(url, {"post": "yes"})
    assert Project.objects.filter(pk=project.pk).exists()
    assert not AuditEntry.objects.filter(action=AuditAction.DELETE).exists()


def test_admin_project_bulk_delete_deletes_unused_projects_audited(client_for, admin):
    from apps.projects.models import Project

    one, two = ProjectFactory(), ProjectFactory()
    response = client_for(admin).post(
        reverse("admin:projects_project_changelist"),
        {"action": "delete_selected", "_selected_action": [one.pk, two.pk], "post": "yes"},
    )
    assert response.status_code == 302
    assert not Project.objects.exists()
    deleted = AuditEntry.objects.filter(action=AuditAction.DELETE, actor=admin)
    assert set(deleted.values_list("object_id", flat=True)) == {str(one.pk), str(two.pk)}


def test_admin_project_bulk_delete_with_one_in_use_deletes_nothing(client_for, admin):
    from apps.projects.models import Project
    from tests.timetracking.factories import last_monday, make_entry

    unused, used = ProjectFactory(), ProjectFactory()
    make_entry(admin, last_monday(), "09:00", "10:00", project=used)
    response = client_for(admin).post(
        reverse("admin:projects_project_changelist"),
        {"action": "delete_selected", "_selected_action": [unused.pk, used.pk], "post": "yes"},
    )
    assert response.status_code == 200  # the confirmation page, listing what is in the way
    assert Project.objects.count() == 2
    assert not AuditEntry.objects.filter(action=AuditAction.DELETE).exists()
