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
