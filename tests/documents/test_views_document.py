from __future__ import annotations

import pytest
from django.urls import reverse

from apps.audit.models import AuditAction, AuditEntry
from apps.documents.models import Document, DocumentLink
from apps.documents.samples import minimal_pdf, minimal_png
from apps.documents.services import document_share
from tests.crm.factories import CustomerFactory
from tests.documents.factories import (
    HTMX_PANEL,
    make_document,
    panel_args,
    post_upload,
)
from tests.employees.factories import EmployeeFactory, role_named

pytestmark = pytest.mark.django_db


# --- Upload, list, preview, download, delete -----------------------------------------------------


def test_upload_stores_file_under_random_key_and_lists_it(admin, client_for):
    customer = CustomerFactory()
    response = post_upload(client_for(admin), customer, [("Vertrag Müller.pdf", minimal_pdf("V"))])
    assert response.status_code == 200
    assert "<html" not in response.text
    document = Document.objects.get()
    assert document.original_name == "Vertrag Müller.pdf"
    assert document.title == "Vertrag Müller"
    assert document.mime_type == "application/pdf"
    assert document.file.name.startswith("documents/")
    assert "Vertrag" not in document.file.name and "." not in document.file.name
    assert len(document.file.name.split("/")[1]) == 32
    assert DocumentLink.objects.get().target == customer
    assert "Vertrag Müller" in response.text
    assert AuditEntry.objects.filter(action=AuditAction.CREATE, object_id=str(document.pk)).exists()


def test_upload_several_files_at_once(admin, client_for):
    customer = CustomerFactory()
    response = post_upload(
        client_for(admin),
        customer,
        [("a.pdf", minimal_pdf("a")), ("b.png", minimal_png()), ("c.csv", b"a;b\n1;2\n")],
    )
    assert response.status_code == 200
    assert sorted(Document.objects.values_list("mime_type", flat=True)) == [
        "application/pdf",
        "image/png",
        "text/csv",
    ]


def test_panel_lists_documents_of_the_record_only(admin, client_for):
    customer, other = CustomerFactory(), CustomerFactory()
    mine = make_document(owner=admin, target=customer)
    theirs = make_document(owner=admin, target=other)
    response = client_for(admin).get(
        reverse("documents:document_panel", args=panel_args(customer)), headers=HTMX_PANEL
    )
    assert response.status_code == 200
    assert mine.title in response.text
    assert theirs.title not in response.text


