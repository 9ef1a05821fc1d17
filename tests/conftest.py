"""Personas only (healthchecks style); everything else is built in the test with factories."""

from __future__ import annotations

import os
from collections.abc import Callable

import pytest
from django.test import Client

from tests.employees.factories import EmployeeFactory, role_named


@pytest.fixture
def admin(db):  # type: ignore[no-untyped-def]
    return EmployeeFactory(
        role=role_named("Admin"), is_staff=True, first_name="Anna", last_name="Admin"
    )


@pytest.fixture
def manager(db):  # type: ignore[no-untyped-def]
    return EmployeeFactory(role=role_named("Projektleitung"), first_name="Paul", last_name="Leiter")


@pytest.fixture
def member(db):  # type: ignore[no-untyped-def]
    return EmployeeFactory(role=role_named("Mitarbeiter"), first_name="Mia", last_name="Muster")


@pytest.fixture
def outsider(db):  # type: ignore[no-untyped-def]
    """Signed in, but without any role."""
    return EmployeeFactory(role=None, first_name="Otto", last_name="Ohnerolle")


@pytest.fixture(autouse=True)
def _fresh_cache():  # type: ignore[no-untyped-def]
    """Each test starts with an empty cache (the locmem cache outlives a test's transaction)."""
    yield
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def client_for() -> Callable[..., Client]:
    def make(user) -> Client:  # type: ignore[no-untyped-def]
        client = Client()
        if user is not None:
            client.force_login(user, backend="apps.employees.backends.RoleBackend")
        return client

    return make


def pytest_configure(config):  # type: ignore[no-untyped-def]
    """Compile the German catalogue when it is newer than the .mo (tests check German UI text)."""
    from pathlib import Path

    import polib

    po = Path(__file__).resolve().parent.parent / "locale/de/LC_MESSAGES/django.po"
    mo = po.with_suffix(".mo")
    if po.exists() and (not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime):
        polib.pofile(str(po)).save_as_mofile(str(mo))
        # Django may have loaded the old catalogue already (pytest-django sets Django up before
        # this hook, and a module-level gettext loads the catalogues): drop the cached ones, as
        # Django itself does when LOCALE_PATHS changes, so this run sees the new texts.
        from django.utils.translation import trans_real

        trans_real._translations = {}
        trans_real._default = None


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):  # type: ignore[no-untyped-def]
    """With WORKMATE_STRICT_SKIPS=1 (CI on PostgreSQL) a skipped test is a failed test:
    browser, OpenID provider and PostgreSQL tests must really run there."""
    outcome = yield
    report = outcome.get_result()
    if (
        os.environ.get("WORKMATE_STRICT_SKIPS") == "1"
        and report.skipped
        and not hasattr(report, "wasxfail")
    ):
        report.outcome = "failed"
        report.longrepr = (
            f"skipped, which counts as a failure with WORKMATE_STRICT_SKIPS=1: {report.longrepr}"
        )
