from django.urls import path

from apps.timetracking.views import manage, my, reports, timer

app_name = "timetracking"

urlpatterns = [
    path("", my.my_week, name="my_week"),
    path("day/", my.my_day, name="my_day"),
    path("entries/new/", my.entry_create, name="entry_create"),
    path("entries/<int:pk>/edit/", my.entry_edit, name="entry_edit"),
    path("entries/<int:pk>/delete/", my.entry_delete, name="entry_delete"),
    path("timer/", timer.timer_widget, name="timer_widget"),
    path("timer/start/", timer.timer_start, name="timer_start"),
    path("timer/stop/", timer.timer_stop, name="timer_stop"),
    path("team/", manage.team_view, name="team_view"),
    path("approvals/", manage.approval_list, name="approval_list"),
    path("approvals/approve/", manage.approval_approve, name="approval_approve"),
    path("approvals/return/", manage.approval_return, name="approval_return"),
    path("projects/<int:pk>/", manage.project_time_list, name="project_time_list"),
    path("reports/employees/<int:pk>/", reports.report_employee, name="report_employee"),
    path(
        "reports/employees/<int:pk>/pdf/", reports.report_employee_pdf, name="report_employee_pdf"
    ),
    path("reports/projects/<int:pk>/", reports.report_project, name="report_project"),
    path("reports/projects/<int:pk>/pdf/", reports.report_project_pdf, name="report_project_pdf"),
]
