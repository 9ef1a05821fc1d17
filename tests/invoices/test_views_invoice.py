import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from apps.audit.models import AuditAction, AuditEntry
from apps.crm.models import Customer
from apps.invoices import mailing, services
from apps.invoices.models import (
    Invoice,
    InvoiceEmail,
    InvoiceEmailStatus,
    InvoiceLine,
    InvoiceStatus,
    Payment,
)
from tests.employees.factories import EmployeeFactory, role_named
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


@pytest.fixture
def accountant(db):
    return EmployeeFactory(role=role_named("Buchhaltung"))


def _htmx(client, method, url, target, data=None):
    headers = {"HX-Request": "true", "HX-Target": target}
    return getattr(client, method)(url, data or {}, headers=headers)


# --- Permission matrix ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("accountant", 200), ("manager", 200), ("member", 403), ("outsider", 403), ("admin", 200)],
)
def test_invoice_list_permission_matrix(request, client_for, persona, expected):
    user = request.getfixturevalue(persona)
    assert client_for(user).get(reverse("invoices:invoice_list")).status_code == expected


def test_invoice_list_requires_login(client):
    response = client.get(reverse("invoices:invoice_list"))
    assert response.status_code == 302
    assert "login" in response["Location"]


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("accountant", 200), ("manager", 200), ("member", 404), ("outsider", 404)],
)
def test_invoice_detail_permission_matrix(request, client_for, persona, expected):
    invoice = issued()
    user = request.getfixturevalue(persona)
    assert client_for(user).get(invoice.get_absolute_url()).status_code == expected


@pytest.mark.parametrize(
    ("name", "method"),
    [
        ("invoice_edit", "get"),
        ("invoice_issue", "get"),
        ("invoice_delete", "post"),
        ("invoice_cancel", "post"),
        ("quote_convert", "post"),
        ("invoice_notes", "post"),
        ("invoice_send", "get"),
        ("invoice_mark_sent", "post"),
        ("payment_create", "post"),
    ],
)
def test_project_manager_may_only_read(client_for, manager, name, method):
    invoice = draft()
    response = getattr(client_for(manager), method)(reverse(f"invoices:{name}", args=[invoice.pk]))
    assert response.status_code == 403


@pytest.mark.parametrize(
    ("name", "method"),
    [
        ("invoice_detail", "get"),
        ("invoice_edit", "get"),
        ("invoice_issue", "get"),
        ("invoice_delete", "post"),
        ("invoice_pdf", "get"),
        ("invoice_xml", "get"),
        ("payment_create", "post"),
    ],
)
def test_member_gets_404_on_invoice_urls(client_for, member, name, method):
    invoice = issued()
    response = getattr(client_for(member), method)(reverse(f"invoices:{name}", args=[invoice.pk]))
    assert response.status_code == 404


def test_member_cannot_create_or_export(client_for, member):
    client = client_for(member)
    assert client.get(reverse("invoices:invoice_create")).status_code == 403
    assert client.get(reverse("invoices:invoice_export", args=["csv"])).status_code == 403
    assert client.post(reverse("invoices:payment_delete", args=[1])).status_code == 403


# --- List -----------------------------------------------------------------------------------------


def test_invoice_list_filters_and_sums(client_for, accountant):
    paid = issued()
    services.payment_record(actor=None, invoice=paid, amount="484.93", date=ISSUE_DATE)
    issued()
    draft()
    response = client_for(accountant).get(reverse("invoices:invoice_list"), {"status": "sent"})
    assert response.status_code == 200
    sums = response.context["sums"]
    assert sums["gross"] == Decimal("484.93")
    assert sums["open"] == Decimal("484.93")
    assert response.context["page"].paginator.count == 1


def test_invoice_list_overdue_filter(client_for, accountant):
    overdue = issued()
    Invoice.objects.filter(pk=overdue.pk).update(due_date=datetime.date(2026, 3, 3))
    response = client_for(accountant).get(reverse("invoices:invoice_list"), {"overdue": "true"})
    assert [i.pk for i in response.context["page"]] == [overdue.pk]


def test_invoice_list_htmx_returns_results_fragment(client_for, accountant):
    issued()
    response = _htmx(
        client_for(accountant), "get", reverse("invoices:invoice_list"), "invoice-results"
    )
    assert response.status_code == 200
    assert "<html" not in response.text
    assert "invoice-row-" in response.text
    assert "HX-Request" in response["Vary"]


