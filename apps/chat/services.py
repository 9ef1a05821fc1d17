"""Chat state changes. Every write commits first and broadcasts after the commit
(``transaction.on_commit``) server-rendered HTML to the room's channel-layer group, so a
listener never sees a message that was rolled back, and every app process (one Redis) gets it."""

from __future__ import annotations

import logging
import re
from datetime import timedelta
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from apps.audit.models import AuditAction
from apps.audit.services import audit_record
from apps.chat import selectors
from apps.chat.models import ChatMessage, ChatReadState, ChatRoom, Mention
from apps.employees.models import Employee

logger = logging.getLogger(__name__)

MAX_LENGTH = 4000
# "@Vorname Nachname": a name word may carry hyphens and apostrophes; up to three words after @.
_MENTION_RE = re.compile(r"@([^\s@,.;:!?()]+(?:[ \t]+[^\s@,.;:!?()]+){0,2})")


def user_group(user_id: int) -> str:
    return f"chat-user-{user_id}"


def room_group(room_id: int) -> str:
    return f"chat-room-{room_id}"


# --- Rooms ---------------------------------------------------------------------------------------
def company_room_get() -> ChatRoom:
    room = ChatRoom.objects.filter(kind=ChatRoom.Kind.COMPANY).first()
    if room is not None:
        return room
    try:
        with transaction.atomic():
            return ChatRoom.objects.create(kind=ChatRoom.Kind.COMPANY, name="")
    except IntegrityError:  # created in parallel
        return ChatRoom.objects.get(kind=ChatRoom.Kind.COMPANY)


def rooms_ensure(*, project_ids: list[int] | None = None) -> int:
    """Create the missing rooms (the company room and one per project); idempotent.

    Projects can come from bulk_create (demo data), so rooms are ensured where they are listed
    rather than by a signal. Returns the number of rooms created."""
    from apps.projects.models import Project

    company_room_get()
    projects = Project.objects.filter(chat_room__isnull=True)
    if project_ids is not None:
        projects = projects.filter(pk__in=project_ids)
    missing = [
        ChatRoom(kind=ChatRoom.Kind.PROJECT, project_id=pk)
        for pk in projects.values_list("pk", flat=True)
    ]
    ChatRoom.objects.bulk_create(missing, ignore_conflicts=True)
    return len(missing)


def room_for_project(project: Any) -> ChatRoom:
    room = ChatRoom.objects.filter(project=project).first()
    if room is None:
        rooms_ensure(project_ids=[project.pk])
        room = ChatRoom.objects.get(project=project)
    return room


# --- Rendering and broadcasting ------------------------------------------------------------------
def edit_window() -> timedelta:
    return timedelta(minutes=settings.CHAT_EDIT_WINDOW_MINUTES)


def message_editable(message: ChatMessage, user: Any, *, now: Any = None) -> bool:
    """Own messages, not deleted, within the edit window."""
    now = now or timezone.now()
    return (
        message.author_id == getattr(user, "pk", None)
        and message.deleted_at is None
        and now - message.created_at <= edit_window()
    )


def render_message(message: ChatMessage, *, own: bool, oob: str = "") -> str:
    """The same partial as the history: ``chat/room.html#message``."""
    return render_to_string(
        "chat/room.html#message",
        {
            "message": message,
            "editable": own and message_editable(message, message.author),
            "oob": oob,
        },
    )


def render_variants(message: ChatMessage, *, oob: str) -> dict[str, dict[str, str]]:
    """Rendered once per language and for author vs. others; each consumer picks its variant."""
    variants = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            variants[code] = {
                "own": render_message(message, own=True, oob=oob),
                "other": render_message(message, own=False, oob=oob),
            }
    return variants


def _group_send(group: str, event: dict[str, Any]) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        async_to_sync(layer.group_send)(group, event)
    except Exception:  # the message is stored; a down Redis must not fail the request
        logger.exception("chat broadcast to %s failed", group)


def _broadcast_message(message: ChatMessage, *, oob: str) -> None:
    """``message`` with ``author`` loaded (rendered after the commit, so it is what was stored)."""
    _group_send(
        room_group(message.room_id),
        {
            "type": "chat.message",
            "message_id": message.pk,
            "author_id": message.author_id,
            "html": render_variants(message, oob=oob),
        },
    )


