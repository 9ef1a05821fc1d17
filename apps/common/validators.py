"""Validators for German/EU business identifiers, backed by well-kept libraries."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from schwifty import BIC, IBAN
from schwifty.exceptions import SchwiftyException
from stdnum import exceptions as stdnum_exceptions
from stdnum.de import stnr
from stdnum.eu import vat


def validate_iban(value: str) -> None:
    try:
        IBAN(value)
    except SchwiftyException:
        raise ValidationError(_("This is not a valid IBAN."), code="invalid_iban") from None


def validate_bic(value: str) -> None:
    try:
        BIC(value)
    except SchwiftyException:
        raise ValidationError(_("This is not a valid BIC."), code="invalid_bic") from None


def validate_vat_id(value: str) -> None:
    try:
        vat.validate(value)
    except stdnum_exceptions.ValidationError:
        raise ValidationError(
            _("This is not a valid VAT ID (e.g. DE123456789)."), code="invalid_vat_id"
        ) from None


def validate_tax_number(value: str) -> None:
    try:
        stnr.validate(value)
    except stdnum_exceptions.ValidationError:
        raise ValidationError(
            _("This is not a valid German tax number (Steuernummer)."), code="invalid_tax_number"
        ) from None
