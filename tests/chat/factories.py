from __future__ import annotations

import factory
from factory.django import DjangoModelFactory

from apps.chat.models import ChatMessage, ChatRoom
from apps.chat.services import company_room_get, room_for_project
from tests.employees.factories import EmployeeFactory


def company_room() -> ChatRoom:
    return company_room_get()


def project_room(project) -> ChatRoom:  # type: ignore[no-untyped-def]
    return room_for_project(project)


class ChatMessageFactory(DjangoModelFactory[ChatMessage]):
    """Stored directly (no broadcast): for history and budgets. Posting goes through the service."""

    class Meta:
        model = ChatMessage

    room = factory.LazyFunction(company_room_get)
    author = factory.SubFactory(EmployeeFactory)
    body = factory.Faker("sentence", locale="de_DE")
