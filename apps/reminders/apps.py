from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from apps.common.navigation import NavItem

OWNER_PERMS = frozenset(
    {"reminders.view_reminder", "reminders.change_reminder", "reminders.delete_reminder"}
)


def _due_badge(user):  # type: ignore[no-untyped-def]
    from apps.reminders.selectors import due_count

    return due_count(user)


class RemindersConfig(AppConfig):
    name = "apps.reminders"
    verbose_name = _("Reminders")
    nav_items = [
        NavItem(
            _("My reminders"),
            "reminders:reminder_list",
            visible=lambda user: user.is_authenticated,
            badge=_due_badge,
            order=510,
        ),
    ]

    def ready(self) -> None:
        from apps.common.permissions import register_owner_rule
        from apps.reminders.models import Reminder

        # Everyone manages their own reminders.
        register_owner_rule(
            Reminder, lambda user, perm, obj: perm in OWNER_PERMS and obj.owner_id == user.pk
        )
