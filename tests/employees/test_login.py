"""Local sign-in: inactive employees, rate limiting (django-axes), switching password login off."""

from __future__ import annotations

import pytest
from django.test import override_settings
from django.urls import reverse

from apps.audit.models import AuditAction, AuditEntry
from tests.employees.factories import EmployeeFactory, role_named

pytestmark = pytest.mark.django_db

PASSWORD = "richtig-geheim-123"


def _login(client, email, password=PASSWORD, ip="198.51.100.1"):
    return client.post(reverse("login"), {"username": email, "password": password}, REMOTE_ADDR=ip)


def test_login_page_is_public_and_german(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert 'lang="de"' in response.text
    assert "Anmelden" in response.text


def test_signed_in_user_is_sent_on_from_the_login_page(client_for, member):
    response = client_for(member).get(reverse("login"))
    assert response.status_code == 302


def test_active_employee_signs_in_and_lands_on_the_start_page(client):
    employee = EmployeeFactory(password=PASSWORD)
    response = _login(client, employee.email)
    assert response.status_code == 302
    assert response["Location"] == reverse("dashboards:home")


def test_login_is_case_insensitive_for_the_email(client):
    employee = EmployeeFactory(email="gerda@example.com", password=PASSWORD)
    assert _login(client, "Gerda@Example.COM").status_code == 302
    assert client.get("/").wsgi_request.user == employee


def test_wrong_password_shows_a_german_error(client):
    employee = EmployeeFactory(password=PASSWORD)
    response = _login(client, employee.email, "falsch-falsch")
    assert response.status_code == 200
    assert "E-Mail-Adresse oder Passwort ist falsch" in response.text


def test_inactive_employee_cannot_sign_in_and_is_told_why(client):
    employee = EmployeeFactory(password=PASSWORD, status="inactive")
    response = _login(client, employee.email)
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert "Ihr Konto ist deaktiviert" in response.text


def test_inactive_employee_sign_in_attempt_is_audited(client):
    employee = EmployeeFactory(password=PASSWORD, status="inactive")
    _login(client, employee.email)
    entry = AuditEntry.objects.filter(action=AuditAction.LOGIN_FAILED).get()
    assert entry.object_id == str(employee.pk)
    assert entry.message == "account inactive"
    assert not AuditEntry.objects.filter(action=AuditAction.LOGIN).exists()


def test_deactivated_employee_loses_the_running_session(client_for):
    from apps.employees import services

    employee = EmployeeFactory(role=role_named("Mitarbeiter"))
    client = client_for(employee)
    assert client.get(reverse("employees:employee_list")).status_code == 200
    services.employee_deactivate(actor=None, employee=employee)
    response = client.get(reverse("employees:employee_list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@override_settings(AXES_FAILURE_LIMIT=3)
def test_too_many_failures_for_one_username_lock_it_out(client):
    employee = EmployeeFactory(password=PASSWORD)
    for attempt in range(3):
        _login(client, employee.email, "falsch-falsch", ip=f"198.51.100.{attempt + 10}")
    # Even the right password from yet another address is refused now.
    response = _login(client, employee.email, PASSWORD, ip="198.51.100.99")
    assert response.status_code == 429
    assert "Zu viele fehlgeschlagene Anmeldeversuche" in response.text
    assert "_auth_user_id" not in client.session


@override_settings(AXES_FAILURE_LIMIT=3)
def test_too_many_failures_from_one_address_lock_it_out(client):
    employee = EmployeeFactory(password=PASSWORD)
    for attempt in range(3):
        _login(client, f"raten{attempt}@example.com", "falsch-falsch", ip="203.0.113.50")
    response = _login(client, employee.email, PASSWORD, ip="203.0.113.50")
    assert response.status_code == 429
    assert "Zu viele fehlgeschlagene Anmeldeversuche" in response.text
    # The same account from another address still works: the lockout was per address.
    assert _login(client, employee.email, PASSWORD, ip="203.0.113.51").status_code == 302


def test_failures_below_the_limit_do_not_lock(client, settings):
    employee = EmployeeFactory(password=PASSWORD)
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _login(client, employee.email, "falsch-falsch")
    assert _login(client, employee.email).status_code == 302


@override_settings(LOCAL_LOGIN_ENABLED=False, LOCAL_LOGIN_BREAK_GLASS=False)
def test_password_login_can_be_switched_off(client):
    employee = EmployeeFactory(password=PASSWORD, is_superuser=True, is_staff=True)
    response = _login(client, employee.email)
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert 'name="password"' not in response.text


@override_settings(LOCAL_LOGIN_ENABLED=False, LOCAL_LOGIN_BREAK_GLASS=True)
def test_break_glass_allows_superusers_only(client):
    superuser = EmployeeFactory(password=PASSWORD, is_superuser=True, is_staff=True)
    staff = EmployeeFactory(password=PASSWORD, role=role_named("Admin"), is_staff=True)
    response = _login(client, staff.email)
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert _login(client, superuser.email).status_code == 302
    assert client.session["_auth_user_id"] == str(superuser.pk)


def test_logout_needs_post(client_for, member):
    client = client_for(member)
    assert client.get(reverse("logout")).status_code == 405
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_login_redirect_to_next_stays_on_our_site(client):
    employee = EmployeeFactory(password=PASSWORD, role=role_named("Mitarbeiter"))
    response = client.post(
        reverse("login"),
        {"username": employee.email, "password": PASSWORD, "next": "https://evil.example/"},
    )
    assert response["Location"] == reverse("dashboards:home")
    client.logout()
    response = client.post(
        reverse("login"),
        {"username": employee.email, "password": PASSWORD, "next": "/employees/"},
    )
    assert response["Location"] == "/employees/"


def test_htmx_request_of_a_signed_out_user_gets_hx_redirect(client):
    response = client.get(
        reverse("employees:employee_list"),
        headers={"HX-Request": "true", "HX-Current-URL": "http://testserver/employees/?q=a"},
    )
    assert response.status_code == 200
    assert response["HX-Redirect"].startswith(reverse("login"))
