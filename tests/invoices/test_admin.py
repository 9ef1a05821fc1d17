from decimal import Decimal

import pytest
from django.contrib.admin.sites import site
from django.test import RequestFactory
from django.urls import reverse

from apps.audit.models import AuditAction, AuditEntry
from apps.invoices.models import Invoice, InvoiceLine
from tests.invoices.factories import company_ready, draft, issued

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _company():
    company_ready()


def _request(user):
    request = RequestFactory().get("/")
    request.user = user
    return request


def test_admin_issued_invoice_is_read_only_and_undeletable(admin):
    invoice = issued()
    model_admin = site._registry[Invoice]
    request = _request(admin)
    readonly = set(model_admin.get_readonly_fields(request, invoice))
    assert {"customer", "gross_total", "issue_date", "status", "due_date"} <= readonly
    assert "notes" not in readonly
    assert not model_admin.has_delete_permission(request, invoice)
    assert "delete_selected" not in model_admin.get_actions(request)
    for inline in model_admin.get_inline_instances(request, invoice):
        assert not inline.has_change_permission(request, invoice)
        assert not inline.has_delete_permission(request, invoice)
        assert not inline.has_add_permission(request, invoice)


def test_admin_draft_stays_editable(admin):
    invoice = draft()
    model_admin = site._registry[Invoice]
    request = _request(admin)
    assert model_admin.has_delete_permission(request, invoice)
    assert "customer" not in model_admin.get_readonly_fields(request, invoice)


def test_admin_post_to_issued_invoice_changes_only_notes(client_for, admin):
    invoice = issued()
    url = reverse("admin:invoices_invoice_change", args=[invoice.pk])
    client = client_for(admin)
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "notes": "intern",
            "gross_total": "1.00",
            "lines-TOTAL_FORMS": "0",
            "lines-INITIAL_FORMS": "0",
            "payments-TOTAL_FORMS": "0",
            "payments-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code in (200, 302)
    invoice.refresh_from_db()
    assert invoice.gross_total == Decimal("484.93")
    assert invoice.lines.count() == 2
    assert invoice.notes == "intern"


def test_admin_delete_view_refuses_issued_invoice(client_for, admin):
    invoice = issued()
    url = reverse("admin:invoices_invoice_delete", args=[invoice.pk])
    assert client_for(admin).post(url, {"post": "yes"}).status_code == 403
    assert Invoice.objects.filter(pk=invoice.pk).exists()


# --- Draft lines in the admin's inline: through the line editor's service, audited -------------


def _unchanged_post(client, invoice):  # type: ignore[no-untyped-def]
    """What the invoice's admin page posts back when nothing is touched (form + inlines)."""
    page = client.get(reverse("admin:invoices_invoice_change", args=[invoice.pk]))
    data = {
        name: value
        for name, value in page.context["adminform"].form.initial.items()
        if value is not None
    }
    for inline in page.context["inline_admin_formsets"]:
        formset = inline.formset
        management = formset.management_form
        data.update({management.add_prefix(k): v for k, v in management.initial.items()})
        if formset.model is not InvoiceLine:
            continue
        for form in formset.initial_forms:
            data[form.add_prefix("id")] = form.instance.pk
            data[form.add_prefix("invoice")] = invoice.pk
            for name in form.fields:
                if name not in {"id", "invoice", "DELETE"}:
                    data[form.add_prefix(name)] = getattr(form.instance, name)
    return data


def _lines_entries(invoice):  # type: ignore[no-untyped-def]
    return AuditEntry.objects.for_object(invoice).filter(changes__has_key="lines")


