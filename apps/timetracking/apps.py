from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from apps.common.navigation import NavItem


def _tracks_time(user) -> bool:  # type: ignore[no-untyped-def]
    return user.has_perm("timetracking.add_timeentry") or user.has_perm(
        "timetracking.view_team_time"
    )


class TimetrackingConfig(AppConfig):
    name = "apps.timetracking"
    verbose_name = _("Time tracking")
    nav_items = [
        NavItem(
            _("Time tracking"),
            "timetracking:my_week",
            visible=_tracks_time,
            order=40,
            active_prefix="/time/",
        )
    ]

    def ready(self) -> None:
        from apps.common.permissions import register_owner_rule
        from apps.timetracking.models import TimeEntry

        def owner_rule(user, perm, entry) -> bool:  # type: ignore[no-untyped-def]
            # Own entries: view, change, delete (the services still refuse locked ones).
            return entry.employee_id == user.pk and perm in {
                "timetracking.view_timeentry",
                "timetracking.change_timeentry",
                "timetracking.delete_timeentry",
            }

        register_owner_rule(TimeEntry, owner_rule)
        _register_project_tab()
        _register_project_usage()
        from apps.timetracking import exports

        exports.register()


def project_has_time_entries(project) -> bool:  # type: ignore[no-untyped-def]
    from apps.timetracking.models import TimeEntry

    return TimeEntry.objects.filter(project=project).exists()


def _register_project_usage() -> None:
    """A project with time entries keeps them: it can be completed or cancelled, not deleted."""
    try:
        from apps.projects.registry import register_usage_check
    except ImportError:  # pragma: no cover - projects is always installed
        return
    register_usage_check(project_has_time_entries)


def _register_project_tab() -> None:
    """The "Zeit" tab on the project page (hours, billable hours, budget use), once the projects
    app offers its tab registry."""
    try:
        from apps.common.tabs import Tab
        from apps.projects.registry import register_project_tab
    except ImportError:  # the project detail page is not there yet
        return

    def context(request, project):  # type: ignore[no-untyped-def]
        from apps.timetracking.selectors import project_time_summary

        return {"summary": project_time_summary(project)}

    register_project_tab(
        Tab(
            "time",
            _("Time"),
            "timetracking/_project_tab_time.html",
            context=context,
            visible=lambda user, project: (
                _tracks_time(user) or user.has_perm("timetracking.view_timeentry")
            ),
            order=30,
        )
    )
