from __future__ import annotations

import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from apps.invoices.dunning import mark_overdue


class Command(BaseCommand):
    help = "Flag open invoices past their due date (idempotent; run daily)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", type=datetime.date.fromisoformat, help="as of (YYYY-MM-DD)")

    def handle(self, *args: Any, **options: Any) -> None:
        flagged = mark_overdue(today=options.get("date"))
        for invoice in flagged:
            self.stdout.write(f"  {invoice.number}: due {invoice.due_date:%d.%m.%Y}")
        self.stdout.write(f"{len(flagged)} invoice(s) newly flagged as overdue.")
