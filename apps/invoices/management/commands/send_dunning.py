from __future__ import annotations

import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from apps.invoices.dunning import (
    DunningNoAddress,
    dunning_create,
    dunning_due,
    dunning_letter_render_pdf,
    dunning_letter_send_email,
    dunning_letters_to_email,
    dunning_recipient,
)


class Command(BaseCommand):
    help = (
        "Create the due dunning letters (one per level) and e-mail them to the customers' "
        "invoice address (once per letter); customers without an e-mail address are listed for "
        "print. Idempotent: run daily. --dry-run only lists what would happen."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="only list; create and send nothing"
        )
        parser.add_argument("--date", type=datetime.date.fromisoformat, help="as of (YYYY-MM-DD)")

    def handle(self, *args: Any, **options: Any) -> None:
        today = options.get("date") or timezone.localdate()
        dry_run = options["dry_run"]
        proposals = dunning_due(today=today)
        created = to_print = to_email = 0
        for proposal in proposals:
            address = dunning_recipient(proposal.invoice)
            route = f"e-mail to {address}" if address else "print: no e-mail address"
            line = (
                f"  {proposal.invoice.number}: level {proposal.level}, "
                f"claim {proposal.total_claim} EUR, {route}"
            )
            if dry_run:
                self.stdout.write(line + " (dry run)")
                to_email += bool(address)
                to_print += not address
                continue
            if letter := dunning_create(actor=None, invoice=proposal.invoice, today=today):
                # Not a request: render here, so the letter to print is ready with this run
                # (the queued task then finds it rendered).
                dunning_letter_render_pdf(letter=letter)
                created += 1
                to_print += not address
                self.stdout.write(line)

        # The new letters and earlier ones not e-mailed yet (a failed mail, a lost task).
        pending = dunning_letters_to_email(today=today)
        sent = failed = 0
        for letter in pending:
            label = (
                f"  {letter.invoice.number}: level {letter.level} of {letter.letter_date:%d.%m.%Y}"
            )
            address = dunning_recipient(letter.invoice)
            if dry_run:
                self.stdout.write(f"{label} not e-mailed yet, e-mail to {address} (dry run)")
                continue
            try:
                if dunning_letter_send_email(actor=None, letter=letter):
                    sent += 1
                    self.stdout.write(f"{label} e-mailed to {address}")
            except DunningNoAddress:
                to_print += 1
                self.stdout.write(f"{label}: print, no e-mail address")
            except Exception as error:  # a mail server failure must not stop the other letters
                failed += 1
                self.stderr.write(f"{label}: e-mail to {address} failed: {error}")

        if dry_run:
            self.stdout.write(
                f"{len(proposals)} dunning letter(s) due ({to_email} to e-mail, {to_print} to "
                f"print), {len(pending)} earlier letter(s) to e-mail. Dry run: nothing was "
                "created or sent."
            )
            return
        self.stdout.write(
            f"{created} dunning letter(s) created, {sent} e-mailed, "
            f"{to_print} to print (no e-mail address)."
        )
        if failed:
            raise CommandError(f"{failed} e-mail(s) failed; they are tried again on the next run.")
