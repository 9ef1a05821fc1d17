from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from apps.common.navigation import NavItem


class EmployeesConfig(AppConfig):
    name = "apps.employees"
    verbose_name = _("Employees")
    nav_items = [
        NavItem(
            _("Employees"), "employees:employee_list", perm="employees.view_employee", order=800
        ),
    ]

    def ready(self) -> None:
        from apps.common.permissions import register_owner_rule
        from apps.employees import checks  # noqa: F401 (registers the single sign-on checks)
        from apps.employees.models import Employee

        # Everyone may view their own employee record.
        register_owner_rule(
            Employee,
            lambda user, perm, obj: perm == "employees.view_employee" and obj.pk == user.pk,
        )
