from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from apps.common.navigation import NavItem


class DashboardsConfig(AppConfig):
    name = "apps.dashboards"
    verbose_name = _("Dashboards")
    nav_items = [NavItem(_("Start"), "dashboards:home", order=0)]
