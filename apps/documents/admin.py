from django.contrib import admin

from apps.documents.models import Document, DocumentLink


class DocumentLinkInline(admin.TabularInline):
    model = DocumentLink
    extra = 0
    fields = ("content_type", "object_id", "target_repr", "linked_by", "created_at")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    """Read-mostly: files are uploaded through the checked upload in the app, never here."""

    list_display = ("title", "category", "owner", "confidential", "mime_type", "size", "created_at")
    list_filter = ("category", "confidential", "mime_type")
    search_fields = ("title", "original_name", "sha256")
    autocomplete_fields = ("owner",)
    readonly_fields = (
        "file",
        "original_name",
        "sha256",
        "size",
        "mime_type",
        "uploaded_by",
        "created_at",
        "updated_at",
    )
    fields = ("title", "category", "confidential", "owner", *readonly_fields)
    inlines = [DocumentLinkInline]
    list_select_related = ("owner",)

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False
