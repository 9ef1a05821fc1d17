"""Every state change of time entries; each one checked, row-locked and audited.

The employee row is locked (``select_for_update``) before any check, so two requests of the same
employee (two browser tabs) run one after the other: the overlap check and the "one running timer"
rule see each other's writes. The database backs both up: a partial unique constraint (one entry
without an end per employee) everywhere and, on PostgreSQL, an exclusion constraint against
overlapping finished entries.

Rules for create/update (``entry_check``): end after start; not in the future beyond today; no
overlap with the employee's other entries (a running timer counts as open-ended); not on a day
that is locked (it holds an approved or billed entry); the project must be one the employee is a
member of (or the employee has the projects module permission) and must not be closed.

Rollups (``EmployeeDayTotal``, ``EmployeeMonthProjectTotal``): every service that inserts an entry,
changes what it counts for (employee, start day, duration, billable, project) or deletes it moves
the entry's share of its day and of its month on its project in the same transaction
(``daytotals.record``). Approving, returning and billing change none of these.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.audit.models import AuditAction
from apps.audit.services import audit_changed, audit_created, audit_record, snapshot
from apps.employees.models import Employee
from apps.projects.models import Project, ProjectMember
from apps.timetracking import daytotals
from apps.timetracking.daytotals import Share
from apps.timetracking.models import ActivityType, TimeEntry
from apps.timetracking.timeutils import day_bounds, minutes_between

ENTRY_FIELDS = [
    "employee",
    "project",
    "customer",
    "start",
    "end",
    "duration_minutes",
    "billable",
    "hourly_rate",
    "activity",
    "note",
    "status",
    "review_comment",
]
EDITABLE_FIELDS = {
    "project",
    "customer",
    "start",
    "end",
    "billable",
    "hourly_rate",
    "activity",
    "note",
}
CLOSED_PROJECT_STATUSES = {Project.Status.COMPLETED, Project.Status.CANCELLED}


# --- Checks ---------------------------------------------------------------------------------------


def _lock_employee(employee: Any) -> Employee:
    """Serialise all time-entry writes of one employee (no-op lock on SQLite, which serialises
    writers anyway)."""
    return Employee.objects.select_for_update().get(pk=employee.pk)


def _utc(value: dt.datetime) -> dt.datetime:
    if timezone.is_naive(value):
        raise ValidationError(_("Times must carry a time zone."), code="naive")
    return value.astimezone(dt.UTC)


def check_project_access(*, employee: Any, project: Project | None) -> None:
    if project is None:
        return
    if project.status in CLOSED_PROJECT_STATUSES:
        raise ValidationError(
            {
                "project": ValidationError(
                    _("The project is closed; no more time can be logged on it."),
                    code="project_closed",
                )
            }
        )
    if employee.has_perm("projects.view_project"):
        return
    if not ProjectMember.objects.filter(project=project, employee=employee).exists():
        raise ValidationError(
            {
                "project": ValidationError(
                    _("You are not a member of this project."), code="not_member"
                )
            }
        )


def _resolve_customer(project: Project | None, customer: Any) -> Any:
    """With a project, the customer is the project's (a different one is refused)."""
    if project is None:
        return customer
    if customer is not None and project.customer_id and customer.pk != project.customer_id:
        raise ValidationError(
            {
                "customer": ValidationError(
                    _("The customer does not match the project's customer."),
                    code="customer_mismatch",
                )
            }
        )
    return project.customer if project.customer_id else customer


def _check_times(start: dt.datetime, end: dt.datetime | None) -> None:
    today = timezone.localdate()
    if timezone.localdate(start) > today or (end is not None and timezone.localdate(end) > today):
        raise ValidationError(
            _("Entries in the future (after today) are not allowed."), code="future"
        )
    if end is not None and end <= start:
        raise ValidationError(
            {"end": ValidationError(_("The end must be after the start."), code="end_before_start")}
        )


