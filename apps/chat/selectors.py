"""Reads for the chat, already scoped to the user. The HTTP views and the WebSocket consumer
decide access through the same function: ``room_for_user``."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import Case, Count, Exists, F, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce

from apps.chat.models import ChatMessage, ChatReadState, ChatRoom, Mention
from apps.employees.models import Employee
from apps.projects.models import ProjectMember

ALL_ROOMS_PERM = "chat.view_chatroom"


def _active(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def _member_rooms_q(user: Any) -> Q:
    """Rooms open to ``user`` without the module permission: the company room and the rooms of
    the projects they are a member of."""
    member = ProjectMember.objects.filter(project=OuterRef("project_id"), employee=user)
    return Q(kind=ChatRoom.Kind.COMPANY) | Q(Exists(member))


def rooms_for_user(user: Any) -> QuerySet[ChatRoom]:
    """Every room the user may read and post in."""
    if not _active(user):
        return ChatRoom.objects.none()
    qs = ChatRoom.objects.select_related("project")
    if user.has_perm(ALL_ROOMS_PERM):
        return qs
    return qs.filter(_member_rooms_q(user))


def room_for_user(user: Any, room_id: Any) -> ChatRoom | None:
    """The room if ``user`` may read and post in it, else None (the caller answers 404)."""
    try:
        pk = int(room_id)
    except (TypeError, ValueError):
        return None
    return rooms_for_user(user).filter(pk=pk).first()


def room_can_access(user: Any, room: ChatRoom) -> bool:
    if not _active(user):
        return False
    if room.kind == ChatRoom.Kind.COMPANY or user.has_perm(ALL_ROOMS_PERM):
        return True
    return ProjectMember.objects.filter(project_id=room.project_id, employee=user).exists()


def my_rooms_q(user: Any) -> Q:
    """Rooms whose unread messages count for ``user``: company, own projects, rooms visited."""
    visited = ChatReadState.objects.filter(room=OuterRef("pk"), employee=user)
    return _member_rooms_q(user) | Q(Exists(visited))


def _unread_filter(user: Any) -> Q:
    return ~Q(author=user) & Q(deleted_at__isnull=True)


def rooms_with_unread(user: Any) -> QuerySet[ChatRoom]:
    """``rooms_for_user`` annotated with ``unread`` (messages by others since the read mark) and
    ``last_message_at``; the company room first, then the most recently active rooms."""
    last_read = ChatReadState.objects.filter(room=OuterRef("room_id"), employee=user).values(
        "last_read_message_id"
    )[:1]
    unread = (
        ChatMessage.objects.filter(room=OuterRef("pk"))
        .filter(_unread_filter(user))
        .annotate(mark=Coalesce(Subquery(last_read), Value(0)))
        .filter(pk__gt=F("mark"))
        .order_by()
        .values("room")
        .annotate(n=Count("pk"))
        .values("n")
    )
    last_at = (
        ChatMessage.objects.filter(room=OuterRef("pk"))
        .order_by("-created_at", "-id")
        .values("created_at")[:1]
    )
    return (
        rooms_for_user(user)
        .annotate(
            unread=Case(
                When(my_rooms_q(user), then=Coalesce(Subquery(unread), Value(0))),
                default=Value(0),
            ),
            last_message_at=Subquery(last_at),
        )
        .order_by("kind", F("last_message_at").desc(nulls_last=True), "-id")
    )


def my_rooms(user: Any) -> QuerySet[ChatRoom]:
    """The rooms that are the user's own (company, own projects, visited), with unread counts."""
    return rooms_with_unread(user).filter(my_rooms_q(user))


def other_rooms(user: Any, search: str = "") -> QuerySet[ChatRoom]:
    """For holders of the all-rooms permission: every other project room, most recently active
    first, optionally narrowed to a project number or title. Nobody else has any."""
    if not _active(user) or not user.has_perm(ALL_ROOMS_PERM):
        return ChatRoom.objects.none()
    qs = rooms_with_unread(user).exclude(my_rooms_q(user))
    if search:
        qs = qs.filter(Q(project__number__icontains=search) | Q(project__title__icontains=search))
    return qs


# Unread messages are counted per room up to this many: the badge needs "a lot", not an exact
# figure, and the cap keeps each room's count to one short index range scan.
UNREAD_CAP_PER_ROOM = 100

_BADGES_SQL = """
SELECT
  COALESCE((
    SELECT SUM((
      SELECT COUNT(*) FROM (
        SELECT 1 FROM chat_chatmessage m
        WHERE m.room_id = r.id AND m.id > COALESCE(rs.last_read_message_id, 0)
          AND m.author_id <> %(user)s AND m.deleted_at IS NULL
        LIMIT %(cap)s
      ) capped
    ))
    FROM chat_chatroom r
    LEFT JOIN chat_chatreadstate rs ON rs.room_id = r.id AND rs.employee_id = %(user)s
    WHERE r.kind = %(company)s
       OR r.project_id IN (SELECT pm.project_id FROM projects_projectmember pm
                           WHERE pm.employee_id = %(user)s)
       OR (%(all_rooms)s AND rs.id IS NOT NULL)
  ), 0),
  (SELECT COUNT(*) FROM chat_mention mn WHERE mn.employee_id = %(user)s AND NOT mn.seen)
"""


