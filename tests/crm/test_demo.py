from io import StringIO

import pytest

from apps.crm import demo as crm_demo
from apps.crm.models import Contact, Customer
from apps.projects import demo as projects_demo
from apps.projects.models import Project, ProjectMember
from tests.employees.factories import EmployeeFactory

pytestmark = pytest.mark.django_db


def test_demo_seed_small_is_idempotent_and_consistent():
    for _ in range(4):
        EmployeeFactory()
    out = StringIO()
    crm_demo.seed(size="small", stdout=out)
    projects_demo.seed(size="small", stdout=out)
    assert Customer.objects.count() == 25
    assert Contact.objects.filter(is_primary=True).count() == 25
    assert Project.objects.count() == 10
    member = ProjectMember.objects.select_related("employee", "project").first()
    assert member.employee.has_perm("projects.view_project", member.project)
    numbers = sorted(Customer.objects.values_list("number", flat=True))
    assert numbers[0] == "KD-00001" and numbers[-1] == "KD-00025"
    crm_demo.seed(size="small", stdout=out)
    projects_demo.seed(size="small", stdout=out)
    assert Customer.objects.count() == 25 and Project.objects.count() == 10
    assert all(c.search_text for c in Customer.objects.all())
