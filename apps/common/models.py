"""Shared abstract bases, the gapless number sequences and background-generated files."""

import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class NumberSequence(models.Model):
    """One counter row per numbering scope ("employee", "invoice:2026", ...).

    Numbers are drawn under a row lock inside the caller's transaction (see sequences.next_value),
    so a rolled-back transaction gives its number back and parallel callers never collide.
    """

    key = models.CharField(_("key"), max_length=64, unique=True)
    last_value = models.PositiveBigIntegerField(_("last value"), default=0)

    class Meta:
        verbose_name = _("number sequence")
        verbose_name_plural = _("number sequences")

    def __str__(self) -> str:
        return f"{self.key}: {self.last_value}"


def export_storage_key(instance: object, filename: str) -> str:
    """A random key: neither the user's nor the report's name reaches the storage."""
    return f"exports/{uuid.uuid4().hex}"


class ExportFile(TimeStampedModel):
    """A file generated in the background for one user (a report PDF, a large list export).

    Requested by a page (``apps.common.exports.export_request``), rendered by a task, downloaded
    only by the requester while still allowed and until ``expires_at``; requesting the same file
    again replaces it, and ``manage.py prune_exports`` removes expired ones.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("being created")
        READY = "ready", _("ready")
        FAILED = "failed", _("failed")

    key = models.UUIDField(_("key"), default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=80)
    params = models.JSONField(_("parameters"), default=dict)
    # The canonical parameters: one file per user, kind and parameters (a new request replaces it).
    subject = models.CharField(_("parameters (canonical)"), max_length=200)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    filename = models.CharField(_("file name"), max_length=200)
    language = models.CharField(_("language"), max_length=10, blank=True)  # of the requester
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    file = models.FileField(_("file"), upload_to=export_storage_key, blank=True)
    error = models.TextField(_("error"), blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires at"))

    class Meta:
        verbose_name = _("export file")
        verbose_name_plural = _("export files")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["requested_by", "kind", "subject"], name="common_exportfile_one_per_subject"
            ),
            models.CheckConstraint(
                condition=~models.Q(status="ready") | ~models.Q(file=""),
                name="common_exportfile_ready_has_file",
            ),
        ]
        indexes = [models.Index(fields=["expires_at"], name="common_export_expires_idx")]

    def __str__(self) -> str:
        return self.filename

    def get_absolute_url(self) -> str:
        return reverse("common:export_detail", args=[self.key])

    @property
    def is_pending(self) -> bool:
        return self.status == self.Status.PENDING

    @property
    def is_ready(self) -> bool:
        return self.status == self.Status.READY
