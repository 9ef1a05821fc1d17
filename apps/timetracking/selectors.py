"""Reads of time entries, already scoped to what the user may see.

* own entries: everyone who tracks time;
* all entries: the module permission ``timetracking.view_timeentry``;
* the team view: ``timetracking.view_team_time``; the approval queue: ``approve_timeentry``;
* a project's time list: everyone who may see the project; its entries are all of them for the
  module permission or the project's manager, otherwise only the user's own.

Each page runs a fixed number of queries: one for the entries (with ``select_related``, or only
the columns a page prints: the week, the day and the approval queue print rows of
``apps.timetracking.rows``), one or two aggregates, never one per row.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import (
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Window,
)
from django.db.models.functions import RowNumber
from django.utils.translation import gettext

from apps.common.rows import TemplateRow
from apps.company.selectors import company_get
from apps.crm.models import Customer
from apps.employees.models import Employee
from apps.projects.models import Project, ProjectMember
from apps.timetracking import worktime
from apps.timetracking.models import ActivityType, EmployeeMonthProjectTotal, TimeEntry
from apps.timetracking.rows import EntryRow, WeekGrid, build_week_grid, entry_rows
from apps.timetracking.timeutils import (
    day_bounds,
    day_start,
    format_minutes,
    local_day,
    month_bounds,
    month_days,
    week_bounds,
)

HUNDRED = Decimal(100)


def hours(minutes: int | None) -> Decimal:
    return (Decimal(minutes or 0) / 60).quantize(Decimal("0.01"))


def _share(part: int, total: int) -> int:
    return round(part * 100 / total) if total else 0


# --- Scoping --------------------------------------------------------------------------------------


def entries_for_user(user: Any) -> QuerySet[TimeEntry]:
    qs = TimeEntry.objects.select_related("project", "customer", "employee")
    if user.has_perm("timetracking.view_timeentry"):
        return qs
    return qs.filter(employee=user)


def entry_get_for_user(user: Any, pk: int) -> TimeEntry:
    return entries_for_user(user).get(pk=pk)


def own_entries(user: Any) -> QuerySet[TimeEntry]:
    return TimeEntry.objects.filter(employee=user).select_related("project", "customer")


def running_timer(user: Any) -> TimeEntry | None:
    return own_entries(user).running().first()


def projects_for_time(user: Any) -> QuerySet[Project]:
    """Projects the user may log time on: open ones they are a member of (or all open ones for
    the projects module permission)."""
    qs = Project.objects.exclude(status__in=["completed", "cancelled"]).select_related("customer")
    if not user.has_perm("projects.view_project"):
        qs = qs.filter(Exists(ProjectMember.objects.filter(project=OuterRef("pk"), employee=user)))
    return qs.order_by("title", "id")


def customers_for_time(user: Any) -> QuerySet[Customer]:
    return Customer.objects.exclude(status__in=["inactive", "blocked"]).order_by("name", "id")


# --- Week grid ------------------------------------------------------------------------------------


def weekly_target_minutes(company: Any) -> int:
    return int(Decimal(company.hours_per_day) * 60) * int(company.working_days_per_week)


def _own_entries_between(user: Any, start: dt.datetime, end: dt.datetime) -> QuerySet[TimeEntry]:
    return TimeEntry.objects.filter(employee=user).between(start, end).order_by("start", "id")


def week_grid(user: Any, monday: dt.date) -> WeekGrid:
    """Days × projects for the user's week, with the week's entries as table rows; 2 queries
    (entries incl. the evening before for the rest rule, company settings)."""
    _start, end = week_bounds(monday)
    previous_day, _unused = day_bounds(monday - dt.timedelta(days=1))
    entries = entry_rows(_own_entries_between(user, previous_day, end))
    company = company_get()
    work = worktime.work_days(entries)
    worktime.check(work, worktime.WorkRules.from_company(company))
    return build_week_grid(monday, entries, work, target_minutes=weekly_target_minutes(company))


def day_entries(user: Any, day: dt.date) -> list[EntryRow]:
    """The user's entries of ``day`` as table rows (one query)."""
    return entry_rows(_own_entries_between(user, *day_bounds(day)))


