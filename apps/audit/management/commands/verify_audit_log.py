from django.core.management.base import BaseCommand, CommandError

from apps.audit.services import audit_chain_verify


class Command(BaseCommand):
    help = "Verify the hash chain of the audit log and name the first broken entry."

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        checked, broken = audit_chain_verify()
        if broken:
            raise CommandError(
                f"Audit log broken at entry #{broken.seq}: {broken.reason} "
                f"({checked} entries before it are intact)."
            )
        self.stdout.write(self.style.SUCCESS(f"Audit log intact: {checked} entries verified."))
