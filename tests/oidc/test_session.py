"""Signing out at the provider too, and renewing an expired SSO session (htmx: HX-Redirect)."""

from __future__ import annotations

import re
import time
from urllib.parse import urljoin

import pytest
from django.test import Client
from django.urls import reverse

from apps.audit.models import AuditAction, AuditEntry
from apps.employees.models import Employee
from tests.employees.factories import EmployeeFactory
from tests.oidc.provider import SSOBrowser, query_of, zitadel_claims

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(sso) -> SSOBrowser:
    sso.account("erika", **zitadel_claims(sso, email="erika@example.com", roles=("marketing",)))
    browser = SSOBrowser(sso)
    browser.login("erika")
    assert browser.user_id is not None
    return browser


def expire(browser: SSOBrowser) -> None:
    session = browser.client.session
    session["oidc_id_token_expiration"] = time.time() - 1
    session.save()


@pytest.mark.parametrize("logout_path", ["/accounts/logout/", "/oidc/logout/"])
def test_sign_out_ends_the_provider_session(sso, signed_in, logout_path):
    id_token = signed_in.client.session["oidc_id_token"]
    response = signed_in.client.post(logout_path)

    assert response.status_code == 302
    location = response["Location"]
    assert location.startswith(f"{sso.issuer}/session/end?")
    params = query_of(location)
    assert params["id_token_hint"] == id_token
    assert params["post_logout_redirect_uri"] == "http://testserver/accounts/login/"
    assert params["client_id"] == "workmate"
    assert signed_in.user_id is None
    employee = Employee.objects.get(oidc_sub="sub-erika")
    assert AuditEntry.objects.filter(action=AuditAction.LOGOUT, object_id=str(employee.pk)).exists()

    # The provider accepts the request, asks for confirmation and sends the browser back.
    page = signed_in.at_provider(location)
    assert page.status_code == 200, page.text
    form = re.search(r'<form id="op.logoutForm"[^>]*action="([^"]+)"', page.text)
    xsrf = re.search(r'name="xsrf" value="([^"]+)"', page.text)
    assert form and xsrf, page.text
    back = signed_in.at_provider(
        urljoin(page.url, form.group(1)),
        method="POST",
        data={"xsrf": xsrf.group(1), "logout": "yes"},
    )
    assert back.is_redirect
    assert back.headers["Location"] == "http://testserver/accounts/login/"
    assert sso.stats()["end_session"] >= 2
    # The provider session is gone: the next sign-in asks for the password again.
    again = signed_in.at_provider(signed_in.start())
    assert again.status_code == 200 and "password" in again.text


def test_sign_out_via_get_is_not_allowed(sso, signed_in):
    assert signed_in.client.get("/oidc/logout/").status_code == 405
    assert signed_in.user_id is not None


def test_password_sign_out_stays_local_when_sso_is_off(db):
    employee = EmployeeFactory()
    client = Client()
    client.force_login(employee, backend="apps.employees.backends.RoleBackend")
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert response["Location"] == reverse("login")
    assert "_auth_user_id" not in client.session


def test_password_session_is_not_sent_to_the_provider(sso):
    employee = EmployeeFactory()
    client = Client()
    client.force_login(employee, backend="apps.employees.backends.RoleBackend")
    assert client.get(reverse("dashboards:home")).status_code == 200
    response = client.post(reverse("logout"))
    assert response["Location"] == reverse("login")


def test_valid_token_needs_no_renewal(sso, signed_in):
    assert signed_in.client.get(reverse("dashboards:home")).status_code == 200


def test_expired_token_is_renewed_through_the_provider_without_losing_the_page(sso, signed_in):
    expire(signed_in)
    response = signed_in.client.get("/employees/?page=1")

    assert response.status_code == 302
    location = response["Location"]
    assert location.startswith(f"{sso.issuer}/auth?")
    params = query_of(location)
    assert params["prompt"] == "none"
    assert params["code_challenge_method"] == "S256"

    back = signed_in.at_provider(location)  # the provider session answers without a form
    assert back.is_redirect
    result = signed_in.callback(back.headers["Location"])
    assert result["Location"] == "/employees/?page=1"
    assert signed_in.user_id is not None
    assert signed_in.client.session["oidc_id_token_expiration"] > time.time()
    assert signed_in.client.get("/employees/?page=1").status_code == 200


def test_htmx_request_with_expired_token_gets_hx_redirect(sso, signed_in):
    expire(signed_in)
    response = signed_in.client.get(
        "/employees/?q=a",
        headers={
            "HX-Request": "true",
            "HX-Target": "employee-results",
            "HX-Current-URL": "http://testserver/employees/?q=a",
        },
    )

    assert response.status_code == 200
    assert "Location" not in response
    target = response["HX-Redirect"]
    assert target.startswith(f"{sso.issuer}/auth?")
    assert query_of(target)["prompt"] == "none"
    assert b"<html" not in response.content
    # After the renewal the whole page comes back, not the fragment's URL.
    back = signed_in.at_provider(target)
    result = signed_in.callback(back.headers["Location"])
    assert result["Location"] == "/employees/?q=a"


def test_failed_renewal_ends_the_session(sso, signed_in):
    expire(signed_in)
    location = signed_in.client.get(reverse("dashboards:home"))["Location"]
    signed_in.idp.cookies.clear()  # the provider session ended meanwhile
    back = signed_in.at_provider(location)
    assert "error=login_required" in back.headers["Location"]
    response = signed_in.callback(back.headers["Location"])
    assert response["Location"] == reverse("login")
    assert signed_in.user_id is None
    failure = AuditEntry.objects.get(action=AuditAction.LOGIN_FAILED)
    assert failure.message == "oidc: provider error: login_required"
