from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from apps.reminders.services import reminders_send_due


class Command(BaseCommand):
    help = (
        "E-mail each owner one digest of their reminders that became due since the last run "
        "(each reminder once; safe to run as often as wanted, e.g. every 5 minutes)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        result = reminders_send_due()
        self.stdout.write(
            f"{result.emails} e-mail(s) sent for {result.reminders} reminder(s)"
            + (f", {result.failed} failed (retried next run)" if result.failed else "")
            + "."
        )
