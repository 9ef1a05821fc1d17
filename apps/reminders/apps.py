from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RemindersConfig(AppConfig):
    name = "apps.reminders"
    verbose_name = _("Reminders")
    # Entries for the main navigation: see apps.common.navigation.NavItem.
    nav_items: list = []
