"""Aus Zeiten abrechnen: only billable, approved, unbilled entries; grouping, rounding, locking."""

import datetime as dt
import importlib
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from apps.invoices import billing, services
from apps.invoices.models import Invoice
from tests.employees.factories import EmployeeFactory
from tests.invoices.factories import company_ready, customer_ready
from tests.projects.factories import ProjectFactory

pytestmark = pytest.mark.django_db

# Time tracking lands in parallel: resolved at run time (tests/invoices/conftest.py collects this
# module only once apps.timetracking.models exists).
TimeEntry = billing.time_entry_model()
make_entry = importlib.import_module("tests.timetracking.factories").make_entry

DAY = dt.date(2026, 2, 10)
START, END = dt.date(2026, 2, 1), dt.date(2026, 2, 28)


@pytest.fixture
def world():
    company_ready()
    customer = customer_ready()
    project = ProjectFactory(customer=customer, hourly_rate=Decimal("90.00"), billing_rounding=15)
    anna = EmployeeFactory(first_name="Anna", last_name="A")
    ben = EmployeeFactory(first_name="Ben", last_name="B")
    rate = {"hourly_rate": Decimal("90.00"), "project": project, "customer": customer}
    entries = {
        # 50 min → 60 min with 15-minute rounding
        "a1": make_entry(
            anna, DAY, "09:00", "09:50", status="approved", activity="development", **rate
        ),
        # 100 min → 105 min
        "a2": make_entry(
            anna, DAY, "10:00", "11:40", status="approved", activity="consulting", **rate
        ),
        # 30 min → 30 min
        "b1": make_entry(
            ben, DAY, "09:00", "09:30", status="approved", activity="development", **rate
        ),
        "pending": make_entry(ben, DAY, "10:00", "11:00", status="pending", **rate),
        "unbillable": make_entry(
            ben, DAY, "12:00", "13:00", status="approved", billable=False, **rate
        ),
        "outside": make_entry(
            ben, dt.date(2026, 3, 2), "09:00", "10:00", status="approved", **rate
        ),
    }
    return customer, project, entries


def test_billable_entries_are_only_approved_billable_unbilled_in_period(world):
    customer, _project, entries = world
    found = set(billing.billable_entries(customer=customer, start=START, end=END))
    assert found == {entries["a1"], entries["a2"], entries["b1"]}


def test_rounded_minutes():
    assert billing.rounded_minutes(50, 15) == 60
    assert billing.rounded_minutes(60, 15) == 60
    assert billing.rounded_minutes(61, 30) == 90
    assert billing.rounded_minutes(7, 5) == 10
    assert billing.rounded_minutes(7, 0) == 7


def test_invoice_from_time_per_project_with_rounding_and_locking(world):
    customer, _project, entries = world
    invoice = billing.invoice_from_time(
        actor=None, customer=customer, start=START, end=END, grouping="project"
    )
    line = invoice.lines.get()
    assert line.quantity == Decimal("3.25")  # 60 + 105 + 30 = 195 min
    assert line.unit_price == Decimal("90.00")
    assert invoice.net_total == Decimal("292.50")
    assert (invoice.service_period_start, invoice.service_period_end) == (START, END)
    for key in ("a1", "a2", "b1"):
        entry = TimeEntry.objects.get(pk=entries[key].pk)
        assert entry.billed_by_line_id == line.pk
        assert entry.billed_at is not None
    assert TimeEntry.objects.get(pk=entries["pending"].pk).billed_at is None
    # Locked: a second run finds nothing.
    with pytest.raises(ValidationError):
        billing.invoice_from_time(actor=None, customer=customer, start=START, end=END)