def test_invoice_list_ordering_is_total(client_for, accountant):
    response = client_for(accountant).get(reverse("invoices:invoice_list"), {"ordering": "total"})
    assert response.context["filter"].qs.totally_ordered


@pytest.mark.parametrize("rows", [5, 50])
def test_invoice_list_query_budget(client_for, accountant, django_assert_max_num_queries, rows):
    customer = customer_ready()
    for _ in range(rows):
        draft(customer=customer)
    client = client_for(accountant)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("invoices:invoice_list")).status_code == 200


def test_invoice_export_csv_is_formula_neutralised(client_for, accountant):
    customer = customer_ready(name="=HYPERLINK(evil)")
    issued(customer=customer)
    response = client_for(accountant).get(reverse("invoices:invoice_export", args=["csv"]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "'=HYPERLINK(evil)" in body
    assert "RE-2026-0001" in body


def test_invoice_export_xlsx_is_created_in_the_background(
    client_for, accountant, django_capture_on_commit_callbacks
):
    from apps.common.models import ExportFile

    issued()
    client = client_for(accountant)
    url = reverse("invoices:invoice_export_xlsx") + "?status=sent&page=3"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, headers={"HX-Request": "true", "HX-Target": "invoice-export"})
    assert "<html" not in response.text
    assert "invoices.xlsx wird erstellt" in response.text
    export = ExportFile.objects.get()
    assert export.params == {"query": "status=sent"}
    download = client.get(reverse("common:export_download", args=[export.key]))
    assert b"".join(download.streaming_content)[:2] == b"PK"
    assert AuditEntry.objects.get(action=AuditAction.EXPORT).message == (
        "invoices xlsx: status=sent"
    )


def test_invoice_export_xlsx_permissions(client_for, accountant, manager, member):
    url = reverse("invoices:invoice_export_xlsx")
    assert client_for(accountant).post(url).status_code == 302
    assert client_for(manager).post(url).status_code == 403
    assert client_for(member).post(url).status_code == 403
    assert (
        client_for(accountant).get(reverse("invoices:invoice_export", args=["xlsx"])).status_code
        == 405  # the XLSX export is a POST now
    )


def test_invoice_list_offers_the_exports_for_the_current_filter(client_for, accountant):
    response = _htmx(
        client_for(accountant),
        "get",
        reverse("invoices:invoice_list") + "?status=sent",
        "invoice-results",
    )
    assert reverse("invoices:invoice_export_xlsx") + "?status=sent" in response.text
    assert reverse("invoices:invoice_export", args=["csv"]) + "?status=sent" in response.text


def test_invoice_export_unknown_format_is_404(client_for, accountant):
    assert (
        client_for(accountant).get(reverse("invoices:invoice_export", args=["pdf"])).status_code
        == 404
    )


# --- Create / edit with the line editor -------------------------------------------------------------


def _form_data(customer, **extra):
    data = {
        "document_type": "invoice",
        "customer": customer.pk,
        "language": "de",
        "service_date": "2026-03-02",
        "line-description": ["Beratung", "Einrichtung"],
        "line-quantity": ["2", "1"],
        "line-unit": ["Stunden", "Pauschal"],
        "line-unit_price": ["85.00", "250.00"],
        "line-discount_percent": ["", "5"],
        "line-vat": ["S:19", "S:19"],
        "action": "save",
    }
    data.update(extra)
    return data


def test_invoice_create_saves_draft_with_lines(client_for, accountant):
    customer = customer_ready()
    response = client_for(accountant).post(reverse("invoices:invoice_create"), _form_data(customer))
    assert response.status_code == 302
    invoice = Invoice.objects.get()
    assert invoice.gross_total == Decimal("484.93")
    assert invoice.lines.count() == 2


def test_invoice_create_bad_input_is_422_and_saves_nothing(client_for, accountant):
    customer = customer_ready()
    data = _form_data(customer, **{"line-quantity": ["0", "abc"]})
    response = client_for(accountant).post(reverse("invoices:invoice_create"), data)
    assert response.status_code == 422
    assert not Invoice.objects.exists()


def test_invoice_create_htmx_totals_preview(client_for, accountant):
    customer = customer_ready()
    response = _htmx(
        client_for(accountant),
        "post",
        reverse("invoices:invoice_create"),
        "invoice-totals",
        _form_data(customer),
    )
    assert response.status_code == 200
    assert "<html" not in response.text
    assert "484,93" in response.text or "484.93" in response.text
    assert 'id="line-net-1"' in response.text
    assert "HX-Request" in response["Vary"]
    assert not Invoice.objects.exists()


def test_invoice_create_htmx_add_and_remove_line(client_for, accountant):
    customer = customer_ready()
    client = client_for(accountant)
    url = reverse("invoices:invoice_create")
    added = _htmx(client, "post", url, "invoice-editor", _form_data(customer, action="add"))
    assert added.status_code == 200
    assert "<html" not in added.text
    assert 'id="line-row-2"' in added.text
    removed = _htmx(client, "post", url, "invoice-editor", _form_data(customer, action="remove-0"))
    assert 'id="line-row-1"' not in removed.text
    assert "237,50" in removed.text or "237.50" in removed.text


def test_invoice_edit_replaces_lines_of_a_draft(client_for, accountant):
    invoice = draft()
    data = _form_data(invoice.customer)
    data.update(
        {
            "line-description": ["Nur eins"],
            "line-quantity": ["1"],
            "line-unit": ["Stück"],
            "line-unit_price": ["100"],
            "line-discount_percent": [""],
            "line-vat": ["S:7"],
        }
    )
    response = client_for(accountant).post(
        reverse("invoices:invoice_edit", args=[invoice.pk]), data
    )
    assert response.status_code == 302
    invoice.refresh_from_db()
    assert invoice.gross_total == Decimal("107.00")


def test_line_editor_offers_not_taxable_and_no_goods_export(client_for, accountant):
    response = client_for(accountant).get(reverse("invoices:invoice_create"))
    assert 'value="O:0"' in response.text
    assert "nicht steuerbar (§ 3a UStG, Kunde außerhalb der EU)" in response.text
    assert 'value="G:0"' not in response.text


def test_invoice_create_with_not_taxable_lines(client_for, accountant):
    customer = third_country_business()
    data = _form_data(customer, **{"line-vat": ["O:0", "O:0"]})
    response = client_for(accountant).post(reverse("invoices:invoice_create"), data)
    assert response.status_code == 302
    invoice = Invoice.objects.get()
    assert {line.vat_category for line in invoice.lines.all()} == {"O"}
    assert (invoice.vat_total, invoice.gross_total) == (Decimal("0.00"), Decimal("407.50"))


def test_legacy_goods_export_row_stays_visible_and_cannot_be_saved(client_for, accountant):
    invoice = draft(customer=third_country_business())
    InvoiceLine.objects.filter(invoice=invoice).update(vat_category="G")  # from before O
    client = client_for(accountant)
    url = reverse("invoices:invoice_edit", args=[invoice.pk])
    page = client.get(url)
    assert '<option value="G:0" selected>' in page.text  # not silently shown as 19 %
    data = _form_data(invoice.customer, **{"line-vat": ["G:0", "G:0"]})
    response = client.post(url, data)
    assert response.status_code == 422
    assert "Ausfuhr von Waren" in response.text
    assert set(invoice.lines.values_list("vat_category", flat=True)) == {"G"}


def test_invoice_edit_of_issued_invoice_changes_nothing(client_for, accountant):
    invoice = issued()
    response = client_for(accountant).post(
        reverse("invoices:invoice_edit", args=[invoice.pk]), _form_data(invoice.customer)
    )
    assert response.status_code == 302
    invoice.refresh_from_db()
    assert invoice.lines.count() == 2
    assert invoice.gross_total == Decimal("484.93")


# --- Detail, issue, payments, cancel, send ---------------------------------------------------------


@pytest.mark.parametrize("payments", [1, 10])
def test_invoice_detail_query_budget(
    client_for, accountant, django_assert_max_num_queries, payments
):
    invoice = issued(
        lines=[
            {"description": f"L{i}", "quantity": "1", "unit_price": "1000"} for i in range(payments)
        ]
    )
    for _ in range(payments):
        services.payment_record(actor=None, invoice=invoice, amount="1.00", date=ISSUE_DATE)
    client = client_for(accountant)
    with django_assert_max_num_queries(22):
        assert client.get(invoice.get_absolute_url()).status_code == 200


def test_invoice_issue_page_lists_missing_items(client_for, accountant):
    invoice = draft(lines=[])
    response = client_for(accountant).post(reverse("invoices:invoice_issue", args=[invoice.pk]))
    assert response.status_code == 422
    assert "At least one line" in response.text or "Mindestens eine Position" in response.text
    invoice.refresh_from_db()
    assert invoice.number is None


def test_invoice_issue_via_htmx_redirects_to_detail(client_for, accountant):
    invoice = draft()
    response = _htmx(
        client_for(accountant),
        "post",
        reverse("invoices:invoice_issue", args=[invoice.pk]),
        "invoice-issue",
    )
    assert response.status_code == 200
    assert response["HX-Redirect"] == invoice.get_absolute_url()
    invoice.refresh_from_db()
    assert invoice.number == "RE-2026-0001"


def test_payment_htmx_partial_then_full(client_for, accountant):
    invoice = issued()
    client = client_for(accountant)
    url = reverse("invoices:payment_create", args=[invoice.pk])
    data = {"amount": "100.00", "date": "2026-03-10", "method": "bank_transfer"}
    response = _htmx(client, "post", url, "invoice-payments", data)
    assert response.status_code == 200
    assert "<html" not in response.text
    assert 'id="invoice-open-amount"' in response.text
    assert "HX-Request" in response["Vary"]
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.PARTIAL
    too_much = _htmx(client, "post", url, "invoice-payments", {**data, "amount": "500.00"})
    assert too_much.status_code == 422
    _htmx(client, "post", url, "invoice-payments", {**data, "amount": "384.93"})
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.PAID


def test_payment_delete_view_recomputes(client_for, accountant):
    invoice = issued()
    payment = services.payment_record(actor=None, invoice=invoice, amount="484.93", date=ISSUE_DATE)
    response = _htmx(
        client_for(accountant),
        "post",
        reverse("invoices:payment_delete", args=[payment.pk]),
        "invoice-payments",
    )
    assert response.status_code == 200
    assert not Payment.objects.exists()
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.SENT


def test_invoice_cancel_view(client_for, accountant):
    invoice = issued()
    response = client_for(accountant).post(reverse("invoices:invoice_cancel", args=[invoice.pk]))
    assert response.status_code == 302
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.CANCELLED
    assert Invoice.objects.filter(number="ST-2026-0001", cancels=invoice).exists()


def test_quote_convert_view(client_for, accountant):
    quote = issued(document_type="quote")
    response = client_for(accountant).post(reverse("invoices:quote_convert", args=[quote.pk]))
    assert response.status_code == 302
    assert Invoice.objects.filter(source_quote=quote, status="draft").exists()


def test_invoice_notes_view_on_issued_invoice(client_for, accountant):
    invoice = issued()
    client_for(accountant).post(
        reverse("invoices:invoice_notes", args=[invoice.pk]), {"notes": "x"}
    )
    invoice.refresh_from_db()
    assert invoice.notes == "x"


def test_invoice_xml_download(client_for, accountant):
    invoice = issued()
    response = client_for(accountant).get(reverse("invoices:invoice_xml", args=[invoice.pk]))
    assert response.status_code == 200
    assert b"xrechnung_3.0" in response.content


def test_invoice_pdf_not_ready_is_404(client_for, accountant):
    invoice = issued()
    assert (
        client_for(accountant).get(reverse("invoices:invoice_pdf", args=[invoice.pk])).status_code
        == 404
    )


def test_invoice_detail_pdf_partial_polls_until_ready(client_for, accountant, settings):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    invoice = issued()
    response = _htmx(client_for(accountant), "get", invoice.get_absolute_url(), "invoice-pdf")
    assert "<html" not in response.text
    assert 'hx-trigger="every 2s"' in response.text
    assert "HX-Request" in response["Vary"]


def test_polling_queues_the_missing_pdf_at_most_once_a_minute(client_for, accountant, settings):
    from django.tasks import task_backends

    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    invoice = issued()  # on_commit never ran in this test transaction: no PDF, no task yet
    client = client_for(accountant)
    for _ in range(3):
        _htmx(client, "get", invoice.get_absolute_url(), "invoice-pdf")
    queued = [r for r in task_backends["default"].results if r.args == [invoice.pk]]
    assert len(queued) == 1


@pytest.mark.slow
def test_invoice_detail_poll_renders_a_missing_pdf(client_for, accountant):
    invoice = issued()  # on_commit never ran in this test transaction: no PDF yet
    response = _htmx(client_for(accountant), "get", invoice.get_absolute_url(), "invoice-pdf")
    assert reverse("invoices:invoice_pdf", args=[invoice.pk]) in response.text
    invoice.refresh_from_db()
    assert invoice.pdf_ready


@pytest.mark.slow
def test_invoice_send_view_queues_the_email_and_the_task_sends_it(
    client_for, accountant, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invoice = issued()
    client = client_for(accountant)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(
            reverse("invoices:invoice_send", args=[invoice.pk]),
            {"to": "kunde@example.com, second@example.com", "subject": "Rechnung", "body": "Hallo"},
        )
    assert response.status_code == 302
    assert len(callbacks) == 1  # queued after commit, sent by the task
    (message,) = mail.outbox
    assert message.to == ["kunde@example.com", "second@example.com"]
    assert [a.filename for a in message.attachments] == [
        "RE-2026-0001.pdf",
        "RE-2026-0001-xrechnung.xml",
    ]
    invoice.refresh_from_db()
    assert invoice.sent_at is not None
    page = client.get(invoice.get_absolute_url())
    assert "Die E-Mail an kunde@example.com, second@example.com wird gesendet" in page.text
    assert "Per E-Mail gesendet an kunde@example.com, second@example.com am" in page.text


def test_invoice_send_view_sends_nothing_in_the_request(
    client_for, accountant, settings, django_capture_on_commit_callbacks
):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    invoice = issued()
    client = client_for(accountant)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("invoices:invoice_send", args=[invoice.pk]),
            {"to": "kunde@example.com", "subject": "Rechnung", "body": "Hallo"},
        )
    assert response.status_code == 302
    assert not mail.outbox
    task = DBTaskResult.objects.get(task_path="apps.invoices.tasks.send_invoice_email")
    email = InvoiceEmail.objects.get()
    assert task.args_kwargs["args"] == [email.pk]
    assert email.status == InvoiceEmailStatus.QUEUED
    page = _htmx(client, "get", invoice.get_absolute_url(), "invoice-email")
    assert "<html" not in page.text
    assert "wird gesendet" in page.text
    assert 'hx-trigger="every 2s"' in page.text
    assert "HX-Request" in page["Vary"]


def test_invoice_send_view_double_click_queues_one_email(client_for, accountant):
    invoice = issued()
    client = client_for(accountant)
    url = reverse("invoices:invoice_send", args=[invoice.pk])
    data = {"to": "kunde@example.com", "subject": "Rechnung", "body": "Hallo"}
    assert client.post(url, data).status_code == 302
    second = client.post(url, data, follow=True)
    assert "wird bereits gesendet" in second.text
    assert InvoiceEmail.objects.count() == 1


def test_invoice_detail_shows_a_failed_email_with_retry(
    client_for, accountant, django_capture_on_commit_callbacks
):
    invoice = issued()
    email = mailing.invoice_email_queue(
        actor=accountant, invoice=invoice, to=["kunde@example.com"], subject="R", body="B"
    )
    InvoiceEmail.objects.filter(pk=email.pk).update(
        status=InvoiceEmailStatus.FAILED, failed_at=timezone.now(), error="mail server down"
    )
    client = client_for(accountant)
    page = _htmx(client, "get", invoice.get_absolute_url(), "invoice-email")
    assert "konnte nicht gesendet werden" in page.text
    assert "mail server down" in page.text
    retry = reverse("invoices:invoice_send_retry", args=[invoice.pk])
    assert retry in page.text
    assert 'hx-trigger="every 2s"' not in page.text  # nothing to wait for
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(retry)
    assert response.status_code == 302
    email.refresh_from_db()
    assert email.status == InvoiceEmailStatus.SENT
    assert [m.to for m in mail.outbox] == [["kunde@example.com"]]


def test_invoice_send_retry_of_a_fresh_queued_email_is_refused(client_for, accountant):
    invoice = issued()
    mailing.invoice_email_queue(
        actor=accountant, invoice=invoice, to=["kunde@example.com"], subject="R", body="B"
    )
    client = client_for(accountant)
    assert (
        reverse("invoices:invoice_send_retry", args=[invoice.pk])
        not in client.get(invoice.get_absolute_url()).text
    )
    response = client.post(reverse("invoices:invoice_send_retry", args=[invoice.pk]), follow=True)
    assert "wird bereits gesendet" in response.text
    assert not mail.outbox


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("accountant", 302), ("manager", 403), ("member", 404), ("outsider", 404)],
)
def test_invoice_send_retry_permission_matrix(request, client_for, persona, expected):
    invoice = issued()
    email = mailing.invoice_email_queue(
        actor=None, invoice=invoice, to=["kunde@example.com"], subject="R", body="B"
    )
    InvoiceEmail.objects.filter(pk=email.pk).update(status=InvoiceEmailStatus.FAILED)
    user = request.getfixturevalue(persona)
    response = client_for(user).post(reverse("invoices:invoice_send_retry", args=[invoice.pk]))
    assert response.status_code == expected


