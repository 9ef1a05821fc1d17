from decimal import Decimal

import pytest
from django.utils import translation

from apps.invoices.forms import LineForm, PaymentForm


@pytest.mark.parametrize("typed", ["90,00", "90.00", "90"])
def test_line_form_accepts_german_decimal_comma(typed):
    with translation.override("de"):
        form = LineForm(
            data={"description": "Beratung", "quantity": "1,5", "unit_price": typed, "vat": "S:19"}
        )
        assert form.is_valid(), form.errors
    assert form.cleaned_data["unit_price"] == Decimal("90.00")
    assert form.cleaned_data["quantity"] == Decimal("1.5")


def test_payment_form_accepts_german_decimal_comma():
    with translation.override("de"):
        form = PaymentForm(
            data={"amount": "221,30", "date": "2026-11-20", "method": "bank_transfer"}
        )
        assert form.is_valid(), form.errors
    assert form.cleaned_data["amount"] == Decimal("221.30")
