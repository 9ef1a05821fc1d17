from dataclasses import dataclass
from decimal import Decimal

from apps.invoices.calculation import calculate, line_net_amount, money


@dataclass
class Line:
    quantity: Decimal
    unit_price: Decimal
    discount_percent: Decimal = Decimal(0)
    vat_rate: Decimal = Decimal(19)
    vat_category: str = "S"


def test_money_rounds_half_up_to_cents():
    assert money(Decimal("77.425")) == Decimal("77.43")
    assert money(Decimal("-77.425")) == Decimal("-77.43")
    assert money(Decimal("0.004")) == Decimal("0.00")


def test_line_net_applies_discount_and_rounds():
    assert line_net_amount(Decimal(1), Decimal("250.00"), Decimal(5)) == Decimal("237.50")
    assert line_net_amount(Decimal("1.333"), Decimal("85.00"), Decimal(0)) == Decimal("113.31")


def test_calculate_known_case_from_the_spec():
    totals = calculate(
        [
            Line(Decimal(2), Decimal("85.00")),
            Line(Decimal(1), Decimal("250.00"), discount_percent=Decimal(5)),
        ]
    )
    assert totals.net == Decimal("407.50")
    assert totals.vat == Decimal("77.43")
    assert totals.gross == Decimal("484.93")
    assert [(g.rate, g.basis, g.amount) for g in totals.groups] == [
        (Decimal("19.00"), Decimal("407.50"), Decimal("77.43"))
    ]


def test_calculate_vat_on_the_sum_per_rate_not_per_line():
    # Per line: 3 × round(0.1045 × ...) would differ; EN 16931 rounds once per rate.
    lines = [Line(Decimal(1), Decimal("0.55")) for _ in range(3)]
    totals = calculate(lines)
    assert totals.net == Decimal("1.65")
    assert totals.vat == Decimal("0.31")  # 1.65 × 0.19 = 0.3135; per line it would be 0.30


def test_calculate_mixed_rates_gives_one_vat_amount_per_rate():
    totals = calculate(
        [
            Line(Decimal(1), Decimal("100.00")),
            Line(Decimal(2), Decimal("10.00"), vat_rate=Decimal(7)),
            Line(Decimal(1), Decimal("50.00")),
        ]
    )
    assert [(g.rate, g.basis, g.amount) for g in totals.groups] == [
        (Decimal("19.00"), Decimal("150.00"), Decimal("28.50")),
        (Decimal("7.00"), Decimal("20.00"), Decimal("1.40")),
    ]
    assert totals.net == Decimal("170.00")
    assert totals.vat == Decimal("29.90")
    assert totals.gross == Decimal("199.90")


def test_calculate_zero_rated_categories_carry_their_texts():
    totals = calculate(
        [Line(Decimal(1), Decimal("100.00"), vat_rate=Decimal(0), vat_category="AE")]
    )
    assert totals.vat == Decimal("0.00")
    assert totals.gross == Decimal("100.00")
    assert totals.exemption_texts == ["Steuerschuldnerschaft des Leistungsempfängers (§ 13b UStG)"]


def test_calculate_negated_lines_give_exactly_negated_totals():
    lines = [
        Line(Decimal(2), Decimal("85.00")),
        Line(Decimal(1), Decimal("250.00"), discount_percent=Decimal(5)),
    ]
    negated = [
        Line(-line.quantity, line.unit_price, line.discount_percent, line.vat_rate)
        for line in lines
    ]
    assert calculate(negated).gross == -calculate(lines).gross
    assert calculate(negated).vat == Decimal("-77.43")


def test_zero_vat_on_a_negative_basis_is_not_negative_zero():
    # A cancellation invoice of a zero-rated invoice: "-0.00" would break BR-CO-14 in the XML.
    totals = calculate(
        [Line(Decimal(-2), Decimal("85.00"), vat_rate=Decimal(0), vat_category="AE")]
    )
    assert str(totals.groups[0].amount) == "0.00"
    assert str(totals.vat) == "0.00"
    assert str(money(Decimal("-0.004"))) == "0.00"


def test_not_subject_group_has_no_rate_and_the_3a_note():
    totals = calculate([Line(Decimal(2), Decimal("85.00"), vat_rate=Decimal(0), vat_category="O")])
    (group,) = totals.groups
    assert (group.category, group.basis, group.amount) == ("O", Decimal("170.00"), Decimal("0.00"))
    assert not group.has_rate
    assert group.exemption_code == "VATEX-EU-O"
    assert totals.not_subject
    assert totals.exemption_texts == [
        "Nicht im Inland steuerbare Leistung (Leistungsort im Drittland, § 3a UStG)"
    ]
    assert totals.gross == Decimal("170.00")
