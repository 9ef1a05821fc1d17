from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.chat.models import ChatMessage, ChatReadState, Mention
from apps.chat.services import message_post
from tests.chat.factories import ChatMessageFactory, company_room, project_room
from tests.employees.factories import EmployeeFactory
from tests.projects.factories import ProjectFactory

HTMX = {"HTTP_HX_REQUEST": "true"}

pytestmark = pytest.mark.django_db


@pytest.fixture
def room(member):  # type: ignore[no-untyped-def]
    """A project room with ``member`` in the team."""
    return project_room(ProjectFactory(members=[member]))


@pytest.fixture
def foreign_room(db):  # type: ignore[no-untyped-def]
    """A project room without any persona in the team."""
    return project_room(ProjectFactory(members=[EmployeeFactory()]))


def _persona(request, name):  # type: ignore[no-untyped-def]
    return None if name == "anonymous" else request.getfixturevalue(name)


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("anonymous", 302), ("outsider", 200), ("member", 200), ("manager", 200), ("admin", 200)],
)
def test_room_list_permission_matrix(request, client_for, persona, expected):
    response = client_for(_persona(request, persona)).get(reverse("chat:room_list"))
    assert response.status_code == expected


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("anonymous", 302), ("outsider", 404), ("member", 200), ("manager", 200), ("admin", 200)],
)
def test_room_detail_project_room_permission_matrix(request, client_for, room, persona, expected):
    response = client_for(_persona(request, persona)).get(room.get_absolute_url())
    assert response.status_code == expected


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("anonymous", 302), ("outsider", 404), ("member", 404), ("manager", 200), ("admin", 200)],
)
def test_room_detail_foreign_room_permission_matrix(
    request, client_for, foreign_room, persona, expected
):
    response = client_for(_persona(request, persona)).get(foreign_room.get_absolute_url())
    assert response.status_code == expected


@pytest.mark.parametrize("persona", ["outsider", "member", "manager", "admin"])
def test_room_detail_company_room_open_to_every_employee(request, client_for, persona):
    response = client_for(_persona(request, persona)).get(company_room().get_absolute_url())
    assert response.status_code == 200


def test_room_detail_inactive_employee_is_refused(client_for, member):
    client = client_for(member)
    member.status = member.Status.INACTIVE
    member.save()
    response = client.get(company_room().get_absolute_url())
    assert response.status_code in (302, 404)


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("anonymous", 302), ("outsider", 404), ("member", 302), ("manager", 302), ("admin", 302)],
)
def test_message_create_permission_matrix(request, client_for, room, persona, expected):
    url = reverse("chat:message_create", args=[room.pk])
    response = client_for(_persona(request, persona)).post(url, {"body": "Hallo"})
    assert response.status_code == expected
    if persona in ("anonymous", "outsider"):
        assert not ChatMessage.objects.exists()
    else:
        assert response["Location"].startswith(room.get_absolute_url())


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("anonymous", 302), ("outsider", 404), ("member", 200), ("manager", 200), ("admin", 200)],
)
def test_member_search_permission_matrix(request, client_for, room, persona, expected):
    url = reverse("chat:member_search", args=[room.pk])
    response = client_for(_persona(request, persona)).get(url, {"q": "M"})
    assert response.status_code == expected


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("anonymous", 302), ("outsider", 200), ("member", 200), ("manager", 200), ("admin", 200)],
)
def test_mention_list_permission_matrix(request, client_for, persona, expected):
    response = client_for(_persona(request, persona)).get(reverse("chat:mention_list"))
    assert response.status_code == expected


def test_message_create_plain_post_stores_and_redirects(client_for, member, room):
    response = client_for(member).post(
        reverse("chat:message_create", args=[room.pk]), {"body": "  Hallo Team  "}
    )
    assert response.status_code == 302
    assert ChatMessage.objects.get().body == "Hallo Team"


def test_message_create_empty_body_is_422_with_translated_error(client_for, member, room):
    response = client_for(member).post(
        reverse("chat:message_create", args=[room.pk]), {"body": "  "}, HTTP_ACCEPT_LANGUAGE="de"
    )
    assert response.status_code == 422
    assert "Bitte schreiben Sie eine Nachricht." in response.text
    assert not ChatMessage.objects.exists()


