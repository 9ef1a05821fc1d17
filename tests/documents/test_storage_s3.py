"""The storage tests again, against S3: a real moto server on loopback (HTTP, path-style), the
django-storages S3 backend pointed at it through STORAGES (as production does with S3_BUCKET).
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings
from django.urls import reverse
from moto.server import ThreadedMotoServer

from apps.documents.models import Document
from apps.documents.samples import minimal_pdf
from apps.documents.services import document_share
from tests.crm.factories import CustomerFactory
from tests.documents.factories import make_document, post_upload

pytestmark = pytest.mark.django_db

BUCKET = "workmate-test-documents"
CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}


@pytest.fixture(scope="module")
def moto_endpoint() -> Iterator[str]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    boto3.client(
        "s3", endpoint_url=endpoint, region_name="eu-central-1", **CREDENTIALS
    ).create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "eu-central-1"})
    yield endpoint
    server.stop()


@pytest.fixture
def s3(moto_endpoint: str) -> Iterator[Any]:
    """STORAGES["default"] = S3Storage on the moto server; yields a boto3 client for checks."""
    storages = {
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": BUCKET,
                "endpoint_url": moto_endpoint,
                "access_key": "testing",
                "secret_key": "testing",
                "region_name": "eu-central-1",
                "default_acl": None,
                "querystring_auth": True,
                "file_overwrite": False,
                "addressing_style": "path",
            },
        },
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    # override_settings fires setting_changed: Django resets its cached storages and
    # default_storage (django.test.signals.storages_changed), so FileField uses S3 from here on.
    with override_settings(STORAGES=storages):
        yield boto3.client(
            "s3", endpoint_url=moto_endpoint, region_name="eu-central-1", **CREDENTIALS
        )


def _keys(client: Any) -> set[str]:
    listing = client.list_objects_v2(Bucket=BUCKET, Prefix="documents/")
    return {item["Key"] for item in listing.get("Contents", [])}


def test_s3_upload_stores_object_under_random_key(s3, admin, client_for):
    from django.core.files.storage import default_storage

    customer = CustomerFactory()
    response = post_upload(client_for(admin), customer, [("Angebot Müller.pdf", minimal_pdf("s3"))])
    assert response.status_code == 200
    assert type(default_storage._wrapped).__name__ == "S3Storage"
    document = Document.objects.get()
    assert document.file.name in _keys(s3)
    assert "Angebot" not in document.file.name
    body = s3.get_object(Bucket=BUCKET, Key=document.file.name)["Body"].read()
    assert body == minimal_pdf("s3")


def test_s3_download_streams_through_the_app(s3, admin, client_for):
    document = make_document(owner=admin, name="Bericht.pdf", content=minimal_pdf("stream"))
    response = client_for(admin).get(reverse("documents:document_download", args=[document.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == minimal_pdf("stream")
    assert "amazonaws" not in response.get("Location", "")


def test_s3_inline_preview(s3, admin, client_for):
    document = make_document(owner=admin)
    response = client_for(admin).get(reverse("documents:document_inline", args=[document.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("inline")


def test_s3_download_permission_checks(s3, admin, member, outsider, client_for):
    secret = make_document(owner=admin, confidential=True)
    ordinary = make_document(owner=admin)
    url = reverse("documents:document_download", args=[secret.pk])
    assert client_for(member).get(url).status_code == 404
    assert client_for(outsider).get(url).status_code == 404
    assert client_for(None).get(url).status_code == 302
    document_share(document=secret, employee=member, actor=admin)
    assert client_for(member).get(url).status_code == 200
    ordinary_url = reverse("documents:document_download", args=[ordinary.pk])
    assert client_for(member).get(ordinary_url).status_code == 200
    assert client_for(outsider).get(ordinary_url).status_code == 404


def test_s3_deduplication_stores_nothing_new(s3, admin, client_for):
    content = minimal_pdf("doppelt")
    client = client_for(admin)
    post_upload(client, CustomerFactory(), [("a.pdf", content)])
    keys = _keys(s3)
    response = post_upload(client, CustomerFactory(), [("b.pdf", content)])
    assert response.status_code == 200
    assert Document.objects.count() == 1
    assert _keys(s3) == keys


def test_s3_refused_upload_leaves_no_object(s3, admin, client_for):
    keys = _keys(s3)
    response = post_upload(
        client_for(admin), CustomerFactory(), [("x.pdf", b"<html><script>1</script>")]
    )
    assert response.status_code == 422
    assert _keys(s3) == keys


def test_s3_delete_removes_the_object(s3, admin, client_for, django_capture_on_commit_callbacks):
    document = make_document(owner=admin)
    key = document.file.name
    assert key in _keys(s3)
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(admin).post(reverse("documents:document_delete", args=[document.pk]))
    assert response.status_code == 302
    assert key not in _keys(s3)


def test_s3_verify_documents_reports_missing_and_altered(s3, admin):
    intact = make_document(owner=admin)
    missing = make_document(owner=admin)
    altered = make_document(owner=admin)
    s3.delete_object(Bucket=BUCKET, Key=missing.file.name)
    s3.put_object(Bucket=BUCKET, Key=altered.file.name, Body=b"%PDF-1.4 manipulated")
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("verify_documents", stdout=out)
    text = out.getvalue()
    assert f"MISSING: document {missing.pk}" in text
    assert f"ALTERED: document {altered.pk}" in text
    assert f"document {intact.pk} " not in text
    assert "3 document(s) checked: 1 missing, 1 altered." in text


def test_s3_download_of_a_missing_object_is_404_not_500(s3, admin, client_for):
    document = make_document(owner=admin)
    s3.delete_object(Bucket=BUCKET, Key=document.file.name)
    response = client_for(admin).get(reverse("documents:document_download", args=[document.pk]))
    assert response.status_code == 404
