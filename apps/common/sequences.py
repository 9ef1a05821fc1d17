"""Gapless, concurrency-safe numbering (employee codes, customer, project, invoice numbers...).

``next_value`` must run inside the transaction that stores the numbered record: the counter row
stays locked until that transaction ends, so a second caller waits, and a rollback returns the
number. ``COUNT()+1`` or ``MAX()+1`` would hand out duplicates under concurrency.
"""

from __future__ import annotations

from django.db import transaction

from apps.common.models import NumberSequence


def next_value(key: str, *, start_after: int = 0) -> int:
    """Lock the counter ``key``, increment it and return the new value.

    ``start_after`` seeds a counter that does not exist yet (e.g. the highest number imported).
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("next_value() must be called inside transaction.atomic().")
    # Create the row if missing without racing: ON CONFLICT DO NOTHING, then lock it.
    NumberSequence.objects.bulk_create(
        [NumberSequence(key=key, last_value=start_after)], ignore_conflicts=True
    )
    sequence = NumberSequence.objects.select_for_update().get(key=key)
    sequence.last_value += 1
    sequence.save(update_fields=["last_value"])
    return sequence.last_value


def format_number(prefix: str, value: int, *, width: int, year: int | None = None) -> str:
    """``KIT-0001``, ``KD-00001``, ``RE-2026-0001`` (year-scoped numbers)."""
    number = str(value).zfill(width)
    return f"{prefix}-{year}-{number}" if year is not None else f"{prefix}-{number}"
