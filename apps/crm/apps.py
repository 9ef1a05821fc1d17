from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CrmConfig(AppConfig):
    name = "apps.crm"
    verbose_name = _("CRM")
    # Entries for the main navigation: see apps.common.navigation.NavItem.
    nav_items: list = []
