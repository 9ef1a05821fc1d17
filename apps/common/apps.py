from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommonConfig(AppConfig):
    name = "apps.common"
    verbose_name = _("Common")
    # Entries for the main navigation: see apps.common.navigation.NavItem.
    nav_items: list = []
