from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from apps.common.navigation import NavItem


def _sees_projects(user):  # type: ignore[no-untyped-def]
    from apps.projects.selectors import user_has_projects

    return user_has_projects(user)


class ProjectsConfig(AppConfig):
    name = "apps.projects"
    verbose_name = _("Projects")
    nav_items = [
        NavItem(
            _("Projects"),
            "projects:project_list",
            perm="projects.view_project",
            visible=_sees_projects,
            order=300,
        ),
    ]

    def ready(self) -> None:
        from apps.common.permissions import register_owner_rule
        from apps.projects.models import Project
        from apps.projects.tabs import register

        register()
        # The project manager may see, edit and staff their project without the module permission.
        register_owner_rule(
            Project,
            lambda user, perm, obj: (
                obj.manager_id == user.pk
                and perm
                in ("projects.view_project", "projects.change_project", "projects.manage_members")
            ),
        )
