"""Demo company: a (fictitious) IT service provider in Koblenz with valid tax and bank identifiers."""

from __future__ import annotations

from typing import Any

from apps.company.selectors import company_get
from apps.company.services import company_update

DEFAULT_NAME = "Meine Firma"

DEMO_COMPANY: dict[str, Any] = {
    "name": "K.I.T. Solutions",
    "legal_form": "GmbH",
    "street": "Löhrstraße 42",
    "zip_code": "56068",
    "city": "Koblenz",
    "country": "DE",
    "phone": "+49 261 123456-0",
    "email": "info@kit-solutions.example",
    "website": "https://kit-solutions.example",
    "email_sender": "buchhaltung@kit-solutions.example",
    "tax_number": "22/650/12347",  # valid Rheinland-Pfalz format (python-stdnum)
    "vat_id": "DE812345673",  # valid check digit
    "register_court": "Amtsgericht Koblenz",
    "register_number": "HRB 26841",
    "managing_directors": "Katrin Ingwersen, Tobias Krämer",
    "bank_name": "Sparkasse Koblenz",
    "iban": "DE64570501201234567890",  # valid check digits, bank code of Sparkasse Koblenz
    "bic": "MALADE51KOB",
    "bundesland": "RP",
}


def seed(*, size: str, stdout: Any) -> None:
    company = company_get()
    if company.name != DEFAULT_NAME:
        stdout.write(f"  company: {company.full_name} exists, unchanged")
        return
    company_update(actor=None, **DEMO_COMPANY)
    stdout.write(f"  company: {DEMO_COMPANY['name']} {DEMO_COMPANY['legal_form']}")
