"""Fallback data for the benchmark while ``manage.py seed_demo`` does not exist yet: departments,
200 employees and their audit trail, created through the services (codes, audit chain).
Idempotent: does nothing when the employees are already there."""

from __future__ import annotations

import random
from typing import Any

DEPARTMENTS = [
    ("Geschäftsführung", "GF"),
    ("Buchhaltung", "BH"),
    ("Vertrieb", "VT"),
    ("Marketing", "MK"),
    ("Softwareentwicklung", "SE"),
    ("IT-Betrieb", "OPS"),
    ("Support", "SUP"),
    ("Projektmanagement", "PM"),
]
FIRST = [
    "Anna",
    "Ben",
    "Clara",
    "David",
    "Emma",
    "Felix",
    "Greta",
    "Hannes",
    "Ida",
    "Jonas",
    "Klara",
    "Lukas",
    "Mia",
    "Noah",
    "Paula",
    "Quirin",
    "Rosa",
    "Samuel",
    "Tilda",
    "Uwe",
    "Vera",
    "Willi",
    "Yvonne",
    "Zoe",
]
LAST = [
    "Müller",
    "Schmidt",
    "Schneider",
    "Fischer",
    "Weber",
    "Meyer",
    "Wagner",
    "Becker",
    "Schulz",
    "Hoffmann",
    "Schäfer",
    "Koch",
    "Bauer",
    "Richter",
    "Klein",
    "Wolf",
    "Schröder",
    "Neumann",
    "Schwarz",
    "Zimmermann",
    "Braun",
    "Krüger",
    "Hofmann",
    "Hartmann",
    "Lange",
]
POSITIONS = ["Entwickler", "Beraterin", "Projektleiter", "Buchhalterin", "Support", "Vertrieb"]


def seed(*, employees: int = 200, stdout: Any = None) -> None:
    from apps.employees.models import Department, Employee, Role
    from apps.employees.services import employee_create, employee_update

    have = Employee.objects.exclude(email__endswith="@bench.invalid").count()
    if have >= employees:
        return
    rng = random.Random(42)
    departments = [
        Department.objects.get_or_create(code=code, defaults={"name": name})[0]
        for name, code in DEPARTMENTS
    ]
    roles = list(Role.objects.all())
    for n in range(have, employees):
        employee = employee_create(
            actor=None,
            email=f"person{n:04d}@demo.invalid",
            first_name=rng.choice(FIRST),
            last_name=rng.choice(LAST),
            department=rng.choice(departments),
            role=rng.choice(roles),
            position=rng.choice(POSITIONS),
        )
        if n % 3 == 0:
            employee_update(actor=None, employee=employee, phone=f"+49 30 {1000 + n}")
    if stdout:
        stdout.write(f"bench seed: {employees - have} employees\n")
