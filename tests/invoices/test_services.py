import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from apps.audit.models import AuditEntry
from apps.common.models import NumberSequence
from apps.crm.services import customer_update
from apps.invoices import services
from apps.invoices.calculation import NOT_TAXABLE_TEXT, REVERSE_CHARGE_TEXT, SMALL_BUSINESS_TEXT
from apps.invoices.models import Invoice, InvoiceLine, InvoiceStatus, Payment
from tests.invoices.factories import (
    ISSUE_DATE,
    company_ready,
    customer_ready,
    draft,
    issued,
    third_country_business,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _company():
    company_ready()


def test_invoice_create_stores_totals_of_the_calculation():
    invoice = draft()
    assert (invoice.net_total, invoice.vat_total, invoice.gross_total) == (
        Decimal("407.50"),
        Decimal("77.43"),
        Decimal("484.93"),
    )
    assert [line.line_net for line in invoice.lines.order_by("position")] == [
        Decimal("170.00"),
        Decimal("237.50"),
    ]
    assert invoice.number is None
    assert invoice.status == InvoiceStatus.DRAFT


def test_invoice_create_refuses_non_positive_quantity():
    with pytest.raises(ValidationError) as error:
        draft(lines=[{"description": "x", "quantity": "0", "unit_price": "1"}])
    assert "quantity" in error.value.message_dict


def test_invoice_issue_assigns_next_number_and_freezes_data():
    invoice = issued()
    assert invoice.number == "RE-2026-0001"
    assert invoice.status == InvoiceStatus.SENT
    assert invoice.due_date == ISSUE_DATE + datetime.timedelta(days=14)
    assert invoice.seller_data["vat_id"] == "DE136695976"
    assert invoice.buyer_data["name"] == "Nordlicht Logistik AG"
    customer_update(actor=None, customer=invoice.customer, name="Renamed GmbH")
    invoice.refresh_from_db()
    assert invoice.buyer_data["name"] == "Nordlicht Logistik AG"
    second = issued()
    assert second.number == "RE-2026-0002"


def test_invoice_issue_numbers_are_separate_per_type_and_restart_per_year():
    assert issued().number == "RE-2026-0001"
    assert issued(document_type="quote").number == "AN-2026-0001"
    next_year = draft(service_date=datetime.date(2027, 1, 4))
    next_year = services.invoice_issue(
        actor=None, invoice=next_year, issue_date=datetime.date(2027, 1, 4)
    )
    assert next_year.number == "RE-2027-0001"
    assert issued().number == "RE-2026-0002"


def test_invoice_issue_lists_what_is_missing():
    company_ready(tax_number="", vat_id="", street="")
    customer = customer_ready(street="", zip_code="")
    invoice = draft(customer=customer, lines=[], service_date=None)
    with pytest.raises(services.InvoiceIncomplete) as error:
        services.invoice_issue(actor=None, invoice=invoice)
    missing = " | ".join(error.value.messages)
    assert "Firmendaten: Steuernummer oder USt-IdNr." in missing
    assert "Firmendaten: vollständige Anschrift" in missing
    assert "Kunde: vollständige Anschrift" in missing
    assert "Mindestens eine Position" in missing
    assert "Leistungsdatum oder Leistungszeitraum" in missing
    invoice.refresh_from_db()
    assert invoice.number is None
    assert not NumberSequence.objects.filter(key="invoice:2026").exists()


def test_invoice_issue_failure_midway_consumes_no_number(monkeypatch):
    from apps.invoices import einvoice

    assert issued().number == "RE-2026-0001"

    def boom(*args, **kwargs):
        raise RuntimeError("XML generation failed")

    monkeypatch.setattr(einvoice, "build_facturx_xml", boom)
    failing = draft()
    with pytest.raises(RuntimeError):
        services.invoice_issue(actor=None, invoice=failing)
    failing.refresh_from_db()
    assert failing.number is None
    assert failing.status == InvoiceStatus.DRAFT
    monkeypatch.undo()
    assert services.invoice_issue(actor=None, invoice=failing).number == "RE-2026-0002"


def test_issued_invoice_refuses_every_change_through_services():
    invoice = issued()
    line = invoice.lines.first()
    attempts = [
        lambda: services.invoice_update(actor=None, invoice=invoice, subject="changed"),
        lambda: services.invoice_line_add(
            actor=None, invoice=invoice, description="x", quantity="1", unit_price="1"
        ),
        lambda: services.invoice_line_update(actor=None, line=line, quantity="5"),
        lambda: services.invoice_line_remove(actor=None, line=line),
        lambda: services.invoice_lines_replace(actor=None, invoice=invoice, lines=[]),
        lambda: services.invoice_delete(actor=None, invoice=invoice),
        lambda: services.invoice_issue(actor=None, invoice=invoice),
    ]
    for attempt in attempts:
        with pytest.raises(services.InvoiceLocked):
            attempt()
    invoice.refresh_from_db()
    assert invoice.gross_total == Decimal("484.93")
    assert invoice.lines.count() == 2


def test_issued_invoice_internal_notes_stay_editable():
    invoice = issued()
    services.invoice_notes_update(actor=None, invoice=invoice, notes="Kunde ruft zurück")
    invoice.refresh_from_db()
    assert invoice.notes == "Kunde ruft zurück"


def test_draft_can_be_deleted_and_is_audited():
    invoice = draft()
    pk = invoice.pk
    services.invoice_delete(actor=None, invoice=invoice)
    assert not Invoice.objects.filter(pk=pk).exists()
    assert AuditEntry.objects.filter(object_id=str(pk), action="delete").exists()


def test_line_remove_renumbers_and_recomputes():
    invoice = draft()
    services.invoice_line_remove(actor=None, line=invoice.lines.get(position=1))
    invoice.refresh_from_db()
    assert [line.position for line in invoice.lines.all()] == [1]
    assert invoice.gross_total == Decimal("282.63")  # 237.50 + 45.125 → 45.13


def test_small_business_issues_without_vat_and_with_exemption_text():
    company_ready(small_business=True, default_vat_rate=Decimal(0), vat_id="")
    invoice = issued()
    assert invoice.vat_total == Decimal("0.00")
    assert invoice.gross_total == Decimal("407.50")
    assert {line.vat_category for line in invoice.lines.all()} == {"E"}
    assert SMALL_BUSINESS_TEXT in invoice.facturx_xml
    assert services.invoice_totals(invoice).exemption_texts == [SMALL_BUSINESS_TEXT]


def test_reverse_charge_customer_gets_zero_rate_text_and_both_vat_ids():
    customer = customer_ready(vat_treatment="eu_reverse_charge", vat_id="ATU13585627", country="AT")
    invoice = issued(customer=customer)
    assert invoice.vat_total == Decimal("0.00")
    assert {(line.vat_category, line.vat_rate) for line in invoice.lines.all()} == {
        ("AE", Decimal("0.00"))
    }
    assert REVERSE_CHARGE_TEXT in invoice.facturx_xml
    assert "ATU13585627" in invoice.facturx_xml
    assert "DE136695976" in invoice.facturx_xml


def test_reverse_charge_needs_the_customer_vat_id():
    customer = customer_ready(vat_treatment="eu_reverse_charge", country="AT")
    with pytest.raises(services.InvoiceIncomplete) as error:
        issued(customer=customer)
    assert "USt-IdNr. des Kunden" in " ".join(error.value.messages)


def test_third_country_business_gets_not_subject_lines_without_vat():
    invoice = issued(customer=third_country_business())
    assert {(line.vat_category, line.vat_rate) for line in invoice.lines.all()} == {
        ("O", Decimal("0.00"))
    }
    assert (invoice.net_total, invoice.vat_total, invoice.gross_total) == (
        Decimal("407.50"),
        Decimal("0.00"),
        Decimal("407.50"),
    )
    assert services.invoice_totals(invoice).exemption_texts == [NOT_TAXABLE_TEXT]


def test_third_country_consumer_defaults_to_german_vat():
    # § 3a (1) UStG: place of the supplier; § 3a (4) catalogue services are chosen per line.
    customer = third_country_business(type="b2c", name="Heidi Muster")
    assert services.default_vat(customer=customer) == ("S", Decimal("19.00"))


def test_domestic_default_stays_standard_rate():
    assert services.default_vat(customer=customer_ready()) == ("S", Decimal("19.00"))


def test_not_subject_needs_no_company_vat_id():
    company_ready(vat_id="")
    invoice = issued(customer=third_country_business())
    assert invoice.number == "RE-2026-0001"


def test_line_add_refuses_the_goods_export_category():
    invoice = draft(customer=third_country_business())
    with pytest.raises(ValidationError) as error:
        services.invoice_line_add(
            actor=None,
            invoice=invoice,
            description="Support",
            quantity="1",
            unit_price="100",
            vat_category="G",
            vat_rate="0",
        )
    assert "Waren" in " ".join(error.value.message_dict["vat_category"])


def test_issue_refuses_not_subject_mixed_with_other_categories():
    lines = [
        {"description": "Beratung", "quantity": "1", "unit_price": "100", "vat_category": "O"},
        {"description": "Lizenz", "quantity": "1", "unit_price": "50", "vat_category": "S"},
    ]
    invoice = draft(customer=third_country_business(), lines=lines)
    with pytest.raises(services.InvoiceIncomplete) as error:
        services.invoice_issue(actor=None, invoice=invoice)
    assert "nicht mit anderen Steuerkategorien" in " ".join(error.value.messages)


def test_issue_not_subject_needs_tax_number_and_register_number():
    company_ready(tax_number="", register_number="")
    invoice = draft(customer=third_country_business())
    with pytest.raises(services.InvoiceIncomplete) as error:
        services.invoice_issue(actor=None, invoice=invoice)
    missing = " | ".join(error.value.messages)
    assert "Steuernummer der Firma" in missing
    assert "Handelsregisternummer der Firma" in missing


def test_issue_refuses_a_legacy_goods_export_line_on_a_draft():
    invoice = draft(customer=third_country_business())
    InvoiceLine.objects.filter(invoice=invoice).update(vat_category="G")
    with pytest.raises(services.InvoiceIncomplete) as error:
        services.invoice_issue(actor=None, invoice=invoice)
    assert "Ausfuhr (G)" in " ".join(error.value.messages)


def test_cancelling_a_legacy_goods_export_invoice_keeps_its_category():
    original = issued(customer=third_country_business())
    InvoiceLine.objects.filter(invoice=original).update(vat_category="G")  # issued before O
    cancellation = services.invoice_cancel(actor=None, invoice=original, issue_date=ISSUE_DATE)
    assert {line.vat_category for line in cancellation.lines.all()} == {"G"}
    assert cancellation.gross_total == Decimal("-407.50")


def test_quote_convert_links_and_keeps_the_quote_number():
    quote = issued(document_type="quote")
    invoice = services.quote_convert(actor=None, quote=quote)
    assert invoice.source_quote == quote
    assert invoice.is_draft
    assert invoice.gross_total == quote.gross_total
    quote.refresh_from_db()
    assert quote.number == "AN-2026-0001"
    with pytest.raises(ValidationError):
        services.quote_convert(actor=None, quote=quote)


def test_invoice_cancel_issues_negative_cancellation_and_cancels_original():
    original = issued()
    cancellation = services.invoice_cancel(actor=None, invoice=original, issue_date=ISSUE_DATE)
    original.refresh_from_db()
    assert original.status == InvoiceStatus.CANCELLED
    assert cancellation.number == "ST-2026-0001"
    assert cancellation.cancels == original
    assert cancellation.gross_total == Decimal("-484.93")
    assert cancellation.vat_total == Decimal("-77.43")
    assert "RE-2026-0001" in cancellation.header_text
    assert "02.03.2026" in cancellation.header_text
    assert "<ram:TypeCode>384</ram:TypeCode>" in cancellation.facturx_xml
    assert "<ram:IssuerAssignedID>RE-2026-0001</ram:IssuerAssignedID>" in (cancellation.facturx_xml)
    with pytest.raises(ValidationError):
        services.invoice_cancel(actor=None, invoice=original)


def test_payments_partial_then_full_then_overpayment_refused():
    invoice = issued()
    services.payment_record(actor=None, invoice=invoice, amount=Decimal("100.00"), date=ISSUE_DATE)
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.PARTIAL
    assert invoice.open_amount == Decimal("384.93")
    with pytest.raises(ValidationError):
        services.payment_record(
            actor=None, invoice=invoice, amount=Decimal("384.94"), date=ISSUE_DATE
        )
    services.payment_record(actor=None, invoice=invoice, amount=Decimal("384.93"), date=ISSUE_DATE)
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.PAID
    assert invoice.open_amount == Decimal("0.00")


def test_payment_delete_recomputes_the_status():
    invoice = issued()
    first = services.payment_record(actor=None, invoice=invoice, amount="84.93", date=ISSUE_DATE)
    services.payment_record(actor=None, invoice=invoice, amount="400.00", date=ISSUE_DATE)
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.PAID
    services.payment_delete(actor=None, payment=first)
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.PARTIAL
    services.payment_delete(actor=None, payment=Payment.objects.get(invoice=invoice))
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.SENT
    assert invoice.paid_total == Decimal("0.00")


def test_no_payments_on_drafts_or_cancelled_invoices():
    with pytest.raises(ValidationError):
        services.payment_record(actor=None, invoice=draft(), amount="1.00", date=ISSUE_DATE)
    original = issued()
    services.invoice_cancel(actor=None, invoice=original)
    with pytest.raises(ValidationError):
        services.payment_record(actor=None, invoice=original, amount="1.00", date=ISSUE_DATE)


def test_payment_refuses_bad_amounts():
    invoice = issued()
    for amount in ("0", "-5", "1.234", "abc"):
        with pytest.raises(ValidationError):
            services.payment_record(actor=None, invoice=invoice, amount=amount, date=ISSUE_DATE)


def test_every_service_writes_the_audit_log():
    invoice = issued()
    services.payment_record(actor=None, invoice=invoice, amount="10.00", date=ISSUE_DATE)
    actions = set(AuditEntry.objects.for_object(invoice).values_list("action", flat=True))
    assert {"create", "status"} <= actions


def test_lines_replace_keeps_posted_line_ids_and_drops_the_rest():
    invoice = draft()
    first, second = invoice.lines.order_by("position")
    services.invoice_lines_replace(
        actor=None,
        invoice=invoice,
        lines=[
            {
                "id": second.pk,
                "description": "Zweite zuerst",
                "quantity": "1",
                "unit_price": "10",
                "discount_percent": "0",
            },
            {"description": "Neu", "quantity": "1", "unit_price": "5"},
        ],
    )
    lines = list(invoice.lines.order_by("position"))
    assert [line.position for line in lines] == [1, 2]
    assert lines[0].pk == second.pk
    assert lines[0].description == "Zweite zuerst"
    assert not invoice.lines.filter(pk=first.pk).exists()
    invoice.refresh_from_db()
    assert invoice.net_total == Decimal("15.00")
