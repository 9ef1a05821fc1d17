from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    name = "apps.projects"
    verbose_name = _("Projects")
    # Entries for the main navigation: see apps.common.navigation.NavItem.
    nav_items: list = []
