"""A real OpenID provider on loopback (tests/oidc/server.js, npm "oidc-provider") and helpers to
sign in through it: our side with django.test.Client, the provider's side with requests.

No skips: without node the provider tests fail loudly (CI must run them).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urljoin, urlsplit

import pytest
import requests
from django.test import Client

HERE = Path(__file__).resolve().parent
CLIENT_ID = "workmate"
CLIENT_SECRET = "workmate-test-secret"
PUBLIC_CLIENT_ID = "workmate-public"
ROLES_CLAIM = "urn:zitadel:iam:org:project:roles"
PASSWORD = "provider-password"
START_TIMEOUT = 60


class Provider:
    """The running provider and its test controls (see server.js)."""

    def __init__(self, issuer: str, project_id: str, org_id: str) -> None:
        self.issuer = issuer
        self.project_id = project_id
        self.org_id = org_id

    def _admin(self, path: str, body: Any = None) -> Any:
        response = requests.post(f"{self.issuer}/__admin/{path}", json=body or {}, timeout=10)
        response.raise_for_status()
        return response.json()

    def reset(self) -> None:
        self._admin("reset")
        self.set_accounts({})

    def set_accounts(self, accounts: dict[str, dict[str, Any]]) -> None:
        self._admin("accounts", accounts)

    def account(self, login: str, **claims: Any) -> None:
        """Replace the accounts with one (password: PASSWORD)."""
        self.set_accounts(
            {
                login: {
                    "password": PASSWORD,
                    "sub": claims.pop("sub", None) or f"sub-{login}",
                    "claims": claims,
                }
            }
        )

    def tamper(self, **changes: Any) -> None:
        self._admin("tamper", changes)

    def rotate(self) -> str:
        return self._admin("rotate")["kid"]

    def stats(self) -> dict[str, int]:
        response = requests.get(f"{self.issuer}/__admin/stats", timeout=10)
        response.raise_for_status()
        return response.json()

    def roles(self, *keys: str) -> dict[str, dict[str, str]]:
        """Zitadel's shape: {"role key": {"<org id>": "<org domain>"}}."""
        return {key: {self.org_id: "kit.example"} for key in keys}


def zitadel_claims(
    provider: Provider,
    *,
    email: str,
    given_name: str = "Erika",
    family_name: str = "Mustermann",
    roles: tuple[str, ...] = (),
    email_verified: bool = True,
    **extra: Any,
) -> dict[str, Any]:
    claims: dict[str, Any] = {
        "email": email,
        "email_verified": email_verified,
        "given_name": given_name,
        "family_name": family_name,
        "name": f"{given_name} {family_name}",
        "preferred_username": email,
        **extra,
    }
    if roles:
        claims[ROLES_CLAIM] = provider.roles(*roles)
    return claims


def _start_provider() -> tuple[subprocess.Popen[str], Provider, Path]:
    node, npm = shutil.which("node"), shutil.which("npm")
    if not node or not npm:
        pytest.fail(
            "node and npm are required: the single sign-on tests run against a real OpenID "
            "provider (tests/oidc/server.js). Install Node.js >= 20 and run `npm ci` in tests/oidc.",
            pytrace=False,
        )
    if not (HERE / "node_modules" / "oidc-provider").is_dir():
        subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund", "--silent"], cwd=HERE, check=True, timeout=600
        )
    log = Path(tempfile.mkstemp(prefix="oidc-provider-", suffix=".log")[1])
    with log.open("w") as stderr:
        process = subprocess.Popen(
            [node, "server.js"],
            cwd=HERE,
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
            env={**os.environ, "PORT": "0", "NODE_ENV": "test"},
        )
    assert process.stdout is not None
    line = process.stdout.readline()  # the server prints its issuer once it listens
    if not line:
        process.wait(timeout=10)
        pytest.fail(f"the OpenID provider did not start:\n{log.read_text()}", pytrace=False)
    info = json.loads(line)
    provider = Provider(info["issuer"], info["project_id"], info["org_id"])
    deadline = time.monotonic() + START_TIMEOUT
    while True:
        try:
            if requests.get(f"{provider.issuer}/.well-known/openid-configuration", timeout=5).ok:
                break
        except requests.RequestException:
            pass
        if time.monotonic() > deadline or process.poll() is not None:
            process.kill()
            pytest.fail(f"the OpenID provider does not answer:\n{log.read_text()}", pytrace=False)
        time.sleep(0.2)
    return process, provider, log


