"""Rows of the time-entry tables, ready to print (the approval queue, the week grid, the entry
tables of the week and the day).

These pages print up to 50 rows of eight cells. Per row, the template engine's filters (``date``,
``time``, ``hm``), ``{% url %}`` tags, lookups through related objects and lazy translations add
up, and so do ORM instances of four models per row. So the pages load only the columns they show
(``values_list``) and this module turns them into plain rows in one Python pass: local times
formatted once, labels translated once per call (not per row), edit/delete URLs built from one
``reverse()``. The templates print the attributes.

Escaping stays with the template engine, except for text that is safe by construction (digits,
times, URLs of an escaped prefix and a pk): that is marked safe here, so the engine does not
escape it again in every cell.

Selectors scope and order the entries; the functions here pick the columns.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.dates import WEEKDAYS, WEEKDAYS_ABBR
from django.utils.html import escape
from django.utils.safestring import SafeString
from django.utils.translation import gettext

from apps.common.rows import TemplateRow, url_for_pk
from apps.timetracking import worktime
from apps.timetracking.models import (
    ACTIVITY_LABELS,
    STATUS_LABELS,
    TimeEntry,
    entry_is_locked,
)
from apps.timetracking.timeutils import format_minutes

# --- Per-call helpers -----------------------------------------------------------------------------


def _translated(labels: dict[Any, Any], *, escaped: bool = False) -> dict[Any, str]:
    """The lazy labels of ``labels`` in the active language (a handful of gettext calls),
    HTML-escaped if ``escaped``."""
    texts = {key: str(label) for key, label in labels.items()}
    return {key: escape(text) for key, text in texts.items()} if escaped else texts


def _hm(minutes: int) -> SafeString:
    """``format_minutes`` (digits and a colon), marked safe."""
    return SafeString(format_minutes(minutes))


def _target(
    project_id: int | None,
    project_title: str,
    customer_id: int | None,
    customer: str,
    internal: str,
) -> str:
    """What an entry was for: the project's title, else the customer, else ``internal``."""
    if project_id:
        return project_title
    if customer_id:
        return customer
    return internal


def target_key(project_id: int | None, customer_id: int | None) -> str:
    """The week grid's row key (and the entry form's target): ``p12``, ``c3`` or ``internal``."""
    if project_id:
        return f"p{project_id}"
    if customer_id:
        return f"c{customer_id}"
    return "internal"


# --- Entry tables (week and day) ------------------------------------------------------------------


@dataclass(slots=True)
class EntryRow(TemplateRow):
    """One row of ``timetracking/_entry_table.html``.

    ``start``, ``end``, ``duration_minutes`` and ``billable`` are the entry's values (local
    datetimes), for the week's sums and the working-time checks; the rest is text to print.
    """

    pk: str
    start: dt.datetime
    end: dt.datetime | None
    duration_minutes: int
    billable: bool
    key: str  # the week grid's row: p12, c3 or internal
    group: str  # the week grid's row label: "P-0012 Title", a customer or "Internal (no project)"
    times: str  # 08:00–12:30, or 08:00–… for the running timer
    target: str  # project title, customer or "Internal (no project)"
    internal: bool
    note: str
    activity: str
    hours: str  # H:MM; empty for the running timer
    status: str
    status_label: str
    billed: bool
    comment: str  # the reviewer's comment of a returned entry
    edit_url: str  # empty when the entry is locked (approved or billed)
    delete_url: str

    @property
    def running(self) -> bool:
        return self.end is None

    @property
    def day(self) -> dt.date:
        return self.start.date()


ENTRY_COLUMNS = (
    "id",
    "start",
    "end",
    "duration_minutes",
    "billable",
    "activity",
    "note",
    "status",
    "review_comment",
    "billed_at",
    "project_id",
    "project__number",
    "project__title",
    "customer_id",
    "customer__name",
)


