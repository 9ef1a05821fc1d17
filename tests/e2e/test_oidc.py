"""Journey: single sign-on through a real OpenID provider (tests/oidc/server.js) in Chromium:
open WorkmateOS, "Mit Zitadel anmelden", sign in at the provider, land on the start page as the
onboarded employee, sign out (at the provider too)."""

from __future__ import annotations

import importlib
import re

import pytest
from playwright.sync_api import expect

from apps.employees.models import Employee
from tests.oidc.provider import PASSWORD, configure_sso, oidc_provider, zitadel_claims

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

__all__ = ["oidc_provider"]  # the session-wide provider fixture


@pytest.fixture
def default_roles(transactional_db):
    """The default roles of the data migration (a kept test database may have lost them to an
    earlier transactional test's flush); idempotent."""
    from django.apps import apps as django_apps

    migration = importlib.import_module("apps.employees.migrations.0002_default_roles")
    migration.create_roles(django_apps, None)


def test_sign_in_with_zitadel_onboards_and_signs_out(
    page, live_server, settings, oidc_provider, default_roles
):
    oidc_provider.reset()
    configure_sso(settings, oidc_provider)
    # Signing out redirects a form POST to the provider: the CSP form-action must allow it (the
    # settings add the issuer's origin when OIDC_ISSUER is set at start-up).
    settings.SECURE_CSP = {
        **settings.SECURE_CSP,
        "form-action": [*settings.SECURE_CSP["form-action"], oidc_provider.issuer],
    }
    oidc_provider.account(
        "jana",
        **zitadel_claims(
            oidc_provider,
            email="jana.neu@example.com",
            given_name="Jana",
            family_name="Neu",
            roles=("projektleitung",),
        ),
    )

    page.goto("/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/$"))
    page.get_by_role("link", name="Mit Zitadel anmelden").click()

    # The provider's sign-in page.
    expect(page).to_have_url(re.compile(rf"^{re.escape(oidc_provider.issuer)}/interaction/"))
    page.locator("#login").fill("jana")
    page.locator("#password").fill(PASSWORD)
    page.locator("#submit").click()

    # Back on the start page, onboarded.
    expect(page.get_by_role("heading", level=1)).to_contain_text("Hallo, Jana")
    expect(page).to_have_url(f"{live_server.url}/")
    employee = Employee.objects.get(oidc_sub="sub-jana")
    assert employee.email == "jana.neu@example.com"
    assert employee.role.name == "Projektleitung"
    assert re.fullmatch(r"KIT-\d{4}", employee.code)

    # Sign out: WorkmateOS, then the provider (confirm), then back to our login page.
    page.locator("details.user-menu summary").click()
    page.get_by_test_id("logout").click()
    expect(page).to_have_url(re.compile(rf"^{re.escape(oidc_provider.issuer)}/session/end"))
    page.get_by_role("button", name="Yes, sign me out").click()
    expect(page).to_have_url(f"{live_server.url}/accounts/login/")
    expect(page.get_by_role("link", name="Mit Zitadel anmelden")).to_be_visible()

    page.goto("/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/$"))
    # The provider session ended too: signing in again asks for the password.
    page.get_by_role("link", name="Mit Zitadel anmelden").click()
    expect(page.locator("#password")).to_be_visible()