def test_invoice_send_retry_without_email_is_404(client_for, accountant):
    invoice = issued()
    response = client_for(accountant).post(
        reverse("invoices:invoice_send_retry", args=[invoice.pk])
    )
    assert response.status_code == 404


def test_invoice_send_bad_address_is_422(client_for, accountant):
    invoice = issued()
    response = client_for(accountant).post(
        reverse("invoices:invoice_send", args=[invoice.pk]),
        {"to": "not-an-address", "subject": "x", "body": "y"},
    )
    assert response.status_code == 422
    assert not mail.outbox


def test_invoice_mark_sent_view(client_for, accountant):
    invoice = issued()
    client_for(accountant).post(reverse("invoices:invoice_mark_sent", args=[invoice.pk]))
    invoice.refresh_from_db()
    assert invoice.sent_at is not None


def test_draft_delete_view(client_for, accountant):
    invoice = draft()
    response = client_for(accountant).post(reverse("invoices:invoice_delete", args=[invoice.pk]))
    assert response.status_code == 302
    assert not Invoice.objects.filter(pk=invoice.pk).exists()


def test_dunning_create_view_and_pdf_download(client_for, accountant):
    invoice = issued()
    Invoice.objects.filter(pk=invoice.pk).update(
        issue_date=datetime.date(2026, 1, 1), due_date=datetime.date(2026, 1, 15)
    )
    client = client_for(accountant)
    response = client.post(reverse("invoices:dunning_create", args=[invoice.pk]))
    assert response.status_code == 302
    letter = invoice.dunning_letters.get()
    download = client.get(reverse("invoices:dunning_pdf", args=[letter.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF")


def _overdue(**kwargs):
    invoice = issued(**kwargs)
    Invoice.objects.filter(pk=invoice.pk).update(
        issue_date=datetime.date(2026, 1, 1), due_date=datetime.date(2026, 1, 15)
    )
    return invoice


def test_dunning_create_view_emails_the_letter_through_the_task(
    client_for, accountant, django_capture_on_commit_callbacks
):
    invoice = _overdue()
    client = client_for(accountant)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(reverse("invoices:dunning_create", args=[invoice.pk]))
    assert response.status_code == 302
    assert len(callbacks) == 2  # PDF and e-mail are queued after commit, not done in the view
    (message,) = mail.outbox
    assert message.to == ["buchhaltung@nordlicht.example"]
    assert message.attachments[0][0] == "RE-2026-0001-M1.pdf"
    letter = invoice.dunning_letters.get()
    assert letter.sent_at is not None
    entry = AuditEntry.objects.for_object(letter).get(action=AuditAction.EMAIL)
    assert entry.actor == accountant
    page = client.get(invoice.get_absolute_url())
    assert "wird per E-Mail an buchhaltung@nordlicht.example gesendet" in page.text
    assert "per E-Mail an buchhaltung@nordlicht.example am" in page.text


def test_dunning_create_view_without_email_leaves_the_letter_for_print(
    client_for, accountant, django_capture_on_commit_callbacks
):
    invoice = _overdue(customer=customer_ready(email=""))
    client = client_for(accountant)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        client.post(reverse("invoices:dunning_create", args=[invoice.pk]))
    assert len(callbacks) == 1  # the PDF (for print) is rendered by a task; no e-mail
    assert not mail.outbox
    assert invoice.dunning_letters.get().sent_at is None
    page = client.get(invoice.get_absolute_url())
    assert "keine E-Mail-Adresse: Drucken Sie das Schreiben aus" in page.text
    assert "keine E-Mail-Adresse: ausdrucken und per Post senden" in page.text


def test_dunning_create_view_renders_and_sends_nothing_in_the_request(
    client_for, accountant, settings, django_capture_on_commit_callbacks
):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    invoice = _overdue()
    client = client_for(accountant)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("invoices:dunning_create", args=[invoice.pk]))
    assert response.status_code == 302
    letter = invoice.dunning_letters.get()
    assert not letter.pdf
    assert not mail.outbox
    assert sorted(DBTaskResult.objects.values_list("task_path", flat=True)) == [
        "apps.invoices.tasks.render_dunning_letter_pdf",
        "apps.invoices.tasks.send_dunning_letter",
    ]
    page = _htmx(client, "get", invoice.get_absolute_url(), "invoice-dunning")
    assert "<html" not in page.text
    assert "Das PDF wird erzeugt" in page.text
    assert 'hx-target="#invoice-dunning"' in page.text
    assert "HX-Request" in page["Vary"]


@pytest.mark.slow
def test_dunning_pdf_download_renders_a_letter_whose_task_has_not_run(client_for, accountant):
    invoice = _overdue()
    client = client_for(accountant)
    client.post(reverse("invoices:dunning_create", args=[invoice.pk]))  # on_commit never runs
    letter = invoice.dunning_letters.get()
    assert not letter.pdf
    download = client.get(reverse("invoices:dunning_pdf", args=[letter.pk]))
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    letter.refresh_from_db()
    assert letter.pdf
    page = _htmx(client, "get", invoice.get_absolute_url(), "invoice-dunning")
    assert 'hx-trigger="every 2s"' not in page.text  # rendered: the page stops polling


def test_dunning_send_view_emails_a_letter_left_for_print_once(
    client_for, accountant, django_capture_on_commit_callbacks
):
    customer = customer_ready(email="")
    invoice = _overdue(customer=customer)
    client = client_for(accountant)
    client.post(reverse("invoices:dunning_create", args=[invoice.pk]))
    letter = invoice.dunning_letters.get()
    url = reverse("invoices:dunning_send", args=[letter.pk])
    assert url not in client.get(invoice.get_absolute_url()).text  # no address: no button
    Customer.objects.filter(pk=customer.pk).update(email="neu@nordlicht.example")
    assert url in client.get(invoice.get_absolute_url()).text
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url)
    assert response.status_code == 302
    assert [m.to for m in mail.outbox] == [["neu@nordlicht.example"]]
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url)
    assert len(mail.outbox) == 1
    page = client.get(invoice.get_absolute_url())
    assert "bereits per E-Mail versendet" in page.text
    assert url not in page.text


