"""Leitweg-ID (routing ID for e-invoices to German public authorities, XRechnung/KoSIT spec)."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Grobadressierung (2-12 digits), optional Feinadressierung (1-30 letters/digits), check digits.
LEITWEG_RE = re.compile(r"^\d{2,12}(-[A-Z0-9]{1,30})?-\d{2}$")


def leitweg_checksum_ok(value: str) -> bool:
    """ISO/IEC 7064 MOD 97-10 over the ID without hyphens (letters as 10..35): remainder 1."""
    digits = "".join(str(int(char, 36)) for char in value.replace("-", ""))
    return int(digits) % 97 == 1


def validate_leitweg_id(value: str) -> None:
    if not LEITWEG_RE.match(value):
        raise ValidationError(
            _(
                "A Leitweg-ID looks like 04011000-1234512345-06 (digits, optional part, check digits)."
            ),
            code="invalid_leitweg_format",
        )
    if not leitweg_checksum_ok(value):
        raise ValidationError(
            _("The check digits of this Leitweg-ID are wrong."), code="invalid_leitweg_checksum"
        )
