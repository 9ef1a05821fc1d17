""" "Aus Zeiten abrechnen": billable, approved, unbilled time entries become invoice lines.

* Entries: ``billable``, ``status = approved``, finished, not yet billed (``billed_at`` empty), of
  the customer (directly or through its projects) or of one project, started in the period.
* Rounding: each entry's minutes are rounded up to the project's ``billing_rounding`` (5/15/30
  minutes; none = exact), then summed per line; hours = minutes / 60, rounded to 0.01 h.
* Grouping: one line per project, per activity, per employee, or per entry; entries with
  different hourly rates never share a line (the line carries one unit price).
* The entries are linked to their line (``billed_by_line_id``) and locked (``billed_at``);
  deleting the draft, or removing the line in the editor, frees them again.
"""

from __future__ import annotations

import datetime
from collections import OrderedDict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.audit.models import AuditAction
from apps.audit.services import audit_record
from apps.crm.models import Customer
from apps.invoices import services
from apps.invoices.calculation import line_net_amount
from apps.invoices.models import Invoice, InvoiceLine

GROUPINGS = [
    ("project", gettext_lazy("one line per project")),
    ("activity", gettext_lazy("one line per activity")),
    ("employee", gettext_lazy("one line per employee")),
    ("entry", gettext_lazy("one line per time entry")),
]
HOUR = Decimal("0.01")


def time_entry_model() -> Any:
    return apps.get_model("timetracking", "TimeEntry")