def _check_overlap(
    *, employee: Any, start: dt.datetime, end: dt.datetime | None, exclude_pk: int | None = None
) -> None:
    qs = TimeEntry.objects.filter(employee=employee).filter(Q(end__isnull=True) | Q(end__gt=start))
    if end is not None:
        qs = qs.filter(start__lt=end)
    if exclude_pk is not None:
        qs = qs.exclude(pk=exclude_pk)
    other = qs.order_by("start").first()
    if other is not None:
        local = timezone.localtime(other.start)
        raise ValidationError(
            _("This overlaps with your entry of %(date)s from %(time)s.")
            % {"date": local.strftime("%d.%m.%Y"), "time": local.strftime("%H:%M")},
            code="overlap",
        )


def _check_days_unlocked(
    *, employee: Any, start: dt.datetime, end: dt.datetime, exclude_pk: int | None = None
) -> None:
    first, _unused = day_bounds(timezone.localdate(start))
    _unused, last = day_bounds(timezone.localdate(end))
    qs = TimeEntry.objects.filter(employee=employee).between(first, last).locked()
    if exclude_pk is not None:
        qs = qs.exclude(pk=exclude_pk)
    if qs.exists():
        raise ValidationError(
            _("This day is locked: it already holds approved or billed entries."), code="locked"
        )


def _check_unlocked(entry: TimeEntry) -> None:
    if entry.billed_at is not None:
        raise ValidationError(_("This entry has been billed and cannot be changed."), code="billed")
    if entry.status == TimeEntry.Status.APPROVED:
        raise ValidationError(
            _("This entry has been approved and cannot be changed."), code="approved"
        )


def _check_own(actor: Any, entry: TimeEntry) -> None:
    if actor is not None and entry.employee_id != actor.pk:
        raise PermissionDenied(_("You can only change your own entries."))


def _save_new(entry: TimeEntry) -> TimeEntry:
    """Insert and count it in its day; a constraint violation from a race becomes a clear
    validation error."""
    try:
        with transaction.atomic():
            entry.save(force_insert=True)
    except IntegrityError as error:
        text = str(error)
        if "one_running_timer" in text or "UNIQUE constraint failed" in text:
            raise ValidationError(
                _("A timer is already running; stop it first."), code="timer_running"
            ) from error
        if "no_overlap" in text:
            raise ValidationError(
                _("This overlaps with another of your entries."), code="overlap"
            ) from error
        raise
    daytotals.record(new=Share.of(entry))
    return entry


def _update(entry: TimeEntry, fields: list[str], *, counted: Share | None = None) -> None:
    """Save ``fields``. ``counted``: what the entry counted for in the rollups before the change,
    when the change may touch it (start, duration, billable, project); None for other fields."""
    try:
        with transaction.atomic():
            entry.save(update_fields=[*fields, "updated_at"])
    except IntegrityError as error:
        if "no_overlap" in str(error):
            raise ValidationError(
                _("This overlaps with another of your entries."), code="overlap"
            ) from error
        raise
    if counted is not None:
        daytotals.record(old=counted, new=Share.of(entry))


def _default_rate(project: Project | None, hourly_rate: Decimal | None) -> Decimal:
    if hourly_rate is not None:
        return hourly_rate
    return project.hourly_rate if project is not None else Decimal("0.00")


# --- Timer ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TimerResult:
    started: TimeEntry | None
    stopped: TimeEntry | None


def _stop(entry: TimeEntry, at: dt.datetime) -> TimeEntry:
    before = snapshot(entry, ENTRY_FIELDS)
    counted = Share.of(entry)
    end = at if at > entry.start else entry.start + dt.timedelta(microseconds=1)
    entry.end = end
    entry.duration_minutes = minutes_between(entry.start, end)
    _update(entry, ["end", "duration_minutes"], counted=counted)
    audit_changed(target=entry, before=before, message="timer stopped")
    return entry


