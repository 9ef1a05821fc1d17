"""Demo documents: a few generated PDFs and text files attached to employees and customers."""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from apps.documents.models import Document
from apps.documents.samples import minimal_pdf


def seed(*, size: str, stdout: Any) -> None:
    if Document.objects.exists():
        return
    from apps.documents.services import DuplicateDocument, document_upload
    from apps.employees.models import Employee

    owner = Employee.objects.filter(is_superuser=True).first() or Employee.objects.first()
    if owner is None:
        return
    targets: list[Any] = list(Employee.objects.order_by("pk")[:2])
    try:
        from apps.crm.models import Customer

        targets += list(Customer.objects.order_by("pk")[:3])
    except ImportError:  # pragma: no cover
        pass
    files = [
        ("Rahmenvertrag.pdf", minimal_pdf("Rahmenvertrag"), Document.Category.CONTRACT, False),
        ("Angebot-2026-001.pdf", minimal_pdf("Angebot 2026-001"), Document.Category.OTHER, False),
        ("Arbeitsvertrag.pdf", minimal_pdf("Arbeitsvertrag"), Document.Category.CONTRACT, True),
        ("Notizen.md", b"# Notizen\n\n- Kickoff am Montag\n", Document.Category.REPORT, False),
        ("Kontakte.csv", "Name;Telefon\nMüller;0301234\n".encode(), Document.Category.OTHER, False),
    ]
    created = 0
    for index, (name, content, category, confidential) in enumerate(files):
        target = targets[index % len(targets)] if targets else None
        try:
            document_upload(
                uploaded=SimpleUploadedFile(name, content),
                uploaded_by=owner,
                target=target,
                category=category,
                confidential=confidential,
            )
        except DuplicateDocument:
            continue
        created += 1
    stdout.write(f"documents: {created} demo documents")
