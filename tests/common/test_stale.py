from __future__ import annotations

import datetime

from django.utils import timezone

from apps.common.stale import is_stale, stale_cutoff

NOW = timezone.now()
AFTER = datetime.timedelta(minutes=15)


def test_stale_only_after_the_time_limit():
    assert stale_cutoff(AFTER, now=NOW) == NOW - AFTER
    assert is_stale(NOW - AFTER - datetime.timedelta(seconds=1), after=AFTER, now=NOW)
    assert not is_stale(NOW - AFTER, after=AFTER, now=NOW)
    assert not is_stale(NOW, after=AFTER, now=NOW)
