"""The issued PDF: PDF/A-3 with factur-x.xml attached, the §14(4) UStG fields, the EPC QR code."""

import io
from decimal import Decimal

import pytest
from pypdf import PdfReader

from apps.common.pdf import BASE_URL, safe_url_fetcher
from apps.invoices import services
from apps.invoices.calculation import EXPORT_TEXT, NOT_TAXABLE_TEXT
from apps.invoices.pdf import epc_qr_payload, render_invoice_html
from tests.invoices.factories import company_ready, customer_ready, issued, third_country_business

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _company():
    company_ready()


def _issued_with_pdf(django_capture_on_commit_callbacks, **kwargs):
    with django_capture_on_commit_callbacks(execute=True):
        invoice = issued(**kwargs)
    invoice.refresh_from_db()
    return invoice


@pytest.mark.slow
def test_issued_invoice_pdf_is_pdfa3_with_facturx_attachment(django_capture_on_commit_callbacks):
    invoice = _issued_with_pdf(django_capture_on_commit_callbacks)
    assert invoice.pdf_ready
    data = invoice.pdf.read()
    assert data.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(data))
    assert list(reader.attachments) == ["factur-x.xml"]
    assert reader.attachments["factur-x.xml"][0].decode() == invoice.facturx_xml
    xmp = reader.xmp_metadata.stream.get_data().decode()
    assert "<pdfaid:part>3</pdfaid:part>" in xmp
    assert "<pdfaid:conformance>B</pdfaid:conformance>" in xmp
    assert "<fx:ConformanceLevel>EN 16931</fx:ConformanceLevel>" in xmp


@pytest.mark.slow
def test_invoice_pdf_text_contains_the_14_4_ustg_fields(django_capture_on_commit_callbacks):
    invoice = _issued_with_pdf(django_capture_on_commit_callbacks)
    text = "\n".join(page.extract_text() for page in PdfReader(invoice.pdf.open("rb")).pages)
    for expected in (
        "Kitmate IT GmbH",  # supplier name
        "Hafenstraße 12",  # supplier address
        "20457 Hamburg",
        "Nordlicht Logistik AG",  # recipient
        "Kaistraße 5",
        "24103 Kiel",
        "21/815/08150",  # tax number
        "DE136695976",  # VAT ID
        "02.03.2026",  # issue date = service date
        "RE-2026-0001",  # number
        "Beratung",  # description
        "Stunden",
        "407,50",  # net
        "77,43",  # VAT
        "19 %",  # rate
        "484,93",  # total
        "Amtsgericht Hamburg HRB 123456",  # §35a GmbHG
        "Erika Mustermann",
        "DE89370400440532013000",
        "16.03.2026",  # due date (payment terms)
    ):
        assert expected in text, expected
    assert "1" in text and ("von 1" in text or "of 1" in text)  # page x of y


@pytest.mark.slow
def test_pdf_is_rendered_only_once(django_capture_on_commit_callbacks):
    invoice = _issued_with_pdf(django_capture_on_commit_callbacks)
    name = invoice.pdf.name
    services.invoice_render_pdf(invoice=invoice)
    invoice.refresh_from_db()
    assert invoice.pdf.name == name


def test_reverse_charge_pdf_html_has_text_and_both_vat_ids():
    customer = customer_ready(vat_treatment="eu_reverse_charge", vat_id="ATU13585627", country="AT")
    html = render_invoice_html(issued(customer=customer))
    assert "Steuerschuldnerschaft des Leistungsempfängers (§ 13b UStG)" in html
    assert "ATU13585627" in html
    assert "DE136695976" in html


def test_third_country_business_pdf_html_has_the_not_taxable_note():
    html = render_invoice_html(issued(customer=third_country_business()))
    assert NOT_TAXABLE_TEXT in html
    assert "Keine USt. auf 407,50 € – nicht im Inland steuerbar" in html
    assert "nicht steuerbar (O)" in html
    assert EXPORT_TEXT not in html
    assert "Steuerschuldnerschaft" not in html
    assert "DE136695976" in html  # § 14 (4) Nr. 2 UStG: the PDF may show the VAT ID


def test_domestic_pdf_html_has_no_exemption_note():
    html = render_invoice_html(issued())
    assert "USt. 19 % auf 407,50 €" in html
    assert NOT_TAXABLE_TEXT not in html
    assert "Steuerschuldnerschaft" not in html


@pytest.mark.slow
def test_third_country_business_pdf_text_has_the_note_and_no_vat(
    django_capture_on_commit_callbacks,
):
    invoice = _issued_with_pdf(
        django_capture_on_commit_callbacks, customer=third_country_business()
    )
    reader = PdfReader(invoice.pdf.open("rb"))
    text = " ".join(" ".join(page.extract_text().split()) for page in reader.pages)
    assert "Nicht im Inland steuerbare Leistung" in text
    assert "§ 3a UStG" in text
    assert "Alpen Software AG" in text
    assert "407,50" in text
    assert reader.attachments["factur-x.xml"][0].decode() == invoice.facturx_xml


def test_small_business_pdf_html_has_the_19_text():
    company_ready(small_business=True, default_vat_rate=Decimal(0), vat_id="")
    html = render_invoice_html(issued())
    assert "Gemäß § 19 UStG wird keine Umsatzsteuer berechnet." in html


def test_epc_qr_payload_for_the_open_amount():
    invoice = issued()
    assert epc_qr_payload(invoice) == (
        "BCD\n002\n2\nSCT\nCOBADEFFXXX\nKitmate IT GmbH\nDE89370400440532013000\n"
        "EUR484.93\n\n\nRE-2026-0001"
    )
    services.payment_record(actor=None, invoice=invoice, amount="84.93", date=invoice.issue_date)
    invoice.refresh_from_db()
    assert "\nEUR400\n" in epc_qr_payload(invoice)
    services.payment_record(actor=None, invoice=invoice, amount="400", date=invoice.issue_date)
    invoice.refresh_from_db()
    assert epc_qr_payload(invoice) is None


def test_pdf_fetcher_serves_static_files_only():
    fetcher = safe_url_fetcher()
    response = fetcher.fetch(BASE_URL + "static/css/invoice-pdf.css")
    assert b"@page" in response.read()
    for url in (
        "http://169.254.169.254/latest/meta-data/",
        "file:///etc/passwd",
        BASE_URL + "static/../../etc/passwd",
        "https://example.com/static/css/invoice-pdf.css",
        BASE_URL + "media/secret.pdf",
    ):
        with pytest.raises(ValueError):
            fetcher.fetch(url)
