from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommonConfig(AppConfig):
    name = "apps.common"
    verbose_name = _("Common")
    # Entries for the main navigation: see apps.common.navigation.NavItem.
    nav_items: list = []

    def ready(self) -> None:
        from django.db.models import fields

        # Django 6.1's new blank choice label has no German translation yet; ours has.
        fields.BLANK_CHOICE_LABEL = _("– please choose –")
