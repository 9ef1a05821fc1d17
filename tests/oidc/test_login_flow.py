"""The authorization code flow with PKCE against the real provider: onboarding, sync, roles."""

from __future__ import annotations

import pytest
from django.urls import reverse

from apps.audit.models import AuditAction, AuditEntry
from apps.employees.models import Employee, Role
from tests.employees.factories import EmployeeFactory, role_named
from tests.oidc.provider import (
    PUBLIC_CLIENT_ID,
    SSOBrowser,
    configure_sso,
    query_of,
    zitadel_claims,
)

pytestmark = pytest.mark.django_db


def test_first_sign_in_onboards_the_employee_with_next_code_and_mapped_role(sso):
    EmployeeFactory(email="first@example.com")  # takes a code, so the next one is visible
    latest = Employee.objects.order_by("-code").first()
    sso.account(
        "erika",
        **zitadel_claims(sso, email="Erika@Example.com", roles=("projektleitung",)),
    )
    browser = SSOBrowser(sso)

    authorization_url = browser.start()
    params = query_of(authorization_url)
    assert authorization_url.startswith(f"{sso.issuer}/auth?")
    assert params["code_challenge_method"] == "S256"
    assert len(params["code_challenge"]) == 43
    assert params["scope"] == "openid profile email urn:zitadel:iam:org:project:roles"
    assert params["redirect_uri"] == "http://testserver/oidc/callback/"
    assert params["nonce"] and params["state"]

    response = browser.callback(browser.sign_in_at_provider(authorization_url, "erika"))

    assert response.status_code == 302
    assert response["Location"] == reverse("dashboards:home")
    employee = Employee.objects.get(oidc_sub="sub-erika")
    number = int(latest.code.split("-")[1]) + 1
    assert employee.code == f"KIT-{number:04d}"
    assert employee.email == "erika@example.com"
    assert (employee.first_name, employee.last_name) == ("Erika", "Mustermann")
    assert employee.role == role_named("Projektleitung")
    assert not employee.has_usable_password()
    assert browser.user_id == str(employee.pk)
    assert browser.client.session["_auth_user_backend"] == "apps.employees.oidc.OIDCBackend"
    assert browser.client.session["oidc_id_token"].count(".") == 2
    assert browser.client.get(reverse("dashboards:home")).status_code == 200
    entries = AuditEntry.objects.filter(object_id=str(employee.pk))
    assert entries.filter(action=AuditAction.CREATE).count() == 1
    assert entries.get(action=AuditAction.LOGIN).message == "oidc"
    assert sso.stats()["token"] == 1


def test_next_page_is_kept_through_the_provider(sso):
    sso.account("erika", **zitadel_claims(sso, email="erika@example.com"))
    browser = SSOBrowser(sso)
    response = browser.login("erika", next_url="/employees/")
    assert response["Location"] == "/employees/"


def test_foreign_next_page_is_ignored(sso):
    sso.account("erika", **zitadel_claims(sso, email="erika@example.com"))
    response = SSOBrowser(sso).login("erika", next_url="https://evil.example/")
    assert response["Location"] == reverse("dashboards:home")


def test_every_sign_in_syncs_name_email_and_role(sso):
    sso.account("erika", **zitadel_claims(sso, email="erika@example.com", roles=("mitarbeiter",)))
    SSOBrowser(sso).login("erika")
    employee = Employee.objects.get(oidc_sub="sub-erika")
    assert employee.role == role_named("Mitarbeiter")

    sso.account(
        "erika",
        **zitadel_claims(
            sso,
            email="erika.neu@example.com",
            given_name="Erika",
            family_name="Neumann",
            roles=("buchhaltung",),
        ),
    )
    browser = SSOBrowser(sso)
    browser.login("erika")

    employee.refresh_from_db()
    assert browser.user_id == str(employee.pk)
    assert Employee.objects.filter(oidc_sub="sub-erika").count() == 1
    assert (employee.last_name, employee.email) == ("Neumann", "erika.neu@example.com")
    assert employee.role == role_named("Buchhaltung")
    update = AuditEntry.objects.filter(object_id=str(employee.pk), action=AuditAction.UPDATE).get()
    assert set(update.changes) == {"last_name", "email", "role"}


