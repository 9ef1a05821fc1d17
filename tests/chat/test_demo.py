from io import StringIO

from apps.chat.demo import seed
from apps.chat.models import ChatMessage
from tests.employees.factories import EmployeeFactory
from tests.projects.factories import ProjectFactory


def test_seed_is_idempotent(db):
    ProjectFactory(members=EmployeeFactory.create_batch(2))
    seed(size="small", stdout=StringIO())
    count = ChatMessage.objects.count()
    assert count == 24
    seed(size="small", stdout=StringIO())
    assert ChatMessage.objects.count() == count