def test_admin_draft_line_changes_are_one_audited_change_of_the_invoice(client_for, admin):
    from apps.audit.services import audit_chain_verify

    invoice = draft()
    first, second = invoice.lines.order_by("position")
    client = client_for(admin)
    data = _unchanged_post(client, invoice)
    data["lines-0-quantity"] = "3"  # Beratung: 2 -> 3 hours
    data["lines-1-DELETE"] = "on"
    data.update(
        {
            "lines-TOTAL_FORMS": "3",
            "lines-2-invoice": invoice.pk,
            "lines-2-position": "3",
            "lines-2-description": "Schulung",
            "lines-2-quantity": "1",
            "lines-2-unit": "Tag",
            "lines-2-unit_price": "600.00",
            "lines-2-discount_percent": "0",
            "lines-2-vat_rate": "19.00",
            "lines-2-vat_category": "S",
        }
    )
    response = client.post(reverse("admin:invoices_invoice_change", args=[invoice.pk]), data)
    assert response.status_code == 302, response.context and response.context["errors"]
    lines = list(invoice.lines.order_by("position"))
    assert [(line.position, line.description) for line in lines] == [
        (1, "Beratung"),
        (2, "Schulung"),
    ]
    assert lines[0].pk == first.pk and lines[0].line_net == Decimal("255.00")
    assert not InvoiceLine.objects.filter(pk=second.pk).exists()
    entry = _lines_entries(invoice).get()
    assert (entry.action, entry.actor) == (AuditAction.UPDATE, admin)
    old, new = entry.changes["lines"]["old"], entry.changes["lines"]["new"]
    assert [line["description"] for line in old] == ["Beratung", "Einrichtung Server"]
    assert [(line["description"], line["quantity"]) for line in new] == [
        ("Beratung", "3.000"),
        ("Schulung", "1.000"),
    ]
    invoice.refresh_from_db()
    assert invoice.net_total == Decimal("855.00")
    assert audit_chain_verify()[1] is None


def test_admin_unchanged_draft_lines_write_no_lines_entry(client_for, admin):
    invoice = draft()
    client = client_for(admin)
    response = client.post(
        reverse("admin:invoices_invoice_change", args=[invoice.pk]),
        _unchanged_post(client, invoice),
    )
    assert response.status_code == 302
    assert not _lines_entries(invoice).exists()


def test_admin_draft_line_with_a_wrong_vat_rate_is_refused_at_the_line(client_for, admin):
    invoice = draft()
    client = client_for(admin)
    data = _unchanged_post(client, invoice)
    data["lines-0-vat_rate"] = "16.00"
    response = client.post(reverse("admin:invoices_invoice_change", args=[invoice.pk]), data)
    assert response.status_code == 200  # the form again
    formset = response.context["inline_admin_formsets"][0].formset
    assert "vat_rate" in formset.forms[0].errors
    assert not _lines_entries(invoice).exists()
    assert invoice.lines.order_by("position").first().vat_rate == Decimal("19.00")


def test_admin_draft_line_with_the_goods_export_category_is_refused(client_for, admin):
    invoice = draft()
    client = client_for(admin)
    data = _unchanged_post(client, invoice)
    data["lines-0-vat_category"] = "G"
    data["lines-0-vat_rate"] = "0.00"
    response = client.post(reverse("admin:invoices_invoice_change", args=[invoice.pk]), data)
    assert response.status_code == 200  # the form again
    formset = response.context["inline_admin_formsets"][0].formset
    assert "Ausfuhr von Waren" in " ".join(formset.forms[0].errors["vat_category"])
    assert invoice.lines.order_by("position").first().vat_category == "S"


def test_admin_draft_line_not_taxable_is_accepted(client_for, admin):
    invoice = draft()
    client = client_for(admin)
    data = _unchanged_post(client, invoice)
    for index in (0, 1):
        data[f"lines-{index}-vat_category"] = "O"
        data[f"lines-{index}-vat_rate"] = "0.00"
    response = client.post(reverse("admin:invoices_invoice_change", args=[invoice.pk]), data)
    assert response.status_code == 302
    invoice.refresh_from_db()
    assert set(invoice.lines.values_list("vat_category", flat=True)) == {"O"}
    assert invoice.vat_total == Decimal("0.00")


# --- Drafts in the admin: created, changed and deleted through the invoice services ---------------


def _header(customer, **values):  # type: ignore[no-untyped-def]
    data = {
        "document_type": "invoice",
        "customer": customer.pk,
        "language": "de",
        "service_date": "2026-01-15",
        "subject": "Wartung Januar",
        "lines-TOTAL_FORMS": "0",
        "lines-INITIAL_FORMS": "0",
        "payments-TOTAL_FORMS": "0",
        "payments-INITIAL_FORMS": "0",
    }
    data.update(values)
    return data


