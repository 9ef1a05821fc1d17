from __future__ import annotations

import pytest
from django.urls import reverse

from apps.audit.models import AuditAction, AuditEntry
from apps.crm.models import Customer
from tests.crm.factories import ContactFactory, CustomerFactory
from tests.employees.factories import EmployeeFactory, role_named
from tests.projects.factories import ProjectFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def marketing(db):  # type: ignore[no-untyped-def]
    return EmployeeFactory(role=role_named("Marketing"), first_name="Mara", last_name="Marketing")


VALID = {
    "name": "Müller GmbH",
    "type": "b2b",
    "status": "lead",
    "stage": "new_lead",
    "email": "info@mueller.example",
    "country": "DE",
    "vat_id": "DE136695976",
    "leitweg_id": "04011000-1234512345-06",
    "vat_treatment": "domestic",
}


# --- Permission matrix ----------------------------------------------------------------------------

READ_URLS = [
    lambda c: reverse("crm:customer_list"),
    lambda c: reverse("crm:customer_detail", args=[c.pk]),
    lambda c: reverse("crm:customer_detail", args=[c.pk]) + "?tab=timeline",
    lambda c: reverse("crm:pipeline"),
    lambda c: reverse("crm:customer_export") + "?format=csv",
    lambda c: reverse("crm:customer_lookup") + "?q=ab",
]
WRITE_GET_URLS = [
    lambda c: reverse("crm:customer_create"),
    lambda c: reverse("crm:customer_edit", args=[c.pk]),
    lambda c: reverse("crm:customer_import"),
]


@pytest.mark.parametrize("url", READ_URLS)
@pytest.mark.parametrize(
    ("persona", "status"),
    [("admin", 200), ("manager", 200), ("marketing", 200), ("member", 200), ("outsider", 403)],
)
def test_customer_read_pages_permission_matrix(request, client_for, url, persona, status):
    customer = CustomerFactory()
    user = request.getfixturevalue(persona)
    path = url(customer)
    # Object pages answer 404 to someone who may not even view: existence is not revealed.
    expected = 404 if status == 403 and f"/{customer.pk}/" in path else status
    assert client_for(user).get(path).status_code == expected


@pytest.mark.parametrize("url", WRITE_GET_URLS)
@pytest.mark.parametrize(
    ("persona", "status"),
    [("admin", 200), ("manager", 200), ("marketing", 200), ("member", 403), ("outsider", 403)],
)
def test_customer_write_pages_permission_matrix(request, client_for, url, persona, status):
    customer = CustomerFactory()
    user = request.getfixturevalue(persona)
    response = client_for(user).get(url(customer))
    # Someone without view permission does not learn that the customer exists.
    expected = 404 if persona == "outsider" and "/edit/" in url(customer) else status
    assert response.status_code == expected


@pytest.mark.parametrize(
    ("persona", "status"),
    [("admin", 302), ("manager", 302), ("marketing", 302), ("member", 403), ("outsider", 404)],
)
def test_customer_post_actions_permission_matrix(request, client_for, persona, status):
    user = request.getfixturevalue(persona)
    client = client_for(user)
    for name in ("customer_deactivate", "customer_delete"):
        customer = CustomerFactory()
        assert client.post(reverse(f"crm:{name}", args=[customer.pk])).status_code == status


def test_customer_list_anonymous_redirects_to_login(client):
    response = client.get(reverse("crm:customer_list"))
    assert response.status_code == 302
    assert "login" in response["Location"] or "oidc" in response["Location"]


# --- List: search, filter, sort, htmx, queries ----------------------------------------------------


def test_customer_list_finds_umlaut_name_case_and_accent_folded(client_for, admin):
    CustomerFactory(name="Müller GmbH")
    CustomerFactory(name="Schmidt AG")
    client = client_for(admin)
    for query in ("muller", "MÜLLER", "mueller", "Müll"):
        response = client.get(reverse("crm:customer_list"), {"q": query})
        assert "Müller GmbH" in response.text, query
        assert "Schmidt AG" not in response.text


def test_customer_list_search_covers_number_email_city_and_contacts(client_for, admin):
    customer = CustomerFactory(name="Alpha KG", email="post@alpha.example", city="Köln")
    ContactFactory(customer=customer, first_name="Jürgen", last_name="Weiß")
    CustomerFactory(name="Beta AG", city="Berlin")
    client = client_for(admin)
    for query in (customer.number, "post@alpha", "koln", "jurgen weiss", "Weiß"):
        response = client.get(reverse("crm:customer_list"), {"q": query})
        assert "Alpha KG" in response.text, query
        assert "Beta AG" not in response.text, query


