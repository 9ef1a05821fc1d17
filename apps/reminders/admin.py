from django.contrib import admin

from apps.reminders.models import CalendarToken, Reminder


@admin.register(Reminder)
class ReminderAdmin(admin.ModelAdmin):
    list_display = ("title", "owner", "due_date", "due_time", "priority", "done", "notified_at")
    list_filter = ("done", "priority", "due_date")
    search_fields = ("title", "description", "target_repr")
    autocomplete_fields = ("owner", "created_by")
    readonly_fields = ("remind_at", "notified_at", "content_type", "object_id", "target_repr")
    list_select_related = ("owner",)
    date_hierarchy = "due_date"


@admin.register(CalendarToken)
class CalendarTokenAdmin(admin.ModelAdmin):
    list_display = ("employee", "created_at")
    fields = ("employee", "created_at")
    readonly_fields = ("employee", "created_at")
    search_fields = ("employee__email", "employee__last_name")

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False