def worktime_warnings(employee: Any, days: list[dt.date]) -> list[worktime.WorkWarning]:
    """ArbZG warnings of ``days`` (and the following day's rest rule), for messages on save."""
    if not days:
        return []
    first, last = min(days), max(days)
    start, _unused = day_bounds(first - dt.timedelta(days=1))
    _unused, end = day_bounds(last + dt.timedelta(days=1))
    entries = TimeEntry.objects.filter(employee=employee).finished().between(start, end)
    work = worktime.work_days(entries.only("start", "end", "duration_minutes"))
    found = worktime.check(work, worktime.WorkRules.from_company(company_get()))
    wanted = set(days) | {day + dt.timedelta(days=1) for day in days}
    return [w for w in found if w.day in wanted]


# --- Team view ------------------------------------------------------------------------------------


TEAM_TOP_ITEMS = 5


@dataclass(frozen=True, slots=True)
class TeamMember(TemplateRow):
    """The employee of a team row: the four fields it prints (building ~200 deferred Employee
    instances per request cost more than the query)."""

    pk: int
    first_name: str
    last_name: str
    code: str

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


@dataclass
class TeamRow(TemplateRow):
    employee: TeamMember
    total: int = 0
    billable: int = 0
    # The biggest items (project title, minutes), at most TEAM_TOP_ITEMS; ``more`` if there are more.
    items: list[tuple[str, int]] = field(default_factory=list)
    more: bool = False

    @property
    def billable_share(self) -> int:
        return _share(self.billable, self.total)

    @property
    def total_hm(self) -> str:
        return format_minutes(self.total)

    @property
    def billable_hm(self) -> str:
        return format_minutes(self.billable)

    @property
    def projects_text(self) -> str:
        """The biggest items as one line (built here: cheaper than a template loop)."""
        text = " · ".join(f"{title} {format_minutes(m)}" for title, m in self.items)
        return text + (" …" if self.more else "")


@dataclass
class TeamSummary:
    rows: list[TeamRow]  # everyone with time in the period, by name
    total: int
    billable: int


def _whole_days(start: dt.datetime, end: dt.datetime) -> tuple[dt.date, dt.date]:
    """The local days [first, stop) that ``start`` and ``end`` (local midnights) enclose."""
    first, stop = local_day(start), local_day(end)
    if start != day_start(first) or end != day_start(stop):
        raise ValueError("The daily totals cover whole local days: pass local midnights.")
    return first, stop


def team_summary(start: dt.datetime, end: dt.datetime) -> TeamSummary:
    """Who worked how much between ``start`` and ``end`` (local midnights), in one query: the
    employees joined to their daily totals of the period (about 200 × 22 rows for a month, read
    from a covering index on PostgreSQL, instead of 30,000–45,000 entries), summed per employee.
    Everyone with an entry in the period is listed, also with 0 minutes (a running timer). What
    they worked on is filled in by ``team_fill_items`` for the rows of one page only."""
    first, stop = _whole_days(start, end)
    employees = (
        # One filter() call: the three conditions apply to the same daily total row.
        Employee.objects.filter(
            day_totals__day__gte=first, day_totals__day__lt=stop, day_totals__entry_count__gt=0
        )
        .annotate(
            period_minutes=Sum("day_totals__minutes"),
            period_billable=Sum("day_totals__billable_minutes"),
        )
        .order_by("last_name", "first_name", "id")
        .values_list("id", "first_name", "last_name", "code", "period_minutes", "period_billable")
    )
    rows = [
        TeamRow(
            employee=TeamMember(pk, first_name, last_name, code), total=total, billable=billable
        )
        for pk, first_name, last_name, code, total, billable in employees
    ]
    return TeamSummary(
        rows=rows,
        total=sum(r.total for r in rows),
        billable=sum(r.billable for r in rows),
    )


