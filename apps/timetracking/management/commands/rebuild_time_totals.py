"""Recompute the rollups of the time entries (``EmployeeDayTotal``, ``EmployeeMonthProjectTotal``)
from the entries."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils.translation import gettext as _

from apps.employees.models import Employee
from apps.timetracking import daytotals, services


class Command(BaseCommand):
    help = (
        "Recompute the daily totals and the monthly totals per project of each employee from the "
        "time entries (all employees, or those given with --employee). Idempotent: rows that are "
        "right are left alone."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--employee",
            action="append",
            default=[],
            metavar="CODE",
            help="Only this employee (code, e.g. KIT-0001); may be given more than once.",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Report what would change and change nothing.",
        )

    def handle(self, *args: Any, employee: list[str], dry_run: bool, **options: Any) -> None:
        employee_ids = None
        if employee:
            found = dict(Employee.objects.filter(code__in=employee).values_list("code", "id"))
            if unknown := sorted(set(employee) - set(found)):
                raise CommandError(
                    _("No employee with code %(codes)s.") % {"codes": ", ".join(unknown)}
                )
            employee_ids = list(found.values())
        with transaction.atomic():
            result = services.time_totals_rebuild(employee_ids=employee_ids)
            if dry_run:
                transaction.set_rollback(True)
        if not dry_run:
            daytotals.refresh_statistics()
        days, months = result.days, result.month_projects
        if dry_run:
            days_message = _(
                "Dry run, nothing changed. %(entries)s time entries make %(days)s daily totals: "
                "%(added)s would be added, %(corrected)s corrected, %(removed)s removed (days "
                "without entries)."
            )
            months_message = _(
                "They make %(rows)s monthly totals per project: %(added)s would be added, "
                "%(corrected)s corrected, %(removed)s removed (without entries)."
            )
        else:
            days_message = _(
                "%(entries)s time entries make %(days)s daily totals: %(added)s added, "
                "%(corrected)s corrected, %(removed)s removed (days without entries)."
            )
            months_message = _(
                "They make %(rows)s monthly totals per project: %(added)s added, "
                "%(corrected)s corrected, %(removed)s removed (without entries)."
            )
        for message, changes in ((days_message, days), (months_message, months)):
            figures = {"entries": result.entries, "days": changes.rows, **asdict(changes)}
            # Missing or wrong rows mean something wrote entries around the services: worth a look.
            style = self.style.WARNING if changes.added or changes.corrected else self.style.SUCCESS
            self.stdout.write(style(message % figures))
