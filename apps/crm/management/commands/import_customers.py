"""``manage.py import_customers FILE [--dry-run] [--actor EMAIL]``: the web import, on the shell."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from apps.crm.importing import ImportFileError, customers_import
from apps.employees.models import Employee


class Command(BaseCommand):
    help = "Import customers (with their primary contact) from a CSV file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="CSV file (; or , separated, UTF-8 or Latin-1)")
        parser.add_argument("--dry-run", action="store_true", help="only show what would happen")
        parser.add_argument("--actor", help="e-mail of the employee recorded in the audit log")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        try:
            raw = path.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error}") from None
        actor = None
        if options["actor"]:
            actor = Employee.objects.filter(email__iexact=options["actor"]).first()
            if actor is None:
                raise CommandError(f"No employee with the e-mail {options['actor']}")
        try:
            result = customers_import(
                raw=raw, actor=actor, dry_run=options["dry_run"], filename=path.name
            )
        except ImportFileError as error:
            raise CommandError(str(error)) from None
        for row in result.rows:
            if row.status != "create":
                self.stdout.write(f"line {row.line}: {row.status}: {row.name} - {row.reason}")
        prefix = "[dry run] " if options["dry_run"] else ""
        self.stdout.write(f"{prefix}{result.summary()} ({result.encoding}, '{result.delimiter}')")
