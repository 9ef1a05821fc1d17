from __future__ import annotations

import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from apps.invoices.dunning import dunning_create, dunning_due


class Command(BaseCommand):
    help = "List (--dry-run) or create the due dunning letters (one per level, idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="only list what is due")
        parser.add_argument("--date", type=datetime.date.fromisoformat, help="as of (YYYY-MM-DD)")

    def handle(self, *args: Any, **options: Any) -> None:
        today = options.get("date")
        proposals = dunning_due(today=today)
        created = 0
        for proposal in proposals:
            line = (
                f"  {proposal.invoice.number}: level {proposal.level}, "
                f"claim {proposal.total_claim} EUR"
            )
            if options["dry_run"]:
                self.stdout.write(line + " (dry run)")
                continue
            if dunning_create(actor=None, invoice=proposal.invoice, today=today):
                created += 1
                self.stdout.write(line)
        verb = "due" if options["dry_run"] else "created"
        count = len(proposals) if options["dry_run"] else created
        self.stdout.write(f"{count} dunning letter(s) {verb}.")