@pytest.mark.parametrize(
    ("grouping", "quantities"),
    [
        ("activity", [Decimal("1.50"), Decimal("1.75")]),  # development 60+30, consulting 105
        ("employee", [Decimal("2.75"), Decimal("0.50")]),  # Anna 165, Ben 30
        ("entry", [Decimal("1.00"), Decimal("0.50"), Decimal("1.75")]),
    ],
)
def test_invoice_from_time_groupings(world, grouping, quantities):
    customer, _project, _entries = world
    invoice = billing.invoice_from_time(
        actor=None, customer=customer, start=START, end=END, grouping=grouping
    )
    assert sorted(line.quantity for line in invoice.lines.all()) == sorted(quantities)


def test_deleting_the_draft_frees_the_entries(world):
    customer, _project, _entries = world
    invoice = billing.invoice_from_time(actor=None, customer=customer, start=START, end=END)
    services.invoice_delete(actor=None, invoice=invoice)
    assert not Invoice.objects.exists()
    assert not TimeEntry.objects.filter(billed_at__isnull=False).exists()
    again = billing.invoice_from_time(actor=None, customer=customer, start=START, end=END)
    assert again.lines.count() == 1


def test_removing_a_line_in_the_editor_frees_its_entries(world):
    customer, _project, entries = world
    invoice = billing.invoice_from_time(
        actor=None, customer=customer, start=START, end=END, grouping="employee"
    )
    anna_line, _ben_line = invoice.lines.order_by("position")
    services.invoice_lines_replace(
        actor=None,
        invoice=invoice,
        lines=[
            {
                "id": anna_line.pk,
                "description": anna_line.description,
                "quantity": anna_line.quantity,
                "unit": anna_line.unit,
                "unit_price": anna_line.unit_price,
                "discount_percent": anna_line.discount_percent,
                "vat_rate": anna_line.vat_rate,
                "vat_category": anna_line.vat_category,
            }
        ],
    )
    assert TimeEntry.objects.get(pk=entries["a1"].pk).billed_by_line_id == anna_line.pk
    assert TimeEntry.objects.get(pk=entries["b1"].pk).billed_at is None


def test_a_line_with_billed_entries_cannot_be_deleted_behind_the_services_back(world):
    """The entry's link is a foreign key (PROTECT): deleting the line or the draft directly (as
    the admin's delete would) is refused instead of leaving entries locked on a line that is gone."""
    from django.db import transaction
    from django.db.models import ProtectedError

    customer, _project, entries = world
    invoice = billing.invoice_from_time(actor=None, customer=customer, start=START, end=END)
    line = invoice.lines.get()
    assert TimeEntry.objects.get(pk=entries["a1"].pk).billed_by_line == line
    assert set(line.time_entries.values_list("pk", flat=True)) == {
        entries["a1"].pk,
        entries["a2"].pk,
        entries["b1"].pk,
    }
    with pytest.raises(ProtectedError), transaction.atomic():
        line.delete()
    with pytest.raises(ProtectedError), transaction.atomic():
        invoice.delete()
    services.invoice_delete(actor=None, invoice=invoice)  # the service frees them first
    assert not TimeEntry.objects.filter(billed_by_line__isnull=False).exists()


def test_billed_entries_cannot_be_changed_in_time_tracking(world):
    from apps.timetracking import services as time_services

    customer, _project, entries = world
    billing.invoice_from_time(actor=None, customer=customer, start=START, end=END)
    entry = TimeEntry.objects.get(pk=entries["a1"].pk)
    with pytest.raises(ValidationError):
        time_services.entry_update(actor=None, entry=entry, note="changed")


@pytest.mark.slow
def test_timesheet_appendix_lists_the_entries(world, django_capture_on_commit_callbacks):
    from pypdf import PdfReader

    customer, _project, _entries = world
    invoice = billing.invoice_from_time(
        actor=None, customer=customer, start=START, end=END, timesheet=True
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.invoice_issue(actor=None, invoice=invoice, issue_date=dt.date(2026, 3, 2))
    invoice.refresh_from_db()
    reader = PdfReader(invoice.pdf.open("rb"))
    assert len(reader.pages) == 2
    text = reader.pages[1].extract_text()
    assert "Leistungsnachweis" in text
    assert "10.02.2026" in text
