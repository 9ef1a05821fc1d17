"""Background jobs whose worker vanished: a task killed outright (OOM, deploy, SIGKILL) runs no
``except`` and leaves its row "queued" or "running" for ever. Such a row is *stale* once its last
sign of life (when it was queued, or its last progress) is older than the job's time limit; the
invoice e-mails and the customer imports both ask this one question."""

from __future__ import annotations

import datetime

from django.utils import timezone


def stale_cutoff(
    after: datetime.timedelta, *, now: datetime.datetime | None = None
) -> datetime.datetime:
    """Rows whose last sign of life is before this are stale (for a queryset filter)."""
    return (now or timezone.now()) - after


def is_stale(
    last_seen: datetime.datetime,
    *,
    after: datetime.timedelta,
    now: datetime.datetime | None = None,
) -> bool:
    return last_seen < stale_cutoff(after, now=now)
