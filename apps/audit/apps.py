from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from apps.common.navigation import NavItem


class AuditConfig(AppConfig):
    name = "apps.audit"
    verbose_name = _("Audit log")
    nav_items = [
        NavItem(_("Audit log"), "audit:audit_list", perm="audit.view_auditentry", order=900)
    ]

    def ready(self) -> None:
        from apps.audit import signals  # noqa: F401  (connects the receivers)
