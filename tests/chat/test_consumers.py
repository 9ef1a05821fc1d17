"""The WebSocket consumer with channels' WebsocketCommunicator and the in-memory channel layer."""

from __future__ import annotations

import asyncio
import json
from importlib import import_module

import pytest
from channels.auth import AuthMiddlewareStack
from channels.db import database_sync_to_async
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator
from django.apps import apps as django_apps
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore

from apps.chat import services
from apps.chat.models import ChatMessage, Mention
from apps.projects.services import project_member_remove
from tests.chat.factories import company_room, project_room
from tests.employees.factories import EmployeeFactory, role_named
from tests.projects.factories import ProjectFactory
from workmate.routing import websocket_urlpatterns

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]

application = AuthMiddlewareStack(URLRouter(websocket_urlpatterns))


@pytest.fixture(autouse=True)
def default_roles(transactional_db):  # type: ignore[no-untyped-def]
    """The flush between transactional tests empties every table, including the default roles of
    the data migration: create them again (not serialized_rollback, whose flush skips
    post_migrate and leaves later tests without content types)."""
    migration = import_module("apps.employees.migrations.0002_default_roles")
    migration.create_roles(django_apps, None)


def _session_cookie(user) -> str:  # type: ignore[no-untyped-def]
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "apps.employees.backends.RoleBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"


async def _communicator(user, room_id: int) -> WebsocketCommunicator:  # type: ignore[no-untyped-def]
    headers = [(b"origin", b"http://127.0.0.1")]
    if user is not None:
        cookie = await database_sync_to_async(_session_cookie)(user)
        headers.append((b"cookie", cookie.encode()))
    return WebsocketCommunicator(application, f"/ws/chat/{room_id}/", headers=headers)


def _project_with(*members):  # type: ignore[no-untyped-def]
    project = ProjectFactory(members=list(members))
    return project, project_room(project)


def _employee(role: str | None = "Mitarbeiter", **kwargs):  # type: ignore[no-untyped-def]
    return EmployeeFactory(role=role_named(role) if role else None, **kwargs)


async def test_consumer_member_connects():
    mia = await database_sync_to_async(_employee)()
    _project, room = await database_sync_to_async(_project_with)(mia)
    ws = await _communicator(mia, room.pk)
    connected, _ = await ws.connect()
    assert connected
    await ws.disconnect()


async def test_consumer_refuses_non_member():
    mia = await database_sync_to_async(_employee)()
    otto = await database_sync_to_async(_employee)()
    _project, room = await database_sync_to_async(_project_with)(mia)
    ws = await _communicator(otto, room.pk)
    connected, code = await ws.connect()
    assert not connected
    assert code == 4404


async def test_consumer_refuses_anonymous():
    room = await database_sync_to_async(company_room)()
    ws = await _communicator(None, room.pk)
    connected, code = await ws.connect()
    assert not connected
    assert code == 4404


async def test_consumer_refuses_unknown_room():
    mia = await database_sync_to_async(_employee)()
    ws = await _communicator(mia, 999999)
    connected, _ = await ws.connect()
    assert not connected


async def test_consumer_company_room_open_to_employee_without_role():
    otto = await database_sync_to_async(_employee)(None)
    room = await database_sync_to_async(company_room)()
    ws = await _communicator(otto, room.pk)
    connected, _ = await ws.connect()
    assert connected
    await ws.disconnect()


async def test_consumer_module_permission_reads_every_project_room():
    paul = await database_sync_to_async(_employee)("Projektleitung")
    mia = await database_sync_to_async(_employee)()
    _project, room = await database_sync_to_async(_project_with)(mia)
    ws = await _communicator(paul, room.pk)
    connected, _ = await ws.connect()
    assert connected
    await ws.disconnect()


async def test_consumer_post_is_stored_and_broadcast_to_room():
    mia = await database_sync_to_async(_employee)()
    max_ = await database_sync_to_async(_employee)()
    _project, room = await database_sync_to_async(_project_with)(mia, max_)
    sender = await _communicator(mia, room.pk)
    listener = await _communicator(max_, room.pk)
    assert (await sender.connect())[0]
    assert (await listener.connect())[0]

    await sender.send_to(text_data=json.dumps({"body": "Hallo Team", "HEADERS": {}}))

    html = await listener.receive_from(timeout=3)
    assert 'hx-swap-oob="beforeend:#chat-messages"' in html
    assert "Hallo Team" in html
    assert await database_sync_to_async(ChatMessage.objects.filter(body="Hallo Team").count)() == 1
    await sender.disconnect()
    await listener.disconnect()


async def test_consumer_sender_gets_own_variant_with_edit_controls():
    mia = await database_sync_to_async(_employee)()
    max_ = await database_sync_to_async(_employee)()
    _project, room = await database_sync_to_async(_project_with)(mia, max_)
    sender = await _communicator(mia, room.pk)
    listener = await _communicator(max_, room.pk)
    await sender.connect()
    await listener.connect()

    await sender.send_to(text_data=json.dumps({"body": "Mein Text"}))
    frames = [await sender.receive_from(timeout=3), await sender.receive_from(timeout=3)]
    own = next(f for f in frames if "Mein Text" in f)
    other = await listener.receive_from(timeout=3)

    assert "/edit/" in own
    assert "/edit/" not in other
    await sender.disconnect()
    await listener.disconnect()