def test_unchanged_sign_in_writes_no_update(sso):
    sso.account("erika", **zitadel_claims(sso, email="erika@example.com", roles=("marketing",)))
    SSOBrowser(sso).login("erika")
    SSOBrowser(sso).login("erika")
    employee = Employee.objects.get(oidc_sub="sub-erika")
    entries = AuditEntry.objects.filter(object_id=str(employee.pk))
    assert not entries.filter(action=AuditAction.UPDATE).exists()
    assert entries.filter(action=AuditAction.LOGIN).count() == 2


@pytest.mark.parametrize(
    ("keys", "expected"),
    [
        (("projektleitung", "buchhaltung"), "Buchhaltung"),
        (("mitarbeiter", "admin", "marketing"), "Admin"),
        (("unknown-role", "marketing"), "Marketing"),
    ],
)
def test_several_mapped_roles_give_the_highest_priority(sso, keys, expected):
    sso.account("erika", **zitadel_claims(sso, email="erika@example.com", roles=keys))
    SSOBrowser(sso).login("erika")
    assert Employee.objects.get(oidc_sub="sub-erika").role == role_named(expected)


@pytest.mark.parametrize("keys", [(), ("unknown-role",)])
def test_no_mapped_role_gives_the_default_role(sso, keys):
    default = Role.objects.get(is_default=True)
    sso.account("erika", **zitadel_claims(sso, email="erika@example.com", roles=keys))
    SSOBrowser(sso).login("erika")
    assert Employee.objects.get(oidc_sub="sub-erika").role == default


def test_default_role_chosen_in_the_admin_is_used(sso):
    marketing = role_named("Marketing")
    marketing.is_default = True
    from apps.employees.services import role_save

    role_save(actor=None, role=marketing)
    sso.account("erika", **zitadel_claims(sso, email="erika@example.com"))
    SSOBrowser(sso).login("erika")
    assert Employee.objects.get(oidc_sub="sub-erika").role == marketing


def test_project_audience_and_project_roles_claim(settings, sso):
    """Zitadel with OIDC_PROJECT_ID: the audience scope is requested, the project id is in
    ``aud`` and the roles come from ``urn:zitadel:iam:org:project:<id>:roles`` as well."""
    configure_sso(settings, sso, OIDC_PROJECT_ID=sso.project_id)
    claims = zitadel_claims(sso, email="erika@example.com")
    claims[f"urn:zitadel:iam:org:project:{sso.project_id}:roles"] = sso.roles("geschaeftsfuehrung")
    sso.account("erika", **claims)
    browser = SSOBrowser(sso)
    scope = query_of(browser.start())["scope"].split()
    assert f"urn:zitadel:iam:org:project:id:{sso.project_id}:aud" in scope

    browser.callback(browser.sign_in_at_provider(browser.authorization_url, "erika"))

    assert browser.user_id is not None
    assert Employee.objects.get(oidc_sub="sub-erika").role == role_named("Geschäftsführung")


def test_keycloak_style_list_claim(settings, sso):
    configure_sso(
        settings,
        sso,
        OIDC_ROLES_CLAIM="realm_access.roles",
        OIDC_SCOPES="openid profile email roles",
    )
    sso.account(
        "erika",
        **zitadel_claims(
            sso, email="erika@example.com", realm_access={"roles": ["offline", "marketing"]}
        ),
    )
    SSOBrowser(sso).login("erika")
    assert Employee.objects.get(oidc_sub="sub-erika").role == role_named("Marketing")


def test_public_client_with_pkce_and_no_secret(settings, sso):
    configure_sso(settings, sso, OIDC_CLIENT_ID=PUBLIC_CLIENT_ID, OIDC_CLIENT_SECRET="")
    sso.account("erika", **zitadel_claims(sso, email="erika@example.com"))
    browser = SSOBrowser(sso)
    browser.login("erika")
    assert browser.user_id is not None


def test_wrong_password_at_the_provider_stays_there(sso):
    sso.account("erika", **zitadel_claims(sso, email="erika@example.com"))
    browser = SSOBrowser(sso)
    page = browser.at_provider(browser.start())
    action = page.text.split('action="')[1].split('"')[0]
    response = browser.at_provider(
        sso.issuer + action, method="POST", data={"login": "erika", "password": "wrong"}
    )
    assert response.status_code == 200
    assert "Wrong login name or password" in response.text
    assert not Employee.objects.filter(oidc_sub="sub-erika").exists()


# --- Existing employees ----------------------------------------------------------------------------