def entry_rows(entries: QuerySet[TimeEntry]) -> list[EntryRow]:
    """The rows of ``entries`` (scoped and ordered by the caller); one query."""
    tz = timezone.get_current_timezone()
    internal = gettext("Internal (no project)")
    activities = _translated(ACTIVITY_LABELS)
    statuses = _translated(STATUS_LABELS)
    edit_url, delete_url = (
        url_for_pk("timetracking:entry_edit"),
        url_for_pk("timetracking:entry_delete"),
    )
    returned = TimeEntry.Status.RETURNED
    result = []
    for (
        pk,
        start,
        end,
        minutes,
        billable,
        activity,
        note,
        status,
        comment,
        billed_at,
        project_id,
        project_number,
        project_title,
        customer_id,
        customer_name,
    ) in entries.values_list(*ENTRY_COLUMNS):
        start = start.astimezone(tz)
        end = end.astimezone(tz) if end is not None else None
        target = _target(project_id, project_title, customer_id, customer_name, internal)
        group = f"{project_number} {project_title}" if project_id else target
        locked = entry_is_locked(status, billed_at)
        result.append(
            EntryRow(
                pk=SafeString(pk),
                start=start,
                end=end,
                duration_minutes=minutes,
                billable=billable,
                key=target_key(project_id, customer_id),
                group=group,
                times=SafeString(
                    f"{start:%H:%M}–{end:%H:%M}" if end is not None else f"{start:%H:%M}–…"
                ),
                target=target,
                internal=not (project_id or customer_id),
                note=note,
                activity=activities.get(activity, activity),
                hours=_hm(minutes) if end is not None else "",
                status=status,
                status_label=statuses.get(status, status),
                billed=billed_at is not None,
                comment=comment if status == returned else "",
                edit_url="" if locked else edit_url(pk),
                delete_url="" if locked else delete_url(pk),
            )
        )
    return result


# --- Approval queue -------------------------------------------------------------------------------


@dataclass(slots=True)
class ApprovalRow(TemplateRow):
    """One row of the approval queue."""

    pk: str
    when: str  # Mo 03.11.2025 08:00–12:30 (local)
    employee: str
    target: str  # project title, customer or "Internal (no project)"
    internal: bool
    activity: str
    billable: bool
    hours: str
    note: str


APPROVAL_COLUMNS = (
    "id",
    "start",
    "end",
    "duration_minutes",
    "billable",
    "activity",
    "note",
    "employee__first_name",
    "employee__last_name",
    "project_id",
    "project__title",
    "customer_id",
    "customer__name",
)


def approval_rows(entries: QuerySet[TimeEntry]) -> list[ApprovalRow]:
    """The rows of ``entries`` (finished ones: a page of the approval queue); one query."""
    tz = timezone.get_current_timezone()
    internal = gettext("Internal (no project)")
    activities = _translated(ACTIVITY_LABELS)
    weekdays = _translated(WEEKDAYS_ABBR, escaped=True)
    result = []
    for (
        pk,
        start,
        end,
        minutes,
        billable,
        activity,
        note,
        first_name,
        last_name,
        project_id,
        project_title,
        customer_id,
        customer_name,
    ) in entries.values_list(*APPROVAL_COLUMNS):
        start = start.astimezone(tz)
        target = _target(project_id, project_title, customer_id, customer_name, internal)
        result.append(
            ApprovalRow(
                pk=SafeString(pk),
                when=SafeString(
                    f"{weekdays[start.weekday()]} {start:%d.%m.%Y %H:%M}–{end.astimezone(tz):%H:%M}"
                ),
                employee=f"{first_name} {last_name}".strip(),
                target=target,
                internal=not (project_id or customer_id),
                activity=activities.get(activity, activity),
                billable=billable,
                hours=_hm(minutes),
                note=note,
            )
        )
    return result


# --- Week grid ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class GridColumn(TemplateRow):
    """A day of the week grid: its header, its cell in the "new entry" row and its total."""

    day: dt.date
    iso: str  # YYYY-MM-DD
    label: str  # Mo 10.11.
    day_url: str  # the day page
    is_today: bool
    add_url: str  # a new entry on this day; empty for a day in the future
    total: str  # H:MM
    warnings: str  # the day's working-time warnings as one title text, empty for none


@dataclass(frozen=True, slots=True)
class GridCell(TemplateRow):
    hours: str  # H:MM, empty for no time
    add_url: str  # a new entry on this day and row; empty for a day in the future
    testid: str