@pytest.fixture(scope="session")
def oidc_provider() -> Iterator[Provider]:
    process, provider, log = _start_provider()
    try:
        yield provider
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        if process.stdout is not None:
            process.stdout.close()
        log.unlink(missing_ok=True)


def configure_sso(settings: Any, provider: Provider, **overrides: Any) -> None:
    """Point WorkmateOS at the provider (pytest-django's ``settings`` restores it afterwards)."""
    from django.core.cache import cache

    cache.clear()  # discovery document and JWKS are cached
    values = {
        "OIDC_ISSUER": provider.issuer,
        "OIDC_CLIENT_ID": CLIENT_ID,
        "OIDC_CLIENT_SECRET": CLIENT_SECRET,
        "OIDC_PROJECT_ID": "",
        "OIDC_ROLES_CLAIM": ROLES_CLAIM,
        "OIDC_SCOPES": "",
        "OIDC_ENABLED": True,
        **overrides,
    }
    for name, value in values.items():
        setattr(settings, name, value)
    middleware = [m for m in settings.MIDDLEWARE if m != "apps.employees.oidc.OIDCSessionRefresh"]
    middleware.insert(
        middleware.index("django_htmx.middleware.HtmxMiddleware") + 1,
        "apps.employees.oidc.OIDCSessionRefresh",
    )
    settings.MIDDLEWARE = middleware


@pytest.fixture
def sso(db: Any, settings: Any, oidc_provider: Provider) -> Provider:
    """Single sign-on switched on against a freshly reset provider."""
    oidc_provider.reset()
    configure_sso(settings, oidc_provider)
    return oidc_provider


_FORM = re.compile(r'<form[^>]*action="([^"]+)"', re.IGNORECASE)


class SSOBrowser:
    """One user's browser: ``client`` talks to WorkmateOS, ``idp`` (with its own cookies) to the
    provider. Redirects between the two are followed by hand, so each step can be inspected."""

    def __init__(self, provider: Provider, client: Client | None = None) -> None:
        self.provider = provider
        self.client = client or Client()
        self.idp = requests.Session()
        self.authorization_url = ""

    def start(self, next_url: str | None = None) -> str:
        response = self.client.get("/oidc/authenticate/", {"next": next_url} if next_url else {})
        assert response.status_code == 302, response
        self.authorization_url = response["Location"]
        return self.authorization_url

    def at_provider(self, url: str, *, method: str = "GET", data: Any = None) -> requests.Response:
        """Follow the provider's redirects until a page or a redirect back to us."""
        response = self.idp.request(method, url, data=data, allow_redirects=False, timeout=15)
        while response.is_redirect:
            location = urljoin(response.url, response.headers["Location"])
            if not location.startswith(self.provider.issuer):
                response.headers["Location"] = location
                return response
            response = self.idp.get(location, allow_redirects=False, timeout=15)
        return response

    def sign_in_at_provider(self, url: str, login: str, password: str = PASSWORD) -> str:
        """The login form at the provider; returns the redirect back (our callback URL)."""
        page = self.at_provider(url)
        if page.is_redirect:  # the provider still knows this browser: no form
            return page.headers["Location"]
        assert page.status_code == 200, page.text
        action = _FORM.search(page.text)
        assert action, page.text
        back = self.at_provider(
            urljoin(page.url, action.group(1)),
            method="POST",
            data={"login": login, "password": password},
        )
        assert back.is_redirect, back.text
        return back.headers["Location"]

    def callback(self, url: str) -> Any:
        parts = urlsplit(url)
        assert parts.path == "/oidc/callback/", url
        return self.client.get(parts.path, parse_qs(parts.query))

    def login(self, login: str, *, next_url: str | None = None) -> Any:
        return self.callback(self.sign_in_at_provider(self.start(next_url), login))

    @property
    def user_id(self) -> str | None:
        return self.client.session.get("_auth_user_id")


def query_of(url: str) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(urlsplit(url).query).items()}