def team_fill_items(rows: list[TeamRow], start: dt.datetime, end: dt.datetime) -> None:
    """The biggest projects of each of ``rows`` (one page), in one query with their titles: the
    top TEAM_TOP_ITEMS + 1 per employee (the last one only sets ``more``), biggest first, ties by
    project id with "without project" last.

    A calendar month (local midnights of two firsts) is ranked from the monthly project totals,
    another period (a week) from its entries."""
    by_employee = {row.employee.pk: row for row in rows}
    if not by_employee:
        return
    first = local_day(start)
    if first.day == 1 and (start, end) == month_bounds(first):
        top = _team_top_of_month(list(by_employee), first)
    else:
        top = _team_top_of_entries(list(by_employee), start, end)
    no_project = gettext("without project")
    # The ranking's order, again for these few rows: minutes desc, project id, no project last.
    top.sort(key=lambda r: (r[0], -r[3], r[1] == 0, r[1]))
    for employee_id, _project_key, title, minutes in top:
        row = by_employee[employee_id]
        if len(row.items) == TEAM_TOP_ITEMS:
            row.more = True
        else:
            row.items.append((title or no_project, minutes))


TeamTop = tuple[int, int, str | None, int]  # employee id, project id (0: none), title, minutes


def _team_top_of_entries(
    employee_ids: list[int], start: dt.datetime, end: dt.datetime
) -> list[TeamTop]:
    """Ranked per employee in SQL with a window function over the grouped entries, so only
    TEAM_TOP_ITEMS + 1 rows per employee leave the database; their titles are joined to those few
    rows in the same query, by a subquery per row (by primary key): the planner cannot tell that
    the rank filter leaves only a few hundred rows and would hash the whole projects table for a
    join."""
    minutes = Sum("duration_minutes")
    ranked = (
        TimeEntry.objects.between(start, end)
        .filter(employee_id__in=employee_ids)
        .values("employee_id", "project_id")
        .annotate(minutes=minutes)
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=F("employee_id"),
                order_by=[minutes.desc(), F("project_id").asc(nulls_last=True)],
            )
        )
        .filter(rank__lte=TEAM_TOP_ITEMS + 1)
        .order_by()
        .values_list("employee_id", "project_id", "minutes")
    )
    ranked_sql, params = ranked.query.sql_with_params()
    sql = f"""
        SELECT ranked.employee_id, COALESCE(ranked.project_id, 0),
               (SELECT title FROM {Project._meta.db_table} WHERE id = ranked.project_id),
               COALESCE(ranked.minutes, 0)
        FROM ({ranked_sql}) AS ranked
    """  # noqa: S608 - the ORM's SQL with its parameters apart, a constant table name
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _team_top_of_month(employee_ids: list[int], month: dt.date) -> list[TeamTop]:
    """From ``EmployeeMonthProjectTotal``: rows at zero entries (moved away) are no project of the
    month. The order is the ranking index's (PostgreSQL: ``minutes DESC, NULLIF(project_key, 0)``,
    0 = without project last, as in ``_team_top_of_entries``).

    PostgreSQL: per employee a LATERAL subquery reads the first TEAM_TOP_ITEMS + 1 index entries
    of (month, employee) from the covering index – an index-only scan that stops after them, no
    sort. (A window over ``employee_id = ANY(…)`` would need a sort: before PostgreSQL 17 an index
    scan with a list on its second column does not return its rows in index order.) Elsewhere
    (SQLite: small data) a window function."""
    totals = EmployeeMonthProjectTotal._meta.db_table
    projects = Project._meta.db_table
    params: list[Any]
    if connection.vendor == "postgresql":
        sql = f"""
            SELECT employee.id, top.project_key, project.title, top.minutes
            FROM unnest(%s::integer[]) AS employee (id)
            CROSS JOIN LATERAL (
                SELECT project_key, minutes FROM {totals}
                WHERE month = %s AND employee_id = employee.id AND entry_count > 0
                ORDER BY minutes DESC, NULLIF(project_key, 0)
                LIMIT %s
            ) AS top
            LEFT JOIN {projects} AS project ON project.id = top.project_key
        """  # noqa: S608 - constant table names only
        params = [employee_ids, month, TEAM_TOP_ITEMS + 1]
    else:
        placeholders = ", ".join(["%s"] * len(employee_ids))
        sql = f"""
            SELECT ranked.employee_id, ranked.project_key, project.title, ranked.minutes
            FROM (
                SELECT employee_id, project_key, minutes, ROW_NUMBER() OVER (
                    PARTITION BY employee_id
                    ORDER BY minutes DESC, NULLIF(project_key, 0) NULLS LAST
                ) AS rank
                FROM {totals}
                WHERE month = %s AND employee_id IN ({placeholders}) AND entry_count > 0
            ) AS ranked
            LEFT JOIN {projects} AS project ON project.id = ranked.project_key
            WHERE ranked.rank <= %s
        """  # noqa: S608 - constant table names and placeholders only
        params = [connection.ops.adapt_datefield_value(month), *employee_ids, TEAM_TOP_ITEMS + 1]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