def test_customer_list_filters_by_status_stage_city_and_manager(client_for, admin, manager):
    CustomerFactory(name="Lead Köln", status="lead", stage="qualified", city="Köln")
    CustomerFactory(
        name="Aktiv Bonn", status="active", stage="won", city="Bonn", account_manager=manager
    )
    client = client_for(admin)
    url = reverse("crm:customer_list")
    assert "Aktiv Bonn" not in client.get(url, {"status": "lead"}).text
    assert "Lead Köln" not in client.get(url, {"stage": "won"}).text
    assert "Aktiv Bonn" not in client.get(url, {"city": "KÖLN"}).text
    response = client.get(url, {"account_manager": manager.pk})
    assert "Aktiv Bonn" in response.text and "Lead Köln" not in response.text


def test_customer_list_sorts_descending(client_for, admin):
    CustomerFactory(name="Aaa GmbH")
    CustomerFactory(name="Zzz GmbH")
    text = client_for(admin).get(reverse("crm:customer_list"), {"ordering": "-name"}).text
    assert text.index("Zzz GmbH") < text.index("Aaa GmbH")


def test_customer_list_htmx_returns_results_fragment(client_for, admin):
    CustomerFactory(name="Fragment GmbH")
    response = client_for(admin).get(
        reverse("crm:customer_list"),
        {"q": "fragment"},
        headers={"HX-Request": "true", "HX-Target": "customer-results"},
    )
    assert response.status_code == 200
    assert "<html" not in response.text
    assert "Fragment GmbH" in response.text
    assert 'id="customer-row-' in response.text
    assert "HX-Request" in response["Vary"]


def test_customer_list_history_restore_gets_whole_page(client_for, admin):
    response = client_for(admin).get(
        reverse("crm:customer_list"),
        headers={
            "HX-Request": "true",
            "HX-Target": "customer-results",
            "HX-History-Restore-Request": "true",
        },
    )
    assert "<html" in response.text


def test_customer_list_unknown_target_gets_whole_page(client_for, admin):
    response = client_for(admin).get(
        reverse("crm:customer_list"), headers={"HX-Request": "true", "HX-Target": "main"}
    )
    assert "<html" in response.text


@pytest.mark.parametrize("rows", [5, 50])
def test_customer_list_query_budget(client_for, admin, django_assert_max_num_queries, rows):
    for _ in range(rows):
        CustomerFactory(account_manager=admin)
    client = client_for(admin)
    client.get(reverse("crm:customer_list"))  # warm caches (content types, company)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("crm:customer_list"), {"q": "a", "ordering": "city"})
    assert response.status_code == 200


@pytest.mark.parametrize("rows", [5, 50])
@pytest.mark.parametrize("tab", ["overview", "contacts", "projects", "activities", "timeline"])
def test_customer_detail_query_budget(client_for, admin, django_assert_max_num_queries, rows, tab):
    customer = CustomerFactory()
    for index in range(rows):
        ContactFactory(customer=customer, is_primary=index == 0)
    for _ in range(min(rows, 10)):
        ProjectFactory(customer=customer)
    client = client_for(admin)
    url = reverse("crm:customer_detail", args=[customer.pk])
    client.get(url)
    with django_assert_max_num_queries(10):
        response = client.get(url, {"tab": tab})
    assert response.status_code == 200


# --- Detail tabs ----------------------------------------------------------------------------------


@pytest.mark.parametrize("tab", ["overview", "contacts", "projects", "activities", "timeline"])
def test_customer_detail_tab_htmx_fragment(client_for, admin, tab):
    customer = CustomerFactory()
    response = client_for(admin).get(
        reverse("crm:customer_detail", args=[customer.pk]),
        {"tab": tab},
        headers={"HX-Request": "true", "HX-Target": "customer-tab"},
    )
    assert response.status_code == 200
    assert "<html" not in response.text
    assert f'data-tab="{tab}" aria-current="page"' in response.text
    assert "HX-Request" in response["Vary"]


def test_customer_detail_unknown_tab_falls_back_to_overview(client_for, admin):
    customer = CustomerFactory()
    response = client_for(admin).get(
        reverse("crm:customer_detail", args=[customer.pk]), {"tab": "<script>"}
    )
    assert response.status_code == 200
    assert 'data-tab="overview" aria-current="page"' in response.text