def rounded_minutes(minutes: int, rounding: int) -> int:
    """Round up to the next multiple of ``rounding`` minutes (0 = no rounding)."""
    if not rounding or minutes <= 0:
        return minutes
    return -(-minutes // rounding) * rounding


def _bounds(
    start: datetime.date, end: datetime.date
) -> tuple[datetime.datetime, datetime.datetime]:
    tz = timezone.get_current_timezone()
    first = datetime.datetime.combine(start, datetime.time.min, tzinfo=tz)
    after = datetime.datetime.combine(
        end + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz
    )
    return first, after


def billable_entries(
    *,
    customer: Customer | None = None,
    project: Any = None,
    start: datetime.date,
    end: datetime.date,
) -> QuerySet[Any]:
    entry = time_entry_model()
    first, after = _bounds(start, end)
    qs = entry.objects.filter(
        billable=True,
        status="approved",
        billed_at__isnull=True,
        end__isnull=False,
        start__gte=first,
        start__lt=after,
    )
    if project is not None:
        qs = qs.filter(project=project)
    elif customer is not None:
        qs = qs.filter(Q(customer=customer) | Q(project__customer=customer))
    else:
        return qs.none()
    return qs.select_related("project", "employee").order_by("start", "id")


@dataclass
class LineGroup:
    key: tuple[Any, ...]
    description: str
    rate: Decimal
    minutes: int = 0
    entries: list[Any] = field(default_factory=list)

    @property
    def hours(self) -> Decimal:
        return (Decimal(self.minutes) / 60).quantize(HOUR, rounding=ROUND_HALF_UP)

    @property
    def net(self) -> Decimal:
        """hours × rate, exactly as the invoice line will compute it."""
        return line_net_amount(self.hours, self.rate, Decimal(0))


def _period_text(start: datetime.date, end: datetime.date) -> str:
    return f"{start:%d.%m.%Y} – {end:%d.%m.%Y}"


def group_entries(
    entries: list[Any], *, grouping: str, start: datetime.date, end: datetime.date
) -> list[LineGroup]:
    if grouping not in dict(GROUPINGS):
        raise ValidationError({"grouping": _("Choose how the entries are grouped.")})
    groups: OrderedDict[tuple[Any, ...], LineGroup] = OrderedDict()
    period = _period_text(start, end)
    for entry in entries:
        project = entry.project
        rounding = project.billing_rounding if project is not None else 0
        minutes = rounded_minutes(entry.duration_minutes, rounding)
        if grouping == "project":
            key: tuple[Any, ...] = (entry.project_id,)
            what = f"{project.number} {project.title}" if project else _("Services")
            description = _("%(what)s: services %(period)s") % {"what": what, "period": period}
        elif grouping == "activity":
            key = (entry.activity,)
            description = _("%(activity)s %(period)s") % {
                "activity": entry.get_activity_display(),
                "period": period,
            }
        elif grouping == "employee":
            key = (entry.employee_id,)
            description = _("Services by %(employee)s %(period)s") % {
                "employee": entry.employee.get_full_name() or entry.employee,
                "period": period,
            }
        else:
            key = (entry.pk,)
            local = timezone.localtime(entry.start)
            description = f"{local:%d.%m.%Y} {entry.employee.get_full_name()}: " + (
                entry.note.strip() or entry.get_activity_display()
            )
        key = (*key, entry.hourly_rate)
        group = groups.get(key)
        if group is None:
            group = groups[key] = LineGroup(
                key=key, description=description, rate=entry.hourly_rate
            )
        group.minutes += minutes
        group.entries.append(entry)
    return [group for group in groups.values() if group.minutes > 0]


@transaction.atomic
def invoice_from_time(
    *,
    actor: Any,
    customer: Customer,
    start: datetime.date,
    end: datetime.date,
    grouping: str = "project",
    project: Any = None,
    entry_ids: list[int] | None = None,
    timesheet: bool = False,
) -> Invoice:
    """A draft invoice from the entries; the entries are linked to their lines and locked."""
    if end < start:
        raise ValidationError({"end": _("The period cannot end before it starts.")})
    if project is not None and project.customer_id not in (None, customer.pk):
        raise ValidationError({"project": _("The project belongs to another customer.")})
    qs = billable_entries(customer=customer, project=project, start=start, end=end)
    if entry_ids is not None:
        qs = qs.filter(pk__in=entry_ids)
    # Lock the rows: two people billing the same entries at once cannot both succeed.
    entries = list(qs.select_for_update(of=("self",)))
    if not entries:
        raise ValidationError(_("There are no billable, approved, unbilled entries in the period."))
    groups = group_entries(entries, grouping=grouping, start=start, end=end)
    invoice = services.invoice_create(
        actor=actor,
        customer=customer,
        project=project,
        service_period_start=start,
        service_period_end=end,
        lines=[
            {
                "description": group.description,
                "quantity": group.hours,
                "unit": "Stunden",
                "unit_price": group.rate,
            }
            for group in groups
        ],
    )
    Invoice.objects.filter(pk=invoice.pk).update(timesheet_appendix=timesheet)
    invoice.timesheet_appendix = timesheet
    lines = list(invoice.lines.order_by("position"))
    now = timezone.now()
    entry_model = time_entry_model()
    for line, group in zip(lines, groups, strict=True):
        entry_model.objects.filter(pk__in=[e.pk for e in group.entries]).update(
            billed_by_line_id=line.pk, billed_at=now
        )
    audit_record(
        action=AuditAction.UPDATE,
        target=invoice,
        actor=actor,
        changes={"time_entries": {"old": None, "new": sorted(e.pk for e in entries)}},
        message=_("%(count)s time entries billed") % {"count": len(entries)},
    )
    return invoice


def free_time_entries(line_ids: list[int]) -> int:
    """Unlink and unlock the entries billed on these (draft) lines."""
    try:
        entry_model = time_entry_model()
    except LookupError:
        return 0
    if not line_ids or not hasattr(entry_model, "billed_by_line_id"):
        return 0
    return entry_model.objects.filter(billed_by_line_id__in=line_ids).update(
        billed_by_line_id=None, billed_at=None
    )


def timesheet_rows(invoice: Invoice) -> list[Any]:
    """The entries billed on the invoice, for the Leistungsnachweis appendix."""
    try:
        entry_model = time_entry_model()
    except LookupError:
        return []
    line_ids = list(InvoiceLine.objects.filter(invoice=invoice).values_list("pk", flat=True))
    return list(
        entry_model.objects.filter(billed_by_line_id__in=line_ids)
        .select_related("employee", "project")
        .order_by("start", "id")
    )
