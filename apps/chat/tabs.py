"""The chat tab on the project page and the usage check that keeps projects with messages
(registered when the projects module offers its registry)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from apps.chat import selectors, services


def project_chat_visible(user: Any, project: Any) -> bool:
    return selectors.project_chat_allowed(user, project)


def project_chat_context(request: Any, project: Any) -> dict[str, Any]:
    room = services.room_for_project(project)
    messages, more = selectors.messages_for_room(room, limit=10)
    return {"chat_room": room, "chat_messages": messages, "chat_more": more}


def project_has_messages(project: Any) -> bool:
    """Messages stay (even deleted ones keep their row): such a project is not deleted."""
    from apps.chat.models import ChatMessage

    return ChatMessage.objects.filter(room__project=project).exists()


def register() -> None:
    try:
        from apps.common.tabs import Tab
        from apps.projects.registry import register_project_tab, register_usage_check
    except ImportError:  # the projects module has no tab registry (yet)
        return
    register_usage_check(project_has_messages)
    register_project_tab(
        Tab(
            "chat",
            _("Chat"),
            "chat/_project_tab_chat.html",
            context=project_chat_context,
            visible=project_chat_visible,
            order=70,
        )
    )
