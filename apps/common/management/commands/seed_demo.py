"""``manage.py seed_demo [--size small|large]``: realistic German demo data, idempotent.

Each app in ``settings.DOMAIN_APPS`` may ship ``demo.py`` with ``seed(*, size, stdout) -> None``;
they run in that order (company before employees before CRM ...). Running it twice changes nothing.
"""

from __future__ import annotations

import importlib
import importlib.util
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.urls import reverse

from apps.employees.demo import DEMO_ADMIN_EMAIL, DEMO_MEMBER_EMAIL

SIZES = ("small", "large")


def demo_modules() -> list[Any]:
    modules = []
    for app in settings.DOMAIN_APPS:
        name = f"{app}.demo"
        if importlib.util.find_spec(name) is not None:
            modules.append(importlib.import_module(name))
    return modules


class Command(BaseCommand):
    help = "Load realistic German demo data (idempotent). --size large adds volume for benchmarks."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--size", choices=SIZES, default="small")

    def handle(self, *args: Any, size: str, **options: Any) -> None:
        for module in demo_modules():
            label = module.__name__.removesuffix(".demo")
            self.stdout.write(f"Seeding {label} ({size}) ...")
            module.seed(size=size, stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS("Demo data is ready."))
        self.stdout.write("")
        self.stdout.write(f"  Sign in:   {settings.SITE_URL}{reverse('login')}")
        self.stdout.write(f"  E-mail:    {DEMO_ADMIN_EMAIL}")
        self.stdout.write(f"  Password:  {settings.DEMO_PASSWORD}")
        self.stdout.write(f"  (a demo employee without admin rights: {DEMO_MEMBER_EMAIL})")
        self.stdout.write("")
