"""What the user may do with a reminder, for its buttons (the views check the same on POST)."""

from __future__ import annotations

from typing import Any

from django import template

from apps.reminders.apps import OWNER_PERMS

register = template.Library()


@register.simple_tag
def reminder_rights(reminder: Any, user: Any) -> dict[str, bool]:
    """``{"change": bool, "delete": bool}``: the module permission or the owner rule. Without
    guardian's per-object lookups, which would cost a query per item (reminders are not shared
    object by object)."""

    def allowed(perm: str) -> bool:
        return user.has_perm(perm) or (perm in OWNER_PERMS and reminder.owner_id == user.pk)

    return {
        "change": allowed("reminders.change_reminder"),
        "delete": allowed("reminders.delete_reminder"),
    }
