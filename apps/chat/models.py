"""Chat rooms (one per project, one for the whole company), messages, read marks and mentions."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ChatRoom(models.Model):
    class Kind(models.TextChoices):
        COMPANY = "company", _("company")
        PROJECT = "project", _("project")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.PROJECT)
    project = models.OneToOneField(
        "projects.Project",
        verbose_name=_("project"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="chat_room",
    )
    name = models.CharField(_("name"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("chat room")
        verbose_name_plural = _("chat rooms")
        ordering = ["kind", "id"]
        constraints = [
            # A project room belongs to a project; the company room to none (and exists once).
            models.CheckConstraint(
                condition=(models.Q(kind="project") & models.Q(project__isnull=False))
                | (models.Q(kind="company") & models.Q(project__isnull=True)),
                name="chat_chatroom_kind_matches_project",
            ),
            models.UniqueConstraint(
                fields=["kind"],
                condition=models.Q(kind="company"),
                name="chat_chatroom_one_company_room",
            ),
        ]

    def __str__(self) -> str:
        if self.kind == self.Kind.COMPANY:
            return self.name or str(_("Company"))
        return str(self.project) if self.project_id else self.name

    def get_absolute_url(self) -> str:
        return reverse("chat:room_detail", args=[self.pk])

    @property
    def title(self) -> str:
        if self.kind == self.Kind.COMPANY:
            return self.name or str(_("Company"))
        return self.project.title if self.project_id else self.name

    @property
    def group_name(self) -> str:
        return f"chat-room-{self.pk}"


class ChatMessage(models.Model):
    room = models.ForeignKey(
        ChatRoom, verbose_name=_("room"), on_delete=models.CASCADE, related_name="messages"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.PROTECT,
        related_name="chat_messages",
    )
    body = models.TextField(_("message"), max_length=4000)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    edited_at = models.DateTimeField(_("edited at"), null=True, blank=True)
    # Soft delete: the row stays (audit, threads), the text is no longer shown.
    deleted_at = models.DateTimeField(_("deleted at"), null=True, blank=True)
    # An attached file, stored and checked by the documents module.
    document = models.ForeignKey(
        "documents.Document",
        verbose_name=_("attachment"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="chat_messages",
    )

    class Meta:
        verbose_name = _("chat message")
        verbose_name_plural = _("chat messages")
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["room", "created_at", "id"], name="chat_msg_room_created_idx"),
            models.Index(fields=["author", "created_at"], name="chat_msg_author_idx"),
            # Unread counts: a short range scan per room after the read mark.
            models.Index(fields=["room", "id"], name="chat_msg_room_id_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.author} @ {self.room}: {self.body[:40]}"

    def get_absolute_url(self) -> str:
        return f"{self.room.get_absolute_url()}#chat-message-{self.pk}"

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    @property
    def dom_id(self) -> str:
        return f"chat-message-{self.pk}"


class ChatReadState(models.Model):
    """How far an employee has read a room: unread = newer messages by others."""

    room = models.ForeignKey(ChatRoom, on_delete=models.CASCADE, related_name="read_states")
    employee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="chat_read_states"
    )
    last_read_message_id = models.PositiveBigIntegerField(_("last read message"), default=0)
    last_read_at = models.DateTimeField(_("last read at"), default=timezone.now)

    class Meta:
        verbose_name = _("read mark")
        verbose_name_plural = _("read marks")
        constraints = [
            models.UniqueConstraint(fields=["employee", "room"], name="chat_readstate_unique")
        ]

    def __str__(self) -> str:
        return f"{self.employee} @ {self.room}: {self.last_read_message_id}"


class Mention(models.Model):
    """``@Vorname Nachname`` in a message: a notification entry for the mentioned employee."""

    message = models.ForeignKey(ChatMessage, on_delete=models.CASCADE, related_name="mentions")
    employee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("employee"),
        on_delete=models.CASCADE,
        related_name="chat_mentions",
    )
    seen = models.BooleanField(_("seen"), default=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("mention")
        verbose_name_plural = _("mentions")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["message", "employee"], name="chat_mention_unique")
        ]
        indexes = [
            models.Index(fields=["employee", "seen", "-created_at"], name="chat_mention_emp_idx")
        ]

    def __str__(self) -> str:
        return f"@{self.employee} in {self.message_id}"