# --- Approval queue -------------------------------------------------------------------------------


def approval_queue(user: Any) -> QuerySet[TimeEntry]:
    """Finished entries awaiting approval, other employees' only, oldest first."""
    return (
        TimeEntry.objects.filter(status=TimeEntry.Status.PENDING, end__isnull=False)
        .exclude(employee=user)
        .select_related("employee", "project", "customer")
        .order_by("start", "id")
    )


def reviewable_entries(user: Any) -> QuerySet[TimeEntry]:
    """What a reviewer may approve or return: other employees' finished, unbilled entries."""
    return (
        TimeEntry.objects.filter(end__isnull=False, billed_at__isnull=True)
        .exclude(employee=user)
        .order_by("start", "id")
    )


# --- Projects -------------------------------------------------------------------------------------


def project_entries(user: Any, project: Project) -> QuerySet[TimeEntry]:
    qs = TimeEntry.objects.filter(project=project).select_related("employee")
    if not (user.has_perm("timetracking.view_timeentry") or project.manager_id == user.pk):
        qs = qs.filter(employee=user)
    return qs.order_by("-start", "-id")


def entry_totals(qs: QuerySet[TimeEntry]) -> dict[str, Any]:
    """Minutes, billable minutes and billable amount of ``qs`` in one aggregate query."""
    data = qs.order_by().aggregate(
        total_minutes=Sum("duration_minutes"),
        billable_minutes=Sum("duration_minutes", filter=Q(billable=True)),
    )
    return {"minutes": data["total_minutes"] or 0, "billable": data["billable_minutes"] or 0}


def project_time_summary(project: Project) -> dict[str, Any]:
    """Hours tracked, billable hours and budget use of a project (one query).

    Budget use = billable hours × rate (each entry at its own rate) against the EUR budget, and
    tracked hours against the hours budget. Expenses are added by the finance module later.
    """
    data = TimeEntry.objects.filter(project=project).aggregate(
        total_minutes=Sum("duration_minutes"),
        billable_minutes=Sum("duration_minutes", filter=Q(billable=True)),
        amount_x60=Sum(
            models_expr_rate(),
            filter=Q(billable=True),
        ),
    )
    minutes = data["total_minutes"] or 0
    billable = data["billable_minutes"] or 0
    amount = (Decimal(data["amount_x60"] or 0) / 60).quantize(Decimal("0.01"))
    budget_amount = project.budget_amount
    budget_hours = project.budget_hours
    return {
        "project": project,
        "minutes": minutes,
        "hours": hours(minutes),
        "billable_minutes": billable,
        "billable_hours": hours(billable),
        "amount": amount,
        "budget_amount": budget_amount,
        "budget_hours": budget_hours,
        "budget_use": (
            int((amount * HUNDRED / budget_amount).quantize(Decimal(1))) if budget_amount else None
        ),
        "budget_hours_use": (
            int((hours(minutes) * HUNDRED / budget_hours).quantize(Decimal(1)))
            if budget_hours
            else None
        ),
    }


def models_expr_rate() -> Any:
    """minutes × hourly rate (divide the sum by 60 for EUR)."""
    return ExpressionWrapper(
        F("duration_minutes") * F("hourly_rate"),
        output_field=DecimalField(max_digits=20, decimal_places=2),
    )


# --- Month reports --------------------------------------------------------------------------------


