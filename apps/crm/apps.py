from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from apps.common.navigation import NavItem


class CrmConfig(AppConfig):
    name = "apps.crm"
    verbose_name = _("CRM")
    nav_items = [
        NavItem(
            _("Customers"),
            "crm:customer_list",
            perm="crm.view_customer",
            order=200,
            active_prefix="/crm/customers/",
        ),
        NavItem(_("Pipeline"), "crm:pipeline", perm="crm.view_customer", order=210),
    ]

    def ready(self) -> None:
        from apps.crm import exporting
        from apps.crm.tabs import register_builtin_tabs

        register_builtin_tabs()
        exporting.register()
