from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from apps.common.navigation import NavItem


def _unread(user: Any) -> int:
    from apps.chat.selectors import chat_badges

    return chat_badges(user)["unread"]


def _mentions(user: Any) -> int:
    from apps.chat.selectors import chat_badges

    return chat_badges(user)["mentions"]


class ChatConfig(AppConfig):
    name = "apps.chat"
    verbose_name = _("Chat")
    # Every active employee has the company room; both badges come from one query.
    nav_items: list = [
        NavItem(
            _("Chat"),
            "chat:room_list",
            order=80,
            active_prefix="/chat/",
            badge=_unread,
        ),
        NavItem(_("Mentions"), "chat:mention_list", order=81, badge=_mentions),
    ]

    def ready(self) -> None:
        from apps.chat import signals, tabs  # noqa: F401

        tabs.register()
