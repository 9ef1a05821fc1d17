"""Decoupled side effect: when someone leaves a project, their open chat sockets re-check access
(and close if it is gone)."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete
from django.dispatch import receiver

from apps.chat.services import access_changed
from apps.projects.models import ProjectMember


@receiver(post_delete, sender=ProjectMember, dispatch_uid="chat_member_removed")
def member_removed(sender: type[ProjectMember], instance: ProjectMember, **kwargs: Any) -> None:
    access_changed(instance.employee_id)
