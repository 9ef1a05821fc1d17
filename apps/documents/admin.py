"""Admin: documents are uploaded through the checked upload in the app, never here; changes and
deletions go through the services (audited; a deleted document's stored file goes too)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from apps.documents import services
from apps.documents.models import Document, DocumentLink

_UPDATED_FIELDS = {"title", "category", "confidential", "owner"}


class DocumentAdminForm(forms.ModelForm):
    def clean_owner(self) -> Any:
        owner = self.cleaned_data.get("owner")
        if "owner" in self.changed_data and owner is not None and not owner.is_active:
            raise ValidationError(_("Inactive employees cannot own documents."), code="inactive")
        return owner


class DocumentLinkInline(admin.TabularInline):
    model = DocumentLink
    extra = 0
    fields = ("content_type", "object_id", "target_repr", "linked_by", "created_at")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    """Read-mostly: title, category, confidentiality and owner change through document_update."""

    form = DocumentAdminForm
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

    def has_add_permission(self, request: Any) -> bool:
        return False

    def save_model(self, request: Any, obj: Document, form: Any, change: bool) -> None:
        if not _UPDATED_FIELDS & set(form.changed_data):
            return
        # The service compares with what is stored: hand it the stored document.
        services.document_update(
            document=Document.objects.get(pk=obj.pk),
            actor=request.user,
            title=obj.title,
            category=obj.category,
            confidential=obj.confidential,
            owner=obj.owner if "owner" in form.changed_data else None,
        )

    def delete_model(self, request: Any, obj: Document) -> None:
        services.document_delete(document=obj, actor=request.user)

    def delete_queryset(self, request: Any, queryset: Any) -> None:
        for document in queryset:  # "delete selected": each audited, each stored file removed
            services.document_delete(document=document, actor=request.user)
