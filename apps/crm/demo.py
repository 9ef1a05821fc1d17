"""Demo customers with contacts and activities (``manage.py seed_demo``).

small: 25 customers, each with 1-3 contacts; large: 20,000 customers and 60,000 contacts, written
with bulk_create in a few seconds. Numbers come from the sequence as one reserved block (gapless).
Idempotent: demo customers carry e-mails ``@kunde.example``; nothing happens once enough exist.
"""

from __future__ import annotations

import random
import time
from datetime import timedelta
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from apps.audit.models import AuditAction
from apps.audit.services import audit_record
from apps.common.sequences import format_number, next_values
from apps.company.selectors import company_get
from apps.crm.models import Activity, Contact, Customer
from apps.crm.search import search_text
from apps.employees.models import Employee

DEMO_DOMAIN = "kunde.example"
SIZES = {"small": (25, 3), "large": (20_000, 3)}  # customers, contacts per customer (max/exact)

FAMILY = [
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
    "Schmitt",
    "Werner",
    "Krause",
    "Meier",
    "Lehmann",
    "Köhler",
    "Weiß",
    "Jäger",
    "Böhm",
    "Groß",
    "Öztürk",
]
FIRST = [
    "Anna",
    "Jürgen",
    "Lena",
    "Jörg",
    "Sophie",
    "Max",
    "Mia",
    "Lukas",
    "Emma",
    "Paul",
    "Hannah",
    "Felix",
    "Sören",
    "Marie",
    "Björn",
    "Lea",
    "Tobias",
    "Julia",
    "Uwe",
    "Käthe",
    "Günter",
    "Nina",
]
TRADES = [
    "Elektrotechnik",
    "Bäckerei",
    "Steuerberatung",
    "Zahnarztpraxis",
    "Autohaus",
    "Logistik",
    "Maschinenbau",
    "Architekturbüro",
    "Immobilien",
    "Gartenbau",
    "Druckerei",
    "Metallbau",
    "Softwarehaus",
    "Physiotherapie",
    "Hotel",
    "Brauerei",
    "Möbelhaus",
    "Reisebüro",
]
FORMS = ["GmbH", "GmbH & Co. KG", "AG", "e.K.", "KG", "OHG", "UG (haftungsbeschränkt)"]
CITIES = [
    ("10115", "Berlin"),
    ("20095", "Hamburg"),
    ("80331", "München"),
    ("50667", "Köln"),
    ("60311", "Frankfurt am Main"),
    ("70173", "Stuttgart"),
    ("40213", "Düsseldorf"),
    ("04109", "Leipzig"),
    ("44135", "Dortmund"),
    ("45127", "Essen"),
    ("28195", "Bremen"),
    ("01067", "Dresden"),
    ("30159", "Hannover"),
    ("90402", "Nürnberg"),
    ("47051", "Duisburg"),
    ("33602", "Bielefeld"),
    ("53111", "Bonn"),
    ("48143", "Münster"),
    ("76133", "Karlsruhe"),
    ("68159", "Mannheim"),
    ("86150", "Augsburg"),
    ("65183", "Wiesbaden"),
    ("49074", "Osnabrück"),
    ("79098", "Freiburg im Breisgau"),
    ("24103", "Kiel"),
    ("18055", "Rostock"),
    ("99084", "Erfurt"),
]
STREETS = [
    "Hauptstraße",
    "Bahnhofstraße",
    "Gartenweg",
    "Schillerstraße",
    "Goethestraße",
    "Lindenallee",
    "Marktplatz",
    "Industriestraße",
    "Mühlenweg",
    "Königsallee",
]
POSITIONS = ["Geschäftsführung", "Einkauf", "IT-Leitung", "Buchhaltung", "Assistenz", "Vertrieb"]
BATCH = 2000


def _customer_name(rng: random.Random, index: int) -> str:
    style = index % 3
    if style == 0:
        return f"{rng.choice(FAMILY)} {rng.choice(TRADES)} {rng.choice(FORMS)}"
    if style == 1:
        return (
            f"{rng.choice(TRADES)} {rng.choice(FAMILY)} & {rng.choice(FAMILY)} {rng.choice(FORMS)}"
        )
    return f"{rng.choice(CITIES)[1]}er {rng.choice(TRADES)} {rng.choice(FORMS)}"


