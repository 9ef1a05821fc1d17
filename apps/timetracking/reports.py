"""Month reports as CSV and PDF (per employee and per project); used by views and the command."""

from __future__ import annotations

import csv
import io
from typing import Any

from django.utils import formats, timezone
from django.utils.translation import gettext as _

from apps.common.pdf import render_pdf
from apps.company.selectors import company_get
from apps.timetracking.selectors import EmployeeMonthReport, ProjectMonthReport
from apps.timetracking.timeutils import format_minutes


def _hours(minutes: int) -> str:
    return formats.number_format(round(minutes / 60, 2), 2, use_l10n=True)


def _csv(rows: list[list[Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerows(rows)
    return buffer.getvalue()


def employee_month_csv(report: EmployeeMonthReport) -> str:
    rows: list[list[Any]] = [
        [
            _("Date"),
            _("From"),
            _("To"),
            _("Hours"),
            _("Project"),
            _("Customer"),
            _("Activity"),
            _("Billable"),
            _("Status"),
            _("Note"),
        ]
    ]
    for entry in report.entries:
        start = timezone.localtime(entry.start)
        end = timezone.localtime(entry.end) if entry.end else None
        rows.append(
            [
                start.strftime("%d.%m.%Y"),
                start.strftime("%H:%M"),
                end.strftime("%H:%M") if end else "",
                _hours(entry.duration_minutes),
                str(entry.project or ""),
                str(entry.customer or ""),
                entry.get_activity_display(),
                _("yes") if entry.billable else _("no"),
                entry.get_status_display(),
                entry.note,
            ]
        )
    rows.append([])
    rows.append([_("Date"), _("Hours"), _("Break (min)"), _("Target"), _("Warnings")])
    for day in report.days:
        if day.minutes or day.target or day.warnings:
            rows.append(
                [
                    day.day.strftime("%d.%m.%Y"),
                    _hours(day.minutes),
                    day.break_minutes,
                    _hours(day.target),
                    " ".join(w.message for w in day.warnings),
                ]
            )
    rows.append([])
    rows.append([_("Total"), _hours(report.total)])
    rows.append([_("Target"), _hours(report.target)])
    rows.append([_("Overtime"), _hours(report.overtime)])
    return _csv(rows)


def project_month_csv(report: ProjectMonthReport) -> str:
    rows: list[list[Any]] = [
        [
            _("Employee"),
            _("Activity"),
            _("Hours"),
            _("Billable hours"),
            _("Not billable"),
            _("Amount (EUR)"),
        ]
    ]
    for row in report.rows:
        rows.append(
            [
                str(row["employee"]),
                row["activity"],
                _hours(row["minutes"]),
                _hours(row["billable"]),
                _hours(row["not_billable"]),
                formats.number_format(row["amount"], 2, use_l10n=True),
            ]
        )
    rows.append(
        [
            _("Total"),
            "",
            _hours(report.total),
            _hours(report.billable),
            _hours(report.total - report.billable),
            formats.number_format(report.amount, 2, use_l10n=True),
        ]
    )
    return _csv(rows)


def employee_month_pdf(report: EmployeeMonthReport) -> bytes:
    return render_pdf(
        "timetracking/pdf/employee_month.html",
        {"report": report, "company": company_get(), "fmt": format_minutes},
    )


def project_month_pdf(report: ProjectMonthReport) -> bytes:
    return render_pdf(
        "timetracking/pdf/project_month.html", {"report": report, "company": company_get()}
    )


def filename(kind: str, code: str, month: Any, ext: str) -> str:
    safe = "".join(ch for ch in code if ch.isalnum() or ch in "-_") or "report"
    return f"{kind}-{safe}-{month:%Y-%m}.{ext}"