def test_dunning_views_permissions(client_for, manager, member):
    invoice = issued()
    assert (
        client_for(manager).post(reverse("invoices:dunning_create", args=[invoice.pk])).status_code
        == 403
    )
    assert client_for(member).get(reverse("invoices:dunning_pdf", args=[1])).status_code == 403
    for user in (manager, member):
        response = client_for(user).post(reverse("invoices:dunning_send", args=[1]))
        assert response.status_code == 403


def test_customer_page_shows_invoice_tab_and_revenue(client_for, accountant):
    invoice = issued()
    services.payment_record(actor=None, invoice=invoice, amount="484.93", date=ISSUE_DATE)
    issued(customer=invoice.customer)
    from apps.crm import selectors as crm_selectors

    revenue = crm_selectors.customer_revenue(invoice.customer)
    assert revenue.revenue == Decimal("407.50")
    assert revenue.outstanding == Decimal("484.93")
    url = invoice.customer.get_absolute_url() + "?tab=invoices"
    response = _htmx(client_for(accountant), "get", url, "customer-tab")
    assert response.status_code == 200
    assert "RE-2026-0001" in response.text


def test_invoice_from_time_preview_htmx(client_for, accountant):
    customer = customer_ready()
    response = _htmx(
        client_for(accountant),
        "get",
        reverse("invoices:invoice_from_time")
        + f"?customer={customer.pk}&start=2026-02-01&end=2026-02-28&grouping=project",
        "time-entries",
    )
    assert response.status_code == 200
    assert "<html" not in response.text
    assert "HX-Request" in response["Vary"]


def test_invoice_from_time_permissions(client_for, accountant, manager, member):
    url = reverse("invoices:invoice_from_time")
    assert client_for(accountant).get(url).status_code == 200
    assert client_for(manager).get(url).status_code == 403
    assert client_for(member).get(url).status_code == 403


def test_invoice_from_time_bad_input_is_422(client_for, accountant):
    response = client_for(accountant).post(
        reverse("invoices:invoice_from_time"), {"start": "nonsense", "grouping": "x"}
    )
    assert response.status_code == 422
