"""WebSocket endpoint of a chat room: ``/ws/chat/<room_id>/``.

Thin on purpose: access is decided by ``selectors.room_for_user`` (as for the HTTP views) on
connect, on every message from the client, on a "revoke" event (someone left a project) and,
for broadcasts passed on, at least every CHAT_ACCESS_RECHECK_SECONDS (0 = every event); posting
goes through ``services.message_post`` (as the plain POST fallback does). What the client gets
is server-rendered HTML with ``hx-swap-oob``, swapped in by htmx's ws extension.
"""

from __future__ import annotations

import json
import time
from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.template.loader import render_to_string
from django.utils import translation

from apps.chat import selectors, services
from apps.chat.models import ChatRoom
from apps.employees.models import Employee

# Application close codes (4000-4999). The htmx ws extension reconnects only after abnormal
# closures (1006, 1011, 1012, 1013), so a socket closed for lost access stays closed.
CLOSE_NO_ACCESS = 4404
CLOSE_ACCESS_LOST = 4403


def _fresh_access(user_id: int, room_id: int) -> tuple[Employee | None, ChatRoom | None]:
    """Reload the employee (role, status may have changed) and ask the selector again."""
    user = Employee.objects.select_related("role").filter(pk=user_id).first()
    if user is None:
        return None, None
    return user, selectors.room_for_user(user, room_id)


def _post(user_id: int, room_id: int, body: Any) -> tuple[bool, str]:
    """(allowed, error html). Access is checked again right before the service is called."""
    user, room = _fresh_access(user_id, room_id)
    if user is None or room is None:
        return False, ""
    try:
        services.message_post(room=room, author=user, body=body)
    except (ValidationError, PermissionDenied) as exc:
        messages = getattr(exc, "messages", None) or [str(exc)]
        with translation.override(user.language):
            return True, render_to_string("chat/room.html#form-error", {"errors": messages})
    return True, render_to_string("chat/room.html#form-error", {"errors": []})


def _mark_read(user_id: int, room_id: int) -> None:
    user, room = _fresh_access(user_id, room_id)
    if user is not None and room is not None:
        services.room_mark_read(room=room, employee=user)


class ChatConsumer(AsyncWebsocketConsumer):
    room_id: int = 0
    user_id: int = 0
    language: str = "de"
    groups_joined: tuple[str, ...] = ()
    checked_at: float = 0.0

    async def connect(self) -> None:
        user = self.scope.get("user")
        room_id = self.scope["url_route"]["kwargs"]["room_id"]
        room = await database_sync_to_async(selectors.room_for_user)(user, room_id)
        if room is None:
            # Closing before accept rejects the handshake (HTTP 403): no room, no hint why.
            await self.close(code=CLOSE_NO_ACCESS)
            return
        self.room_id = room.pk
        self.user_id = user.pk  # type: ignore[union-attr]
        self.language = getattr(user, "language", "de") or "de"
        self.groups_joined = (services.room_group(room.pk), services.user_group(self.user_id))
        for group in self.groups_joined:
            await self.channel_layer.group_add(group, self.channel_name)
        self.checked_at = time.monotonic()
        await self.accept()

    async def disconnect(self, code: int) -> None:
        for group in self.groups_joined:
            await self.channel_layer.group_discard(group, self.channel_name)
        if self.room_id and code not in (CLOSE_ACCESS_LOST, CLOSE_NO_ACCESS):
            # What was delivered while connected counts as read.
            await database_sync_to_async(_mark_read)(self.user_id, self.room_id)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        try:
            data = json.loads(text_data or "{}")
        except ValueError:
            return
        if not isinstance(data, dict):
            return
        allowed, reply = await database_sync_to_async(_post)(
            self.user_id, self.room_id, data.get("body")
        )
        if not allowed:
            await self._revoke()
            return
        self.checked_at = time.monotonic()
        if reply:
            await self.send(text_data=reply)

    async def _still_allowed(self, *, force: bool = False) -> bool:
        """Ask the selector again (always when forced, else when the last check is too old)."""
        if not force and time.monotonic() - self.checked_at < settings.CHAT_ACCESS_RECHECK_SECONDS:
            return True
        _user, room = await database_sync_to_async(_fresh_access)(self.user_id, self.room_id)
        if room is not None:
            self.checked_at = time.monotonic()
        return room is not None

    async def _revoke(self) -> None:
        for group in self.groups_joined:
            await self.channel_layer.group_discard(group, self.channel_name)
        self.groups_joined = ()
        await self.close(code=CLOSE_ACCESS_LOST)

    def _pick(self, variants: dict[str, Any]) -> Any:
        return variants.get(self.language) or next(iter(variants.values()))

    # --- Events from the channel layer ---------------------------------------------------------
    async def chat_message(self, event: dict[str, Any]) -> None:
        if not await self._still_allowed():
            await self._revoke()
            return
        variant = self._pick(event["html"])
        await self.send(text_data=variant["own" if event["author_id"] == self.user_id else "other"])

    async def chat_mention(self, event: dict[str, Any]) -> None:
        # Sent to every socket of the mentioned employee, whichever room it shows.
        await self.send(text_data=self._pick(event["html"]))

    async def chat_revoke(self, event: dict[str, Any]) -> None:
        if not await self._still_allowed(force=True):
            await self._revoke()
