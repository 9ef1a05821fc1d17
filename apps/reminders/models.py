"""Reminders (SPEC §6): due date and optional time, priority, owner, optional linked record."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from apps.common.models import TimeStampedModel


class Reminder(TimeStampedModel):
    class Priority(models.TextChoices):
        LOW = "low", _("low")
        MEDIUM = "medium", _("medium")
        HIGH = "high", _("high")
        CRITICAL = "critical", _("critical")

    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    due_date = models.DateField(_("due date"))
    due_time = models.TimeField(_("due time"), null=True, blank=True)
    priority = models.CharField(
        _("priority"), max_length=10, choices=Priority.choices, default=Priority.MEDIUM
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.CASCADE,
        related_name="owned_reminders",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    content_type = models.ForeignKey(
        ContentType,
        verbose_name=_("record type"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    object_id = models.PositiveBigIntegerField(_("record id"), null=True, blank=True)
    target = GenericForeignKey("content_type", "object_id")
    target_repr = models.CharField(_("record (as linked)"), max_length=300, blank=True)
    # When the reminder is due: due date (+ time, else the start of the day), or the snooze time.
    remind_at = models.DateTimeField(_("remind at"), editable=False)
    snoozed_until = models.DateTimeField(_("snoozed until"), null=True, blank=True)
    done = models.BooleanField(_("done"), default=False)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    notified_at = models.DateTimeField(_("notified at"), null=True, blank=True, editable=False)
    # Lets a module find "its" reminder again (e.g. "invoices:follow-up:42"); unique per owner.
    source_key = models.CharField(_("source"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        ordering = ["done", "remind_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "source_key"],
                condition=~models.Q(source_key=""),
                name="reminders_reminder_unique_source",
            ),
            models.CheckConstraint(
                condition=models.Q(done=False) | models.Q(done_at__isnull=False),
                name="reminders_reminder_done_has_time",
            ),
        ]
        indexes = [
            models.Index(fields=["owner", "done", "remind_at"], name="reminder_owner_open_idx"),
            models.Index(fields=["content_type", "object_id"], name="reminder_target_idx"),
            models.Index(
                fields=["remind_at"],
                condition=models.Q(done=False, notified_at__isnull=True),
                name="reminder_pending_notify_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("reminders:reminder_list") + f"#reminder-{self.pk}"


def new_calendar_token() -> str:
    return secrets.token_urlsafe(32)


class CalendarToken(models.Model):
    """The secret of an employee's personal iCal feed (renewable: the old URL stops working)."""

    employee = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("employee"),
        on_delete=models.CASCADE,
        related_name="calendar_token",
    )
    token = models.CharField(_("token"), max_length=64, unique=True, default=new_calendar_token)
    created_at = models.DateTimeField(_("created at"), auto_now=True)

    class Meta:
        verbose_name = _("calendar feed token")
        verbose_name_plural = _("calendar feed tokens")

    def __str__(self) -> str:
        return str(self.employee)
