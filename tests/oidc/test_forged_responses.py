"""Forged or broken provider responses are refused: no session, no employee, audited reason.

The provider itself misbehaves where it can (server.js re-signs its ID token on request); state,
nonce and code replays go through the real flow."""

from __future__ import annotations

import pytest
from django.urls import reverse

from apps.audit.models import AuditAction, AuditEntry
from apps.employees.models import Employee
from tests.oidc.provider import SSOBrowser, configure_sso, zitadel_claims

pytestmark = pytest.mark.django_db


@pytest.fixture
def erika(sso):
    sso.account("erika", **zitadel_claims(sso, email="erika@example.com", roles=("admin",)))
    return "erika"


def assert_refused(browser: SSOBrowser, response, reason: str) -> None:
    assert response.status_code == 302
    assert response["Location"] == reverse("login")
    assert browser.user_id is None
    assert "oidc_id_token" not in browser.client.session
    assert not Employee.objects.filter(oidc_sub="sub-erika").exists()
    failures = list(AuditEntry.objects.filter(action=AuditAction.LOGIN_FAILED))
    assert len(failures) == 1
    assert failures[0].message.startswith(f"oidc: {reason}"), failures[0].message
    assert not AuditEntry.objects.filter(action=AuditAction.LOGIN).exists()


@pytest.mark.parametrize(
    ("tamper", "reason"),
    [
        ({"aud": "another-client"}, "wrong audience"),
        ({"aud": ["another-client", "workmate"]}, "wrong audience"),  # azp missing → refused
        ({"aud": ["workmate", "x"], "azp": "another-client"}, "wrong audience"),
        ({"iss": "https://evil.example"}, "wrong issuer"),
        ({"exp_offset": -600}, "expired token"),
        ({"key": "unknown"}, "unknown key"),
        ({"key": "same-kid"}, "bad signature"),
        ({"alg": "none"}, "alg none"),
        ({"nonce": "forged-nonce"}, "bad nonce"),
    ],
)
def test_misbehaving_provider_is_refused(sso, erika, tamper, reason):
    sso.tamper(**tamper)
    browser = SSOBrowser(sso)
    response = browser.login(erika)
    assert_refused(browser, response, reason)


def test_project_id_in_aud_without_configured_project_is_accepted(sso, erika):
    """Zitadel's default ID token: aud = [client id, project id], azp = client id."""
    sso.tamper(aud=["workmate", sso.project_id], azp="workmate")
    browser = SSOBrowser(sso)
    browser.login(erika)
    assert browser.user_id is not None


def test_unknown_key_refetches_the_jwks_exactly_once(sso, erika):
    SSOBrowser(sso).login(erika)  # caches the JWKS
    assert sso.stats()["jwks"] == 1
    sso.tamper(key="unknown")
    SSOBrowser(sso).login(erika)
    assert sso.stats()["jwks"] == 2


def test_key_rotation_is_followed(sso, erika):
    first = SSOBrowser(sso)
    first.login(erika)
    assert first.user_id is not None
    sso.rotate()  # a new key in the JWKS; the cached JWKS does not know it yet
    second = SSOBrowser(sso)
    second.login(erika)
    assert second.user_id is not None
    stats = sso.stats()
    assert stats["jwks"] == 2
    assert stats["discovery"] == 1  # the discovery document is cached


def test_project_id_missing_from_audience_is_refused(settings, sso, erika):
    configure_sso(settings, sso, OIDC_PROJECT_ID="999999999999999999")
    browser = SSOBrowser(sso)
    assert_refused(browser, browser.login(erika), "wrong audience")


def test_state_mismatch_is_refused(sso, erika):
    browser = SSOBrowser(sso)
    callback = browser.sign_in_at_provider(browser.start(), erika)
    forged = callback.replace("state=", "state=forged")
    assert_refused(browser, browser.callback(forged), "bad state")
    assert sso.stats()["token"] == 0  # the code was never redeemed