def _ascii(value: str) -> str:
    return (
        value.lower()
        .replace("ä", "ae")
        .replace("ö", "oe")
        .replace("ü", "ue")
        .replace("ß", "ss")
        .replace(" ", "")
    )


def seed(*, size: str, stdout: Any) -> None:
    started = time.monotonic()
    target, contacts_each = SIZES.get(size, SIZES["small"])
    existing = Customer.objects.filter(email__endswith=f"@{DEMO_DOMAIN}").count()
    missing = target - existing
    if missing <= 0:
        stdout.write(f"crm: {existing} demo customers exist, nothing to do")
        return
    rng = random.Random(4711 + existing)
    employees = list(Employee.objects.exclude(status=Employee.Status.INACTIVE).order_by("id")[:50])
    prefix = company_get().customer_prefix
    stages = Customer.Stage.values
    now = timezone.now()
    created = 0
    with transaction.atomic():
        numbers = next_values("customer", missing)
        for start in range(0, missing, BATCH):
            chunk = numbers[start : start + BATCH]
            customers, contact_rows = [], []
            for offset, value in enumerate(chunk):
                index = existing + start + offset
                name = _customer_name(rng, index)
                zip_code, city = rng.choice(CITIES)
                stage = stages[index % len(stages)]
                status = (
                    Customer.Status.ACTIVE
                    if stage == Customer.Stage.WON
                    else Customer.Status.INACTIVE
                    if stage == Customer.Stage.LOST
                    else Customer.Status.LEAD
                )
                number = format_number(prefix, value, width=5)
                people = [
                    (rng.choice(FIRST), rng.choice(FAMILY))
                    for _ in range(
                        contacts_each if size == "large" else rng.randint(1, contacts_each)
                    )
                ]
                email = f"info{value}@{DEMO_DOMAIN}"
                customers.append(
                    Customer(
                        number=number,
                        name=name,
                        type=Customer.Type.B2C if index % 10 == 9 else Customer.Type.B2B,
                        status=status,
                        stage=stage,
                        email=email,
                        phone=f"+49 {rng.randint(30, 999)} {rng.randint(100000, 9999999)}",
                        street=f"{rng.choice(STREETS)} {rng.randint(1, 120)}",
                        zip_code=zip_code,
                        city=city,
                        country="DE",
                        account_manager=employees[index % len(employees)] if employees else None,
                        search_text=search_text(
                            [
                                name,
                                number,
                                email,
                                city,
                                *(f"{first} {last}" for first, last in people),
                            ]
                        ),
                    )
                )
                contact_rows.append(people)
            Customer.objects.bulk_create(customers, batch_size=BATCH)
            contacts = [
                Contact(
                    customer=customer,
                    first_name=first,
                    last_name=last,
                    email=f"{_ascii(first)}.{_ascii(last)}.{customer.number.lower()}@{DEMO_DOMAIN}",
                    phone=f"+49 {rng.randint(30, 999)} {rng.randint(100000, 9999999)}",
                    position=rng.choice(POSITIONS),
                    is_primary=position == 0,
                )
                for customer, people in zip(customers, contact_rows, strict=True)
                for position, (first, last) in enumerate(people)
            ]
            Contact.objects.bulk_create(contacts, batch_size=BATCH)
            if employees and size == "small":
                Activity.objects.bulk_create(
                    Activity(
                        customer=customer,
                        type=rng.choice(Activity.Type.values),
                        text=rng.choice(
                            [
                                "Erstgespräch zum Wartungsvertrag geführt.",
                                "Angebot für neue Arbeitsplätze besprochen.",
                                "Rückfrage zur letzten Rechnung geklärt.",
                                "Termin vor Ort vereinbart.",
                            ]
                        ),
                        occurred_at=now - timedelta(days=rng.randint(0, 120)),
                        employee=rng.choice(employees),
                    )
                    for customer in customers
                )
            created += len(customers)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:  # fresh statistics for the planner after bulk load
                cursor.execute("ANALYZE crm_customer, crm_contact")
        audit_record(
            action=AuditAction.IMPORT,
            actor=None,
            object_repr=str(Customer._meta.verbose_name_plural),
            message=f"demo data ({size}): {created} customers",
        )
    stdout.write(
        f"crm: {created} demo customers with contacts created in {time.monotonic() - started:.1f} s"
    )