async def test_consumer_invalid_post_answers_error_to_sender_only():
    mia = await database_sync_to_async(_employee)()
    room = await database_sync_to_async(company_room)()
    ws = await _communicator(mia, room.pk)
    await ws.connect()
    await ws.send_to(text_data=json.dumps({"body": "   "}))
    html = await ws.receive_from(timeout=3)
    assert 'id="chat-form-error"' in html
    assert "errorlist" in html
    assert await database_sync_to_async(ChatMessage.objects.count)() == 0
    await ws.disconnect()


async def test_consumer_receives_posts_made_over_http_service():
    mia = await database_sync_to_async(_employee)()
    max_ = await database_sync_to_async(_employee)()
    _project, room = await database_sync_to_async(_project_with)(mia, max_)
    listener = await _communicator(max_, room.pk)
    await listener.connect()

    await database_sync_to_async(services.message_post)(room=room, author=mia, body="per POST")

    html = await listener.receive_from(timeout=3)
    assert "per POST" in html
    await listener.disconnect()


async def test_consumer_receives_edit_and_delete_events():
    mia = await database_sync_to_async(_employee)()
    max_ = await database_sync_to_async(_employee)()
    _project, room = await database_sync_to_async(_project_with)(mia, max_)
    listener = await _communicator(max_, room.pk)
    await listener.connect()
    message = await database_sync_to_async(services.message_post)(
        room=room, author=mia, body="Erstfassung"
    )
    await listener.receive_from(timeout=3)

    await database_sync_to_async(services.message_edit)(
        message=message, actor=mia, body="Zweitfassung"
    )
    edited = await listener.receive_from(timeout=3)
    assert f'id="chat-message-{message.pk}"' in edited
    assert 'hx-swap-oob="outerHTML"' in edited
    assert "Zweitfassung" in edited

    await database_sync_to_async(services.message_delete)(message=message, actor=mia)
    deleted = await listener.receive_from(timeout=3)
    assert "is-deleted" in deleted
    assert "Zweitfassung" not in deleted
    await listener.disconnect()


async def test_consumer_mention_notifies_mentioned_user_socket():
    mia = await database_sync_to_async(_employee)(first_name="Mia", last_name="Muster")
    max_ = await database_sync_to_async(_employee)(first_name="Max", last_name="Meier")
    _project, room = await database_sync_to_async(_project_with)(mia, max_)
    listener = await _communicator(max_, room.pk)
    await listener.connect()

    await database_sync_to_async(services.message_post)(
        room=room, author=mia, body="@Max Meier bitte prüfen"
    )
    frames = [await listener.receive_from(timeout=3), await listener.receive_from(timeout=3)]
    assert any('id="chat-notice"' in f for f in frames)
    assert await database_sync_to_async(Mention.objects.filter(employee=max_).count)() == 1
    await listener.disconnect()


async def test_consumer_access_lost_while_connected_closes_socket():
    mia = await database_sync_to_async(_employee)()
    max_ = await database_sync_to_async(_employee)()
    project, room = await database_sync_to_async(_project_with)(mia, max_)
    ws = await _communicator(max_, room.pk)
    assert (await ws.connect())[0]

    await database_sync_to_async(project_member_remove)(actor=None, project=project, employee=max_)

    output = await ws.receive_output(timeout=3)
    assert output == {"type": "websocket.close", "code": 4403}


async def test_consumer_post_after_access_lost_is_refused():
    mia = await database_sync_to_async(_employee)()
    max_ = await database_sync_to_async(_employee)()
    project, room = await database_sync_to_async(_project_with)(mia, max_)
    ws = await _communicator(max_, room.pk)
    await ws.connect()
    # Membership gone without the revoke event (e.g. a direct database change).
    await database_sync_to_async(project.memberships.filter(employee=max_).delete)()
    await asyncio.sleep(0)
    while not await ws.receive_nothing(timeout=0.2):
        await ws.receive_output()  # a revoke event from the signal may close it first

    await ws.send_to(text_data=json.dumps({"body": "noch da?"}))
    output = await ws.receive_output(timeout=3)
    assert output["type"] == "websocket.close"
    assert await database_sync_to_async(ChatMessage.objects.count)() == 0


async def test_consumer_rechecks_access_before_passing_on_events(settings):
    settings.CHAT_ACCESS_RECHECK_SECONDS = 0
    mia = await database_sync_to_async(_employee)()
    max_ = await database_sync_to_async(_employee)()
    project, room = await database_sync_to_async(_project_with)(mia, max_)
    ws = await _communicator(max_, room.pk)
    await ws.connect()
    # Membership gone silently (no signal, no revoke event).
    memberships = project.memberships.filter(employee=max_)
    await database_sync_to_async(memberships._raw_delete)(memberships.db)

    await database_sync_to_async(services.message_post)(room=room, author=mia, body="geheim")

    output = await ws.receive_output(timeout=3)
    assert output == {"type": "websocket.close", "code": 4403}
