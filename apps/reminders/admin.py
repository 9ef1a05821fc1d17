"""Admin: reminders and calendar feed tokens. Writes go through the services, audited as in the app."""

from __future__ import annotations

from typing import Any

from django.contrib import admin

from apps.reminders import services
from apps.reminders.models import CalendarToken, Reminder

# What reminder_update changes; "done" goes through reminder_set_done (a status change).
_UPDATED_FIELDS = {"title", "description", "due_date", "due_time", "priority"}


@admin.register(Reminder)
class ReminderAdmin(admin.ModelAdmin):
    list_display = ("title", "owner", "due_date", "due_time", "priority", "done", "notified_at")
    list_filter = ("done", "priority", "due_date")
    search_fields = ("title", "description", "target_repr")
    autocomplete_fields = ("owner",)
    # Set by the services (scheduling, sending, the record link), shown only.
    readonly_fields = (
        "created_by",
        "remind_at",
        "snoozed_until",
        "notified_at",
        "done_at",
        "source_key",
        "content_type",
        "object_id",
        "target_repr",
    )
    fields = ("title", "description", "due_date", "due_time", "priority", "owner", "done")
    fields += readonly_fields
    list_select_related = ("owner",)
    date_hierarchy = "due_date"

    def get_readonly_fields(self, request: Any, obj: Any = None) -> list[str]:
        # A new reminder is open; a reminder stays with its owner (the services have no move).
        return [*self.readonly_fields, "owner" if obj else "done"]

    def save_model(self, request: Any, obj: Reminder, form: Any, change: bool) -> None:
        if not change:
            saved = services.reminder_create(
                owner=obj.owner,
                target=None,
                due=obj.due_date,
                due_time=obj.due_time,
                title=obj.title,
                description=obj.description,
                priority=obj.priority,
                created_by=request.user,
            )
            obj.pk, obj.created_by, obj.remind_at = saved.pk, saved.created_by, saved.remind_at
            obj._state.adding = False
            return
        # The services compare with what is stored: hand them the stored reminder.
        stored = Reminder.objects.get(pk=obj.pk)
        if _UPDATED_FIELDS & set(form.changed_data):
            services.reminder_update(
                reminder=stored,
                actor=request.user,
                title=obj.title,
                description=obj.description,
                due_date=obj.due_date,
                due_time=obj.due_time,
                priority=obj.priority,
            )
        if "done" in form.changed_data:
            services.reminder_set_done(reminder=stored, actor=request.user, done=obj.done)

    def delete_model(self, request: Any, obj: Reminder) -> None:
        services.reminder_delete(reminder=obj, actor=request.user)

    def delete_queryset(self, request: Any, queryset: Any) -> None:
        for reminder in queryset:  # "delete selected": one audited deletion per reminder
            services.reminder_delete(reminder=reminder, actor=request.user)


@admin.register(CalendarToken)
class CalendarTokenAdmin(admin.ModelAdmin):
    """Deleting a token revokes the employee's feed URL (audited); nothing else changes here."""

    list_display = ("employee", "created_at")
    fields = ("employee", "created_at")
    readonly_fields = ("employee", "created_at")
    search_fields = ("employee__email", "employee__last_name")
    list_select_related = ("employee",)

    def has_add_permission(self, request: Any) -> bool:
        return False

    def delete_model(self, request: Any, obj: CalendarToken) -> None:
        services.calendar_token_revoke(token=obj, actor=request.user)

    def delete_queryset(self, request: Any, queryset: Any) -> None:
        for token in queryset.select_related("employee"):
            services.calendar_token_revoke(token=token, actor=request.user)
