"""Access to a chat room for views: the room (or message) is loaded through the same selector
the WebSocket consumer uses; who may not read it gets 404 (its existence is not revealed)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse

from apps.chat import selectors
from apps.common.permissions import ACCESS_ATTR


def room_access[View: Callable[..., HttpResponse]](view: View) -> View:
    """Loads ``room`` from the URL's ``room_id`` via ``selectors.room_for_user``."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, room_id: int, **kwargs: Any) -> HttpResponse:
        room = selectors.room_for_user(request.user, room_id)
        if room is None:
            raise Http404
        return view(request, *args, room=room, **kwargs)

    setattr(wrapper, ACCESS_ATTR, "object:chat.room")
    return wrapper  # type: ignore[return-value]


def message_access[View: Callable[..., HttpResponse]](view: View) -> View:
    """Loads ``message`` from ``message_id`` if it is in a room the user may access."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, message_id: int, **kwargs: Any) -> HttpResponse:
        message = selectors.message_for_user(request.user, message_id)
        if message is None:
            raise Http404
        return view(request, *args, message=message, **kwargs)

    setattr(wrapper, ACCESS_ATTR, "object:chat.message")
    return wrapper  # type: ignore[return-value]