@transaction.atomic
def timer_start(
    *,
    employee: Any,
    project: Project | None = None,
    customer: Any = None,
    activity: str = ActivityType.DEVELOPMENT,
    note: str = "",
    billable: bool | None = None,
    at: dt.datetime | None = None,
) -> TimerResult:
    """Start a timer now; a running one is stopped first (that is how switching works)."""
    employee = _lock_employee(employee)
    now = _utc(at or timezone.now())
    check_project_access(employee=employee, project=project)
    customer = _resolve_customer(project, customer)
    running = TimeEntry.objects.select_for_update().filter(employee=employee).running().first()
    stopped = _stop(running, now) if running is not None else None
    _check_overlap(employee=employee, start=now, end=None)
    entry = TimeEntry(
        employee=employee,
        project=project,
        customer=customer,
        start=now,
        end=None,
        duration_minutes=0,
        billable=billable if billable is not None else (project or customer) is not None,
        hourly_rate=_default_rate(project, None),
        activity=activity,
        note=note,
    )
    entry.full_clean(exclude=["employee", "project", "customer"])
    _save_new(entry)
    audit_created(target=entry, fields=ENTRY_FIELDS)
    return TimerResult(started=entry, stopped=stopped)


def timer_switch(**kwargs: Any) -> TimerResult:
    """Stop the running timer and start the next one (same as ``timer_start``)."""
    return timer_start(**kwargs)


@transaction.atomic
def timer_stop(*, employee: Any, at: dt.datetime | None = None) -> TimeEntry:
    employee = _lock_employee(employee)
    running = TimeEntry.objects.select_for_update().filter(employee=employee).running().first()
    if running is None:
        raise ValidationError(_("No timer is running."), code="no_timer")
    return _stop(running, _utc(at or timezone.now()))


# --- Manual entries -------------------------------------------------------------------------------


@transaction.atomic
def entry_create(
    *,
    actor: Any,
    employee: Any,
    start: dt.datetime,
    end: dt.datetime,
    project: Project | None = None,
    customer: Any = None,
    activity: str = ActivityType.DEVELOPMENT,
    billable: bool | None = None,
    hourly_rate: Decimal | None = None,
    note: str = "",
) -> TimeEntry:
    if actor is not None and actor.pk != employee.pk:
        raise PermissionDenied(_("You can only record your own time."))
    employee = _lock_employee(employee)
    start, end = _utc(start), _utc(end)
    _check_times(start, end)
    check_project_access(employee=employee, project=project)
    customer = _resolve_customer(project, customer)
    _check_overlap(employee=employee, start=start, end=end)
    _check_days_unlocked(employee=employee, start=start, end=end)
    entry = TimeEntry(
        employee=employee,
        project=project,
        customer=customer,
        start=start,
        end=end,
        duration_minutes=minutes_between(start, end),
        billable=billable if billable is not None else (project or customer) is not None,
        hourly_rate=_default_rate(project, hourly_rate),
        activity=activity,
        note=note,
    )
    entry.full_clean(exclude=["employee", "project", "customer"])
    _save_new(entry)
    audit_created(target=entry, fields=ENTRY_FIELDS)
    return entry


@transaction.atomic
def entry_update(*, actor: Any, entry: TimeEntry, **fields: Any) -> TimeEntry:
    unknown = set(fields) - EDITABLE_FIELDS
    if unknown:
        raise TypeError(f"entry_update() got unknown fields: {sorted(unknown)}")
    _check_own(actor, entry)
    employee = _lock_employee(entry.employee)
    entry = TimeEntry.objects.select_for_update().get(pk=entry.pk)
    _check_unlocked(entry)
    if entry.end is None and ("start" in fields or "end" in fields):
        raise ValidationError(_("Stop the timer before changing its times."), code="running")
    before = snapshot(entry, ENTRY_FIELDS)
    counted = Share.of(entry)
    project = fields.get("project", entry.project)
    if "project" in fields and project != entry.project:
        check_project_access(employee=employee, project=project)
        if "hourly_rate" not in fields:
            fields["hourly_rate"] = _default_rate(project, None)
    fields["customer"] = _resolve_customer(project, fields.get("customer", entry.customer))
    for name, value in fields.items():
        setattr(entry, name, _utc(value) if name in {"start", "end"} and value else value)
    if entry.end is not None:
        _check_times(entry.start, entry.end)
        _check_overlap(employee=employee, start=entry.start, end=entry.end, exclude_pk=entry.pk)
        _check_days_unlocked(
            employee=employee, start=entry.start, end=entry.end, exclude_pk=entry.pk
        )
        entry.duration_minutes = minutes_between(entry.start, entry.end)
    if entry.status == TimeEntry.Status.RETURNED:
        entry.status = TimeEntry.Status.PENDING
    entry.full_clean(exclude=["employee", "project", "customer"])
    _update(entry, [*fields, "duration_minutes", "status"], counted=counted)
    audit_changed(target=entry, before=before)
    return entry