def _notify_mentions(message_id: int, employee_ids: list[int]) -> None:
    message = ChatMessage.objects.select_related("author", "room", "room__project").get(
        pk=message_id
    )
    variants = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            variants[code] = render_to_string("chat/room.html#mention-notice", {"message": message})
    for employee_id in employee_ids:
        _group_send(user_group(employee_id), {"type": "chat.mention", "html": variants})


def access_changed(employee_id: int) -> None:
    """Ask the employee's open sockets to re-check their access (after the commit)."""
    transaction.on_commit(
        lambda: _group_send(user_group(employee_id), {"type": "chat.revoke"}), robust=True
    )


# --- Messages ------------------------------------------------------------------------------------
def _clean_body(body: Any) -> str:
    text = str(body or "").replace("\r\n", "\n").strip()
    if not text:
        raise ValidationError({"body": _("Please write a message.")})
    if len(text) > MAX_LENGTH:
        raise ValidationError(
            {"body": _("A message can have at most %(max)d characters.") % {"max": MAX_LENGTH}}
        )
    return text


def mentioned_employees(room: ChatRoom, body: str) -> list[Employee]:
    """Employees named as ``@Vorname Nachname`` who may read the room."""
    query = Q()
    for match in _MENTION_RE.finditer(body):
        words = match.group(1).split()
        for n in range(2, len(words) + 1):
            query |= Q(first_name__iexact=words[0], last_name__iexact=" ".join(words[1:n]))
        if len(words) >= 3:
            query |= Q(first_name__iexact=" ".join(words[:2]), last_name__iexact=words[2])
    if not query:
        return []
    candidates = Employee.objects.select_related("role").filter(query)
    return [e for e in candidates if selectors.room_can_access(e, room)]


def _record_mentions(message: ChatMessage, *, skip: set[int] | None = None) -> list[int]:
    """Mention rows (the "Mentions" list and badge) and a reminder per mentioned employee."""
    people = {
        e.pk: e
        for e in mentioned_employees(message.room, message.body)
        if e.pk != message.author_id and e.pk not in (skip or set())
    }
    Mention.objects.bulk_create(
        [Mention(message=message, employee_id=pk, created_at=message.created_at) for pk in people],
        ignore_conflicts=True,
    )
    for employee in people.values():
        _mention_reminder(message, employee)
    return list(people)


def _mention_reminder(message: ChatMessage, employee: Employee) -> None:
    """A reminder due today that links to the message (when the reminders module is there)."""
    try:
        from apps.reminders.services import reminder_create
    except ImportError:
        return
    with translation.override(employee.language or settings.LANGUAGE_CODE):
        title = _("%(author)s mentioned you in %(room)s") % {
            "author": message.author.full_name,
            "room": message.room.title,
        }
        reminder_create(
            owner=employee,
            target=message,
            due=timezone.localdate(),
            title=title,
            description=message.body[:500],
            created_by=message.author,
            source_key=f"chat:mention:{message.pk}",
        )


def attachment_store(*, room: ChatRoom, author: Any, uploaded: Any) -> Any:
    """Store an uploaded file through the documents module (checked, deduplicated, linked to the
    room's project); the same content uploaded before is reused if the author may see it."""
    from apps.documents.selectors import documents_for_user
    from apps.documents.services import DuplicateDocument, document_upload

    target = room.project if room.project_id else None
    try:
        return document_upload(uploaded=uploaded, uploaded_by=author, target=target)
    except DuplicateDocument as duplicate:
        existing = duplicate.existing
        if not documents_for_user(author).filter(pk=existing.pk).exists():
            raise ValidationError(
                {"attachment": _("This file is already stored as a document you cannot open.")}
            ) from None
        return existing


def message_post(*, room: ChatRoom, author: Any, body: Any, attachment: Any = None) -> ChatMessage:
    """Store a message (with an optional file), record its mentions, and broadcast both after the
    commit. The caller has checked access (``selectors.room_for_user``)."""
    if attachment is None:
        text = _clean_body(body)
        document = None
    else:
        text = _clean_body(body) if str(body or "").strip() else ""
        # Stored before the message (the documents module keeps files outside transactions).
        document = attachment_store(room=room, author=author, uploaded=attachment)
        text = text or document.title
    with transaction.atomic():
        return _message_create(room=room, author=author, text=text, document=document)