def test_message_create_htmx_returns_message_fragment(client_for, member, room):
    response = client_for(member).post(
        reverse("chat:message_create", args=[room.pk]),
        {"body": "per htmx"},
        HTTP_HX_TARGET="chat-messages",
        **HTMX,
    )
    assert response.status_code == 200
    assert "<html" not in response.text
    message = ChatMessage.objects.get()
    assert f'id="chat-message-{message.pk}"' in response.text
    assert 'id="chat-form-error"' in response.text
    assert "HX-Request" in response["Vary"]


def test_message_create_htmx_invalid_is_422_fragment(client_for, member, room):
    response = client_for(member).post(
        reverse("chat:message_create", args=[room.pk]), {"body": ""}, **HTMX
    )
    assert response.status_code == 422
    assert "<html" not in response.text
    assert "errorlist" in response.text


def test_room_detail_htmx_older_fragment(client_for, member, room, settings):
    settings.CHAT_PAGE_SIZE = 5
    messages = ChatMessageFactory.create_batch(12, room=room)
    response = client_for(member).get(
        room.get_absolute_url(),
        {"before": messages[7].pk},
        HTTP_HX_TARGET="chat-older",
        **HTMX,
    )
    assert response.status_code == 200
    assert "<html" not in response.text
    assert 'id="chat-older"' in response.text  # a new sentinel: still older messages
    assert "HX-Request" in response["Vary"]
    shown = [m.pk for m in messages if f'id="chat-message-{m.pk}"' in response.text]
    assert shown == [m.pk for m in messages[2:7]]


def test_room_detail_htmx_oldest_fragment_has_no_sentinel(client_for, member, room, settings):
    settings.CHAT_PAGE_SIZE = 5
    messages = ChatMessageFactory.create_batch(6, room=room)
    response = client_for(member).get(
        room.get_absolute_url(), {"before": messages[5].pk}, HTTP_HX_TARGET="chat-older", **HTMX
    )
    assert 'id="chat-older"' not in response.text
    assert f'id="chat-message-{messages[0].pk}"' in response.text


def test_room_detail_htmx_catch_up_after_reconnect(client_for, member, room):
    messages = ChatMessageFactory.create_batch(4, room=room)
    response = client_for(member).get(
        room.get_absolute_url(), {"after": messages[1].pk}, HTTP_HX_TARGET="chat-messages", **HTMX
    )
    assert response.status_code == 200
    assert "<html" not in response.text
    assert f'id="chat-message-{messages[1].pk}"' not in response.text
    assert f'id="chat-message-{messages[2].pk}"' in response.text
    assert f'id="chat-message-{messages[3].pk}"' in response.text


def test_room_detail_bad_cursor_is_400(client_for, member, room):
    response = client_for(member).get(room.get_absolute_url(), {"before": "abc"})
    assert response.status_code == 400


def test_room_detail_shows_latest_page_and_sentinel(client_for, member, room, settings):
    settings.CHAT_PAGE_SIZE = 5
    messages = ChatMessageFactory.create_batch(7, room=room)
    response = client_for(member).get(room.get_absolute_url())
    assert f'id="chat-message-{messages[1].pk}"' not in response.text
    assert f'id="chat-message-{messages[2].pk}"' in response.text
    assert f"?before={messages[2].pk}" in response.text
    assert 'ws-connect="/ws/chat/' in response.text


def test_room_detail_marks_room_read(client_for, member, room):
    other = EmployeeFactory()
    ChatMessageFactory.create_batch(3, room=room, author=other)
    last = ChatMessage.objects.latest("id")
    client_for(member).get(room.get_absolute_url())
    assert ChatReadState.objects.get(room=room, employee=member).last_read_message_id == last.pk


def test_room_page_serves_ws_extension_locally_without_inline_scripts(client_for, member, room):
    response = client_for(member).get(room.get_absolute_url())
    assert "/static/django_htmx/ext/hx-ws-2.js" in response.text
    assert "/static/js/chat.js" in response.text
    assert "<script>" not in response.text
    assert "https://" not in response.text.split("<body")[0]


