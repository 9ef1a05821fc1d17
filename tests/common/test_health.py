from __future__ import annotations

import socket

import pytest
from django.db.utils import ConnectionHandler


@pytest.mark.django_db
def test_health_is_public_and_ok(client):
    response = client.get("/health/")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "checks": {"database": "ok", "cache": "ok", "storage": "ok"},
    }
    assert "no-cache" in response["Cache-Control"]


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.django_db
def test_health_is_503_when_the_database_is_unreachable(client, monkeypatch):
    unreachable = ConnectionHandler(
        {
            "default": {
                "ENGINE": "django.db.backends.postgresql",
                "HOST": "127.0.0.1",
                "PORT": _closed_port(),
                "NAME": "workmate",
                "USER": "workmate",
                "OPTIONS": {"connect_timeout": 3},
            }
        }
    )["default"]
    monkeypatch.setattr("apps.common.views.connection", unreachable)
    try:
        response = client.get("/health/")
    finally:
        unreachable.close()
    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"
    assert response.json()["checks"]["database"] == "error"


@pytest.mark.django_db
def test_health_reports_a_broken_cache_as_degraded(client, monkeypatch):
    def broken(*args, **kwargs):
        raise ConnectionError("redis is down")

    monkeypatch.setattr("apps.common.views.cache.set", broken)
    response = client.get("/health/")
    assert response.status_code == 200
    assert response.json()["status"] == "degraded"
    assert response.json()["checks"]["cache"] == "error"


@pytest.mark.django_db
def test_health_answers_head_requests(client):
    assert client.head("/health/").status_code == 200


def test_favicon_redirects_to_the_static_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"].endswith("img/favicon.svg")


@pytest.mark.postgres
@pytest.mark.django_db
def test_postgresql_connections_run_without_jit_and_for_ssd() -> None:
    """JIT compilation of a short query can cost more than the query (see settings.py)."""
    from django.conf import settings
    from django.db import connection

    if not settings.DATABASES["default"]["ENGINE"].endswith("postgresql"):
        pytest.skip("PostgreSQL setting")
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"
        cursor.execute("SHOW random_page_cost")  # SSD: index lookups are cheap (see settings.py)
        assert cursor.fetchone()[0] == "1.1"
