"""Month reports per employee and per project: HTML, CSV and PDF."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.views.decorators.http import require_GET

from apps.audit.models import AuditAction
from apps.audit.services import audit_record
from apps.common.htmx import render_page
from apps.common.http import AuthedRequest
from apps.common.permissions import permission_required_for
from apps.employees.models import Employee
from apps.projects.models import Project
from apps.timetracking import reports, selectors
from apps.timetracking.timeutils import next_month, parse_month


def _month(request: AuthedRequest):  # type: ignore[no-untyped-def]
    return parse_month(request.GET.get("month"), timezone.localdate())


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
    pdf: Callable[[Any], bytes],
    template: str,
) -> HttpResponse:
    """A month report as a page, or with ``?format=csv|pdf`` as an audited download named
    ``<prefix>-<code>-<month>``."""
    prefix, code = name
    fmt = request.GET.get("format")
    if fmt == "csv":
        body = csv(report).encode("utf-8-sig")
        filename = reports.filename(prefix, code, month, "csv")
        return _download(request, target, filename, body, "text/csv; charset=utf-8")
    if fmt == "pdf":
        filename = reports.filename(prefix, code, month, "pdf")
        return _download(request, target, filename, pdf(report), "application/pdf")
    context = {
        "report": report,
        "prev_month": (month - dt.timedelta(days=1)).strftime("%Y-%m"),
        "next_month": next_month(month).strftime("%Y-%m"),
        "month_q": month.strftime("%Y-%m"),
        "active_tab": "reports",
    }
    return render_page(request, template, context, partials={"report": "report"})


@require_GET
@permission_required_for("timetracking.add_timeentry", "timetracking.view_team_time", any_of=True)
def report_employee(request: AuthedRequest, pk: int) -> HttpResponse:
    if pk != request.user.pk and not request.user.has_perm("timetracking.view_team_time"):
        raise Http404
    employee = get_object_or_404(Employee, pk=pk)
    month = _month(request)
    return _report_response(
        request,
        target=employee,
        report=selectors.employee_month_report(employee, month),
        month=month,
        name=("zeiten", employee.code),
        csv=reports.employee_month_csv,
        pdf=reports.employee_month_pdf,
        template="timetracking/report_employee.html",
    )


@require_GET
@permission_required_for("timetracking.view_timeentry")
def report_project(request: AuthedRequest, pk: int) -> HttpResponse:
    project = get_object_or_404(Project.objects.select_related("customer"), pk=pk)
    month = _month(request)
    return _report_response(
        request,
        target=project,
        report=selectors.project_month_report(project, month),
        month=month,
        name=("projektzeiten", project.number),
        csv=reports.project_month_csv,
        pdf=reports.project_month_pdf,
        template="timetracking/report_project.html",
    )
