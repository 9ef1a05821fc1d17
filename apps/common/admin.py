from django.contrib import admin

from apps.common.models import ExportFile, NumberSequence


class ReadOnlyAdmin(admin.ModelAdmin):
    """For records only the services write (and audit): the admin shows them, nothing more."""

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(NumberSequence)
class NumberSequenceAdmin(ReadOnlyAdmin):
    # Counters are only advanced by the services; editing them by hand would break gaplessness.
    list_display = ["key", "last_value"]
    search_fields = ["key"]
    readonly_fields = ["key", "last_value"]


@admin.register(ExportFile)
class ExportFileAdmin(ReadOnlyAdmin):
    list_display = ["filename", "kind", "requested_by", "status", "created_at"]
    list_filter = ["status", "kind"]
    list_select_related = ["requested_by"]
    exclude = ["file"]  # downloads go through the permission-checked view only
