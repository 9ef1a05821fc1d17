"""Store customer imports whose worker vanished as failed ("interrupted")."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from apps.crm.importing import customer_imports_interrupt_stale


class Command(BaseCommand):
    help = (
        "Mark customer imports without progress for CUSTOMER_IMPORT_STALE_MINUTES as interrupted "
        "(idempotent; the scheduler runs it every 15 minutes)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        count = customer_imports_interrupt_stale()
        self.stdout.write(f"{count} interrupted customer import(s) marked.")
