"""The XRechnung passes KoSIT's XRechnung 3.0 rules for CII, not only EN 16931.

The ``kosit`` fixture (conftest.py, tests/invoices/schematron.py) runs what KoSIT's validator
runs for an XRechnung in CII syntax: the CEN EN 16931 CII rules, then the German CIUS
(BR-DE-*, with the Peppol rules XRechnung 3.0 took over, e.g. PEPPOL-EN16931-R010 for the
buyer's electronic address). Every case of test_einvoice_schematron.py that has an XRechnung
must pass with no error and no warning.
"""

from __future__ import annotations

import pytest

from apps.invoices import services
from apps.invoices.einvoice import LEITWEG_SCHEME
from tests.invoices.factories import company_ready, customer_ready, draft, issued
from tests.invoices.test_einvoice_schematron import CASES, NO_XRECHNUNG

pytestmark = pytest.mark.django_db

XRECHNUNG_CASES = [case for case in CASES if case not in NO_XRECHNUNG]


@pytest.fixture(autouse=True)
def _company():
    company_ready()


@pytest.mark.parametrize("case", XRECHNUNG_CASES)
def test_the_xrechnung_passes_the_kosit_rules(case, kosit):
    result = kosit.validate(CASES[case]().xrechnung_xml)
    assert [str(error) for error in result.errors] == []
    assert [str(warning) for warning in result.warnings] == []


def test_the_kosit_rules_run(kosit):
    """Both stylesheets really fire (a wrong context path would let everything pass): the CEN
    rules (BR-CO-15) and the German ones (BR-DE-6, BR-DE-7, BR-DE-15, BR-DE-14)."""
    xml = issued().xrechnung_xml
    assert kosit.validate(xml).errors == []
    # the header VAT breakdown (BG-23) comes after the lines
    lines, _rate, header = xml.rpartition(
        "<ram:RateApplicablePercent>19.00</ram:RateApplicablePercent>"
    )
    buyer_reference = xml[xml.index("<ram:BuyerReference>") : xml.index("</ram:BuyerReference>")]
    broken = (
        (lines + header)
        .replace("<ram:GrandTotalAmount>484.93<", "<ram:GrandTotalAmount>484.94<")
        .replace("<ram:CompleteNumber>+49 40 1234560</ram:CompleteNumber>", "<ram:CompleteNumber/>")
        .replace("<ram:URIID>rechnung@kitmate.example</ram:URIID>", "<ram:URIID/>")
        .replace(buyer_reference, "<ram:BuyerReference>")
    )
    rules = {error.rule for error in kosit.validate(broken).errors}
    assert {"BR-CO-15", "BR-DE-6", "BR-DE-7", "BR-DE-15", "BR-DE-14"} <= rules


def test_without_an_electronic_address_the_buyer_gets_no_xrechnung(kosit):
    """XRechnung 3.0 requires BT-49 (PEPPOL-EN16931-R010); a consumer without e-mail has none,
    and needs no e-invoice: the Factur-X (BT-49 optional there) is built, the XRechnung not."""
    invoice = issued(customer=customer_ready(type="b2c", email=""))
    assert invoice.facturx_xml
    assert invoice.xrechnung_xml == ""


@pytest.mark.parametrize("email", ["", "rechnung@stadt.example"])
def test_a_public_buyer_is_addressed_by_its_leitweg_id(email):
    """Public buyers receive e-invoices under their Leitweg-ID (0204), e-mail or not."""
    invoice = issued(customer=customer_ready(leitweg_id="04011000-1234512345-06", email=email))
    assert (
        f'<ram:URIID schemeID="{LEITWEG_SCHEME}">04011000-1234512345-06</ram:URIID>'
        in invoice.xrechnung_xml
    )
    assert issued().xrechnung_xml.count('schemeID="EM"') == 2  # seller and buyer e-mail


def test_an_xrechnung_needs_the_company_phone_and_e_mail():
    """BR-DE-6/BR-DE-27 (seller contact phone with three digits) and BR-DE-7 (seller contact
    e-mail): checked before issuing, with the other missing items."""
    company_ready(phone="-", email="")
    with pytest.raises(services.InvoiceIncomplete) as error:
        services.invoice_issue(actor=None, invoice=draft())
    assert error.value.messages == [
        "Firmendaten: Telefonnummer (die XRechnung verlangt einen Ansprechpartner des Verkäufers)",
        "Firmendaten: E-Mail-Adresse (die XRechnung verlangt einen Ansprechpartner des Verkäufers)",
    ]
    # no XRechnung for a consumer without e-mail (see above): no seller contact needed
    consumer = customer_ready(type="b2c", email="")
    assert issued(customer=consumer).number
    # nor for a quote (no e-invoice at all)
    assert issued(document_type="quote").number
