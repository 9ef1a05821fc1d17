import pytest

from apps.projects.filters import ProjectFilter
from apps.projects.models import Project

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("ordering", ["", "number", "-title", "status", "-deadline", "created"])
def test_project_filter_is_totally_ordered(ordering):
    filterset = ProjectFilter({"ordering": ordering}, queryset=Project.objects.order_by("-id"))
    assert filterset.qs.totally_ordered
