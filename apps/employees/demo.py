"""Demo employees: a small team across every default role; ``large`` fills up to 200 people.

Idempotent: people are identified by e-mail, departments by code; what exists stays untouched.
Reproducible: the large set comes from a fixed random seed.
"""

from __future__ import annotations

import datetime
import random
import unicodedata
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction
from tqdm import tqdm

from apps.audit.models import AuditAction
from apps.audit.services import audit_record
from apps.employees import services
from apps.employees.models import Department, Employee, Role

DEMO_ADMIN_EMAIL = "admin@example.com"
DEMO_MEMBER_EMAIL = "mitarbeiter@example.com"
LARGE_TOTAL = 200
RANDOM_SEED = 2026

DEPARTMENTS = [
    # code, name
    ("GF", "Geschäftsführung"),
    ("ENT", "Entwicklung"),
    ("SUP", "Support"),
    ("VT", "Vertrieb"),
    ("BH", "Buchhaltung"),
    ("MKT", "Marketing"),
    ("ADM", "IT-Administration"),
]

# email, first, last, department code, role, position, employment type, status, hire date
TEAM: list[tuple[str, str, str, str, str, str, str, str, str]] = [
    ("katrin.ingwersen@example.com", "Katrin", "Ingwersen", "GF", "Geschäftsführung",
     "Geschäftsführerin", "fulltime", "active", "2016-04-01"),
    ("tobias.kraemer@example.com", "Tobias", "Krämer", "GF", "Geschäftsführung",
     "Geschäftsführer (Technik)", "fulltime", "active", "2016-04-01"),
    (DEMO_ADMIN_EMAIL, "Andreas", "Hoffmann", "ADM", "Admin",
     "Systemadministrator", "fulltime", "active", "2017-09-01"),
    ("sabine.wagner@example.com", "Sabine", "Wagner", "BH", "Buchhaltung",
     "Buchhalterin", "parttime", "active", "2018-01-15"),
    ("juergen.becker@example.com", "Jürgen", "Becker", "ENT", "Projektleitung",
     "Leiter Softwareentwicklung", "fulltime", "active", "2017-03-01"),
    ("anna.lehmann@example.com", "Anna", "Lehmann", "SUP", "Projektleitung",
     "Teamleiterin Support", "fulltime", "active", "2019-06-01"),
    ("lena.schaefer@example.com", "Lena", "Schäfer", "ENT", "Mitarbeiter",
     "Softwareentwicklerin", "fulltime", "active", "2020-02-01"),
    ("mehmet.yilmaz@example.com", "Mehmet", "Yılmaz", "ADM", "Mitarbeiter",
     "Netzwerktechniker", "fulltime", "active", "2021-08-01"),
    (DEMO_MEMBER_EMAIL, "Mia", "Müller", "SUP", "Mitarbeiter",
     "IT-Supporterin", "fulltime", "active", "2022-01-10"),
    ("julia.neumann@example.com", "Julia", "Neumann", "MKT", "Marketing",
     "Marketing-Managerin", "fulltime", "active", "2021-03-01"),
    ("felix.richter@example.com", "Felix", "Richter", "VT", "Marketing",
     "Vertriebsleiter", "fulltime", "active", "2019-11-01"),
    ("lukas.fischer@example.com", "Lukas", "Fischer", "ENT", "Mitarbeiter",
     "Werkstudent Entwicklung", "intern", "active", "2025-10-01"),
    ("nina.weber@example.com", "Nina", "Weber", "SUP", "Mitarbeiter",
     "IT-Supporterin", "parttime", "on_leave", "2020-05-01"),
    ("stefan.koch@example.com", "Stefan", "Koch", "ENT", "Mitarbeiter",
     "Softwareentwickler", "fulltime", "inactive", "2018-02-01"),
]  # fmt: skip
TERMINATED = {"stefan.koch@example.com": "2025-06-30"}
DEPARTMENT_MANAGERS = {
    "GF": "katrin.ingwersen@example.com",
    "ENT": "juergen.becker@example.com",
    "SUP": "anna.lehmann@example.com",
    "VT": "felix.richter@example.com",
    "BH": "sabine.wagner@example.com",
    "MKT": "julia.neumann@example.com",
    "ADM": DEMO_ADMIN_EMAIL,
}
PHONE_PREFIX = "+49 261 123456-"

