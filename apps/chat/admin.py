"""Chat in the admin: read-only (messages change only through the audited services)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin

from apps.chat.models import ChatMessage, ChatRoom


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(ChatRoom)
class ChatRoomAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "kind", "created_at"]
    list_filter = ["kind"]
    list_select_related = ["project"]


@admin.register(ChatMessage)
class ChatMessageAdmin(ReadOnlyAdmin):
    list_display = ["id", "room", "author", "created_at", "edited_at", "deleted_at"]
    list_select_related = ["room", "room__project", "author"]
    search_fields = ["body"]
    date_hierarchy = "created_at"
