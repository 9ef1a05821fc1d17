"""Shared abstract bases and the gapless number sequences."""

from django.db import models
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