def chat_badges(user: Any) -> dict[str, int]:
    """Unread messages in the user's rooms (company room, own projects, and for holders of the
    all-rooms permission the rooms they visited) and unseen mentions: one query, driven by the
    user's few rooms rather than by all messages, cached on the user object for the request
    (both navigation badges use it)."""
    cached = getattr(user, "_chat_badges", None)
    if cached is not None:
        return cached
    result = {"unread": 0, "mentions": 0}
    if _active(user):
        params = {
            "user": user.pk,
            "cap": UNREAD_CAP_PER_ROOM,
            "company": ChatRoom.Kind.COMPANY.value,
            "all_rooms": user.has_perm(ALL_ROOMS_PERM),
        }
        with connection.cursor() as cursor:
            cursor.execute(_BADGES_SQL, params)
            unread, mentions = cursor.fetchone()
        result = {"unread": int(unread or 0), "mentions": int(mentions or 0)}
    user._chat_badges = result
    return result


def messages_for_room(
    room: ChatRoom,
    *,
    before: int | None = None,
    after: int | None = None,
    limit: int | None = None,
) -> tuple[list[ChatMessage], bool]:
    """A page of the room's history in chronological order, by keyset on (created_at, id), never
    OFFSET: the latest ``limit`` messages, or those just before / after the message ``before`` /
    ``after``. Returns (messages, more): whether further messages exist in that direction."""
    limit = limit or settings.CHAT_PAGE_SIZE
    qs = ChatMessage.objects.filter(room=room).select_related("author", "document")
    if after == 0:  # a client that shows nothing yet: the latest page
        after = None
    anchor_id = before if before is not None else after
    if anchor_id is not None:
        anchor = (
            ChatMessage.objects.filter(room=room, pk=anchor_id).values("created_at", "id").first()
        )
        if anchor is None:
            return [], False
        at, pk = anchor["created_at"], anchor["id"]
        if after is not None:
            newer = qs.filter(Q(created_at__gt=at) | Q(created_at=at, id__gt=pk))
            page = list(newer.order_by("created_at", "id")[: limit + 1])
            return _with_room(page[:limit], room), len(page) > limit
        qs = qs.filter(Q(created_at__lt=at) | Q(created_at=at, id__lt=pk))
    page = list(qs.order_by("-created_at", "-id")[: limit + 1])
    more = len(page) > limit
    page = page[:limit]
    page.reverse()
    return _with_room(page, room), more


def _with_room(messages: list[ChatMessage], room: ChatRoom) -> list[ChatMessage]:
    for message in messages:
        message.room = room  # known already: no query per message
    return messages


def message_for_user(user: Any, message_id: Any) -> ChatMessage | None:
    """A message in a room the user may access (for edit and delete)."""
    try:
        pk = int(message_id)
    except (TypeError, ValueError):
        return None
    return (
        ChatMessage.objects.select_related("room", "room__project", "author", "document")
        .filter(room__in=rooms_for_user(user), pk=pk)
        .first()
    )


def room_members(room: ChatRoom, *, query: str = "", limit: int = 8) -> QuerySet[Employee]:
    """Who can be mentioned in the room: project members (and the manager), or every active
    employee in the company room; filtered by the start of the first or last name."""
    qs = Employee.objects.exclude(status=Employee.Status.INACTIVE)
    if room.kind == ChatRoom.Kind.PROJECT:
        member = ProjectMember.objects.filter(project_id=room.project_id, employee=OuterRef("pk"))
        qs = qs.filter(Q(Exists(member)) | Q(managed_projects=room.project_id))
    words = query.split()
    if words:
        first, rest = words[0], " ".join(words[1:])
        if rest:
            qs = qs.filter(first_name__iexact=first, last_name__istartswith=rest)
        else:
            qs = qs.filter(Q(first_name__istartswith=first) | Q(last_name__istartswith=first))
    return qs.order_by("first_name", "last_name", "id").distinct()[:limit]


def mentions_for_user(user: Any) -> QuerySet[Mention]:
    return (
        Mention.objects.filter(employee=user, message__room__in=rooms_for_user(user))
        .select_related("message", "message__author", "message__room", "message__room__project")
        .order_by("-created_at", "-id")
    )


def read_state_get(*, room: ChatRoom, employee: Any) -> ChatReadState | None:
    return ChatReadState.objects.filter(room=room, employee=employee).first()


def project_chat_allowed(user: Any, project: Any) -> bool:
    """May ``user`` use the project's room (without creating it)?"""
    if not _active(user):
        return False
    if user.has_perm(ALL_ROOMS_PERM):
        return True
    return ProjectMember.objects.filter(project=project, employee=user).exists()
