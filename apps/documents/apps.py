from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    name = "apps.documents"
    verbose_name = _("Documents")
    # Entries for the main navigation: see apps.common.navigation.NavItem.
    nav_items: list = []