def test_download_is_an_attachment_with_nosniff(admin, client_for):
    document = make_document(owner=admin, name="Bericht.pdf")
    response = client_for(admin).get(reverse("documents:document_download", args=[document.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment")
    assert "Bericht.pdf" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "default-src 'none'" in response["Content-Security-Policy"]
    assert b"".join(response.streaming_content).startswith(b"%PDF-")


def test_inline_preview_for_pdf_may_be_framed_by_the_app(admin, client_for):
    document = make_document(owner=admin)
    response = client_for(admin).get(reverse("documents:document_inline", args=[document.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("inline")
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_inline_preview_of_image_is_sandboxed(admin, client_for):
    document = make_document(owner=admin, name="foto.png", content=minimal_png())
    response = client_for(admin).get(reverse("documents:document_inline", args=[document.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert "sandbox" in response["Content-Security-Policy"]


def test_no_inline_view_for_text(admin, client_for):
    document = make_document(owner=admin, name="notiz.txt", content=b"hallo welt")
    response = client_for(admin).get(reverse("documents:document_inline", args=[document.pk]))
    assert response.status_code == 404
    download = client_for(admin).get(reverse("documents:document_download", args=[document.pk]))
    assert download["Content-Type"] == "text/plain; charset=utf-8"
    assert download["Content-Disposition"].startswith("attachment")


def test_detail_page_shows_preview(admin, client_for):
    document = make_document(owner=admin)
    response = client_for(admin).get(document.get_absolute_url())
    assert response.status_code == 200
    assert reverse("documents:document_inline", args=[document.pk]) in response.text


def test_delete_removes_row_and_file(admin, client_for):
    document = make_document(owner=admin)
    storage, key = document.file.storage, document.file.name
    assert storage.exists(key)
    with pytest.MonkeyPatch.context():
        response = client_for(admin).post(
            reverse("documents:document_delete", args=[document.pk]),
            headers={"HX-Request": "true", "HX-Target": f"document-row-{document.pk}"},
        )
    assert response.status_code == 200
    assert "<html" not in response.text
    assert not Document.objects.exists()
    assert AuditEntry.objects.filter(action=AuditAction.DELETE, object_id=str(document.pk)).exists()


def test_delete_removes_the_stored_file_after_commit(
    admin, client_for, django_capture_on_commit_callbacks
):
    document = make_document(owner=admin)
    storage, key = document.file.storage, document.file.name
    with django_capture_on_commit_callbacks(execute=True):
        client_for(admin).post(reverse("documents:document_delete", args=[document.pk]))
    assert not storage.exists(key)


def test_member_cannot_delete_someone_elses_document(admin, member, client_for):
    document = make_document(owner=admin)
    response = client_for(member).post(reverse("documents:document_delete", args=[document.pk]))
    assert response.status_code == 403
    assert Document.objects.filter(pk=document.pk).exists()


# --- Deduplication and linking -------------------------------------------------------------------


def test_same_content_is_stored_once_and_offered_for_linking(admin, client_for):
    first, second = CustomerFactory(), CustomerFactory()
    content = minimal_pdf("einmalig")
    client = client_for(admin)
    post_upload(client, first, [("original.pdf", content)])
    response = post_upload(client, second, [("kopie.pdf", content)])
    assert response.status_code == 200
    assert Document.objects.count() == 1
    existing = Document.objects.get()
    assert 'data-outcome="duplicate"' in response.text
    assert existing.get_absolute_url() in response.text
    assert reverse("documents:document_link", args=panel_args(second)) in response.text
    assert not DocumentLink.objects.filter(object_id=second.pk).exists()


def test_link_existing_document_to_a_second_record(admin, client_for):
    first, second = CustomerFactory(), CustomerFactory()
    document = make_document(owner=admin, target=first)
    response = client_for(admin).post(
        reverse("documents:document_link", args=panel_args(second)),
        {"document": document.pk},
        headers=HTMX_PANEL,
    )
    assert response.status_code == 200
    assert document.title in response.text
    assert {link.target for link in document.links.all()} == {first, second}


def test_unlink_keeps_the_document(admin, client_for):
    customer = CustomerFactory()
    document = make_document(owner=admin, target=customer)
    response = client_for(admin).post(
        reverse("documents:document_unlink", args=[*panel_args(customer), document.pk]),
        headers=HTMX_PANEL,
    )
    assert response.status_code == 200
    assert not document.links.exists()
    assert Document.objects.filter(pk=document.pk).exists()


def test_documents_of_a_deleted_record_stay_findable(admin, client_for):
    customer = CustomerFactory(name="Verschwunden GmbH")
    document = make_document(owner=admin, target=customer)
    customer.delete()
    link = DocumentLink.objects.get(document=document)
    assert link.target is None
    assert "Verschwunden GmbH" in link.target_repr
    client = client_for(admin)
    listing = client.get(reverse("documents:document_list"), {"q": document.title})
    assert document.title in listing.text
    assert "Verschwunden GmbH" in listing.text
    assert "(gelöscht)" in listing.text or "(deleted)" in listing.text
    detail = client.get(document.get_absolute_url())
    assert "Verschwunden GmbH" in detail.text


# --- Confidential documents ----------------------------------------------------------------------


@pytest.fixture
def confidential(admin):
    return make_document(owner=admin, confidential=True, name="Gehalt.pdf")


def _download(client, document):
    return client.get(reverse("documents:document_download", args=[document.pk]))


def test_confidential_owner_may_download(admin, confidential, client_for):
    assert _download(client_for(admin), confidential).status_code == 200


def test_confidential_shared_employee_may_download(admin, member, confidential, client_for):
    document_share(document=confidential, employee=member, actor=admin)
    assert _download(client_for(member), confidential).status_code == 200


def test_confidential_other_employee_gets_404(member, confidential, client_for):
    assert _download(client_for(member), confidential).status_code == 404
    assert client_for(member).get(confidential.get_absolute_url()).status_code == 404


def test_confidential_hidden_from_other_employees_lists(member, confidential, client_for):
    response = client_for(member).get(reverse("documents:document_list"))
    assert response.status_code == 200
    assert confidential.title not in response.text


def test_confidential_module_permission_holder_may_download(confidential, client_for):
    boss = EmployeeFactory(role=role_named("Geschäftsführung"))
    assert _download(client_for(boss), confidential).status_code == 200


def test_confidential_owner_without_any_role_may_download(outsider, client_for):
    own = make_document(owner=outsider, confidential=True)
    assert _download(client_for(outsider), own).status_code == 200


def test_every_confidential_download_is_audited(admin, member, confidential, client_for):
    document_share(document=confidential, employee=member, actor=admin)
    _download(client_for(member), confidential)
    _download(client_for(member), confidential)
    client_for(admin).get(reverse("documents:document_inline", args=[confidential.pk]))
    entries = AuditEntry.objects.filter(action=AuditAction.DOWNLOAD, object_id=str(confidential.pk))
    assert entries.count() == 3
    assert entries.filter(actor=member).count() == 2


def test_ordinary_download_is_not_audited(admin, client_for):
    document = make_document(owner=admin)
    _download(client_for(admin), document)
    assert not AuditEntry.objects.filter(action=AuditAction.DOWNLOAD).exists()


def test_share_through_the_view(admin, member, confidential, client_for):
    response = client_for(admin).post(
        reverse("documents:document_share", args=[confidential.pk]),
        {"employee": member.pk},
        headers={"HX-Request": "true", "HX-Target": "document-shares"},
    )
    assert response.status_code == 200
    assert "<html" not in response.text
    assert "#document-shares" in response.text
    assert member.full_name in response.text
    assert _download(client_for(member), confidential).status_code == 200
    client_for(admin).post(
        reverse("documents:document_unshare", args=[confidential.pk]), {"employee": member.pk}
    )
    assert _download(client_for(member), confidential).status_code == 404


def test_share_with_unknown_employee_is_a_clear_422(admin, confidential, client_for):
    response = client_for(admin).post(
        reverse("documents:document_share", args=[confidential.pk]),
        {"employee": "999999"},
        headers={"HX-Request": "true", "HX-Target": "document-shares"},
    )
    assert response.status_code == 422


def test_member_cannot_share_someone_elses_document(admin, member, client_for):
    document = make_document(owner=admin)
    response = client_for(member).post(
        reverse("documents:document_share", args=[document.pk]), {"employee": member.pk}
    )
    assert response.status_code == 403


def test_edit_document(admin, client_for):
    document = make_document(owner=admin)
    response = client_for(admin).post(
        reverse("documents:document_edit", args=[document.pk]),
        {"title": "Neuer Titel", "category": "invoice", "confidential": "on"},
    )
    assert response.status_code == 302
    document.refresh_from_db()
    assert (document.title, document.category, document.confidential) == (
        "Neuer Titel",
        "invoice",
        True,
    )


def test_edit_with_bad_category_is_422(admin, client_for):
    document = make_document(owner=admin)
    response = client_for(admin).post(
        reverse("documents:document_edit", args=[document.pk]),
        {"title": "x", "category": "nonsense"},
        headers={"HX-Request": "true", "HX-Target": "document-form"},
    )
    assert response.status_code == 422
    assert "<html" not in response.text


def test_carriers_expose_generic_relations(admin):
    from tests.reminders.factories import make_reminder

    customer = CustomerFactory()
    document = make_document(owner=admin, target=customer)
    reminder = make_reminder(owner=admin, target=customer)
    assert [link.document for link in customer.document_links.all()] == [document]
    assert list(customer.reminders.all()) == [reminder]
    assert list(admin.owned_reminders.all()) == [reminder]


def test_duplicate_of_an_invisible_confidential_document_reveals_no_link(
    admin, manager, client_for
):
    content = minimal_pdf("geheim")
    secret = make_document(owner=admin, confidential=True, content=content)
    response = post_upload(client_for(manager), CustomerFactory(), [("kopie.pdf", content)])
    assert response.status_code == 422
    assert secret.get_absolute_url() not in response.text
    assert secret.title not in response.text
    assert Document.objects.count() == 1


def test_panel_hides_confidential_documents_from_other_employees(admin, member, client_for):
    customer = CustomerFactory()
    public = make_document(owner=admin, target=customer)
    secret = make_document(owner=admin, target=customer, confidential=True)
    response = client_for(member).get(
        reverse("documents:document_panel", args=panel_args(customer)), headers=HTMX_PANEL
    )
    assert public.title in response.text
    assert secret.title not in response.text


def test_download_of_a_missing_file_is_404_not_500(admin, client_for):
    document = make_document(owner=admin)
    document.file.storage.delete(document.file.name)
    response = client_for(admin).get(reverse("documents:document_download", args=[document.pk]))
    assert response.status_code == 404
