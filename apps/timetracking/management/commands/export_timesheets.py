"""Export month time sheets: one CSV or PDF per employee (``--month 2026-10``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from apps.audit.models import AuditAction
from apps.audit.services import audit_record
from apps.employees.models import Employee
from apps.timetracking import reports, selectors
from apps.timetracking.models import TimeEntry
from apps.timetracking.timeutils import month_bounds, parse_month


class Command(BaseCommand):
    help = "Write each employee's month time sheet (CSV or PDF) into a directory."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--month", required=True, help="YYYY-MM, e.g. 2026-10")
        parser.add_argument("--employee", help="Only this employee code (e.g. KIT-0001)")
        parser.add_argument("--format", choices=["csv", "pdf"], default="csv")
        parser.add_argument("--output", default=".", help="Directory for the files (default: .)")

    def handle(self, *args: Any, **options: Any) -> None:
        month = parse_month(options["month"])
        if month is None:
            raise CommandError("--month must look like 2026-10.")
        output = Path(options["output"])
        output.mkdir(parents=True, exist_ok=True)
        employees = Employee.objects.order_by("code")
        if options["employee"]:
            employees = employees.filter(code=options["employee"])
            if not employees.exists():
                raise CommandError(f"No employee with code {options['employee']}.")
        else:
            start, end = month_bounds(month)
            with_time = TimeEntry.objects.between(start, end).values("employee_id")
            employees = employees.filter(pk__in=with_time)
        fmt = options["format"]
        written = 0
        for employee in employees.iterator():
            report = selectors.employee_month_report(employee, month)
            name = reports.filename("zeiten", employee.code, month, fmt)
            path = output / name
            if fmt == "csv":
                path.write_text(reports.employee_month_csv(report), encoding="utf-8-sig")
            else:
                path.write_bytes(reports.employee_month_pdf(report))
            written += 1
        audit_record(
            action=AuditAction.EXPORT,
            actor=None,
            message=f"export_timesheets {month:%Y-%m} {fmt}: {written} files",
        )
        self.stdout.write(
            f"{written} time sheet(s) for {month:%m/%Y} written to {output.resolve()} "
            f"({timezone.localtime():%d.%m.%Y %H:%M})."
        )
