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
EXPORT_TEXT = "Steuerfreie Ausfuhrlieferung (§ 4 Nr. 1a i. V. m. § 6 UStG)"

EXEMPTION_TEXTS = {"E": SMALL_BUSINESS_TEXT, "AE": REVERSE_CHARGE_TEXT, "G": EXPORT_TEXT}
# VATEX codes (CEF code list) for BT-121; §19 UStG has no VATEX code, the text suffices.
EXEMPTION_CODES = {"AE": "VATEX-EU-AE", "G": "VATEX-EU-G"}


def money(value: Decimal) -> Decimal:
    """Round half up to cents (kaufmännisch gerundet)."""
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


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
