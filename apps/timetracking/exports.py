"""Month reports as PDF, rendered in the background (apps.common.exports): WeasyPrint takes about
a second, so the report pages queue the file and poll for it. CSV stays synchronous (cheap);
``manage.py export_timesheets`` renders directly (it is not a request)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse

from apps.common.exports import ExportKind, register_export
from apps.employees.models import Employee
from apps.projects.models import Project
from apps.timetracking import reports, selectors
from apps.timetracking.timeutils import parse_month

EMPLOYEE_MONTH_PDF = "timetracking.employee_month_pdf"
PROJECT_MONTH_PDF = "timetracking.project_month_pdf"


def may_see_employee_report(user: Any, employee_id: int) -> bool:
    """Own report for those who track time; everyone's for those who see the team's time."""
    if user.has_perm("timetracking.view_team_time"):
        return True
    return employee_id == user.pk and user.has_perm("timetracking.add_timeentry")


def may_see_project_report(user: Any) -> bool:
    return bool(user.has_perm("timetracking.view_timeentry"))


def _month(params: dict[str, Any]) -> dt.date:
    month = parse_month(params["month"])
    if month is None:
        raise ValueError(f"bad month {params['month']!r}")
    return month


def _render_employee(params: dict[str, Any], user: Any) -> bytes:
    employee = Employee.objects.get(pk=params["employee"])
    return reports.employee_month_pdf(selectors.employee_month_report(employee, _month(params)))


def _render_project(params: dict[str, Any], user: Any) -> bytes:
    project = Project.objects.select_related("customer").get(pk=params["project"])
    return reports.project_month_pdf(selectors.project_month_report(project, _month(params)))


def _report_url(name: str, pk: int, params: dict[str, Any]) -> str:
    return reverse(name, args=[pk]) + f"?month={params['month']}"


def register() -> None:
    register_export(
        ExportKind(
            name=EMPLOYEE_MONTH_PDF,
            content_type="application/pdf",
            allowed=lambda user, params: may_see_employee_report(user, params["employee"]),
            render=_render_employee,
            audit=lambda export: {
                "target": Employee.objects.filter(pk=export.params["employee"]).first(),
                "message": export.filename,
            },
            back_url=lambda params: _report_url(
                "timetracking:report_employee", params["employee"], params
            ),
        )
    )
    register_export(
        ExportKind(
            name=PROJECT_MONTH_PDF,
            content_type="application/pdf",
            allowed=lambda user, params: may_see_project_report(user),
            render=_render_project,
            audit=lambda export: {
                "target": Project.objects.filter(pk=export.params["project"]).first(),
                "message": export.filename,
            },
            back_url=lambda params: _report_url(
                "timetracking:report_project", params["project"], params
            ),
        )
    )