@transaction.atomic
def entry_delete(*, actor: Any, entry: TimeEntry) -> None:
    _check_own(actor, entry)
    _lock_employee(entry.employee)
    entry = TimeEntry.objects.select_for_update().get(pk=entry.pk)
    _check_unlocked(entry)
    before = snapshot(entry, ENTRY_FIELDS)
    audit_record(
        action=AuditAction.DELETE,
        target=entry,
        changes={k: {"old": v, "new": None} for k, v in before.items() if v not in (None, "")},
    )
    counted = Share.of(entry)
    entry.delete()
    daytotals.record(old=counted)


# --- Approval -------------------------------------------------------------------------------------


def _review_rows(entries: Iterable[TimeEntry]) -> list[TimeEntry]:
    ids = sorted({entry.pk for entry in entries})
    return list(TimeEntry.objects.select_for_update().filter(pk__in=ids).order_by("pk"))


@transaction.atomic
def entry_approve(*, actor: Any, entries: Iterable[TimeEntry]) -> int:
    """Approve finished, unbilled entries of other employees; returns how many changed."""
    rows = _review_rows(entries)
    changed = 0
    now = timezone.now()
    for entry in rows:
        if entry.employee_id == actor.pk:
            raise ValidationError(_("You cannot approve your own entries."), code="own")
        if entry.end is None:
            raise ValidationError(_("A running timer cannot be approved."), code="running")
        if entry.status == TimeEntry.Status.APPROVED:
            continue
        before = snapshot(entry, ENTRY_FIELDS)
        entry.status = TimeEntry.Status.APPROVED
        entry.reviewed_by = actor
        entry.reviewed_at = now
        entry.review_comment = ""
        _update(entry, ["status", "reviewed_by", "reviewed_at", "review_comment"])
        audit_changed(target=entry, before=before, action=AuditAction.STATUS, message="approved")
        changed += 1
    return changed


@transaction.atomic
def entry_return(*, actor: Any, entries: Iterable[TimeEntry], comment: str) -> int:
    """Send entries back to their employee with a comment (also approved, unbilled ones)."""
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError(
            {
                "comment": ValidationError(
                    _("Say why the entries are returned."), code="comment_required"
                )
            }
        )
    rows = _review_rows(entries)
    now = timezone.now()
    for entry in rows:
        if entry.employee_id == actor.pk:
            raise ValidationError(_("You cannot review your own entries."), code="own")
        if entry.billed_at is not None:
            raise ValidationError(
                _("This entry has been billed and cannot be changed."), code="billed"
            )
        before = snapshot(entry, ENTRY_FIELDS)
        entry.status = TimeEntry.Status.RETURNED
        entry.reviewed_by = actor
        entry.reviewed_at = now
        entry.review_comment = comment
        _update(entry, ["status", "reviewed_by", "reviewed_at", "review_comment"])
        audit_changed(target=entry, before=before, action=AuditAction.STATUS, message="returned")
    return len(rows)


# --- Rollups --------------------------------------------------------------------------------------


@transaction.atomic
def time_totals_rebuild(*, employee_ids: Iterable[int] | None = None) -> daytotals.Rebuilt:
    """Recompute the daily and the monthly project totals of these employees (None: everyone) from
    their entries: after entries were written around the services (bulk loads), or to check and
    repair. Idempotent; rows that are right are left alone."""
    return daytotals.rebuild(employee_ids=employee_ids)
