import pytest

from apps.projects.selectors import projects_for_user
from apps.projects.services import project_member_remove
from tests.projects.factories import ProjectFactory


@pytest.mark.django_db
def test_project_numbers_are_per_year(member):
    project = ProjectFactory(members=[member])
    assert project.number.startswith("PRJ-") and project.number.endswith("-0001")


@pytest.mark.django_db
def test_member_sees_project_through_object_permission_until_removed(member, outsider):
    project = ProjectFactory(members=[member])
    assert member.has_perm("projects.view_project", project)
    assert list(projects_for_user(member)) == [project]
    assert list(projects_for_user(outsider)) == []
    project_member_remove(actor=None, project=project, employee=member)
    member = type(member).objects.get(pk=member.pk)
    assert not member.has_perm("projects.view_project", project)


# --- Deleting: only projects without business records ---------------------------------------------


def _in_use_by_time(project, employee):  # type: ignore[no-untyped-def]
    from tests.timetracking.factories import last_monday, make_entry

    make_entry(employee, last_monday(), "09:00", "10:00", project=project)


def _in_use_by_invoice(project, employee):  # type: ignore[no-untyped-def]
    from tests.invoices.factories import company_ready, draft

    company_ready()
    draft(customer=project.customer, project=project)


def _in_use_by_chat(project, employee):  # type: ignore[no-untyped-def]
    from tests.chat.factories import ChatMessageFactory, project_room

    ChatMessageFactory(room=project_room(project), author=employee)


@pytest.mark.django_db
@pytest.mark.parametrize("use", [_in_use_by_time, _in_use_by_invoice, _in_use_by_chat])
def test_project_delete_refuses_a_project_with_business_records(use, admin):
    from django.utils import translation

    from apps.audit.models import AuditAction, AuditEntry
    from apps.projects.models import Project
    from apps.projects.services import ProjectInUse, project_delete

    project = ProjectFactory()
    use(project, admin)
    with translation.override("de"), pytest.raises(ProjectInUse) as error:
        project_delete(actor=admin, project=project)
    assert error.value.messages == [
        "Dieses Projekt hat Zeiteinträge, Rechnungen oder Chatnachrichten und kann nur "
        "abgeschlossen oder abgebrochen werden."
    ]
    assert Project.objects.filter(pk=project.pk).exists()
    assert not AuditEntry.objects.filter(action=AuditAction.DELETE).exists()


@pytest.mark.django_db
def test_project_delete_audits_fields_and_members_and_drops_their_permissions(admin, member):
    from guardian.models import UserObjectPermission

    from apps.audit.models import AuditAction, AuditEntry
    from apps.chat.models import ChatRoom
    from apps.projects.models import Project, ProjectMember
    from apps.projects.services import project_delete
    from tests.chat.factories import project_room

    project = ProjectFactory(members=[member], title="Relaunch")
    project_room(project)  # opened once, never written in
    pk = project.pk
    project_delete(actor=admin, project=project)
    assert not Project.objects.filter(pk=pk).exists()
    assert not ProjectMember.objects.exists()
    assert not ChatRoom.objects.filter(project_id=pk).exists()
    assert not UserObjectPermission.objects.filter(object_pk=str(pk)).exists()
    entry = AuditEntry.objects.get(action=AuditAction.DELETE, object_id=str(pk))
    assert entry.actor == admin
    assert entry.changes["title"] == {"old": "Relaunch", "new": None}
    assert entry.changes["number"]["old"].startswith("PRJ-")
    assert entry.changes["members"] == {"old": [str(member)], "new": None}
