"""Documents (SPEC §5): files stored under a random key, deduplicated by SHA-256, linked to any
record that carries attachments (see apps.common.attachments)."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from apps.common.models import TimeStampedModel


def document_storage_key(instance: Any, filename: str) -> str:
    """A random key: the user's file name never reaches the storage."""
    return f"documents/{uuid.uuid4().hex}"


INLINE_MIME_TYPES = frozenset(
    {"application/pdf", "image/png", "image/jpeg", "image/gif", "image/webp"}
)


class Document(TimeStampedModel):
    class Category(models.TextChoices):
        CONTRACT = "contract", _("contract")
        INVOICE = "invoice", _("invoice")
        RECEIPT = "receipt", _("receipt")
        SICK_NOTE = "sick_note", _("sick note")
        CERTIFICATE = "certificate", _("certificate")
        REPORT = "report", _("report")
        OTHER = "other", _("other")

    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(_("file"), upload_to=document_storage_key, max_length=100)
    original_name = models.CharField(_("original file name"), max_length=200)
    category = models.CharField(
        _("category"), max_length=20, choices=Category.choices, default=Category.OTHER
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="owned_documents",
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="uploaded_documents",
    )
    sha256 = models.CharField(_("SHA-256"), max_length=64, editable=False)
    size = models.PositiveBigIntegerField(_("size (bytes)"), editable=False)
    mime_type = models.CharField(_("MIME type"), max_length=100, editable=False)
    confidential = models.BooleanField(_("confidential"), default=False)

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["-created_at", "-id"]
        permissions = [
            ("read_confidential_document", _("Can read all confidential documents")),
        ]
        constraints = [
            models.UniqueConstraint(fields=["sha256"], name="documents_document_sha256_unique"),
            models.CheckConstraint(
                condition=models.Q(size__gt=0), name="documents_document_size_positive"
            ),
        ]
        indexes = [
            models.Index(fields=["owner", "-created_at"], name="document_owner_created_idx"),
            models.Index(fields=["category", "-created_at"], name="document_category_idx"),
            models.Index(fields=["confidential", "-created_at"], name="document_confid_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("documents:document_detail", args=[self.pk])

    @property
    def previewable(self) -> bool:
        return self.mime_type in INLINE_MIME_TYPES

    @property
    def is_pdf(self) -> bool:
        return self.mime_type == "application/pdf"

    @property
    def is_image(self) -> bool:
        return self.mime_type.startswith("image/")


class DocumentLink(models.Model):
    """Document ↔ record. A document may belong to several records; a deleted record leaves its
    links in place (shown as "(deleted)" with the name it had), so nothing is silently lost."""

    document = models.ForeignKey(
        Document, verbose_name=_("document"), on_delete=models.CASCADE, related_name="links"
    )
    content_type = models.ForeignKey(
        ContentType, verbose_name=_("record type"), on_delete=models.PROTECT, related_name="+"
    )
    object_id = models.PositiveBigIntegerField(_("record id"))
    target = GenericForeignKey("content_type", "object_id")
    target_repr = models.CharField(_("record (as linked)"), max_length=300, blank=True)
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("linked by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("linked at"), auto_now_add=True)

    class Meta:
        verbose_name = _("document link")
        verbose_name_plural = _("document links")
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["document", "content_type", "object_id"],
                name="documents_documentlink_unique_target",
            )
        ]
        indexes = [
            models.Index(fields=["content_type", "object_id"], name="documentlink_target_idx")
        ]

    def __str__(self) -> str:
        return f"{self.document} → {self.target_repr}"


class DocumentUserObjectPermission(UserObjectPermissionBase):
    """Direct-FK guardian table: a confidential document shared with an employee."""

    content_object = models.ForeignKey(Document, on_delete=models.CASCADE)

    class Meta(UserObjectPermissionBase.Meta):
        verbose_name = _("document share")
        verbose_name_plural = _("document shares")


class DocumentGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Document, on_delete=models.CASCADE)

    class Meta(GroupObjectPermissionBase.Meta):
        verbose_name = _("document group permission")
        verbose_name_plural = _("document group permissions")
