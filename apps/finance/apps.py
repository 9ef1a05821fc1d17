from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FinanceConfig(AppConfig):
    name = "apps.finance"
    verbose_name = _("Finance")
    # Entries for the main navigation: see apps.common.navigation.NavItem.
    nav_items: list = []
