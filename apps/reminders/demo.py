"""Demo reminders: a few for every active employee (overdue, today, upcoming)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from apps.reminders.models import Reminder


def seed(*, size: str, stdout: Any) -> None:
    if Reminder.objects.exists():
        return
    from apps.employees.models import Employee
    from apps.reminders.services import reminder_create

    today = timezone.localdate()
    try:
        from apps.crm.models import Customer

        customer = Customer.objects.order_by("pk").first()
    except ImportError:  # pragma: no cover
        customer = None
    employees = list(Employee.objects.exclude(status=Employee.Status.INACTIVE).order_by("pk")[:20])
    plan = [
        (-2, "Angebot nachfassen", Reminder.Priority.HIGH),
        (0, "Rückruf Kunde", Reminder.Priority.MEDIUM),
        (3, "Vertrag verlängern", Reminder.Priority.LOW),
        (10, "Quartalsbericht vorbereiten", Reminder.Priority.CRITICAL),
    ]
    count = 0
    for employee in employees:
        for days, title, priority in plan:
            reminder_create(
                owner=employee,
                target=customer if customer is not None and days <= 0 else employee,
                due=today + dt.timedelta(days=days),
                title=title,
                priority=priority,
                created_by=None,
                source_key=f"demo:{days}",
            )
            count += 1
    stdout.write(f"reminders: {count} demo reminders")
