from django.contrib import admin

from apps.timetracking.models import TimeEntry

# EmployeeDayTotal is not registered: it is a cache of the entries (rebuilt by the command
# rebuild_time_totals), not a record of its own; the entries above are what to look at.


@admin.register(TimeEntry)
class TimeEntryAdmin(admin.ModelAdmin):
    list_display = [
        "start",
        "end",
        "employee",
        "project",
        "customer",
        "duration_minutes",
        "billable",
        "activity",
        "status",
        "billed_at",
    ]
    list_filter = ["status", "billable", "activity", "start"]
    search_fields = ["note", "employee__last_name", "employee__code", "project__number"]
    date_hierarchy = "start"
    list_select_related = ["employee", "project", "customer"]
    raw_id_fields = ["employee", "project", "customer", "reviewed_by"]
    readonly_fields = [
        "duration_minutes",
        "billed_by_line",
        "billed_at",
        "created_at",
        "updated_at",
    ]
    show_full_result_count = False

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        # Entries are created through the services (checks, overlap lock, audit).
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