def _message_create(*, room: ChatRoom, author: Any, text: str, document: Any) -> ChatMessage:
    message = ChatMessage.objects.create(room=room, author=author, body=text, document=document)
    message.room = room
    message.author = author
    message.document = document
    mentioned = _record_mentions(message)
    marked = ChatReadState.objects.filter(room=room, employee=author).update(
        last_read_message_id=message.pk, last_read_at=message.created_at
    )
    if not marked:
        try:
            with transaction.atomic():
                ChatReadState.objects.create(
                    room=room,
                    employee=author,
                    last_read_message_id=message.pk,
                    last_read_at=message.created_at,
                )
        except IntegrityError:  # created in parallel by the author's other tab
            ChatReadState.objects.filter(room=room, employee=author).update(
                last_read_message_id=message.pk, last_read_at=message.created_at
            )
    transaction.on_commit(lambda: _broadcast_message(message, oob="new"), robust=True)
    if mentioned:
        transaction.on_commit(lambda: _notify_mentions(message.pk, mentioned), robust=True)
    return message


def _check_own(message: ChatMessage, actor: Any) -> None:
    if message.author_id != actor.pk:
        raise PermissionDenied(_("Only the author can change a message."))
    if message.deleted_at is not None:
        raise ValidationError(_("This message was deleted."))
    if timezone.now() - message.created_at > edit_window():
        raise ValidationError(
            _("Messages can only be changed within %(minutes)d minutes.")
            % {"minutes": settings.CHAT_EDIT_WINDOW_MINUTES}
        )


@transaction.atomic
def message_edit(*, message: ChatMessage, actor: Any, body: Any) -> ChatMessage:
    message = ChatMessage.objects.select_for_update().select_related("room").get(pk=message.pk)
    _check_own(message, actor)
    text = _clean_body(body)
    if text == message.body:
        return message
    old = message.body
    message.body = text
    message.edited_at = timezone.now()
    message.save(update_fields=["body", "edited_at"])
    audit_record(
        action=AuditAction.UPDATE,
        target=message,
        actor=actor,
        changes={"body": {"old": old, "new": text}},
        object_repr=f"chat message {message.pk}",
    )
    already = set(message.mentions.values_list("employee_id", flat=True))
    mentioned = _record_mentions(message, skip=already)
    message.author = actor
    transaction.on_commit(lambda: _broadcast_message(message, oob="update"), robust=True)
    if mentioned:
        transaction.on_commit(lambda: _notify_mentions(message.pk, mentioned), robust=True)
    return message


@transaction.atomic
def message_delete(*, message: ChatMessage, actor: Any) -> ChatMessage:
    """Soft delete: the row and its text stay in the database, the room shows "deleted"."""
    message = ChatMessage.objects.select_for_update().select_related("room").get(pk=message.pk)
    _check_own(message, actor)
    message.deleted_at = timezone.now()
    message.save(update_fields=["deleted_at"])
    audit_record(
        action=AuditAction.DELETE,
        target=message,
        actor=actor,
        changes={"deleted_at": {"old": None, "new": message.deleted_at}},
        object_repr=f"chat message {message.pk}",
    )
    Mention.objects.filter(message=message, seen=False).update(seen=True)
    message.author = actor
    transaction.on_commit(lambda: _broadcast_message(message, oob="update"), robust=True)
    return message


@transaction.atomic
def room_mark_read(*, room: ChatRoom, employee: Any) -> ChatReadState:
    """Everything in the room so far is read; mentions in it count as seen."""
    last_id = (
        ChatMessage.objects.filter(room=room).order_by("-id").values_list("id", flat=True).first()
    ) or 0
    state, created = ChatReadState.objects.get_or_create(
        room=room,
        employee=employee,
        defaults={"last_read_message_id": last_id, "last_read_at": timezone.now()},
    )
    if not created and state.last_read_message_id < last_id:
        ChatReadState.objects.filter(pk=state.pk, last_read_message_id__lt=last_id).update(
            last_read_message_id=last_id, last_read_at=timezone.now()
        )
        state.last_read_message_id = last_id
    Mention.objects.filter(employee=employee, message__room=room, seen=False).update(seen=True)
    return state


@transaction.atomic
def mention_mark_seen(*, mention: Mention, employee: Any) -> None:
    Mention.objects.filter(pk=mention.pk, employee=employee).update(seen=True)