def test_customer_overview_shows_dash_until_invoices_exist(client_for, admin):
    customer = CustomerFactory()
    response = client_for(admin).get(reverse("crm:customer_detail", args=[customer.pk]))
    assert 'data-testid="customer-revenue">—<' in response.text


def test_customer_timeline_lists_activities_and_changes_newest_first(client_for, admin):
    from apps.crm.services import activity_log, customer_update

    customer = CustomerFactory()
    customer_update(actor=admin, customer=customer, city="Bremen")
    activity_log(actor=admin, customer=customer, type="call", text="Rückruf wegen Angebot")
    response = client_for(admin).get(
        reverse("crm:customer_detail", args=[customer.pk]), {"tab": "timeline"}
    )
    text = response.text
    assert "Rückruf wegen Angebot" in text
    assert text.index("Rückruf wegen Angebot") < text.index("audit-update")


def test_member_sees_no_edit_buttons(client_for, member):
    customer = CustomerFactory()
    response = client_for(member).get(reverse("crm:customer_detail", args=[customer.pk]))
    assert reverse("crm:customer_edit", args=[customer.pk]) not in response.text


# --- Create / edit --------------------------------------------------------------------------------


def test_customer_create_assigns_number_and_audits(client_for, manager):
    response = client_for(manager).post(reverse("crm:customer_create"), VALID)
    customer = Customer.objects.get()
    assert response.status_code == 302
    assert response["Location"] == customer.get_absolute_url()
    assert customer.number == "KD-00001"
    assert customer.search_text.startswith("muller gmbh")
    assert AuditEntry.objects.for_object(customer).filter(action=AuditAction.CREATE).exists()


def test_customer_create_htmx_redirects_client(client_for, manager):
    response = client_for(manager).post(
        reverse("crm:customer_create"),
        VALID,
        headers={"HX-Request": "true", "HX-Target": "customer-form"},
    )
    assert response.status_code == 200
    assert response["HX-Redirect"] == Customer.objects.get().get_absolute_url()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("vat_id", "DE123", "USt"),
        ("email", "kein-mail", "E-Mail"),
        ("leitweg_id", "04011000-1234512345-07", "Prüfziffer"),
        ("leitweg_id", "abc", "Leitweg-ID"),
        ("name", "x" * 10_000, "200"),
        ("name", "", "erforderlich"),
        ("payment_terms_days", "9999", "365"),
    ],
)
def test_customer_create_invalid_input_422_german_error_nothing_saved(
    client_for, manager, field, value, message
):
    response = client_for(manager).post(
        reverse("crm:customer_create"),
        {**VALID, field: value},
        headers={"HX-Request": "true", "HX-Target": "customer-form", "Accept-Language": "de"},
    )
    assert response.status_code == 422
    assert "<html" not in response.text
    assert message in response.text
    assert Customer.objects.count() == 0


def test_customer_name_with_script_is_escaped(client_for, manager):
    client = client_for(manager)
    client.post(reverse("crm:customer_create"), {**VALID, "name": "<script>alert(1)</script>"})
    customer = Customer.objects.get()
    for url in (
        reverse("crm:customer_list"),
        customer.get_absolute_url(),
        reverse("crm:pipeline"),
    ):
        text = client.get(url).text
        assert "<script>alert(1)</script>" not in text
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text


def test_customer_edit_saves_and_audits_change(client_for, manager):
    customer = CustomerFactory(name="Alt GmbH")
    response = client_for(manager).post(
        reverse("crm:customer_edit", args=[customer.pk]), {**VALID, "name": "Neu GmbH"}
    )
    assert response.status_code == 302
    customer.refresh_from_db()
    assert customer.name == "Neu GmbH"
    assert "neu gmbh" in customer.search_text
    entry = AuditEntry.objects.for_object(customer).filter(action=AuditAction.UPDATE).get()
    assert entry.changes["name"] == {"old": "Alt GmbH", "new": "Neu GmbH"}


# --- Deactivate / delete --------------------------------------------------------------------------


def test_customer_without_projects_can_be_deleted(client_for, admin):
    customer = CustomerFactory()
    response = client_for(admin).post(reverse("crm:customer_delete", args=[customer.pk]))
    assert response.status_code == 302
    assert not Customer.objects.filter(pk=customer.pk).exists()
    assert AuditEntry.objects.filter(action=AuditAction.DELETE, object_id=str(customer.pk)).exists()


