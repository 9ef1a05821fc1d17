"""Project reads."""

from __future__ import annotations

import pytest


@pytest.mark.django_db
def test_user_has_projects_as_member_or_manager_in_one_query(django_assert_num_queries):
    from apps.projects.selectors import user_has_projects
    from tests.employees.factories import EmployeeFactory
    from tests.projects.factories import ProjectFactory

    member, manager, nobody = EmployeeFactory(), EmployeeFactory(), EmployeeFactory()
    ProjectFactory(members=[member], manager=manager)
    for user, expected in ((member, True), (manager, True), (nobody, False)):
        with django_assert_num_queries(1):
            assert user_has_projects(user) is expected
