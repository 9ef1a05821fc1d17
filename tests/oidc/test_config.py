"""Single sign-on configuration, role-claim parsing, the login page and the role admin
(no provider needed)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.urls import reverse

from apps.audit.models import AuditAction, AuditEntry
from apps.employees.models import Role
from apps.employees.oidc import OIDCBackend, role_for_claims, role_keys, scopes
from tests.employees.factories import EmployeeFactory, role_named

ZITADEL = "urn:zitadel:iam:org:project:roles"


@pytest.mark.parametrize(
    ("claim_setting", "project_id", "claims", "expected"),
    [
        (
            ZITADEL,
            "",
            {ZITADEL: {"admin": {"1": "a.example"}, "buchhaltung": {}}},
            {"admin", "buchhaltung"},
        ),
        (ZITADEL, "42", {"urn:zitadel:iam:org:project:42:roles": {"marketing": {}}}, {"marketing"}),
        (
            ZITADEL,
            "42",
            {ZITADEL: {"admin": {}}, "urn:zitadel:iam:org:project:42:roles": {"x": {}}},
            {"admin", "x"},
        ),
        (ZITADEL, "", {"urn:zitadel:iam:org:project:42:roles": {"marketing": {}}}, set()),
        ("realm_access.roles", "", {"realm_access": {"roles": ["a", "b"]}}, {"a", "b"}),
        (
            "resource_access.workmate.roles",
            "",
            {"resource_access": {"workmate": {"roles": ["c"]}}},
            {"c"},
        ),
        ("groups", "", {"groups": "a b,c"}, {"a", "b", "c"}),
        ("groups", "", {}, set()),
        ("groups", "", {"groups": 5}, set()),
    ],
)
def test_role_keys_from_claims(settings, claim_setting, project_id, claims, expected):
    settings.OIDC_ROLES_CLAIM = claim_setting
    settings.OIDC_PROJECT_ID = project_id
    assert role_keys(claims) == expected


@pytest.mark.django_db
def test_role_for_claims_prefers_priority_and_falls_back_to_default(settings):
    settings.OIDC_ROLES_CLAIM = "roles"
    assert (
        role_for_claims({"roles": ["marketing", "geschaeftsfuehrung"]}).name == "Geschäftsführung"
    )
    assert role_for_claims({"roles": ["nope"]}) == Role.objects.get(is_default=True)
    Role.objects.filter(is_default=True).update(is_default=False)
    assert role_for_claims({}) is None


def test_scopes(settings):
    settings.OIDC_SCOPES = ""
    settings.OIDC_PROJECT_ID = ""
    assert scopes() == f"openid profile email {ZITADEL}"
    settings.OIDC_PROJECT_ID = "123"
    assert scopes().endswith(" urn:zitadel:iam:org:project:id:123:aud")
    settings.OIDC_SCOPES = "openid email"
    assert scopes() == "openid email"


def _settings_in_subprocess(**env: str) -> dict:
    code = (
        "import json, workmate.settings as s; print(json.dumps({'enabled': s.OIDC_ENABLED, "
        "'backends': s.AUTHENTICATION_BACKENDS, 'middleware': s.MIDDLEWARE, "
        "'secret': s.OIDC_CLIENT_SECRET, 'issuer': s.OIDC_ISSUER, "
        "'form_action': s._csp_form_action}))"
    )
    clean = {k: v for k, v in os.environ.items() if not k.startswith("OIDC_")}
    result = subprocess.run(
        [sys.executable, "-c", code],
        env={**clean, "SECRET_KEY": "x" * 50, **env},
        capture_output=True,
        text=True,
        check=True,
        cwd=django_settings.BASE_DIR,
        timeout=60,
    )
    return json.loads(result.stdout)


def test_settings_without_sso():
    values = _settings_in_subprocess()
    assert values["enabled"] is False
    assert "apps.employees.oidc.OIDCSessionRefresh" not in values["middleware"]
    backends = values["backends"]
    assert backends.index("apps.employees.oidc.OIDCBackend") < backends.index(
        "apps.employees.backends.RoleBackend"
    )


def test_settings_with_sso_do_no_network_io(tmp_path):
    secret = tmp_path / "secret"
    secret.write_text("s3cret\n")
    # An unreachable issuer: importing the settings must not contact it.
    values = _settings_in_subprocess(
        OIDC_ISSUER="http://127.0.0.1:9/", OIDC_CLIENT_ID="app", OIDC_CLIENT_SECRET_FILE=str(secret)
    )
    assert values["enabled"] is True
    assert values["issuer"] == "http://127.0.0.1:9"
    assert values["secret"] == "s3cret"
    assert values["form_action"][-1] == "http://127.0.0.1:9"  # sign-out redirect allowed by CSP
    middleware = values["middleware"]
    assert middleware.index("apps.employees.oidc.OIDCSessionRefresh") == (
        middleware.index("django_htmx.middleware.HtmxMiddleware") + 1
    )


@pytest.mark.django_db
def test_oidc_backend_answers_no_permission_question(django_assert_num_queries):
    employee = EmployeeFactory(role=role_named("Admin"))
    backend = OIDCBackend()
    with django_assert_num_queries(0):
        assert backend.has_perm(employee, "crm.view_customer") is False
        assert backend.get_all_permissions(employee) == set()
        assert backend.has_module_perms(employee, "crm") is False
    assert employee.has_perm("crm.view_customer")  # RoleBackend still answers


@pytest.mark.django_db
def test_oidc_backend_ignores_password_credentials(rf, settings):
    settings.OIDC_ENABLED = True
    request = rf.get("/?code=x&state=y")
    assert OIDCBackend().authenticate(request, username="a@example.com", password="x") is None


# --- Login page -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_sso_views_are_404_while_sso_is_off(settings):
    settings.OIDC_ENABLED = False
    client = Client()
    assert client.get("/oidc/authenticate/").status_code == 404
    assert client.get("/oidc/callback/?code=a&state=b").status_code == 404
    page = client.get(reverse("login")).content.decode()
    assert "/oidc/authenticate/" not in page
    assert 'name="password"' in page


@pytest.mark.django_db
def test_login_page_offers_zitadel(settings):
    settings.OIDC_ENABLED = True
    page = Client().get(reverse("login") + "?next=/crm/", HTTP_ACCEPT_LANGUAGE="de")
    html = page.content.decode()
    assert 'href="/oidc/authenticate/?next=/crm/"' in html
    assert "Mit Zitadel anmelden" in html


@pytest.mark.django_db
def test_sign_in_start_is_public_not_looped(settings):
    settings.OIDC_ENABLED = True
    settings.OIDC_CLIENT_ID = "app"
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = "https://idp.example/oauth/v2/authorize"
    response = Client().get("/oidc/authenticate/")
    # Public: not redirected to the login page (which links back here: a loop).
    assert response.status_code == 302
    assert response["Location"].startswith("https://idp.example/oauth/v2/authorize?")


@pytest.mark.django_db
def test_local_login_switched_off_hides_and_refuses_the_password_form(settings):
    settings.OIDC_ENABLED = True
    settings.LOCAL_LOGIN_ENABLED = False
    settings.LOCAL_LOGIN_BREAK_GLASS = False
    employee = EmployeeFactory(email="staff@example.com")
    client = Client()
    page = client.get(reverse("login")).content.decode()
    assert 'name="password"' not in page
    assert "/oidc/authenticate/" in page
    response = client.post(
        reverse("login"), {"username": employee.email, "password": "correct horse battery"}
    )
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_break_glass_is_for_superusers_only(settings):
    settings.LOCAL_LOGIN_ENABLED = False
    settings.LOCAL_LOGIN_BREAK_GLASS = True
    superuser = EmployeeFactory(email="root@example.com", is_superuser=True)
    staff = EmployeeFactory(email="staff@example.com")
    client = Client()
    client.post(reverse("login"), {"username": staff.email, "password": "correct horse battery"})
    assert "_auth_user_id" not in client.session
    client.post(
        reverse("login"), {"username": superuser.email, "password": "correct horse battery"}
    )
    assert client.session["_auth_user_id"] == str(superuser.pk)


# --- Role admin -----------------------------------------------------------------------------------


@pytest.fixture
def superuser_client(db):
    superuser = EmployeeFactory(is_superuser=True, is_staff=True)
    client = Client()
    client.force_login(superuser, backend="apps.employees.backends.RoleBackend")
    return client


@pytest.mark.django_db
def test_role_admin_lists_the_idp_key(superuser_client):
    html = superuser_client.get("/admin/employees/role/").content.decode()
    assert "buchhaltung" in html
    assert "projektleitung" in html


@pytest.mark.django_db
def test_choosing_another_default_role_in_the_admin(superuser_client):
    previous = Role.objects.get(is_default=True)
    marketing = role_named("Marketing")
    response = superuser_client.post(
        f"/admin/employees/role/{marketing.pk}/change/",
        {
            "name": marketing.name,
            "description": marketing.description,
            "priority": marketing.priority,
            "idp_role_key": marketing.idp_role_key,
            "is_default": "on",
            "permissions": "\n".join(marketing.permissions),
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Role.objects.get(is_default=True) == marketing
    previous.refresh_from_db()
    assert previous.is_default is False
    changes = AuditEntry.objects.filter(action=AuditAction.UPDATE).values_list("changes", flat=True)
    assert {"is_default": {"old": True, "new": False}} in list(changes)


@pytest.mark.django_db
def test_duplicate_idp_key_is_a_form_error(superuser_client):
    marketing = role_named("Marketing")
    response = superuser_client.post(
        f"/admin/employees/role/{marketing.pk}/change/",
        {
            "name": marketing.name,
            "priority": marketing.priority,
            "idp_role_key": "buchhaltung",
            "permissions": "crm.*",
        },
    )
    assert response.status_code == 200
    marketing.refresh_from_db()
    assert marketing.idp_role_key == "marketing"


# --- Persona × URL ----------------------------------------------------------------------------------


@pytest.fixture
def sso_settings(settings):
    settings.OIDC_ENABLED = True
    settings.OIDC_CLIENT_ID = "app"
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = "https://idp.example/authorize"
    settings.OIDC_OP_LOGOUT_ENDPOINT = ""
    settings.OIDC_ISSUER = "https://idp.example"
    return settings


@pytest.mark.django_db
@pytest.mark.parametrize("persona", [None, "member", "admin", "outsider"])
@pytest.mark.parametrize(
    ("method", "path", "expected"),
    [
        ("get", "/oidc/authenticate/", (302, "https://idp.example/authorize?")),
        ("get", "/oidc/callback/?code=a&state=b", (302, "/accounts/login/")),
        ("get", "/oidc/logout/", (405, "")),
        ("post", "/oidc/logout/", (302, "/accounts/login/")),
    ],
)
def test_sso_urls_for_every_persona(
    request, sso_settings, client_for, persona, method, path, expected
):
    user = request.getfixturevalue(persona) if persona else None
    client = client_for(user)
    response = getattr(client, method)(path)
    status, location = expected
    assert response.status_code == status
    if location:
        assert response["Location"].startswith(location)
    if method == "post":
        assert "_auth_user_id" not in client.session


# --- System checks ----------------------------------------------------------------------------------


def _check_ids(settings, **values):
    from apps.employees.checks import oidc_configuration

    for name, value in values.items():
        setattr(settings, name, value)
    return {issue.id for issue in oidc_configuration()}


def test_checks_pass_without_sso(settings):
    assert _check_ids(settings, OIDC_ISSUER="", OIDC_CLIENT_ID="", OIDC_ENABLED=False) == set()


def test_checks_find_half_configured_and_insecure_sso(settings):
    assert "employees.I001" in _check_ids(
        settings, OIDC_ISSUER="https://idp.example", OIDC_CLIENT_ID=""
    )
    assert "employees.E002" in _check_ids(settings, OIDC_ISSUER="idp.example", OIDC_CLIENT_ID="a")
    ids = _check_ids(settings, OIDC_ISSUER="http://idp.example", OIDC_CLIENT_ID="a", DEBUG=False)
    assert "employees.W001" in ids
    assert "employees.W001" not in _check_ids(settings, OIDC_ISSUER="http://127.0.0.1:8080")


def test_check_warns_without_any_fallback_login(settings):
    ids = _check_ids(
        settings,
        OIDC_ISSUER="https://idp.example",
        OIDC_CLIENT_ID="a",
        OIDC_ENABLED=True,
        LOCAL_LOGIN_ENABLED=False,
        LOCAL_LOGIN_BREAK_GLASS=False,
    )
    assert ids == {"employees.W002"}
    assert _check_ids(settings, LOCAL_LOGIN_BREAK_GLASS=True) == set()