FIRST_NAMES = [
    "Alexander", "Andrea", "Benjamin", "Birgit", "Christian", "Claudia", "Daniel", "Doris",
    "Elias", "Emma", "Fabian", "Franziska", "Georg", "Hannah", "Heike", "Ingo", "Jan", "Jana",
    "Jonas", "Katharina", "Kerstin", "Laura", "Leon", "Lea", "Manuel", "Marie", "Markus",
    "Martina", "Matthias", "Michael", "Monika", "Niklas", "Olaf", "Paula", "Petra", "Philipp",
    "Ralf", "Sandra", "Sebastian", "Simone", "Sophie", "Stephan", "Susanne", "Thomas", "Ute",
    "Volker", "Yasemin", "Zoe", "Ahmet", "Ewa", "Dimitri", "Giulia",
]  # fmt: skip
LAST_NAMES = [
    "Bauer", "Baumann", "Braun", "Dietrich", "Engel", "Frank", "Fuchs", "Graf", "Günther",
    "Hahn", "Hartmann", "Herrmann", "Jung", "Kaiser", "Keller", "Klein", "König", "Krause",
    "Krüger", "Kühn", "Lang", "Lange", "Lorenz", "Ludwig", "Maier", "Meyer", "Möller", "Peters",
    "Pohl", "Roth", "Schmid", "Schmidt", "Schmitt", "Schneider", "Scholz", "Schröder", "Schulz",
    "Schwarz", "Sommer", "Stein", "Vogel", "Walter", "Weiß", "Werner", "Winkler", "Wolf",
    "Zimmermann", "Kowalski", "Nowak", "Öztürk", "Papadopoulos", "Rossi",
]  # fmt: skip
POSITIONS = {
    "ENT": ["Softwareentwickler/in", "Senior-Entwickler/in", "DevOps-Engineer", "Tester/in"],
    "SUP": ["IT-Supporter/in", "Systembetreuer/in", "Service-Desk-Mitarbeiter/in"],
    "VT": ["Account Manager/in", "Vertriebsmitarbeiter/in"],
    "BH": ["Buchhalter/in", "Lohnbuchhalter/in"],
    "MKT": ["Online-Marketing-Manager/in", "Content-Manager/in"],
    "ADM": ["Systemadministrator/in", "Netzwerktechniker/in", "IT-Sicherheitsbeauftragte/r"],
}
ROLE_FOR_DEPARTMENT = {
    "ENT": "Mitarbeiter",
    "SUP": "Mitarbeiter",
    "VT": "Marketing",
    "BH": "Buchhaltung",
    "MKT": "Marketing",
    "ADM": "Mitarbeiter",
}


def _ascii(text: str) -> str:
    text = text.lower().replace("ä", "ae").replace("ö", "oe").replace("ü", "ue").replace("ß", "ss")
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in text if ch.isalnum() or ch in ".-")


def _date(value: str) -> datetime.date:
    return datetime.date.fromisoformat(value)


def _departments() -> dict[str, Department]:
    existing = {d.code: d for d in Department.objects.all()}
    for code, name in DEPARTMENTS:
        if code not in existing:
            existing[code] = services.department_save(
                actor=None, department=Department(name=name, code=code)
            )
    return existing


def _seed_team(departments: dict[str, Department], roles: dict[str, Role]) -> int:
    existing = set(Employee.objects.values_list("email", flat=True))
    created_emails: list[str] = []
    for index, (email, first, last, dept, role, position, kind, status, hired) in enumerate(TEAM):
        if email in existing:
            continue
        fields: dict[str, Any] = {
            "first_name": first,
            "last_name": last,
            "department": departments[dept],
            "role": roles[role],
            "position": position,
            "employment_type": kind,
            "status": status,
            "hire_date": _date(hired),
            "phone": f"{PHONE_PREFIX}{10 + index}",
        }
        if email in TERMINATED:
            fields["termination_date"] = _date(TERMINATED[email])
        if email == DEMO_ADMIN_EMAIL:
            fields.update(is_staff=True, is_superuser=True)
        services.employee_create(actor=None, email=email, **fields)
        created_emails.append(email)
    if created_emails:
        # Everyone of the demo team signs in with the demo password; hash it once, not per person.
        Employee.objects.filter(email__in=created_emails).update(
            password=make_password(settings.DEMO_PASSWORD)
        )
    return len(created_emails)


