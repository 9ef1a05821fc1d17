"""Delete expired background-generated files (report PDFs, list exports) and their rows."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from apps.common.exports import exports_prune


class Command(BaseCommand):
    help = "Delete expired export files (idempotent; run daily)."

    def handle(self, *args: Any, **options: Any) -> None:
        count = exports_prune()
        self.stdout.write(f"{count} expired export file(s) deleted.")
