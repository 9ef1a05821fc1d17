from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TimetrackingConfig(AppConfig):
    name = "apps.timetracking"
    verbose_name = _("Time tracking")
    # Entries for the main navigation: see apps.common.navigation.NavItem.
    nav_items: list = []