def _line(index, **values):  # type: ignore[no-untyped-def]
    line = {
        "position": str(index + 1),
        "description": "Wartung",
        "quantity": "4",
        "unit": "Stunden",
        "unit_price": "90.00",
        "discount_percent": "0",
        "vat_rate": "19.00",
        "vat_category": "S",
    }
    line.update(values)
    return {f"lines-{index}-{name}": value for name, value in line.items()}


def test_admin_new_draft_is_created_as_the_app_creates_it(client_for, admin):
    import datetime as dt

    from apps.invoices import services
    from tests.invoices.factories import customer_ready

    customer = customer_ready()
    data = _header(customer, **{"lines-TOTAL_FORMS": "1"}, **_line(0))
    response = client_for(admin).post(reverse("admin:invoices_invoice_add"), data)
    assert response.status_code == 302, response.context and response.context["errors"]
    invoice = Invoice.objects.get()
    assert (invoice.created_by, invoice.net_total, invoice.gross_total) == (
        admin,
        Decimal("360.00"),
        Decimal("428.40"),
    )
    assert [line.description for line in invoice.lines.all()] == ["Wartung"]
    entry = AuditEntry.objects.for_object(invoice).get()  # one entry: the creation
    assert (entry.action, entry.actor, entry.message) == (AuditAction.CREATE, admin, "")
    reference = services.invoice_create(
        actor=admin,
        customer=customer,
        service_date=dt.date(2026, 1, 15),
        subject="Wartung Januar",
        lines=[
            {
                "description": "Wartung",
                "quantity": Decimal(4),
                "unit": "Stunden",
                "unit_price": Decimal("90.00"),
                "discount_percent": Decimal(0),
                "vat_rate": Decimal("19.00"),
                "vat_category": "S",
            }
        ],
    )
    assert entry.changes == AuditEntry.objects.for_object(reference).get().changes


def test_admin_new_cancellation_invoice_is_refused(client_for, admin):
    from tests.invoices.factories import customer_ready

    data = _header(customer_ready(), document_type="cancellation")
    response = client_for(admin).post(reverse("admin:invoices_invoice_add"), data)
    assert response.status_code == 200  # the form again
    assert "document_type" in response.context["adminform"].form.errors
    assert not Invoice.objects.exists()


def test_admin_draft_header_change_is_the_apps_update(client_for, admin):
    from apps.invoices import services

    invoice, reference = draft(), draft()
    client = client_for(admin)
    data = _unchanged_post(client, invoice)
    data.update({"subject": "Wartung Februar", "buyer_reference": "PO-4711"})
    response = client.post(reverse("admin:invoices_invoice_change", args=[invoice.pk]), data)
    assert response.status_code == 302, response.context and response.context["errors"]
    entry = AuditEntry.objects.for_object(invoice).get(action=AuditAction.UPDATE)
    assert (entry.actor, entry.message) == (admin, "")
    services.invoice_update(
        actor=admin, invoice=reference, subject="Wartung Februar", buyer_reference="PO-4711"
    )
    expected = AuditEntry.objects.for_object(reference).get(action=AuditAction.UPDATE).changes
    assert entry.changes == expected
    assert entry.changes["buyer_reference"] == {"old": "", "new": "PO-4711"}


def test_admin_unchanged_draft_save_writes_no_entry(client_for, admin):
    invoice = draft()
    client = client_for(admin)
    data = _unchanged_post(client, invoice)
    before = AuditEntry.objects.count()
    response = client.post(reverse("admin:invoices_invoice_change", args=[invoice.pk]), data)
    assert response.status_code == 302
    assert AuditEntry.objects.count() == before


def test_admin_draft_with_a_project_of_another_customer_is_refused_at_the_field(client_for, admin):
    from tests.projects.factories import ProjectFactory

    invoice = draft()
    client = client_for(admin)
    data = _unchanged_post(client, invoice)
    data["project"] = ProjectFactory().pk  # another customer's project
    response = client.post(reverse("admin:invoices_invoice_change", args=[invoice.pk]), data)
    assert response.status_code == 200  # the form again
    assert "project" in response.context["adminform"].form.errors
    invoice.refresh_from_db()
    assert invoice.project is None


