"""Persona x URL permission matrix, htmx partials and query budgets for every documents URL."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, get_resolver, reverse

from apps.common.permissions import ACCESS_ATTR
from apps.documents.samples import minimal_pdf
from tests.documents.factories import make_document, panel_args
from tests.employees.factories import EmployeeFactory

pytestmark = pytest.mark.django_db

PERSONAS = ["admin", "manager", "member", "outsider", "anonymous"]


def _request(name, client, document, target, other):
    """(method, url, data) for each documents URL."""
    pk = document.pk
    ct_oid = panel_args(target)
    return {
        "document_list": ("get", reverse("documents:document_list"), None),
        "document_detail": ("get", reverse("documents:document_detail", args=[pk]), None),
        "document_download": ("get", reverse("documents:document_download", args=[pk]), None),
        "document_inline": ("get", reverse("documents:document_inline", args=[pk]), None),
        "document_edit": (
            "post",
            reverse("documents:document_edit", args=[pk]),
            {"title": "Neu", "category": "other"},
        ),
        "document_share": (
            "post",
            reverse("documents:document_share", args=[pk]),
            {"employee": other.pk},
        ),
        "document_unshare": (
            "post",
            reverse("documents:document_unshare", args=[pk]),
            {"employee": other.pk},
        ),
        "document_delete": ("post", reverse("documents:document_delete", args=[pk]), {}),
        "document_panel": ("get", reverse("documents:document_panel", args=ct_oid), None),
        "document_upload": (
            "post",
            reverse("documents:document_upload", args=ct_oid),
            {"files": [SimpleUploadedFile("neu.pdf", minimal_pdf("matrix"))], "category": "other"},
        ),
        "document_link": (
            "post",
            reverse("documents:document_link", args=ct_oid),
            {"document": pk},
        ),
        "document_unlink": ("post", reverse("documents:document_unlink", args=[*ct_oid, pk]), {}),
    }[name]


# expected status per persona: admin, manager (Projektleitung), member (Mitarbeiter), outsider, anon
MATRIX = {
    "document_list": (200, 200, 200, 403, 302),
    "document_detail": (200, 200, 200, 404, 302),
    "document_download": (200, 200, 200, 404, 302),
    "document_inline": (200, 200, 200, 404, 302),
    "document_edit": (302, 403, 403, 404, 302),
    "document_share": (302, 403, 403, 404, 302),
    "document_unshare": (302, 403, 403, 404, 302),
    "document_delete": (302, 403, 403, 404, 302),
    "document_panel": (200, 200, 200, 404, 302),
    "document_upload": (302, 302, 403, 403, 302),
    "document_link": (302, 302, 403, 404, 302),
    "document_unlink": (302, 403, 403, 404, 302),
}


@pytest.mark.parametrize("name", sorted(MATRIX))
@pytest.mark.parametrize("persona", PERSONAS)
def test_permission_matrix(request, client_for, name, persona):
    admin = request.getfixturevalue("admin")
    user = None if persona == "anonymous" else request.getfixturevalue(persona)
    target = admin  # the admin's employee record: visible to every role, not to the outsider
    document = make_document(owner=admin, target=target)
    if name == "document_link":
        document.links.all().delete()
    other = EmployeeFactory()
    method, url, data = _request(name, client_for(user), document, target, other)
    client = client_for(user)
    response = (
        getattr(client, method)(url, data) if data is not None else getattr(client, method)(url)
    )
    expected = MATRIX[name][PERSONAS.index(persona)]
    assert response.status_code == expected, (name, persona, response.status_code)


def test_every_documents_url_declares_its_access():
    resolver = get_resolver()
    for pattern in resolver.url_patterns:
        if getattr(pattern, "namespace", None) != "documents":
            continue
        for sub in pattern.url_patterns:
            assert isinstance(sub, URLPattern)
            assert getattr(sub.callback, ACCESS_ATTR, None), sub.name


# --- htmx partials ----------------------------------------------------------------------------


def _assert_fragment(response, target_id):
    assert response.status_code in (200, 422)
    assert "<html" not in response.text
    assert target_id in response.text
    assert "HX-Request" in response["Vary"]


def test_library_results_partial(admin, client_for):
    make_document(owner=admin)
    response = client_for(admin).get(
        reverse("documents:document_list"),
        {"category": "other"},
        headers={"HX-Request": "true", "HX-Target": "document-results"},
    )
    _assert_fragment(response, "document-row-")


def test_library_full_page_without_htmx(admin, client_for):
    response = client_for(admin).get(reverse("documents:document_list"))
    assert "<html" in response.text and 'id="document-results"' in response.text


def test_panel_partial(admin, client_for):
    response = client_for(admin).get(
        reverse("documents:document_panel", args=panel_args(admin)),
        headers={"HX-Request": "true", "HX-Target": "documents-panel"},
    )
    _assert_fragment(response, "documents-panel")


def test_panel_without_htmx_is_a_full_page(admin, client_for):
    response = client_for(admin).get(reverse("documents:document_panel", args=panel_args(admin)))
    assert "<html" in response.text and 'id="documents-panel"' in response.text


def test_detail_shares_partial(admin, client_for):
    document = make_document(owner=admin, confidential=True)
    response = client_for(admin).get(
        document.get_absolute_url(), headers={"HX-Request": "true", "HX-Target": "document-shares"}
    )
    _assert_fragment(response, "document-shares")


def test_employee_detail_page_includes_the_panels(admin, client_for):
    response = client_for(admin).get(admin.get_absolute_url())
    assert reverse("documents:document_panel", args=panel_args(admin)) in response.text
    assert reverse("reminders:reminder_panel", args=panel_args(admin)) in response.text


def test_library_filters(admin, client_for):
    from tests.crm.factories import CustomerFactory

    on_customer = make_document(owner=admin, target=CustomerFactory(), category="invoice")
    on_employee = make_document(owner=admin, target=admin, confidential=True)
    client = client_for(admin)
    url = reverse("documents:document_list")

    def titles(**params):
        return {d.title for d in client.get(url, params).context["page"]}

    from django.contrib.contenttypes.models import ContentType

    from apps.crm.models import Customer

    assert titles(category="invoice") == {on_customer.title}
    assert titles(linked_type=ContentType.objects.get_for_model(Customer).pk) == {on_customer.title}
    assert titles(confidential="true") == {on_employee.title}
    assert titles(q=on_employee.title) == {on_employee.title}
    assert titles(owner=admin.pk) == {on_customer.title, on_employee.title}
    assert titles(uploaded_from="2999-01-01") == set()


# --- Query budgets ----------------------------------------------------------------------------


@pytest.mark.parametrize("rows", [5, 50])
def test_library_query_budget(admin, client_for, django_assert_max_num_queries, rows):
    from tests.crm.factories import CustomerFactory

    customer = CustomerFactory()
    for _ in range(rows):
        make_document(owner=admin, target=customer)
    client = client_for(admin)
    client.get(reverse("documents:document_list"))  # warm caches (content types, session)
    with django_assert_max_num_queries(14):
        response = client.get(reverse("documents:document_list"))
    assert response.status_code == 200


@pytest.mark.parametrize("rows", [5, 50])
def test_panel_query_budget(admin, client_for, django_assert_max_num_queries, rows):
    for _ in range(rows):
        make_document(owner=admin, target=admin)
    client = client_for(admin)
    url = reverse("documents:document_panel", args=panel_args(admin))
    client.get(url, headers={"HX-Request": "true", "HX-Target": "documents-panel"})
    with django_assert_max_num_queries(10):
        response = client.get(url, headers={"HX-Request": "true", "HX-Target": "documents-panel"})
    assert response.status_code == 200


def test_library_bad_filter_values_are_not_a_500(admin, client_for):
    response = client_for(admin).get(
        reverse("documents:document_list"),
        {"linked_type": "abc", "uploaded_from": "gestern", "owner": "999999", "page": "x"},
    )
    assert response.status_code == 200