@dataclass(slots=True)
class GridRow(TemplateRow):
    key: str
    label: str
    cells: list[GridCell]
    total: str  # H:MM


@dataclass(frozen=True, slots=True)
class EntryDay(TemplateRow):
    label: str  # Montag, 10.11.2025
    rows: list[EntryRow]


def _share(part: int, total: int) -> int:
    return round(part * 100 / total) if total else 0


@dataclass
class WeekGrid:
    monday: dt.date
    days: list[dt.date]
    columns: list[GridColumn]
    rows: list[GridRow]
    total: int
    billable: int
    target_minutes: int
    warnings: list[worktime.WorkWarning] = field(default_factory=list)
    entry_days: list[EntryDay] = field(default_factory=list)  # days with entries, in order

    @property
    def billable_share(self) -> int:
        return _share(self.billable, self.total)

    @property
    def target_share(self) -> int:
        return _share(self.total, self.target_minutes)


def build_week_grid(
    monday: dt.date,
    entries: Iterable[EntryRow],
    work: dict[dt.date, worktime.WorkDay],
    *,
    target_minutes: int,
) -> WeekGrid:
    """Days × rows (project, customer or internal) of the week from ``monday``: ``entries``
    ordered by start (others than the week's are left out), ``work`` with the warnings checked."""
    days = [monday + dt.timedelta(days=i) for i in range(7)]
    index = {day: i for i, day in enumerate(days)}
    by_day: list[list[EntryRow]] = [[] for _ in days]
    minutes: dict[str, list[int]] = {}
    labels: dict[str, str] = {}
    day_totals = [0] * 7
    total = billable = 0
    for entry in entries:
        i = index.get(entry.day)
        if i is None:
            continue
        by_day[i].append(entry)
        cells = minutes.get(entry.key)
        if cells is None:
            cells = minutes[entry.key] = [0] * 7
            labels[entry.key] = entry.group
        cells[i] += entry.duration_minutes
        day_totals[i] += entry.duration_minutes
        total += entry.duration_minutes
        if entry.billable:
            billable += entry.duration_minutes

    today = timezone.localdate()
    isos = [day.isoformat() for day in days]
    open_days = [day <= today for day in days]
    create_url = escape(reverse("timetracking:entry_create"))
    day_url = escape(reverse("timetracking:my_day"))
    weekdays = _translated(WEEKDAYS_ABBR, escaped=True)
    day_names = _translated(WEEKDAYS, escaped=True)
    day_warnings = [work[day].warnings if day in work else [] for day in days]
    columns = [
        GridColumn(
            day=day,
            iso=isos[i],
            label=SafeString(f"{weekdays[day.weekday()]} {day:%d.%m.}"),
            day_url=SafeString(f"{day_url}?date={isos[i]}"),
            is_today=day == today,
            add_url=SafeString(f"{create_url}?date={isos[i]}") if open_days[i] else "",
            total=_hm(day_totals[i]),
            warnings="".join(f"{w.message} " for w in day_warnings[i]),
        )
        for i, day in enumerate(days)
    ]
    rows = [
        GridRow(
            key=key,
            label=labels[key],
            cells=[
                GridCell(
                    hours=_hm(m) if m else "",
                    add_url=SafeString(f"{create_url}?date={isos[i]}&amp;target={key}")
                    if open_days[i]
                    else "",
                    testid=SafeString(f"cell-add-{key}-{isos[i]}"),
                )
                for i, m in enumerate(cells)
            ],
            total=_hm(sum(cells)),
        )
        for key, cells in minutes.items()
    ]
    rows.sort(key=lambda row: row.label.lower())
    return WeekGrid(
        monday=monday,
        days=days,
        columns=columns,
        rows=rows,
        total=total,
        billable=billable,
        target_minutes=target_minutes,
        warnings=[w for warnings in day_warnings for w in warnings],
        entry_days=[
            EntryDay(
                label=SafeString(f"{day_names[day.weekday()]}, {day:%d.%m.%Y}"), rows=by_day[i]
            )
            for i, day in enumerate(days)
            if by_day[i]
        ],
    )
