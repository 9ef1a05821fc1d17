"""Production configuration: ``check --deploy`` is clean with nothing silenced."""

from __future__ import annotations

import os
import secrets
import string
import subprocess
import sys
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parents[2]


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE"}}
    clean.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _production_env(tmp_path: Path) -> dict[str, str]:
    alphabet = string.ascii_letters + string.digits
    return {
        "DEBUG": "false",
        "SECRET_KEY": "".join(secrets.choice(alphabet) for _ in range(60)),
        "HTTPS": "true",
        "ALLOWED_HOSTS": "example.com",
        "SMTP_HOST": "mail.example.com",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'deploy.sqlite3'}",
        "VAR_DIR": str(tmp_path),
    }


@pytest.mark.slow
def test_check_deploy_is_clean_with_production_settings(tmp_path):
    result = _manage("check", "--deploy", "--fail-level", "WARNING", **_production_env(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 silenced" in result.stdout + result.stderr


@pytest.mark.slow
def test_missing_secret_key_refuses_to_start_in_production(tmp_path):
    env = _production_env(tmp_path)
    env["SECRET_KEY"] = ""
    result = _manage("check", **env)
    assert result.returncode != 0
    assert "SECRET_KEY is required" in result.stderr


@pytest.mark.slow
def test_bad_boolean_is_refused(tmp_path):
    env = _production_env(tmp_path)
    env["HTTPS"] = "vielleicht"
    result = _manage("check", **env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr


def test_content_security_policy_allows_no_inline_code():
    from workmate import settings as production

    assert "django.middleware.csp.ContentSecurityPolicyMiddleware" in production.MIDDLEWARE
    csp = production.SECURE_CSP
    assert "'unsafe-inline'" not in str(csp)
    assert "'unsafe-eval'" not in str(csp)