def test_existing_employee_is_linked_when_the_email_is_verified(sso):
    existing = EmployeeFactory(email="erika@example.com", role=role_named("Marketing"))
    sso.account(
        "erika", **zitadel_claims(sso, email="erika@example.com", roles=("projektleitung",))
    )
    browser = SSOBrowser(sso)
    browser.login("erika")
    existing.refresh_from_db()
    assert existing.oidc_sub == "sub-erika"
    assert existing.role == role_named("Projektleitung")
    assert browser.user_id == str(existing.pk)
    assert Employee.objects.filter(email="erika@example.com").count() == 1


def test_unverified_email_does_not_link_an_existing_employee(sso):
    existing = EmployeeFactory(email="erika@example.com")
    sso.account("erika", **zitadel_claims(sso, email="erika@example.com", email_verified=False))
    browser = SSOBrowser(sso)
    response = browser.login("erika")

    assert response.status_code == 302
    assert response["Location"] == reverse("login")
    assert browser.user_id is None
    existing.refresh_from_db()
    assert existing.oidc_sub is None
    entry = AuditEntry.objects.filter(action=AuditAction.LOGIN_FAILED).get()
    assert entry.message == "oidc: unverified e-mail"
    assert entry.object_id == str(existing.pk)
    page = browser.client.get(reverse("login"))
    assert "not verified" in page.content.decode() or "nicht bestätigt" in page.content.decode()


def test_email_of_another_identity_is_not_taken_over(sso):
    EmployeeFactory(email="erika@example.com", oidc_sub="someone-else")
    sso.account("erika", **zitadel_claims(sso, email="erika@example.com"))
    browser = SSOBrowser(sso)
    browser.login("erika")
    assert browser.user_id is None
    assert not Employee.objects.filter(oidc_sub="sub-erika").exists()
    entry = AuditEntry.objects.filter(action=AuditAction.LOGIN_FAILED).get()
    assert entry.message.startswith("oidc: e-mail conflict")


def test_inactive_employee_is_refused_although_the_provider_lets_them_in(sso):
    employee = EmployeeFactory(
        email="erika@example.com", oidc_sub="sub-erika", status=Employee.Status.INACTIVE
    )
    sso.account("erika", **zitadel_claims(sso, email="erika@example.com", family_name="Geändert"))
    browser = SSOBrowser(sso)
    response = browser.login("erika")

    assert response["Location"] == reverse("login")
    assert browser.user_id is None
    employee.refresh_from_db()
    assert employee.last_name != "Geändert"  # nothing synced for an inactive employee
    entry = AuditEntry.objects.filter(action=AuditAction.LOGIN_FAILED).get()
    assert entry.message == "oidc: inactive user"
    page = browser.client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="de")
    assert "Ihr Konto ist deaktiviert" in page.content.decode()


def test_changed_email_that_belongs_to_someone_else_is_refused(sso):
    other = EmployeeFactory(email="taken@example.com")
    sso.account("erika", **zitadel_claims(sso, email="erika@example.com"))
    SSOBrowser(sso).login("erika")
    sso.account("erika", **zitadel_claims(sso, email="taken@example.com"))
    browser = SSOBrowser(sso)
    browser.login("erika")
    assert browser.user_id is None
    employee = Employee.objects.get(oidc_sub="sub-erika")
    assert employee.email == "erika@example.com"
    other.refresh_from_db()
    assert other.oidc_sub is None
    failure = AuditEntry.objects.get(action=AuditAction.LOGIN_FAILED)
    assert failure.message.startswith("oidc: e-mail conflict")


def test_session_ends_when_the_employee_is_deactivated(sso):
    from apps.employees.services import employee_deactivate

    sso.account("erika", **zitadel_claims(sso, email="erika@example.com"))
    browser = SSOBrowser(sso)
    browser.login("erika")
    employee_deactivate(actor=None, employee=Employee.objects.get(oidc_sub="sub-erika"))
    response = browser.client.get(reverse("dashboards:home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_sso_after_another_users_session_keeps_token_and_next_page(sso):
    other = EmployeeFactory()
    sso.account("erika", **zitadel_claims(sso, email="erika@example.com"))
    browser = SSOBrowser(sso)
    browser.client.force_login(other, backend="apps.employees.backends.RoleBackend")
    response = browser.login("erika", next_url="/employees/")
    employee = Employee.objects.get(oidc_sub="sub-erika")
    assert browser.user_id == str(employee.pk)
    assert response["Location"] == "/employees/"
    assert browser.client.session["oidc_id_token"]
    assert browser.client.session["oidc_id_token_expiration"] > 0
