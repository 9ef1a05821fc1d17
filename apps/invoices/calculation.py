"""The one invoice calculation: the page, the PDF and the e-invoice XML all use it.

Rules (SPEC §11, EN 16931):
* line net = quantity × unit price × (1 − discount / 100), rounded half up to cents (BT-131);
* VAT per (category, rate) on the sum of the line nets of that group (BT-116 → BT-117), rounded
  half up to cents - never per line;
* total = Σ net + Σ VAT (BT-112).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Protocol

CENT = Decimal("0.01")
HUNDRED = Decimal(100)
ZERO = Decimal("0.00")

# Legally required notes on the document (and BT-120 exemption reasons in the XML).
SMALL_BUSINESS_TEXT = "Gemäß § 19 UStG wird keine Umsatzsteuer berechnet."
REVERSE_CHARGE_TEXT = "Steuerschuldnerschaft des Leistungsempfängers (§ 13b UStG)"
# Category O: services whose place of supply is outside Germany - for a business customer
# outside the EU its seat (§ 3a (2) UStG). "Nicht im Inland steuerbar" is the wording of the
# UStG/UStAE; BR-O-10 asks for this reason (BT-120) or the code VATEX-EU-O (BT-121).
NOT_TAXABLE_TEXT = "Nicht im Inland steuerbare Leistung (Leistungsort im Drittland, § 3a UStG)"
# Legacy category G (goods export): only on documents issued before category O existed.
EXPORT_TEXT = "Steuerfreie Ausfuhrlieferung (§ 4 Nr. 1a i. V. m. § 6 UStG)"

EXEMPTION_TEXTS = {
    "E": SMALL_BUSINESS_TEXT,
    "AE": REVERSE_CHARGE_TEXT,
    "O": NOT_TAXABLE_TEXT,
    "G": EXPORT_TEXT,
}
# VATEX codes (CEF code list) for BT-121; §19 UStG has no VATEX code, the text suffices.
EXEMPTION_CODES = {"AE": "VATEX-EU-AE", "O": "VATEX-EU-O", "G": "VATEX-EU-G"}
# "Not subject to VAT" has no rate at all: no BT-152 on its lines (BR-O-05) and no BT-119 in
# its breakdown (BR-48); its tax amount is 0 (BR-O-09).
NOT_SUBJECT = "O"


def money(value: Decimal) -> Decimal:
    """Round half up to cents (kaufmännisch gerundet); never a negative zero.

    0 % of a negative basis (a cancellation of a reverse-charge invoice) is ``-0.00`` in
    Decimal arithmetic; written into the XML it breaks BR-CO-14 and BR-AE-09/BR-O-09.
    """
    result = Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)
    return result if result else abs(result)


class LineLike(Protocol):
    quantity: Decimal
    unit_price: Decimal
    discount_percent: Decimal
    vat_rate: Decimal
    vat_category: str


def line_gross_amount(quantity: Decimal, unit_price: Decimal) -> Decimal:
    """quantity × price before the discount, rounded to cents (the base of the line allowance)."""
    return money(Decimal(quantity) * Decimal(unit_price))


def line_net_amount(quantity: Decimal, unit_price: Decimal, discount_percent: Decimal) -> Decimal:
    factor = (HUNDRED - Decimal(discount_percent or 0)) / HUNDRED
    return money(Decimal(quantity) * Decimal(unit_price) * factor)


@dataclass(frozen=True)
class LineResult:
    net: Decimal
    gross_before_discount: Decimal

    @property
    def discount_amount(self) -> Decimal:
        """The line allowance (BT-136): base − net, so that base − allowance = net exactly."""
        return self.gross_before_discount - self.net


@dataclass(frozen=True)
class VatGroup:
    category: str
    rate: Decimal
    basis: Decimal
    amount: Decimal

    @property
    def exemption_text(self) -> str:
        return EXEMPTION_TEXTS.get(self.category, "")

    @property
    def exemption_code(self) -> str:
        return EXEMPTION_CODES.get(self.category, "")

    @property
    def has_rate(self) -> bool:
        """False for "not subject to VAT" (O), which has no VAT rate (EN 16931 BR-48)."""
        return self.category != NOT_SUBJECT


@dataclass(frozen=True)
class Totals:
    lines: list[LineResult]
    groups: list[VatGroup] = field(default_factory=list)
    net: Decimal = ZERO
    vat: Decimal = ZERO
    gross: Decimal = ZERO

    @property
    def exemption_texts(self) -> list[str]:
        return [g.exemption_text for g in self.groups if g.exemption_text]

    @property
    def not_subject(self) -> bool:
        """The invoice contains "not subject to VAT" (O) lines (then it may contain only those,
        BR-O-11/12, and its e-invoice carries no VAT identifiers, BR-O-02)."""
        return any(group.category == NOT_SUBJECT for group in self.groups)


def calculate_line(line: LineLike) -> LineResult:
    return LineResult(
        net=line_net_amount(line.quantity, line.unit_price, line.discount_percent),
        gross_before_discount=line_gross_amount(line.quantity, line.unit_price),
    )


def calculate(lines: Iterable[LineLike]) -> Totals:
    lines = list(lines)
    results = [calculate_line(line) for line in lines]
    bases: dict[tuple[str, Decimal], Decimal] = {}
    for line, result in zip(lines, results, strict=True):
        key = (line.vat_category, Decimal(line.vat_rate).quantize(CENT))
        bases[key] = bases.get(key, ZERO) + result.net
    # Standard rates first (19 before 7), then the zero-rated categories: the usual German layout.
    order = sorted(bases, key=lambda key: (key[0] != "S", -key[1], key[0]))
    groups = [
        VatGroup(
            category=category,
            rate=rate,
            basis=bases[(category, rate)],
            amount=money(bases[(category, rate)] * rate / HUNDRED),
        )
        for category, rate in order
    ]
    net = sum((group.basis for group in groups), ZERO)
    vat = sum((group.amount for group in groups), ZERO)
    return Totals(lines=results, groups=groups, net=net, vat=vat, gross=net + vat)
