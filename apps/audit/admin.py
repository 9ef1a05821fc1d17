from __future__ import annotations

from typing import Any

from django.contrib import admin

from apps.audit.models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Read-only: the audit log is append-only."""

    list_display = ["seq", "timestamp", "actor_repr", "action", "object_repr", "ip"]
    list_filter = ["action", "content_type", "timestamp"]
    search_fields = ["object_repr", "actor_repr", "message", "object_id"]
    date_hierarchy = "timestamp"
    list_select_related = ["content_type"]
    show_full_result_count = False

    def get_readonly_fields(self, request: Any, obj: Any = None) -> list[str]:
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False
