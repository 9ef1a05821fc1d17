"""The chat tab on the project page (apps.projects.registry)."""

from __future__ import annotations

import pytest

from apps.chat.models import ChatMessage
from tests.chat.factories import ChatMessageFactory, project_room
from tests.employees.factories import EmployeeFactory, role_named
from tests.projects.factories import ProjectFactory

pytestmark = pytest.mark.django_db


def test_project_chat_tab_shows_latest_messages_and_room_link(client_for, member):
    project = ProjectFactory(members=[member])
    room = project_room(project)
    ChatMessageFactory(room=room, body="Neuigkeiten im Projekt")
    response = client_for(member).get(project.get_absolute_url(), {"tab": "chat"})
    assert response.status_code == 200
    assert 'data-tab="chat"' in response.text
    assert "Neuigkeiten im Projekt" in response.text
    assert room.get_absolute_url() in response.text


def test_project_chat_tab_htmx_fragment(client_for, member):
    project = ProjectFactory(members=[member])
    response = client_for(member).get(
        project.get_absolute_url(),
        {"tab": "chat"},
        headers={"HX-Request": "true", "HX-Target": "project-tab"},
    )
    assert response.status_code == 200
    assert "<html" not in response.text
    assert "chat-tab" in response.text
    assert "HX-Request" in response["Vary"]


def test_project_chat_tab_hidden_without_chat_access(client_for):
    accountant = EmployeeFactory(role=role_named("Buchhaltung"))  # reads projects, no chat
    project = ProjectFactory()
    response = client_for(accountant).get(project.get_absolute_url(), {"tab": "chat"})
    assert response.status_code == 200
    assert 'data-tab="chat"' not in response.text
    assert not ChatMessage.objects.exists()


def test_project_chat_tab_posts_by_plain_form_to_the_room(client_for, member):
    project = ProjectFactory(members=[member])
    page = client_for(member).get(project.get_absolute_url(), {"tab": "chat"})
    room = project_room(project)
    assert f'action="/chat/{room.pk}/post/"' in page.text
