"""The benchmark harness's pieces (no timing): the query-count middleware, the minimal view, and
every page that an ``apps/<app>/bench.py`` declares answers for its user, so ``make bench`` does
not rot while nobody runs it."""

from __future__ import annotations

import pytest
from django.conf import settings as django_settings
from django.test import Client

from bench.run import BENCH_USERS, MINIMAL, bench_user, discover
from tests.employees.factories import DepartmentFactory, EmployeeFactory


@pytest.fixture
def bench_settings(settings):  # type: ignore[no-untyped-def]
    settings.ROOT_URLCONF = "bench.urls"
    settings.MIDDLEWARE = ["bench.middleware.QueryCountMiddleware", *django_settings.MIDDLEWARE]
    return settings


def signed_in(name: str | None) -> Client:
    client = Client()
    if name is not None:
        client.force_login(bench_user(name), backend="apps.employees.backends.RoleBackend")
    return client


@pytest.mark.django_db
def test_minimal_view_needs_a_login_and_reports_its_queries(bench_settings):
    assert Client().get(MINIMAL["path"]).status_code == 302
    response = signed_in("member").get(MINIMAL["path"])
    assert response.status_code == 200
    assert int(response["X-Query-Count"]) >= 1  # at least the user lookup


@pytest.mark.django_db
def test_every_bench_page_answers_for_its_user(bench_settings):
    department = DepartmentFactory()
    boss = EmployeeFactory(department=department)
    for _ in range(3):
        EmployeeFactory(department=department, reports_to=boss)

    pages, scenarios = discover()
    assert {"employee list", "audit log", "start page"} <= {page["name"] for page in pages}
    assert all(callable(scenario) for scenario in scenarios)
    for page in pages:
        assert page.get("user") is None or page["user"] in BENCH_USERS, page
        path = page["path"]() if callable(page["path"]) else page["path"]
        response = signed_in(page.get("user")).get(path, headers=page.get("headers") or {})
        assert response.status_code == page.get("status", 200), (page["name"], path)
        assert "X-Query-Count" in response, page["name"]
