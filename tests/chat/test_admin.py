import pytest
from django.urls import reverse

from tests.chat.factories import ChatMessageFactory

pytestmark = pytest.mark.django_db


def test_chat_admin_lists_are_read_only(client_for, admin):
    message = ChatMessageFactory()
    client = client_for(admin)
    assert client.get(reverse("admin:chat_chatmessage_changelist")).status_code == 200
    assert client.get(reverse("admin:chat_chatroom_changelist")).status_code == 200
    change = client.post(
        reverse("admin:chat_chatmessage_change", args=[message.pk]), {"body": "geändert"}
    )
    assert change.status_code == 403
