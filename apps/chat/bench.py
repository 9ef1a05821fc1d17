"""Pages for `make bench` (the WebSocket scenario is `make bench-chat`, bench/chat_bench.py)."""

from __future__ import annotations


def _company_room() -> str:
    from apps.chat.services import company_room_get

    return company_room_get().get_absolute_url()


PAGES = [
    {"name": "chat rooms", "path": "/chat/", "user": "admin"},
    {"name": "chat company room", "path": _company_room, "user": "admin"},
    {"name": "chat mentions", "path": "/chat/mentions/", "user": "admin"},
]
