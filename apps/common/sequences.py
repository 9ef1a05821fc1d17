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


def next_values(key: str, count: int, *, start_after: int = 0) -> range:
    """Reserve ``count`` consecutive numbers of ``key`` in one locked update (bulk imports, demo data).

    Gapless like ``next_value``: the block belongs to the caller's transaction and is given back on
    rollback. Returns the reserved values as a range.
    """
    if count < 1:
        raise ValueError("next_values() needs count >= 1.")
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("next_values() must be called inside transaction.atomic().")
    NumberSequence.objects.bulk_create(
        [NumberSequence(key=key, last_value=start_after)], ignore_conflicts=True
    )
    sequence = NumberSequence.objects.select_for_update().get(key=key)
    first = sequence.last_value + 1
    sequence.last_value += count
    sequence.save(update_fields=["last_value"])
    return range(first, first + count)
