from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from apps.common.navigation import NavItem


class InvoicesConfig(AppConfig):
    name = "apps.invoices"
    verbose_name = _("Invoices")
    nav_items = [
        NavItem(_("Invoices"), "invoices:invoice_list", perm="invoices.view_invoice", order=60)
    ]

    def ready(self) -> None:
        from apps.invoices import exporting
        from apps.invoices.integrations import register

        register()
        exporting.register()