@pytest.mark.parametrize("count", [5, 50])
def test_room_detail_query_budget(client_for, member, room, django_assert_max_num_queries, count):
    authors = EmployeeFactory.create_batch(5)
    for i in range(count):
        ChatMessageFactory(room=room, author=authors[i % 5])
    client = client_for(member)
    client.get(reverse("chat:room_list"))  # session, read marks: warm
    with django_assert_max_num_queries(18):
        response = client.get(room.get_absolute_url())
    assert response.status_code == 200


@pytest.mark.parametrize("rooms", [2, 12])
def test_room_list_query_budget(client_for, manager, django_assert_max_num_queries, rooms):
    for _ in range(rooms):
        room = project_room(ProjectFactory(members=[manager]))
        ChatMessageFactory(room=room)
    client = client_for(manager)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("chat:room_list"))
    assert response.status_code == 200


def test_room_list_shows_unread_counts_per_room(client_for, member, room):
    other = EmployeeFactory()
    ChatMessageFactory.create_batch(3, room=room, author=other)
    ChatMessageFactory(room=room, author=member)
    response = client_for(member).get(reverse("chat:room_list"))
    assert 'data-unread="3"' in response.text


def test_navigation_badge_shows_total_unread(client_for, member, room):
    other = EmployeeFactory()
    ChatMessageFactory.create_batch(2, room=room, author=other)
    ChatMessageFactory(room=company_room(), author=other)
    response = client_for(member).get(reverse("chat:mention_list"))
    nav = response.context["nav_items"]
    chat = next(item for item in nav if item["url"] == reverse("chat:room_list"))
    assert chat["badge"] == 3


def test_navigation_badge_ignores_foreign_rooms_for_module_permission(client_for, manager):
    foreign = project_room(ProjectFactory(members=[EmployeeFactory()]))
    ChatMessageFactory.create_batch(2, room=foreign)
    response = client_for(manager).get(reverse("chat:mention_list"))
    chat = next(i for i in response.context["nav_items"] if i["url"] == reverse("chat:room_list"))
    assert chat["badge"] == 0


def test_member_search_returns_listbox_of_matching_members(client_for, member, room):
    member.first_name, member.last_name = "Mia", "Muster"
    member.save()
    EmployeeFactory(first_name="Michael", last_name="Fremd")  # not in the project
    response = client_for(member).get(
        reverse("chat:member_search", args=[room.pk]),
        {"q": "Mi"},
        HTTP_HX_TARGET="chat-mention-list",
        **HTMX,
    )
    assert 'role="listbox"' in response.text
    assert 'data-mention="Mia Muster"' in response.text
    assert "Michael" not in response.text
    assert "<html" not in response.text


# --- edit and delete ---------------------------------------------------------------------------
@pytest.fixture
def own_message(member, room):  # type: ignore[no-untyped-def]
    return message_post(room=room, author=member, body="Entwurf")


def test_message_edit_by_author_htmx(client_for, member, own_message):
    url = reverse("chat:message_edit", args=[own_message.pk])
    client = client_for(member)
    form = client.get(url, HTTP_HX_TARGET=f"chat-message-{own_message.pk}", **HTMX)
    assert form.status_code == 200
    assert "<html" not in form.text
    assert f'id="chat-message-{own_message.pk}"' in form.text
    response = client.post(url, {"body": "Endfassung"}, **HTMX)
    assert response.status_code == 200
    assert "(bearbeitet)" in response.text or "(edited)" in response.text
    own_message.refresh_from_db()
    assert own_message.body == "Endfassung"
    assert own_message.edited_at is not None


def test_message_edit_plain_post_redirects(client_for, member, own_message):
    url = reverse("chat:message_edit", args=[own_message.pk])
    response = client_for(member).post(url, {"body": "Neu"})
    assert response.status_code == 302


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("anonymous", 302), ("outsider", 404), ("member", 200), ("manager", 403), ("admin", 403)],
)
def test_message_edit_permission_matrix(request, client_for, own_message, persona, expected):
    url = reverse("chat:message_edit", args=[own_message.pk])
    assert client_for(_persona(request, persona)).get(url).status_code == expected


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("anonymous", 302), ("outsider", 404), ("member", 302), ("manager", 403), ("admin", 403)],
)
def test_message_delete_permission_matrix(request, client_for, own_message, persona, expected):
    url = reverse("chat:message_delete", args=[own_message.pk])
    assert client_for(_persona(request, persona)).post(url).status_code == expected