@dataclass
class ReportDay:
    day: dt.date
    minutes: int
    break_minutes: int
    target: int
    warnings: list[worktime.WorkWarning]
    first_start: dt.datetime | None
    last_end: dt.datetime | None


@dataclass
class EmployeeMonthReport:
    employee: Employee
    month: dt.date
    days: list[ReportDay]
    entries: list[TimeEntry]
    total: int
    billable: int
    target: int

    @property
    def overtime(self) -> int:
        return self.total - self.target

    @property
    def warnings(self) -> list[worktime.WorkWarning]:
        return [w for day in self.days for w in day.warnings]


def _holidays(company: Any, year: int) -> set[dt.date]:
    try:
        import holidays
    except ImportError:  # pragma: no cover - listed in requirements
        return set()
    return set(holidays.country_holidays("DE", subdiv=company.bundesland, years=year))


def employee_month_report(employee: Employee, month: dt.date) -> EmployeeMonthReport:
    start, end = month_bounds(month)
    previous_day, _unused = day_bounds(month - dt.timedelta(days=1))
    entries = list(
        TimeEntry.objects.filter(employee=employee)
        .finished()
        .between(previous_day, end)
        .select_related("project", "customer")
        .order_by("start", "id")
    )
    company = company_get()
    work = worktime.work_days(entries)
    worktime.check(work, worktime.WorkRules.from_company(company))
    free = _holidays(company, month.year)
    per_day_target = int(Decimal(company.hours_per_day) * 60)
    days = []
    for day in month_days(month):
        target = (
            per_day_target
            if day.weekday() < company.working_days_per_week and day not in free
            else 0
        )
        w = work.get(day)
        days.append(
            ReportDay(
                day=day,
                minutes=w.work_minutes if w else 0,
                break_minutes=w.break_minutes if w else 0,
                target=target,
                warnings=w.warnings if w else [],
                first_start=w.first_start if w else None,
                last_end=w.last_end if w else None,
            )
        )
    month_entries = [e for e in entries if e.start >= start]
    return EmployeeMonthReport(
        employee=employee,
        month=month,
        days=days,
        entries=month_entries,
        total=sum(e.duration_minutes for e in month_entries),
        billable=sum(e.duration_minutes for e in month_entries if e.billable),
        target=sum(d.target for d in days),
    )


@dataclass
class ProjectMonthReport:
    project: Project
    month: dt.date
    rows: list[dict[str, Any]]
    total: int
    billable: int
    amount: Decimal


def project_month_report(project: Project, month: dt.date) -> ProjectMonthReport:
    """Hours per employee and activity, billable vs not (one aggregate + employees)."""
    start, end = month_bounds(month)
    raw = list(
        TimeEntry.objects.filter(project=project)
        .finished()
        .between(start, end)
        .values("employee_id", "activity", "billable")
        .annotate(minutes=Sum("duration_minutes"), amount_x60=Sum(models_expr_rate()))
        .order_by()
    )
    employees = {e.pk: e for e in Employee.objects.filter(pk__in={r["employee_id"] for r in raw})}
    labels = dict(ActivityType.choices)
    grouped: dict[tuple[int, str], dict[str, Any]] = {}
    for r in raw:
        key = (r["employee_id"], r["activity"])
        row = grouped.setdefault(
            key,
            {
                "employee": employees[r["employee_id"]],
                "activity": labels.get(r["activity"], r["activity"]),
                "minutes": 0,
                "billable": 0,
                "amount": Decimal("0.00"),
            },
        )
        row["minutes"] += r["minutes"] or 0
        if r["billable"]:
            row["billable"] += r["minutes"] or 0
            row["amount"] += (Decimal(r["amount_x60"] or 0) / 60).quantize(Decimal("0.01"))
    rows = sorted(
        grouped.values(), key=lambda r: (r["employee"].last_name, r["employee"].first_name)
    )
    for row in rows:
        row["not_billable"] = row["minutes"] - row["billable"]
    return ProjectMonthReport(
        project=project,
        month=month,
        rows=rows,
        total=sum(r["minutes"] for r in rows),
        billable=sum(r["billable"] for r in rows),
        amount=sum((r["amount"] for r in rows), Decimal("0.00")),
    )