def test_customer_with_projects_is_not_deleted_but_can_be_deactivated(client_for, admin):
    project = ProjectFactory()
    customer = project.customer
    client = client_for(admin)
    response = client.post(reverse("crm:customer_delete", args=[customer.pk]), follow=True)
    assert Customer.objects.filter(pk=customer.pk).exists()
    assert "deaktiviert" in response.text or "deactivated" in response.text
    client.post(reverse("crm:customer_deactivate", args=[customer.pk]))
    customer.refresh_from_db()
    assert customer.status == Customer.Status.INACTIVE


def test_customer_with_booked_time_is_not_deleted_and_the_page_says_why(client_for, admin):
    from tests.timetracking.factories import make_entry, today

    customer = CustomerFactory()
    make_entry(admin, today(), "08:00", "09:00", customer=customer)
    response = client_for(admin).post(
        reverse("crm:customer_delete", args=[customer.pk]), follow=True
    )
    assert response.status_code == 200
    assert Customer.objects.filter(pk=customer.pk).exists()
    assert "gebuchte Zeiten" in response.text or "booked time" in response.text
    assert not AuditEntry.objects.filter(action=AuditAction.DELETE).exists()


# --- Export ---------------------------------------------------------------------------------------


def test_customer_export_csv_uses_filter_and_neutralises_formulas(client_for, admin):
    CustomerFactory(name="=cmd|' /C calc'!A0", status="lead")
    CustomerFactory(name="Aktiv GmbH", status="active")
    response = client_for(admin).get(
        reverse("crm:customer_export"), {"format": "csv", "status": "lead"}
    )
    assert response.status_code == 200
    text = response.content.decode("utf-8-sig")
    assert "'=cmd|' /C calc'!A0" in text
    assert "Aktiv GmbH" not in text
    assert AuditEntry.objects.filter(action=AuditAction.EXPORT).exists()


def _download(client, export):  # type: ignore[no-untyped-def]
    response = client.get(reverse("common:export_download", args=[export.key]))
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def test_customer_export_xlsx_is_created_in_the_background(
    client_for, admin, django_capture_on_commit_callbacks
):
    from io import BytesIO

    from openpyxl import load_workbook

    from apps.common.models import ExportFile

    CustomerFactory(name="@SUM(1+1)", status="lead")
    CustomerFactory(name="Aktiv GmbH", status="active")
    client = client_for(admin)
    url = reverse("crm:customer_export_xlsx") + "?status=lead&page=2"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, headers={"HX-Request": "true", "HX-Target": "customer-export"})
    assert response.status_code == 200
    assert "<html" not in response.text
    assert "wird erstellt" in response.text
    export = ExportFile.objects.get()
    assert export.params == {"query": "status=lead"}
    sheet = load_workbook(BytesIO(_download(client, export))).active
    values = [cell.value for row in sheet.iter_rows() for cell in row]
    assert "'@SUM(1+1)" in values
    assert "Aktiv GmbH" not in values
    entry = AuditEntry.objects.get(action=AuditAction.EXPORT)
    assert entry.message == "xlsx: status=lead"


def test_customer_export_xlsx_renders_nothing_in_the_request(client_for, admin, settings):
    from apps.common.models import ExportFile

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    response = client_for(admin).post(reverse("crm:customer_export_xlsx"))
    export = ExportFile.objects.get()
    assert response.status_code == 302
    assert response["Location"] == export.get_absolute_url()
    assert export.status == ExportFile.Status.PENDING


@pytest.mark.parametrize(
    ("persona", "status"), [("admin", 302), ("member", 302), ("outsider", 403)]
)
def test_customer_export_xlsx_permissions(request, client_for, persona, status):
    client = client_for(request.getfixturevalue(persona))
    assert client.post(reverse("crm:customer_export_xlsx")).status_code == status


def test_customer_list_offers_the_xlsx_export_for_the_current_filter(client_for, admin):
    response = client_for(admin).get(
        reverse("crm:customer_list") + "?status=lead",
        headers={"HX-Request": "true", "HX-Target": "customer-results"},
    )
    assert reverse("crm:customer_export_xlsx") + "?status=lead" in response.text


def test_customer_export_xlsx_by_get_is_400(client_for, admin):
    response = client_for(admin).get(reverse("crm:customer_export"), {"format": "xlsx"})
    assert response.status_code == 400


def test_customer_export_unknown_format_400(client_for, admin):
    response = client_for(admin).get(reverse("crm:customer_export"), {"format": "exe"})
    assert response.status_code == 400


def test_customer_lookup_returns_options(client_for, admin):
    CustomerFactory(name="Müller GmbH")
    response = client_for(admin).get(reverse("crm:customer_lookup"), {"customer": "mull"})
    assert "Müller GmbH" in response.text
    assert "<option" in response.text
