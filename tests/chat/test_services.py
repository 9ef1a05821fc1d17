from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from apps.audit.models import AuditEntry
from apps.chat import selectors, services
from apps.chat.models import ChatMessage, ChatReadState, ChatRoom, Mention
from tests.chat.factories import ChatMessageFactory, company_room, project_room
from tests.employees.factories import EmployeeFactory
from tests.projects.factories import ProjectFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def team(db):  # type: ignore[no-untyped-def]
    mia = EmployeeFactory(first_name="Mia", last_name="Muster")
    max_ = EmployeeFactory(first_name="Max", last_name="von Meier")
    room = project_room(ProjectFactory(members=[mia, max_]))
    return mia, max_, room


def test_message_post_stores_message_and_marks_author_read(
    team, django_capture_on_commit_callbacks
):
    mia, _max, room = team
    with django_capture_on_commit_callbacks() as callbacks:
        message = services.message_post(room=room, author=mia, body=" Hallo ")
    assert message.body == "Hallo"
    assert ChatReadState.objects.get(room=room, employee=mia).last_read_message_id == message.pk
    assert len(callbacks) == 1  # the broadcast waits for the commit


def test_message_post_rejects_empty_and_too_long(team):
    mia, _max, room = team
    with pytest.raises(ValidationError):
        services.message_post(room=room, author=mia, body="   ")
    with pytest.raises(ValidationError):
        services.message_post(room=room, author=mia, body="x" * 4001)
    assert not ChatMessage.objects.exists()


def test_message_post_records_mentions_of_room_members(team):
    mia, max_, room = team
    outsider = EmployeeFactory(first_name="Otto", last_name="Extern")
    services.message_post(room=room, author=mia, body="@Max von Meier und @Otto Extern, schaut mal")
    assert list(Mention.objects.values_list("employee_id", flat=True)) == [max_.pk]
    assert outsider.chat_mentions.count() == 0


def test_message_post_mention_is_case_insensitive_and_not_self(team):
    mia, max_, room = team
    services.message_post(room=room, author=mia, body="@max VON MEIER, @Mia Muster")
    assert list(Mention.objects.values_list("employee_id", flat=True)) == [max_.pk]


def test_message_edit_within_window_is_audited(team):
    mia, _max, room = team
    message = services.message_post(room=room, author=mia, body="alt")
    services.message_edit(message=message, actor=mia, body="neu")
    message.refresh_from_db()
    assert message.body == "neu"
    assert message.edited_at is not None
    entry = AuditEntry.objects.filter(object_id=str(message.pk)).latest("seq")
    assert entry.changes == {"body": {"old": "alt", "new": "neu"}}


def test_message_edit_by_someone_else_is_denied(team):
    mia, max_, room = team
    message = services.message_post(room=room, author=mia, body="alt")
    with pytest.raises(PermissionDenied):
        services.message_edit(message=message, actor=max_, body="neu")


def test_message_edit_after_window_is_rejected(team, settings):
    settings.CHAT_EDIT_WINDOW_MINUTES = 15
    mia, _max, room = team
    message = services.message_post(room=room, author=mia, body="alt")
    ChatMessage.objects.filter(pk=message.pk).update(
        created_at=timezone.now() - timedelta(minutes=16)
    )
    with pytest.raises(ValidationError):
        services.message_edit(message=message, actor=mia, body="neu")


def test_message_delete_is_soft_and_audited(team):
    mia, _max, room = team
    message = services.message_post(room=room, author=mia, body="weg damit")
    services.message_delete(message=message, actor=mia)
    message.refresh_from_db()
    assert message.deleted_at is not None
    assert message.body == "weg damit"
    assert AuditEntry.objects.filter(object_id=str(message.pk), action="delete").exists()
    with pytest.raises(ValidationError):
        services.message_delete(message=message, actor=mia)


def test_room_mark_read_sets_mark_and_sees_mentions(team):
    mia, max_, room = team
    message = services.message_post(room=room, author=mia, body="@Max von Meier")
    services.room_mark_read(room=room, employee=max_)
    assert ChatReadState.objects.get(room=room, employee=max_).last_read_message_id == message.pk
    assert Mention.objects.get(employee=max_).seen


def test_rooms_ensure_creates_company_and_project_rooms_once(db):
    ProjectFactory.create_batch(2)
    ChatRoom.objects.filter(kind=ChatRoom.Kind.PROJECT).delete()
    assert services.rooms_ensure() == 2
    assert services.rooms_ensure() == 0
    assert ChatRoom.objects.filter(kind=ChatRoom.Kind.COMPANY).count() == 1


def test_room_for_user_scopes_project_rooms(team, manager, outsider):
    mia, _max, room = team
    assert selectors.room_for_user(mia, room.pk) == room
    assert selectors.room_for_user(manager, room.pk) == room  # chat module permission
    assert selectors.room_for_user(outsider, room.pk) is None
    assert selectors.room_for_user(outsider, company_room().pk) is not None
    assert selectors.room_for_user(outsider, "x") is None


def test_messages_for_room_pages_by_keyset(team, settings):
    mia, _max, room = team
    messages = ChatMessageFactory.create_batch(7, room=room, author=mia)
    page, more = selectors.messages_for_room(room, limit=3)
    assert [m.pk for m in page] == [m.pk for m in messages[4:]]
    assert more
    page, more = selectors.messages_for_room(room, before=messages[4].pk, limit=3)
    assert [m.pk for m in page] == [m.pk for m in messages[1:4]]
    assert more
    page, more = selectors.messages_for_room(room, before=messages[1].pk, limit=3)
    assert [m.pk for m in page] == [messages[0].pk]
    assert not more
    page, more = selectors.messages_for_room(room, after=messages[4].pk, limit=3)
    assert [m.pk for m in page] == [m.pk for m in messages[5:]]
    assert not more


def test_chat_badges_count_unread_and_mentions(team):
    mia, max_, room = team
    services.message_post(room=room, author=max_, body="eigene zählt nicht")
    services.message_post(room=room, author=mia, body="eins")
    services.message_post(room=room, author=mia, body="@Max von Meier zwei")
    assert selectors.chat_badges(max_) == {"unread": 2, "mentions": 1}
    max_.__dict__.pop("_chat_badges", None)
    services.room_mark_read(room=room, employee=max_)
    assert selectors.chat_badges(max_) == {"unread": 0, "mentions": 0}


def test_mention_creates_a_reminder_for_the_mentioned_employee(team):
    from apps.reminders.models import Reminder

    mia, max_, room = team
    message = services.message_post(room=room, author=mia, body="@Max von Meier bitte prüfen")
    reminder = Reminder.objects.get(owner=max_)
    assert reminder.source_key == f"chat:mention:{message.pk}"
    assert reminder.target == message
    assert "Mia Muster" in reminder.title
    assert reminder.due_date == timezone.localdate()


def test_mention_reminder_is_listed_for_the_mentioned_employee(team, client_for):
    from django.urls import reverse

    mia, max_, room = team
    message = services.message_post(room=room, author=mia, body="@Max von Meier Rückruf bitte")
    response = client_for(max_).get(reverse("reminders:reminder_list"))
    assert response.status_code == 200
    assert "Mia Muster" in response.text
    assert message.get_absolute_url() in response.text