def test_admin_draft_type_and_timesheet_flag_are_not_changed_behind_the_services(admin):
    invoice = draft()
    readonly = site._registry[Invoice].get_readonly_fields(_request(admin), invoice)
    assert {"document_type", "timesheet_appendix"} <= set(readonly)


def test_admin_draft_delete_is_the_apps_delete(client_for, admin):
    from apps.audit.services import audit_chain_verify
    from apps.invoices import services

    invoice = draft()
    reference = draft(customer=invoice.customer)
    client = client_for(admin)
    url = reverse("admin:invoices_invoice_delete", args=[invoice.pk])
    assert client.post(url, {"post": "yes"}).status_code == 302
    assert not Invoice.objects.filter(pk=invoice.pk).exists()
    entry = AuditEntry.objects.for_object(invoice).get(action=AuditAction.DELETE)
    reference_id = str(reference.pk)
    services.invoice_delete(actor=admin, invoice=reference)
    expected = AuditEntry.objects.get(action=AuditAction.DELETE, object_id=reference_id).changes
    assert (entry.actor, entry.changes) == (admin, expected)
    assert audit_chain_verify()[1] is None


def test_admin_draft_billed_from_time_can_be_deleted_and_frees_its_entries(client_for, admin):
    import datetime as dt

    from apps.audit.services import audit_chain_verify
    from apps.invoices.billing import invoice_from_time
    from apps.timetracking.models import TimeEntry
    from tests.invoices.factories import customer_ready
    from tests.projects.factories import ProjectFactory
    from tests.timetracking.factories import make_entry

    customer = customer_ready()
    project = ProjectFactory(customer=customer, hourly_rate=Decimal("90.00"))
    for start, end in (("09:00", "10:00"), ("10:00", "11:30")):
        make_entry(
            admin,
            dt.date(2026, 2, 10),
            start,
            end,
            status="approved",
            project=project,
            customer=customer,
            hourly_rate=Decimal("90.00"),
        )
    invoice = invoice_from_time(
        actor=admin, customer=customer, start=dt.date(2026, 2, 1), end=dt.date(2026, 2, 28)
    )
    assert TimeEntry.objects.filter(billed_by_line__invoice=invoice).count() == 2
    client = client_for(admin)
    url = reverse("admin:invoices_invoice_delete", args=[invoice.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert not page.context["protected"] and not page.context["perms_lacking"]
    assert "Zeiteinträge (werden freigegeben, wieder abrechenbar)" in page.text
    assert client.post(url, {"post": "yes"}).status_code == 302
    assert not Invoice.objects.filter(pk=invoice.pk).exists()
    assert set(TimeEntry.objects.values_list("billed_by_line", "billed_at")) == {(None, None)}
    entry = AuditEntry.objects.for_object(invoice).get(action=AuditAction.DELETE)
    assert entry.actor == admin
    assert audit_chain_verify()[1] is None


def test_admin_delete_queryset_deletes_drafts_through_the_service(admin):
    from django.contrib.contenttypes.models import ContentType

    one, two = draft(), draft()
    site._registry[Invoice].delete_queryset(_request(admin), Invoice.objects.all())
    assert not Invoice.objects.exists()
    deleted = AuditEntry.objects.filter(
        action=AuditAction.DELETE, content_type=ContentType.objects.get_for_model(Invoice)
    )
    assert set(deleted.values_list("object_id", "actor")) == {
        (str(one.pk), admin.pk),
        (str(two.pk), admin.pk),
    }


def test_admin_new_quote_without_lines(client_for, admin):
    from tests.invoices.factories import customer_ready

    client = client_for(admin)
    assert client.get(reverse("admin:invoices_invoice_add")).status_code == 200
    data = _header(customer_ready(), document_type="quote")
    response = client.post(reverse("admin:invoices_invoice_add"), data)
    assert response.status_code == 302, response.context and response.context["errors"]
    quote = Invoice.objects.get()
    assert (quote.document_type, quote.lines.count(), quote.gross_total) == ("quote", 0, 0)
    entry = AuditEntry.objects.for_object(quote).get()
    assert (entry.action, entry.actor) == (AuditAction.CREATE, admin)