def test_message_edit_after_window_is_422(client_for, member, own_message):
    ChatMessage.objects.filter(pk=own_message.pk).update(
        created_at=timezone.now() - timedelta(hours=1)
    )
    url = reverse("chat:message_edit", args=[own_message.pk])
    response = client_for(member).post(url, {"body": "zu spät"}, **HTMX)
    assert response.status_code == 422
    own_message.refresh_from_db()
    assert own_message.body == "Entwurf"


def test_message_delete_htmx_shows_deleted_and_keeps_row(client_for, member, own_message):
    url = reverse("chat:message_delete", args=[own_message.pk])
    response = client_for(member).post(url, **HTMX)
    assert response.status_code == 200
    assert "is-deleted" in response.text
    assert "<html" not in response.text
    own_message.refresh_from_db()
    assert own_message.deleted_at is not None
    assert own_message.body == "Entwurf"


# --- mentions ----------------------------------------------------------------------------------
def test_mention_open_marks_seen_and_redirects_to_message(client_for, member, room):
    author = EmployeeFactory()
    room.project.memberships.create(employee=author)
    member.first_name, member.last_name = "Mia", "Muster"
    member.save()
    message = message_post(room=room, author=author, body="@Mia Muster schau mal")
    mention = Mention.objects.get(employee=member)
    listing = client_for(member).get(reverse("chat:mention_list"))
    assert reverse("chat:mention_open", args=[mention.pk]) in listing.text
    response = client_for(member).get(reverse("chat:mention_open", args=[mention.pk]))
    assert response.status_code == 302
    assert response["Location"].endswith(f"#chat-message-{message.pk}")
    mention.refresh_from_db()
    assert mention.seen


def test_mention_open_of_someone_else_is_404(client_for, outsider, member, room):
    author = EmployeeFactory()
    member.first_name, member.last_name = "Mia", "Muster"
    member.save()
    message_post(room=room, author=author, body="@Mia Muster")
    mention = Mention.objects.get(employee=member)
    response = client_for(outsider).get(reverse("chat:mention_open", args=[mention.pk]))
    assert response.status_code == 404


def test_mention_list_htmx_fragment(client_for, member):
    response = client_for(member).get(
        reverse("chat:mention_list"), HTTP_HX_TARGET="mention-results", **HTMX
    )
    assert response.status_code == 200
    assert "<html" not in response.text
    assert "chat-mention-entries" in response.text
    assert "HX-Request" in response["Vary"]


def test_room_list_splits_own_rooms_from_a_paginated_search_of_the_others(client_for, manager):
    from apps.chat.views import OTHER_ROOMS_PAGE_SIZE

    mine = project_room(ProjectFactory(title="Eigenes Projekt", members=[manager]))
    foreign = [
        project_room(ProjectFactory(title=f"Fremd {i:02d}", members=[EmployeeFactory()]))
        for i in range(OTHER_ROOMS_PAGE_SIZE + 2)
    ]
    client = client_for(manager)
    response = client.get(reverse("chat:room_list"))
    my_part, other_part = response.text.split('data-testid="other-rooms"')
    assert f'data-room-id="{mine.pk}"' in my_part
    assert f'data-room-id="{mine.pk}"' not in other_part
    assert other_part.count("data-room-id=") == OTHER_ROOMS_PAGE_SIZE
    page2 = client.get(
        reverse("chat:room_list") + "?page=2",
        headers={"HX-Request": "true", "HX-Target": "chat-others"},
    )
    assert page2.text.count("data-room-id=") == 2  # the fragment: the rest of the others only
    found = client.get(reverse("chat:room_list") + "?q=fremd+07")
    other_part = found.text.split('data-testid="other-rooms"')[1]
    assert f'data-room-id="{foreign[7].pk}"' in other_part
    assert other_part.count("data-room-id=") == 1


def test_room_list_has_no_other_rooms_for_members(client_for, member, room):
    project_room(ProjectFactory(members=[EmployeeFactory()]))
    response = client_for(member).get(reverse("chat:room_list"))
    assert 'data-testid="other-rooms"' not in response.text
    assert f'data-room-id="{room.pk}"' in response.text
