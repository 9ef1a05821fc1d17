from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from apps.documents.models import Document
from apps.documents.services import document_verify


class Command(BaseCommand):
    help = (
        "Recompute the SHA-256 of every stored document and report missing or altered files "
        "(exit code 1 if any)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        checked = 0
        problems: list[str] = []
        for document in Document.objects.order_by("pk").iterator(chunk_size=200):
            checked += 1
            problem = document_verify(document)
            if problem:
                problems.append(problem)
                self.stdout.write(
                    f"{problem.upper()}: document {document.pk} “{document.title}” "
                    f"({document.file.name}, sha256 {document.sha256[:12]}…)"
                )
        missing, altered = problems.count("missing"), problems.count("altered")
        self.stdout.write(f"{checked} document(s) checked: {missing} missing, {altered} altered.")
        if problems:
            raise CommandError(f"{len(problems)} document(s) failed verification.")
