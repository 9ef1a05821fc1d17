"""Documents in the admin: changes and deletions through the services, audited as in the app."""

from __future__ import annotations

import pytest
from django.urls import reverse

from apps.audit.models import AuditAction, AuditEntry
from apps.audit.services import audit_chain_verify
from apps.documents import services
from apps.documents.models import Document
from apps.employees.models import Employee
from tests.crm.factories import CustomerFactory
from tests.documents.factories import make_document
from tests.employees.factories import EmployeeFactory

pytestmark = pytest.mark.django_db


def _post(document, **values):  # type: ignore[no-untyped-def]
    data = {
        "title": document.title,
        "category": document.category,
        "owner": document.owner_id,
        "links-TOTAL_FORMS": "0",
        "links-INITIAL_FORMS": "0",
    }
    if document.confidential:
        data["confidential"] = "on"
    data.update(values)
    return data


def _save(client, url, data):  # type: ignore[no-untyped-def]
    response = client.post(url, data)
    assert response.status_code == 302, response.context and response.context["errors"]


def test_admin_document_pages_render(client_for, admin):
    document = make_document(owner=admin, target=CustomerFactory())
    client = client_for(admin)
    assert client.get(reverse("admin:documents_document_changelist")).status_code == 200
    change = reverse("admin:documents_document_change", args=[document.pk])
    assert client.get(change).status_code == 200


def test_admin_document_change_is_the_apps_update(client_for, admin, member):
    document = make_document(owner=admin)
    client = client_for(admin)
    url = reverse("admin:documents_document_change", args=[document.pk])
    _save(
        client, url, _post(document, title="Rahmenvertrag", category="contract", confidential="on")
    )
    entry = AuditEntry.objects.for_object(document).get(action=AuditAction.UPDATE)
    assert entry.actor == admin
    # What the app's edit (document_update) writes for the same change.
    reference = make_document(owner=admin)
    services.document_update(
        document=reference,
        actor=admin,
        title="Rahmenvertrag",
        category="contract",
        confidential=True,
    )
    expected = AuditEntry.objects.for_object(reference).get(action=AuditAction.UPDATE).changes
    expected["title"]["old"] = document.title
    assert entry.changes == expected
    assert entry.changes["confidential"] == {"old": False, "new": True}


def test_admin_document_owner_change_is_audited(client_for, admin, member):
    document = make_document(owner=admin)
    client = client_for(admin)
    url = reverse("admin:documents_document_change", args=[document.pk])
    _save(client, url, _post(document, owner=member.pk))
    entry = AuditEntry.objects.for_object(document).get(action=AuditAction.UPDATE)
    assert (entry.actor, entry.changes) == (admin, {"owner": {"old": admin.pk, "new": member.pk}})
    assert Document.objects.get(pk=document.pk).owner == member


def test_admin_document_refuses_an_inactive_owner(client_for, admin):
    leaver = EmployeeFactory(status=Employee.Status.INACTIVE)
    document = make_document(owner=admin)
    client = client_for(admin)
    url = reverse("admin:documents_document_change", args=[document.pk])
    response = client.post(url, _post(document, owner=leaver.pk))
    assert response.status_code == 200  # the form again
    assert "owner" in response.context["adminform"].form.errors
    assert Document.objects.get(pk=document.pk).owner == admin
    assert not AuditEntry.objects.for_object(document).filter(action=AuditAction.UPDATE).exists()


def test_admin_document_of_an_inactive_owner_keeps_its_owner_on_other_changes(client_for, admin):
    owner = EmployeeFactory()
    document = make_document(owner=owner)
    Employee.objects.filter(pk=owner.pk).update(status=Employee.Status.INACTIVE)
    client = client_for(admin)
    url = reverse("admin:documents_document_change", args=[document.pk])
    _save(client, url, _post(document, title="Neu"))
    entry = AuditEntry.objects.for_object(document).get(action=AuditAction.UPDATE)
    assert entry.changes == {"title": {"old": document.title, "new": "Neu"}}


def test_admin_unchanged_document_save_writes_no_entry(client_for, admin):
    document = make_document(owner=admin)
    client = client_for(admin)
    before = AuditEntry.objects.count()
    _save(client, reverse("admin:documents_document_change", args=[document.pk]), _post(document))
    assert AuditEntry.objects.count() == before


def test_admin_document_delete_is_the_apps_delete_and_removes_the_file(
    client_for, admin, django_capture_on_commit_callbacks
):
    document = make_document(owner=admin, target=CustomerFactory())
    reference = make_document(owner=admin, target=CustomerFactory())
    storage, key = document.file.storage, document.file.name
    client = client_for(admin)
    with django_capture_on_commit_callbacks(execute=True):
        _save(
            client,
            reverse("admin:documents_document_delete", args=[document.pk]),
            {"post": "yes"},
        )
    assert not Document.objects.filter(pk=document.pk).exists()
    assert not storage.exists(key)
    entry = AuditEntry.objects.for_object(document).get(action=AuditAction.DELETE)
    reference_id = str(reference.pk)
    services.document_delete(document=reference, actor=admin)
    expected = AuditEntry.objects.get(action=AuditAction.DELETE, object_id=reference_id).changes
    for name in ("sha256", "size", "title", "original_name"):
        expected[name]["old"] = entry.changes[name]["old"]
    assert entry.actor == admin
    assert entry.changes == expected
    assert entry.changes["sha256"] == {"old": document.sha256, "new": None}


def test_admin_document_bulk_delete_is_audited_per_document_and_removes_the_files(
    client_for, admin, django_capture_on_commit_callbacks
):
    documents = [make_document(owner=admin) for _ in range(2)]
    keys = [(document.file.storage, document.file.name) for document in documents]
    with django_capture_on_commit_callbacks(execute=True):
        _save(
            client_for(admin),
            reverse("admin:documents_document_changelist"),
            {
                "action": "delete_selected",
                "_selected_action": [document.pk for document in documents],
                "post": "yes",
            },
        )
    assert not Document.objects.exists()
    assert not any(storage.exists(key) for storage, key in keys)
    deleted = AuditEntry.objects.filter(action=AuditAction.DELETE, actor=admin)
    assert set(deleted.values_list("object_id", flat=True)) == {str(d.pk) for d in documents}
    assert audit_chain_verify()[1] is None


def test_document_update_refuses_an_inactive_owner_in_german(admin):
    from django.core.exceptions import ValidationError
    from django.utils import translation

    leaver = EmployeeFactory(status=Employee.Status.INACTIVE)
    document = make_document(owner=admin)
    with translation.override("de"), pytest.raises(ValidationError) as error:
        services.document_update(
            document=document,
            actor=admin,
            title=document.title,
            category=document.category,
            confidential=False,
            owner=leaver,
        )
    assert error.value.message_dict["owner"] == [
        "Inaktive Mitarbeitende können keine Dokumente besitzen."
    ]
