"""Browser tests: Playwright's sync API driving Debian's /usr/bin/chromium against live_server.

Fixtures (use them in ``tests/e2e/test_<module>.py`` with ``pytestmark = pytest.mark.e2e``):

* ``browser``     session-wide Chromium (skipped with a clear reason when Chromium is missing;
                  with WORKMATE_STRICT_SKIPS=1 a skip counts as a failure).
* ``page``        a fresh browser context per test, ``base_url`` = the live server, locale de-DE;
                  so ``page.goto("/employees/")`` works. A screenshot lands in test-results/
                  when the test fails. ``page.console_errors`` lists console errors and uncaught
                  exceptions (CSP violations show up there): ``assert not page.console_errors``.
* ``e2e_user``    factory: ``e2e_user(role="Admin", email=..., password=..., **fields)`` creates an
                  employee with a known password (default ``E2E_PASSWORD``).
* ``login(page, user_or_email, password=E2E_PASSWORD)``  signs in through the login form.

Run: ``.venv/bin/python -m pytest -m e2e -p no:asyncio tests/e2e`` (``make test-e2e``).
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = os.environ.get("E2E_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
E2E_PASSWORD = "e2e-Passwort-2026"
RESULTS_DIR = Path(__file__).resolve().parents[2] / "test-results"
DEFAULT_TIMEOUT_MS = 15_000


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Browser tests talk to live_server from another thread: they need committed data
    (transaction=True). A transactional test empties every table afterwards, which would also
    remove rows that data migrations created (the default roles); serialized_rollback restores
    them before the next test."""
    for item in items:
        if "tests/e2e/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.e2e)
            # serialized_rollback: the flush after each browser test would otherwise also wipe
            # the data migrations' rows (default roles) for the browser tests that follow.
            item.add_marker(pytest.mark.django_db(transaction=True, serialized_rollback=True))


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        pytest.skip(
            f"Chromium not found at {CHROMIUM}: install Debian's chromium package "
            "(apt-get install -y chromium) or set E2E_CHROMIUM"
        )
    # Playwright's sync API runs an event loop in this thread, and Django's ORM refuses to run
    # in a thread with a running loop. Set only here, so the non-browser run keeps the check.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: Any) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


@pytest.fixture
def page(browser: Any, live_server: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    context = browser.new_context(
        base_url=live_server.url,
        locale="de-DE",
        timezone_id="Europe/Berlin",
        viewport={"width": 1280, "height": 900},
    )
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    page = context.new_page()
    # Console errors (CSP violations, failed requests, JS errors) collect here; journeys assert
    # ``not page.console_errors`` at the end.
    page.console_errors = []
    page.on(
        "console",
        lambda message: message.type == "error" and page.console_errors.append(message.text),
    )
    page.on("pageerror", lambda error: page.console_errors.append(str(error)))
    try:
        yield page
    finally:
        report = getattr(request.node, "rep_call", None)
        if report is not None and report.failed:
            RESULTS_DIR.mkdir(exist_ok=True)
            name = re.sub(r"[^\w.-]+", "_", request.node.nodeid)[-150:]
            # A failed screenshot must not hide the real failure.
            with contextlib.suppress(Exception):
                page.screenshot(path=str(RESULTS_DIR / f"{name}.png"), full_page=True)
        context.close()


@pytest.fixture
def e2e_user(transactional_db: Any) -> Callable[..., Any]:
    """Create an employee who can sign in with ``E2E_PASSWORD`` (or the given password)."""
    from tests.employees.factories import EmployeeFactory, role_named

    def make(role: str | None = "Admin", password: str = E2E_PASSWORD, **fields: Any) -> Any:
        return EmployeeFactory(role=role_named(role) if role else None, password=password, **fields)

    return make


def login(page: Any, user: Any, password: str = E2E_PASSWORD) -> None:
    """Sign in through the login form; ``user`` is an Employee or an e-mail address."""
    email = user if isinstance(user, str) else user.email
    page.goto("/accounts/login/")
    page.locator("input[name=username]").fill(email)
    page.locator("input[name=password]").fill(password)
    page.locator("form:has(input[name=password]) button[type=submit]").click()
    page.wait_for_load_state("domcontentloaded")
    page.locator("details.user-menu").wait_for()