def _link_managers(departments: dict[str, Department]) -> None:
    """Department heads manage their department and report to the CEO; their team reports to
    them. Only where nothing is set yet, so a second run (or an admin's edit) stays untouched."""
    people = {e.email: e for e in Employee.objects.filter(email__in=[row[0] for row in TEAM])}
    ceo = people.get(DEPARTMENT_MANAGERS["GF"])
    for code, email in DEPARTMENT_MANAGERS.items():
        department, manager = departments[code], people.get(email)
        if manager is not None and department.manager_id is None:
            department.manager = manager
            services.department_save(actor=None, department=department)
    heads = set(DEPARTMENT_MANAGERS.values())
    for email, _first, _last, code, *_rest in TEAM:
        employee = people.get(email)
        if employee is None or employee.reports_to_id is not None:
            continue
        boss = ceo if email in heads else people.get(DEPARTMENT_MANAGERS[code])
        if boss is not None and boss.pk != employee.pk:
            services.employee_update(actor=None, employee=employee, reports_to=boss)


def _large_candidates() -> list[dict[str, Any]]:
    """The same list of people on every run (fixed seed), identified by their e-mail."""
    rng = random.Random(RANDOM_SEED)
    codes = [code for code, _name in DEPARTMENTS if code != "GF"]
    weights = [40, 25, 10, 5, 5, 15]
    people, seen = [], {email for email, *_rest in TEAM}
    while len(people) < LARGE_TOTAL:
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        dept = rng.choices(codes, weights)[0]
        email = f"{_ascii(first)}.{_ascii(last)}@example.com"
        number = 2
        while email in seen:
            email = f"{_ascii(first)}.{_ascii(last)}{number}@example.com"
            number += 1
        seen.add(email)
        roll = rng.random()
        status = "inactive" if roll < 0.06 else "on_leave" if roll < 0.10 else "active"
        hired = datetime.date(2016, 1, 1) + datetime.timedelta(days=rng.randrange(0, 3600))
        people.append(
            {
                "email": email,
                "first_name": first,
                "last_name": last,
                "dept": dept,
                "role": ROLE_FOR_DEPARTMENT[dept],
                "position": rng.choice(POSITIONS[dept]),
                "employment_type": rng.choices(
                    ["fulltime", "parttime", "intern", "external"], [75, 15, 5, 5]
                )[0],
                "status": status,
                "hire_date": hired,
                "termination_date": hired + datetime.timedelta(days=400)
                if status == "inactive"
                else None,
            }
        )
    return people


def _seed_large(departments: dict[str, Department], roles: dict[str, Role], stdout: Any) -> int:
    missing_total = LARGE_TOTAL - Employee.objects.count()
    if missing_total <= 0:
        return 0
    existing = set(Employee.objects.values_list("email", flat=True))
    todo = [p for p in _large_candidates() if p["email"] not in existing][:missing_total]
    if not todo:
        return 0
    managers = {d.code: d.manager_id for d in departments.values()}
    # Demo colleagues sign in with the demo password too; hash it once, not 200 times.
    password = make_password(settings.DEMO_PASSWORD)
    rows = []
    with transaction.atomic():
        for person in tqdm(todo, desc="  employees", unit="", file=stdout, disable=None):
            dept = person.pop("dept")
            rows.append(
                Employee(
                    code=services.employee_next_code(),
                    password=password,
                    department=departments[dept],
                    role=roles[person.pop("role")],
                    reports_to_id=managers.get(dept),
                    **person,
                )
            )
        Employee.objects.bulk_create(rows, batch_size=500)
        audit_record(
            action=AuditAction.IMPORT,
            actor=None,
            message=f"seed_demo: {len(rows)} demo employees created",
        )
    return len(rows)


def seed(*, size: str, stdout: Any) -> None:
    roles = {role.name: role for role in Role.objects.all()}
    departments = _departments()
    created = _seed_team(departments, roles)
    _link_managers(departments)
    if size == "large":
        created += _seed_large(departments, roles, stdout)
    stdout.write(
        f"  employees: {created} created, {Employee.objects.count()} in total, "
        f"{len(departments)} departments"
    )
