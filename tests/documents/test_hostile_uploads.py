"""A hostile-upload corpus, generated here (no binary fixtures): nothing unsafe is stored, every
refused file gets a clear error, nothing answers with a 500.

Refused outright: content that is HTML/SVG/XML/script/executable/archive/bomb/empty/too large, or
whose name contradicts its content. Names with path components, control characters, NUL,
newlines or bidi overrides are not a reason to refuse a harmless file: they are sanitised for
display, and the file is stored under a random key (checked in the second half).
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from urllib.parse import quote

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadhandler import SkipFile
from django.test import Client, override_settings

from apps.documents.models import Document
from apps.documents.samples import minimal_pdf, minimal_png
from apps.documents.uploads import DocumentUploadHandler
from apps.documents.validation import sanitize_file_name
from tests.documents.factories import HTMX_PANEL, post_upload, upload_url

pytestmark = pytest.mark.django_db

HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
SVG = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
)
ELF = b"\x7fELF\x02\x01\x01" + b"\x00" * 9 + b"\x02\x00\x3e\x00" + b"\x00" * 200
PE = b"MZ\x90\x00\x03" + b"\x00" * 59 + b"PE\x00\x00" + b"\x00" * 200
MACHO = b"\xcf\xfa\xed\xfe\x07\x00\x00\x01" + b"\x00" * 200
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504


def _zip(entries: dict[str, bytes], *, stored_first: bool = False) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for index, (name, data) in enumerate(entries.items()):
            method = zipfile.ZIP_STORED if stored_first and index == 0 else zipfile.ZIP_DEFLATED
            archive.writestr(name, data, compress_type=method)
    return buffer.getvalue()


CONTENT_TYPES = b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>'


def docx(extra: dict[str, bytes] | None = None, body: bytes = b"<w:document/>") -> bytes:
    return _zip({"[Content_Types].xml": CONTENT_TYPES, "word/document.xml": body, **(extra or {})})


def png_bomb() -> bytes:
    """A real PNG whose header claims 100000 x 100000 pixels."""
    data = bytearray(minimal_png())
    ihdr = data.index(b"IHDR")
    data[ihdr + 4 : ihdr + 12] = struct.pack(">II", 100_000, 100_000)
    crc = zlib.crc32(bytes(data[ihdr : ihdr + 17])) & 0xFFFFFFFF
    data[ihdr + 17 : ihdr + 21] = struct.pack(">I", crc)
    return bytes(data)


# (id, file name, content, settings overrides)
REFUSED = [
    ("html-renamed-pdf", "rechnung.pdf", HTML, {}),
    ("svg-renamed-pdf", "scan.pdf", SVG, {}),
    ("svg", "logo.svg", SVG, {}),
    ("html", "seite.html", HTML, {}),
    ("pdf-named-html", "seite.html", minimal_pdf("x"), {}),
    ("pdf-named-htm-uppercase", "SEITE.HTM", minimal_pdf("y"), {}),
    ("xml", "daten.xml", b'<?xml version="1.0"?><root><a>1</a></root>', {}),
    (
        "xml-renamed-txt",
        "daten.txt",
        b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x "y">]><r/>',
        {},
    ),
    ("javascript", "app.js", b"fetch('/documents/').then(r => r.text())", {}),
    ("script-tag-in-markdown", "readme.md", b"# Hallo\n\n<script>alert(1)</script>\n", {}),
    ("html-with-leading-whitespace-txt", "notiz.txt", b"  \n\n<HTML><body onload=alert(1)>", {}),
    ("php-renamed-jpg", "bild.jpg", b"<?php system($_GET['c']); ?>", {}),
    ("elf-executable", "werkzeug.pdf", ELF, {}),
    ("pe-executable", "setup.exe", PE, {}),
    ("pe-double-extension", "rechnung.pdf.exe", PE, {}),
    ("pdf-double-extension-exe", "rechnung.pdf.exe", minimal_pdf("z"), {}),
    ("bidi-override-exe", "Rechnung\u202egpj.exe", PE, {}),
    ("macho-executable", "app.pdf", MACHO, {}),
    ("shell-script-renamed-txt", "liste.txt", b"#!/bin/sh\nrm -rf ~\n", {}),
    ("wasm", "modul.pdf", b"\x00asm\x01\x00\x00\x00", {}),
    ("gif-js-polyglot", "bild.gif", b"GIF89a/*<script>*/=alert(1)//", {}),
    (
        "pdf-html-polyglot",
        "doc.pdf",
        b"%PDF-1.4\n<html><script>alert(1)</script></html>\n%%EOF",
        {},
    ),
    ("zip-archive", "fotos.zip", _zip({"a.jpg": b"\xff\xd8\xff" + b"0" * 100}), {}),
    ("zip-renamed-docx", "brief.docx", _zip({"word/document.xml": b"<w:document/>"}), {}),
    (
        "zip-bomb-as-docx",
        "bericht.docx",
        docx(body=b"\x00" * (8 * 1024 * 1024)),
        {},
    ),
    (
        "zip-bomb-total-size",
        "tabelle.docx",
        docx(extra={f"word/media/{i}.bin": bytes(range(256)) * 2048 for i in range(6)}),
        {"DOCUMENT_MAX_UNZIPPED_BYTES": 1024 * 1024},
    ),
    ("docx-with-macros", "vorlage.docx", docx(extra={"word/vbaProject.bin": b"\x00" * 64}), {}),
    ("ole2-legacy-doc", "alt.doc", OLE2, {}),
    ("gzip-renamed-pdf", "backup.pdf", b"\x1f\x8b\x08\x00" + b"\x00" * 50, {}),
    ("png-decompression-bomb", "riesig.png", png_bomb(), {}),
    ("broken-png", "kaputt.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, {}),
    ("utf16-text", "notiz.txt", "Hallo Welt".encode("utf-16"), {}),
    ("binary-junk-no-extension", "daten", bytes(range(256)) * 4, {}),
    ("text-named-pdf", "vertrag.pdf", b"Das ist kein PDF.", {}),
    ("empty-file", "leer.pdf", b"", {}),
    ("one-byte-over-limit", "gross.txt", b"a" * 1025, {"DOCUMENT_MAX_BYTES": 1024}),
]


def _stored_keys() -> set[str]:
    try:
        return set(default_storage.listdir("documents")[1])
    except FileNotFoundError:
        return set()


def test_corpus_is_large_enough():
    assert len(REFUSED) >= 25


@pytest.mark.parametrize(
    ("name", "content", "overrides"), [r[1:] for r in REFUSED], ids=[r[0] for r in REFUSED]
)
def test_hostile_file_is_refused_with_a_clear_error(admin, client_for, name, content, overrides):
    from tests.crm.factories import CustomerFactory

    customer = CustomerFactory()
    before = _stored_keys()
    with override_settings(**overrides):
        response = post_upload(client_for(admin), customer, [(name, content)])
    assert response.status_code == 422, response.text[:500]
    assert "<html" not in response.text
    assert 'role="alert"' in response.text
    assert not Document.objects.exists()
    assert _stored_keys() == before


def test_exactly_at_the_limit_is_accepted(admin, client_for):
    from tests.crm.factories import CustomerFactory

    with override_settings(DOCUMENT_MAX_BYTES=1024):
        response = post_upload(client_for(admin), CustomerFactory(), [("genau.txt", b"a" * 1024)])
    assert response.status_code == 200
    assert Document.objects.get().size == 1024


def test_one_bad_file_does_not_block_the_good_ones(admin, client_for):
    from tests.crm.factories import CustomerFactory

    response = post_upload(
        client_for(admin), CustomerFactory(), [("gut.pdf", minimal_pdf("gut")), ("boese.pdf", HTML)]
    )
    assert response.status_code == 200
    assert Document.objects.get().original_name == "gut.pdf"
    assert "boese.pdf" in response.text


# --- The size limit is enforced while reading ------------------------------------------------


@override_settings(DOCUMENT_MAX_BYTES=100)
def test_upload_handler_skips_the_file_on_the_chunk_that_crosses_the_limit(rf):
    request = rf.post("/")
    handler = DocumentUploadHandler(request)
    handler.new_file("files", "gross.txt", "text/plain", None)
    assert handler.receive_data_chunk(b"a" * 60, 0) is None
    with pytest.raises(SkipFile):
        handler.receive_data_chunk(b"a" * 60, 60)
    assert request._documents_oversize == ["gross.txt"]
    assert handler.spool.closed


@override_settings(DOCUMENT_MAX_BYTES=1000)
def test_oversized_upload_is_cut_off_and_reported(admin, client_for):
    from tests.crm.factories import CustomerFactory

    response = post_upload(client_for(admin), CustomerFactory(), [("gross.txt", b"a" * 5000)])
    assert response.status_code == 422
    assert "gross.txt" in response.text
    assert not Document.objects.exists()


# --- Crafted names (raw multipart, as a hostile client would send them) ----------------------------


def _raw_upload(client: Client, target, disposition: bytes, content: bytes):
    boundary = b"----workmate-test-boundary"
    body = (
        b"--" + boundary + b"\r\n"
        b'Content-Disposition: form-data; name="category"\r\n\r\nother\r\n'
        b"--" + boundary + b"\r\n"
        b'Content-Disposition: form-data; name="files"; ' + disposition + b"\r\n"
        b"Content-Type: application/octet-stream\r\n\r\n" + content + b"\r\n"
        b"--" + boundary + b"--\r\n"
    )
    return client.post(
        upload_url(target),
        data=body,
        content_type="multipart/form-data; boundary=" + boundary.decode(),
        headers=HTMX_PANEL,
    )


SANITISED = [
    ("path-traversal", b'filename="../../etc/passwd"', "passwd"),
    ("windows-path", b'filename="C:\\\\Windows\\\\system32\\\\evil.pdf"', "evil.pdf"),
    ("nul-in-name", b"filename*=UTF-8''rechnung%00.exe.pdf", "rechnung.exe.pdf"),
    ("newlines-in-name", b"filename*=UTF-8''zeile1%0D%0Azeile2.pdf", "zeile1zeile2.pdf"),
    (
        "bidi-override-in-name",
        b"filename*=UTF-8''" + quote("Rechnung\u202efdp.pdf").encode(),
        "Rechnungfdp.pdf",
    ),
    (
        "zero-width-in-name",
        b"filename*=UTF-8''" + quote("ver\u200btrag.pdf").encode(),
        "vertrag.pdf",
    ),
    ("leading-dots", b'filename="...htaccess.pdf"', "htaccess.pdf"),
    ("very-long-name", b'filename="' + b"a" * 500 + b'.pdf"', "a" * 146 + ".pdf"),
]


@pytest.mark.parametrize(
    ("disposition", "expected"), [s[1:] for s in SANITISED], ids=[s[0] for s in SANITISED]
)
def test_hostile_names_are_sanitised_and_never_reach_the_storage(
    admin, client_for, disposition, expected
):
    from tests.crm.factories import CustomerFactory

    response = _raw_upload(client_for(admin), CustomerFactory(), disposition, minimal_pdf(expected))
    assert response.status_code == 200, response.text[:500]
    document = Document.objects.get()
    assert document.original_name == expected
    assert document.file.name.startswith("documents/")
    assert expected[:10] not in document.file.name


def test_sanitize_file_name_rules():
    assert sanitize_file_name("../../etc/passwd") == "passwd"
    assert sanitize_file_name("a\x00b\r\nc.pdf") == "ab c.pdf"
    assert sanitize_file_name("\u202eexe.pdf") == "exe.pdf"
    assert sanitize_file_name("  ") == "document"
    assert sanitize_file_name(None) == "document"
    assert len(sanitize_file_name("x" * 1000 + ".pdf")) == 150


def test_upload_requires_the_csrf_token(admin):
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin, backend="apps.employees.backends.RoleBackend")
    customer = admin  # an employee record: its detail page exists in every branch
    refused = post_upload(client, customer, [("a.pdf", minimal_pdf("csrf"))])
    assert refused.status_code == 403
    assert not Document.objects.exists()
    client.get(upload_url(customer).rsplit("upload/", 1)[0])  # sets the CSRF cookie
    token = client.cookies["csrftoken"].value
    from django.core.files.uploadedfile import SimpleUploadedFile

    accepted = client.post(
        upload_url(customer),
        {"files": [SimpleUploadedFile("a.pdf", minimal_pdf("csrf"))], "category": "other"},
        headers={**HTMX_PANEL, "X-CSRFToken": token},
    )
    assert accepted.status_code == 200
    assert Document.objects.count() == 1


@override_settings(DOCUMENT_MAX_BYTES=100, DOCUMENT_MAX_FILES_PER_UPLOAD=1)
def test_request_larger_than_any_valid_upload_is_cut_off_before_reading(admin, client_for):
    response = post_upload(client_for(admin), admin, [("riesig.txt", b"a" * (1024 * 1024 + 500))])
    assert response.status_code == 422
    assert 'role="alert"' in response.text
    assert not Document.objects.exists()
