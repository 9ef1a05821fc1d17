"""Files attached to chat messages, stored through the documents module."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from apps.chat.models import ChatMessage
from apps.documents.models import Document
from tests.chat.factories import project_room
from tests.employees.factories import EmployeeFactory, role_named
from tests.projects.factories import ProjectFactory

pytestmark = pytest.mark.django_db


def _file(
    name: str = "notiz.txt", content: bytes = b"Protokoll vom Montag\n"
) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="text/plain")


@pytest.fixture
def team(member):  # type: ignore[no-untyped-def]
    colleague = EmployeeFactory(role=role_named("Mitarbeiter"))
    project = ProjectFactory(members=[member, colleague])
    return member, colleague, project_room(project)


def test_message_with_attachment_stores_document_linked_to_project(client_for, team):
    member, _colleague, room = team
    url = reverse("chat:message_create", args=[room.pk])
    response = client_for(member).post(url, {"body": "Anbei", "attachment": _file()})
    assert response.status_code == 302
    message = ChatMessage.objects.get()
    assert message.document is not None
    assert message.document.original_name == "notiz.txt"
    assert message.document.links.filter(object_id=room.project_id).exists()


def test_message_with_only_a_file_uses_its_title(client_for, team):
    member, _colleague, room = team
    url = reverse("chat:message_create", args=[room.pk])
    response = client_for(member).post(
        url, {"body": "", "attachment": _file()}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    message = ChatMessage.objects.get()
    assert message.body == "notiz"
    assert reverse("chat:attachment_download", args=[message.pk]) in response.text


def test_attachment_download_for_room_members_only(client_for, team, outsider):
    member, colleague, room = team
    client_for(member).post(
        reverse("chat:message_create", args=[room.pk]), {"body": "x", "attachment": _file()}
    )
    message = ChatMessage.objects.get()
    url = reverse("chat:attachment_download", args=[message.pk])
    response = client_for(colleague).get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"Protokoll vom Montag\n"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert client_for(outsider).get(url).status_code == 404
    assert client_for(None).get(url).status_code == 302


def test_refused_file_is_422_and_stores_nothing(client_for, team):
    member, _colleague, room = team
    evil = SimpleUploadedFile("setup.exe", b"MZ\x90\x00" + b"\x00" * 100)
    response = client_for(member).post(
        reverse("chat:message_create", args=[room.pk]), {"body": "hier", "attachment": evil}
    )
    assert response.status_code == 422
    assert not ChatMessage.objects.exists()
    assert not Document.objects.exists()


def test_same_file_twice_reuses_the_document(client_for, team):
    member, _colleague, room = team
    url = reverse("chat:message_create", args=[room.pk])
    client = client_for(member)
    client.post(url, {"body": "eins", "attachment": _file()})
    client.post(url, {"body": "zwei", "attachment": _file()})
    assert Document.objects.count() == 1
    assert ChatMessage.objects.filter(document__isnull=False).count() == 2


def test_attachment_of_deleted_message_is_gone(client_for, team):
    member, colleague, room = team
    client_for(member).post(
        reverse("chat:message_create", args=[room.pk]), {"body": "x", "attachment": _file()}
    )
    message = ChatMessage.objects.get()
    client_for(member).post(reverse("chat:message_delete", args=[message.pk]))
    url = reverse("chat:attachment_download", args=[message.pk])
    assert client_for(colleague).get(url).status_code == 404
