from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChatConfig(AppConfig):
    name = "apps.chat"
    verbose_name = _("Chat")
    # Entries for the main navigation: see apps.common.navigation.NavItem.
    nav_items: list = []