def test_callback_without_a_started_flow_is_refused(sso, erika):
    attacker = SSOBrowser(sso)
    callback = attacker.sign_in_at_provider(attacker.start(), erika)
    victim = SSOBrowser(sso)  # login CSRF: the attacker's code in the victim's browser
    assert_refused(victim, victim.callback(callback), "bad state")


def test_replayed_callback_is_refused(sso, erika):
    browser = SSOBrowser(sso)
    callback = browser.sign_in_at_provider(browser.start(), erika)
    browser.callback(callback)
    assert browser.user_id is not None
    browser.client.logout()
    response = browser.callback(callback)  # the state was used up
    assert response["Location"] == reverse("login")
    assert browser.user_id is None
    assert AuditEntry.objects.get(action=AuditAction.LOGIN_FAILED).message == "oidc: bad state"
    assert sso.stats()["token"] == 1


def test_replayed_code_is_refused_by_the_provider(sso, erika):
    first = SSOBrowser(sso)
    used = first.sign_in_at_provider(first.start(), erika)
    first.callback(used)
    assert first.user_id is not None

    browser = SSOBrowser(sso)  # a fresh flow (valid state and nonce) carrying the used code
    fresh_state = browser.start().split("state=")[1].split("&")[0]
    code = used.split("code=")[1].split("&")[0]
    response = browser.callback(f"http://testserver/oidc/callback/?code={code}&state={fresh_state}")
    assert response["Location"] == reverse("login")
    assert browser.user_id is None
    failure = AuditEntry.objects.get(action=AuditAction.LOGIN_FAILED)
    assert failure.message.startswith("oidc: token error")
    assert "invalid_grant" in failure.message
    assert AuditEntry.objects.filter(action=AuditAction.LOGIN).count() == 1


def test_error_from_the_provider_is_audited(sso, erika):
    browser = SSOBrowser(sso)
    state = browser.start().split("state=")[1].split("&")[0]
    response = browser.callback(
        f"http://testserver/oidc/callback/?error=access_denied&state={state}"
    )
    assert_refused(browser, response, "provider error: access_denied")


def test_unreachable_provider_gives_a_message_not_an_error(settings, db):
    from django.core.cache import cache
    from django.test import Client

    cache.clear()
    settings.OIDC_ISSUER = "http://127.0.0.1:9"  # discard port: connection refused
    settings.OIDC_CLIENT_ID = "workmate"
    settings.OIDC_ENABLED = True
    settings.OIDC_TIMEOUT = 2
    client = Client()
    response = client.get("/oidc/authenticate/", follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == reverse("login")
    messages = [str(m) for m in response.context["messages"]]
    assert len(messages) == 1


def test_explicit_endpoints_need_no_discovery(settings, sso, erika):
    configure_sso(
        settings,
        sso,
        OIDC_OP_AUTHORIZATION_ENDPOINT=f"{sso.issuer}/auth",
        OIDC_OP_TOKEN_ENDPOINT=f"{sso.issuer}/token",
        OIDC_OP_USER_ENDPOINT=f"{sso.issuer}/me",
        OIDC_OP_JWKS_ENDPOINT=f"{sso.issuer}/jwks",
        OIDC_OP_LOGOUT_ENDPOINT=f"{sso.issuer}/session/end",
    )
    browser = SSOBrowser(sso)
    browser.login(erika)
    assert browser.user_id is not None
    assert sso.stats()["discovery"] == 0


def test_refusals_from_one_address_cannot_flood_the_audit_log(sso):
    from apps.employees.oidc import AUDITED_FAILURES_PER_IP

    browser = SSOBrowser(sso)
    for _ in range(AUDITED_FAILURES_PER_IP + 5):
        response = browser.client.get("/oidc/callback/?code=x&state=forged")
        assert response["Location"] == reverse("login")
    failures = AuditEntry.objects.filter(action=AuditAction.LOGIN_FAILED).count()
    assert failures == AUDITED_FAILURES_PER_IP
