from io import StringIO

import pytest
from django.core.management import call_command
from schwifty import IBAN
from stdnum.de import stnr
from stdnum.eu import vat

from apps.audit.models import AuditEntry
from apps.common.models import NumberSequence
from apps.company.selectors import company_get
from apps.employees.models import Department, Employee, Role


def _seed(size: str = "small") -> str:
    out = StringIO()
    call_command("seed_demo", size=size, stdout=out)
    return out.getvalue()


def _state() -> tuple:
    return (
        list(Employee.objects.order_by("pk").values_list("pk", "code", "email", "reports_to")),
        list(Department.objects.order_by("pk").values_list("pk", "manager")),
        AuditEntry.objects.count(),
        list(NumberSequence.objects.order_by("key").values_list("key", "last_value")),
        company_get().name,
    )


@pytest.mark.django_db
def test_seed_demo_small_creates_a_team_across_every_default_role():
    output = _seed()
    roles_used = set(Employee.objects.values_list("role__name", flat=True))
    assert roles_used >= set(Role.objects.values_list("name", flat=True))
    assert 10 <= Employee.objects.count() <= 20
    assert "admin@example.com" in output
    assert "workmate-demo" in output


@pytest.mark.django_db
def test_seed_demo_admin_can_sign_in_with_the_demo_password(client, settings):
    _seed()
    admin = Employee.objects.get(email="admin@example.com")
    assert admin.is_superuser and admin.is_staff and admin.role.name == "Admin"
    assert admin.check_password(settings.DEMO_PASSWORD)
    response = client.post(
        "/accounts/login/", {"username": "admin@example.com", "password": settings.DEMO_PASSWORD}
    )
    assert response.status_code == 302
    assert client.get("/").status_code == 200


@pytest.mark.django_db
def test_seed_demo_company_has_valid_identifiers():
    _seed()
    company = company_get()
    assert company.name != "Meine Firma"
    IBAN(company.iban)
    assert vat.is_valid(company.vat_id)
    assert stnr.is_valid(company.tax_number)
    assert company.managing_directors
    company.full_clean()


@pytest.mark.django_db
def test_seed_demo_twice_changes_nothing():
    _seed()
    before = _state()
    _seed()
    assert _state() == before


@pytest.mark.django_db
def test_seed_demo_large_reaches_200_employees_with_gapless_codes_and_is_idempotent():
    _seed("large")
    assert Employee.objects.count() == 200
    numbers = sorted(
        int(code.split("-")[1]) for code in Employee.objects.values_list("code", flat=True)
    )
    assert numbers == list(range(numbers[0], numbers[0] + 200))
    before = _state()
    _seed("large")
    assert _state() == before


@pytest.mark.django_db
def test_seed_demo_keeps_the_audit_chain_intact():
    _seed("large")
    out = StringIO()
    call_command("verify_audit_log", stdout=out)
    assert "intact" in out.getvalue()
