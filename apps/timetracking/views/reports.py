"""Month reports per employee and per project: the page, CSV (synchronous: cheap) and PDF
(rendered in the background: the page queues it and polls, see apps.common.exports)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from apps.audit.models import AuditAction
from apps.audit.services import audit_record
from apps.common.exports import export_request
from apps.common.htmx import render_page
from apps.common.http import AuthedRequest
from apps.common.permissions import permission_required_for
from apps.common.views import export_started
from apps.employees.models import Employee
from apps.projects.models import Project
from apps.timetracking import exports, reports, selectors
from apps.timetracking.timeutils import next_month, parse_month

EXPORT_TARGET = "report-export"


def _month(data: QueryDict) -> dt.date:
    return parse_month(data.get("month"), timezone.localdate())


def _download(
    request: AuthedRequest, target: object, name: str, body: bytes, mime: str
) -> HttpResponse:
    audit_record(action=AuditAction.EXPORT, target=target, message=name)  # type: ignore[arg-type]
    response = HttpResponse(body, content_type=mime)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _report_response(
    request: AuthedRequest,
    *,
    target: Employee | Project,
    report: Any,
    month: dt.date,
    name: tuple[str, str],
    csv: Callable[[Any], str],
    pdf_url: str,
    template: str,
) -> HttpResponse:
    """A month report as a page, or with ``?format=csv`` as an audited download named
    ``<prefix>-<code>-<month>``. The PDF is a POST to ``pdf_url`` (rendered in the background)."""
    prefix, code = name
    if request.GET.get("format") == "csv":
        body = csv(report).encode("utf-8-sig")
        filename = reports.filename(prefix, code, month, "csv")
        return _download(request, target, filename, body, "text/csv; charset=utf-8")
    htmx = request.htmx
    context = {
        "report": report,
        "prev_month": (month - dt.timedelta(days=1)).strftime("%Y-%m"),
        "next_month": next_month(month).strftime("%Y-%m"),
        "month_q": month.strftime("%Y-%m"),
        "pdf_url": pdf_url,
        "active_tab": "reports",
        # Month navigation swaps only #report: the header's links follow out of band.
        "actions_oob": bool(htmx and htmx.target == "report"),
    }
    return render_page(request, template, context, partials={"report": "report"})


@require_GET
@permission_required_for("timetracking.add_timeentry", "timetracking.view_team_time", any_of=True)
def report_employee(request: AuthedRequest, pk: int) -> HttpResponse:
    if not exports.may_see_employee_report(request.user, pk):
        raise Http404
    employee = get_object_or_404(Employee, pk=pk)
    month = _month(request.GET)
    return _report_response(
        request,
        target=employee,
        report=selectors.employee_month_report(employee, month),
        month=month,
        name=("zeiten", employee.code),
        csv=reports.employee_month_csv,
        pdf_url=reverse("timetracking:report_employee_pdf", args=[pk]),
        template="timetracking/report_employee.html",
    )


@require_POST
@permission_required_for("timetracking.add_timeentry", "timetracking.view_team_time", any_of=True)
def report_employee_pdf(request: AuthedRequest, pk: int) -> HttpResponse:
    """Queue the month report as PDF; answers with its status (polled until it is ready)."""
    if not exports.may_see_employee_report(request.user, pk):
        raise Http404
    employee = get_object_or_404(Employee, pk=pk)
    month = _month(request.POST)
    export = export_request(
        user=request.user,
        kind=exports.EMPLOYEE_MONTH_PDF,
        params={"employee": employee.pk, "month": f"{month:%Y-%m}"},
        filename=reports.filename("zeiten", employee.code, month, "pdf"),
    )
    return export_started(request, export, target=EXPORT_TARGET)


@require_GET
@permission_required_for("timetracking.view_timeentry")
def report_project(request: AuthedRequest, pk: int) -> HttpResponse:
    project = get_object_or_404(Project.objects.select_related("customer"), pk=pk)
    month = _month(request.GET)
    return _report_response(
        request,
        target=project,
        report=selectors.project_month_report(project, month),
        month=month,
        name=("projektzeiten", project.number),
        csv=reports.project_month_csv,
        pdf_url=reverse("timetracking:report_project_pdf", args=[pk]),
        template="timetracking/report_project.html",
    )


@require_POST
@permission_required_for("timetracking.view_timeentry")
def report_project_pdf(request: AuthedRequest, pk: int) -> HttpResponse:
    """Queue the project's month report as PDF; answers with its status."""
    project = get_object_or_404(Project, pk=pk)
    month = _month(request.POST)
    export = export_request(
        user=request.user,
        kind=exports.PROJECT_MONTH_PDF,
        params={"project": project.pk, "month": f"{month:%Y-%m}"},
        filename=reports.filename("projektzeiten", project.number, month, "pdf"),
    )
    return export_started(request, export, target=EXPORT_TARGET)
