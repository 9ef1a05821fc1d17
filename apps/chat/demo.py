"""Demo chat: a few conversations in the company room and in the project rooms."""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from apps.chat.models import ChatMessage, ChatRoom
from apps.chat.services import company_room_get, rooms_ensure
from apps.employees.models import Employee
from apps.projects.models import ProjectMember

LINES = [
    "Guten Morgen zusammen!",
    "Ich habe den Entwurf ins Projektlaufwerk gelegt.",
    "Kann jemand bis heute Nachmittag drüberschauen?",
    "Der Kunde hat den Termin auf Donnerstag verschoben.",
    "Server-Update ist durch, alles läuft wieder.",
    "Danke, sieht gut aus!",
    "Ich buche die Zeiten heute Abend nach.",
    "Die Rechnung für März ist raus.",
    "Kurze Abstimmung um 14 Uhr?",
    "Backup-Test war erfolgreich.",
    "Ticket ist erledigt, bitte einmal testen.",
    "Ich bin morgen im Homeoffice.",
]


@transaction.atomic
def seed(*, size: str, stdout: Any) -> None:
    if ChatMessage.objects.exists():
        stdout.write("chat: demo messages exist, skipped")
        return
    rng = random.Random(13)
    rooms_ensure()
    per_room = 12 if size == "small" else 150
    now = timezone.now()
    messages: list[ChatMessage] = []
    employees = list(Employee.objects.exclude(status=Employee.Status.INACTIVE)[:50])
    if employees:
        company = company_room_get()
        messages += _conversation(company, employees, per_room, now, rng)
    members: dict[int, list[int]] = {}
    for project_id, employee_id in ProjectMember.objects.values_list("project_id", "employee_id"):
        members.setdefault(project_id, []).append(employee_id)
    rooms = ChatRoom.objects.filter(kind=ChatRoom.Kind.PROJECT, project_id__in=members)
    limit = 10 if size == "small" else 200
    by_id = {
        e.pk: e for e in Employee.objects.filter(pk__in={i for v in members.values() for i in v})
    }
    for room in rooms.order_by("id")[:limit]:
        team = [by_id[i] for i in members[room.project_id] if i in by_id]
        if team:
            messages += _conversation(room, team, per_room, now, rng)
    ChatMessage.objects.bulk_create(messages, batch_size=1000)
    stdout.write(f"chat: {len(messages)} demo messages")


def _conversation(room, people, count, now, rng):  # type: ignore[no-untyped-def]
    start = now - timedelta(days=3)
    step = timedelta(days=3) / max(count, 1)
    return [
        ChatMessage(
            room=room,
            author=rng.choice(people),
            body=rng.choice(LINES),
            created_at=start + step * i,
        )
        for i in range(count)
    ]
