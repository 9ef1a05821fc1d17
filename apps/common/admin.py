from django.contrib import admin

from apps.common.models import NumberSequence


@admin.register(NumberSequence)
class NumberSequenceAdmin(admin.ModelAdmin):
    list_display = ["key", "last_value"]
    search_fields = ["key"]
    readonly_fields = ["key", "last_value"]

    # Counters are only advanced by the services; editing them by hand would break gaplessness.
    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
