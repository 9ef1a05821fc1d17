"""Time entries (SPEC §10). Every change goes through ``apps.timetracking.services``."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ActivityType(models.TextChoices):
    DEVELOPMENT = "development", _("Development")
    CONSULTING = "consulting", _("Consulting")
    SUPPORT = "support", _("Support")
    MEETING = "meeting", _("Meeting")
    PROJECT_MANAGEMENT = "project_management", _("Project management")
    TRAVEL = "travel", _("Travel")
    OTHER = "other", _("Other")


# value -> lazy label; looked up per row in long lists (get_FOO_display() hashes every label of the
# choices on each call, which shows in the approval queue and week view).
ACTIVITY_LABELS = dict(ActivityType.choices)


class TimeEntryQuerySet(models.QuerySet["TimeEntry"]):
    def running(self) -> TimeEntryQuerySet:
        return self.filter(end__isnull=True)

    def finished(self) -> TimeEntryQuerySet:
        return self.filter(end__isnull=False)

    def between(self, start: object, end: object) -> TimeEntryQuerySet:
        """Entries that start in [start, end) (a day, week or month by its local boundaries)."""
        return self.filter(start__gte=start, start__lt=end)

    def locked(self) -> TimeEntryQuerySet:
        return self.filter(
            models.Q(status=TimeEntry.Status.APPROVED) | models.Q(billed_at__isnull=False)
        )


class TimeEntry(models.Model):
    """One block of work. ``end`` empty = the running timer (at most one per employee).

    ``duration_minutes`` is computed by the services from ``end - start`` (whole minutes, aware
    datetimes, so a daylight-saving switch inside the entry is counted correctly).

    Billing: ``billed_by_line``/``billed_at`` are set by the invoices module when the entry is
    put on an invoice line; the entry is locked from then on. The line is protected: it can only
    be deleted after the invoices services have freed its entries (a draft's line), so no entry
    ever points to a line that is gone.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("awaiting approval")
        APPROVED = "approved", _("approved")
        RETURNED = "returned", _("returned")

    employee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("employee"),
        on_delete=models.PROTECT,
        related_name="time_entries",
        db_index=False,  # covered by the (employee, start) index
    )
    project = models.ForeignKey(
        "projects.Project",
        verbose_name=_("project"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="time_entries",
        db_index=False,  # covered by the (project, start) index
    )
    customer = models.ForeignKey(
        "crm.Customer",
        verbose_name=_("customer"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="time_entries",
        db_index=False,  # covered by the (customer, start) index
    )
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"), null=True, blank=True)
    duration_minutes = models.PositiveIntegerField(_("duration (minutes)"), default=0)
    billable = models.BooleanField(_("billable"), default=True)
    hourly_rate = models.DecimalField(
        _("hourly rate (EUR)"), max_digits=8, decimal_places=2, default=Decimal("0.00")
    )
    activity = models.CharField(
        _("activity"), max_length=20, choices=ActivityType.choices, default=ActivityType.DEVELOPMENT
    )
    note = models.TextField(_("note"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    review_comment = models.TextField(_("review comment"), blank=True)
    billed_by_line = models.ForeignKey(
        "invoices.InvoiceLine",
        verbose_name=_("invoice line"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="time_entries",
        db_index=False,  # partial index below: almost all entries are unbilled
    )
    billed_at = models.DateTimeField(_("billed at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = TimeEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("time entry")
        verbose_name_plural = _("time entries")
        ordering = ["-start", "-id"]
        permissions = [
            ("approve_timeentry", _("Can approve time entries")),
            ("view_team_time", _("Can see the team's time")),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["employee"],
                condition=models.Q(end__isnull=True),
                name="timetracking_timeentry_one_running_timer",
            ),
            models.CheckConstraint(
                condition=models.Q(end__isnull=True) | models.Q(end__gt=models.F("start")),
                name="timetracking_timeentry_end_after_start",
            ),
            models.CheckConstraint(
                condition=models.Q(duration_minutes__gte=0),
                name="timetracking_timeentry_duration_not_negative",
            ),
        ]
        indexes = [
            models.Index(fields=["employee", "start"], name="tt_entry_emp_start_idx"),
            models.Index(fields=["project", "start"], name="tt_entry_project_start_idx"),
            models.Index(fields=["customer", "start"], name="tt_entry_cust_start_idx"),
            models.Index(fields=["start", "employee"], name="tt_entry_start_emp_idx"),
            models.Index(
                fields=["start", "id"],
                condition=models.Q(status="pending", end__isnull=False),
                name="tt_entry_pending_idx",
            ),
            models.Index(
                fields=["billed_by_line"],
                condition=models.Q(billed_by_line__isnull=False),
                name="tt_entry_billed_line_idx",
            ),
        ]

    def __str__(self) -> str:
        what = self.project or self.customer or _("internal")
        return f"{self.employee} · {what} · {timezone.localtime(self.start):%d.%m.%Y %H:%M}"

    def get_absolute_url(self) -> str:
        return reverse("timetracking:entry_edit", args=[self.pk])

    @property
    def activity_label(self) -> str:
        return str(ACTIVITY_LABELS.get(self.activity, self.activity))

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS.get(self.status, self.status))

    @property
    def is_running(self) -> bool:
        return self.end is None

    @property
    def is_locked(self) -> bool:
        return entry_is_locked(self.status, self.billed_at)

    @property
    def hours(self) -> Decimal:
        return (Decimal(self.duration_minutes) / 60).quantize(Decimal("0.01"))

    @property
    def amount(self) -> Decimal:
        if not self.billable:
            return Decimal("0.00")
        return (Decimal(self.duration_minutes) * self.hourly_rate / 60).quantize(Decimal("0.01"))

    @property
    def local_date(self):  # type: ignore[no-untyped-def]
        return timezone.localdate(self.start)


STATUS_LABELS = dict(TimeEntry.Status.choices)


def entry_is_locked(status: str, billed_at: Any) -> bool:
    """Approved or billed entries are read-only (``TimeEntry.is_locked``; also for rows loaded as
    plain columns)."""
    return status == TimeEntry.Status.APPROVED or billed_at is not None


class EmployeeDayTotal(models.Model):
    """Derived data: the entries of one employee that start on one local calendar day (the company
    time zone), counted and summed. The services keep it in the same transaction as every entry
    write (``apps.timetracking.daytotals``); ``manage.py rebuild_time_totals`` recomputes it.

    A row holds exactly what ``TimeEntry.objects.filter(employee=e).between(*day_bounds(day))``
    sums up (a running timer counts as an entry of 0 minutes); rows may drop to 0 and stay. The
    team view reads a month from here instead of from tens of thousands of entries.

    ``CASCADE``, not ``PROTECT`` as on the entries: those already protect an employee with time,
    so deleting an employee can only remove rows that have dropped to zero (which would otherwise
    block the deletion for nothing).
    """

    pk = models.CompositePrimaryKey("employee", "day")  # one row per employee and day
    employee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("employee"),
        on_delete=models.CASCADE,
        related_name="day_totals",
        db_index=False,  # the primary key's index starts with it
    )
    day = models.DateField(_("day"))
    entry_count = models.PositiveIntegerField(_("entries"), default=0)
    minutes = models.PositiveIntegerField(_("minutes"), default=0)
    billable_minutes = models.PositiveIntegerField(_("billable minutes"), default=0)

    class Meta:
        verbose_name = _("daily total")
        verbose_name_plural = _("daily totals")
        default_permissions = ()  # nobody edits derived data
        constraints = [
            models.CheckConstraint(
                condition=models.Q(billable_minutes__lte=models.F("minutes")),
                name="timetracking_employeedaytotal_billable_within_minutes",
            ),
        ]
        indexes = [
            # A period of every employee (the team view). On PostgreSQL migration 0007 builds it as
            # a covering index (INCLUDE the sums): index-only scans.
            models.Index(fields=["day", "employee"], name="tt_daytotal_day_emp_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.employee_id} · {self.day:%d.%m.%Y} · {self.minutes}"


class EmployeeMonthProjectTotal(models.Model):
    """Derived data: the entries of one employee on one project (or without one) that start in one
    local calendar month (the company time zone), counted and summed. Kept by the services and
    recomputed by ``rebuild_time_totals`` together with ``EmployeeDayTotal`` (same attribution:
    the month of the entry's local start day). The team view ranks an employee's biggest projects
    of a month from here (about 130 rows per employee) instead of from the month's entries.

    ``project_key`` is the project's id, 0 for entries without a project; a plain integer, not a
    foreign key: a nullable column in the primary key is not possible (and NULLs are never equal
    in a unique key, so "no project" could not be upserted), and a foreign key would block
    deleting a project whose rows have dropped to zero (its entries protect it while they exist).
    Readers join ``projects_project`` on it for the titles.

    ``entry_count`` counts a running timer (0 minutes) as on the daily totals, so a project with
    only a running timer is listed as the entries would list it; rows that dropped to zero (entries
    moved away) have ``entry_count`` 0 and are skipped by readers.
    """

    pk = models.CompositePrimaryKey("employee", "month", "project_key")
    employee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("employee"),
        on_delete=models.CASCADE,  # as on EmployeeDayTotal
        related_name="month_project_totals",
        db_index=False,  # the primary key's index starts with it
    )
    month = models.DateField(_("month"), help_text=_("first day of the month"))
    project_key = models.PositiveIntegerField(_("project"), help_text=_("0 = without project"))
    entry_count = models.PositiveIntegerField(_("entries"), default=0)
    minutes = models.PositiveIntegerField(_("minutes"), default=0)
    billable_minutes = models.PositiveIntegerField(_("billable minutes"), default=0)

    class Meta:
        verbose_name = _("monthly project total")
        verbose_name_plural = _("monthly project totals")
        default_permissions = ()  # nobody edits derived data
        constraints = [
            models.CheckConstraint(
                condition=models.Q(billable_minutes__lte=models.F("minutes")),
                name="timetracking_employeemonthprojecttotal_billable_within_minutes",
            ),
        ]
        indexes = [
            # The ranking of the team view: a month, a page of employees, biggest first. On
            # PostgreSQL migration 0008 builds it to match the ranking's order exactly
            # (minutes DESC, NULLIF(project_key, 0): "no project" last) and covering: an
            # index-only scan that needs no sort.
            models.Index(
                fields=["month", "employee", "-minutes", "project_key"],
                name="tt_monthproj_rank_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.employee_id} · {self.month:%m.%Y} · {self.project_key} · {self.minutes}"
