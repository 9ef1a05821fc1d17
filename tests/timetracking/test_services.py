from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from apps.audit.models import AuditEntry
from apps.projects.services import project_member_remove
from apps.timetracking import services
from apps.timetracking.models import TimeEntry
from apps.timetracking.timeutils import local_datetime
from tests.crm.factories import CustomerFactory
from tests.projects.factories import ProjectFactory
from tests.timetracking.factories import at, last_monday, make_entry

pytestmark = pytest.mark.django_db


@contextmanager
def refused(code: str) -> Iterator[None]:
    """The service refuses with a ValidationError carrying ``code`` (messages are translated)."""
    with pytest.raises(ValidationError) as info:
        yield
    error = info.value
    if hasattr(error, "error_dict"):
        codes = {e.code for errors in error.error_dict.values() for e in errors}
    else:
        codes = {e.code for e in error.error_list}
    assert code in codes, codes


def test_timer_start_derives_customer_and_rate_from_project(member) -> None:
    project = ProjectFactory(members=[member])
    result = services.timer_start(employee=member, project=project)
    entry = result.started
    assert entry.end is None
    assert entry.customer_id == project.customer_id
    assert entry.hourly_rate == project.hourly_rate
    assert entry.billable is True
    assert AuditEntry.objects.filter(object_id=str(entry.pk), action="create").exists()


def test_timer_switch_stops_the_running_timer(member) -> None:
    first, second = ProjectFactory(members=[member]), ProjectFactory(members=[member])
    started = timezone.now() - dt.timedelta(minutes=30)
    services.timer_start(employee=member, project=first, at=started)
    result = services.timer_switch(employee=member, project=second)
    assert result.stopped.project == first
    assert result.stopped.duration_minutes == 30
    assert TimeEntry.objects.filter(employee=member, end__isnull=True).get().project == second


def test_timer_stop_without_timer_is_refused(member) -> None:
    with pytest.raises(ValidationError):
        services.timer_stop(employee=member)


def test_timer_over_spring_forward_has_60_minutes(member) -> None:
    start = local_datetime(dt.date(2026, 3, 29), dt.time(1, 30))
    end = local_datetime(dt.date(2026, 3, 29), dt.time(3, 30))
    services.timer_start(employee=member, at=start)
    assert services.timer_stop(employee=member, at=end).duration_minutes == 60


def test_timer_over_fall_back_has_180_minutes(member) -> None:
    start = local_datetime(dt.date(2026, 10, 25), dt.time(1, 30))
    end = local_datetime(dt.date(2026, 10, 25), dt.time(3, 30))
    services.timer_start(employee=member, at=start)
    assert services.timer_stop(employee=member, at=end).duration_minutes == 180


def test_running_timer_is_unique_in_the_database(member) -> None:
    TimeEntry.objects.create(employee=member, start=timezone.now())
    duplicate = TimeEntry(employee=member, start=timezone.now())
    with refused("timer_running"):
        services._save_new(duplicate)


def test_entry_create_computes_duration(member) -> None:
    day = last_monday()
    entry = services.entry_create(
        actor=member, employee=member, start=at(day, "09:00"), end=at(day, "10:45")
    )
    assert entry.duration_minutes == 105
    assert entry.status == TimeEntry.Status.PENDING


def test_entry_create_refuses_end_before_start(member) -> None:
    day = last_monday()
    with pytest.raises(ValidationError):
        services.entry_create(
            actor=member, employee=member, start=at(day, "10:00"), end=at(day, "09:00")
        )


def test_entry_create_refuses_future_days(member) -> None:
    day = timezone.localdate() + dt.timedelta(days=1)
    with refused("future"):
        services.entry_create(
            actor=member, employee=member, start=at(day, "09:00"), end=at(day, "10:00")
        )


@pytest.mark.parametrize(
    ("start", "end"), [("09:30", "10:30"), ("08:00", "09:01"), ("09:10", "09:20")]
)
def test_entry_create_refuses_overlaps(member, start: str, end: str) -> None:
    day = last_monday()
    make_entry(member, day, "09:00", "10:00")
    with refused("overlap"):
        services.entry_create(actor=member, employee=member, start=at(day, start), end=at(day, end))


def test_adjacent_entries_do_not_overlap(member) -> None:
    day = last_monday()
    make_entry(member, day, "09:00", "10:00")
    services.entry_create(
        actor=member, employee=member, start=at(day, "10:00"), end=at(day, "11:00")
    )
    assert TimeEntry.objects.filter(employee=member).count() == 2


def test_other_employees_entries_do_not_overlap(member, manager) -> None:
    day = last_monday()
    make_entry(manager, day, "09:00", "10:00")
    services.entry_create(
        actor=member, employee=member, start=at(day, "09:00"), end=at(day, "10:00")
    )


def test_manual_entry_overlapping_running_timer_is_refused(member) -> None:
    services.timer_start(employee=member, at=timezone.now() - dt.timedelta(hours=1))
    start = timezone.now() - dt.timedelta(minutes=30)
    with refused("overlap"):
        services.entry_create(
            actor=member, employee=member, start=start, end=start + dt.timedelta(minutes=10)
        )


def test_locked_day_refuses_new_entries(member, manager) -> None:
    day = last_monday()
    entry = make_entry(member, day, "08:00", "09:00")
    services.entry_approve(actor=manager, entries=[entry])
    with refused("locked"):
        services.entry_create(
            actor=member, employee=member, start=at(day, "10:00"), end=at(day, "11:00")
        )


def test_approved_entry_cannot_be_changed_or_deleted(member, manager) -> None:
    entry = make_entry(member, last_monday(), "08:00", "09:00")
    services.entry_approve(actor=manager, entries=[entry])
    entry.refresh_from_db()
    with refused("approved"):
        services.entry_update(actor=member, entry=entry, note="x")
    with refused("approved"):
        services.entry_delete(actor=member, entry=entry)


def test_billed_entry_is_locked(member, manager) -> None:
    entry = make_entry(member, last_monday(), "08:00", "09:00", billed_at=timezone.now())
    with refused("billed"):
        services.entry_update(actor=member, entry=entry, note="x")
    with refused("billed"):
        services.entry_return(actor=manager, entries=[entry], comment="bitte prüfen")


def test_entry_update_recomputes_duration_and_audits(member) -> None:
    day = last_monday()
    entry = make_entry(member, day, "08:00", "09:00")
    services.entry_update(actor=member, entry=entry, end=at(day, "09:30"), note="Review")
    entry.refresh_from_db()
    assert entry.duration_minutes == 90
    assert AuditEntry.objects.filter(object_id=str(entry.pk), action="update").exists()


def test_entry_update_refuses_overlap_with_neighbour(member) -> None:
    day = last_monday()
    entry = make_entry(member, day, "08:00", "09:00")
    make_entry(member, day, "09:00", "10:00")
    with refused("overlap"):
        services.entry_update(actor=member, entry=entry, end=at(day, "09:15"))


def test_only_own_entries_can_be_changed(member, manager) -> None:
    entry = make_entry(member, last_monday(), "08:00", "09:00")
    with pytest.raises(PermissionDenied):
        services.entry_update(actor=manager, entry=entry, note="x")
    with pytest.raises(PermissionDenied):
        services.entry_delete(actor=manager, entry=entry)


def test_entry_delete_removes_and_audits(member) -> None:
    entry = make_entry(member, last_monday(), "08:00", "09:00")
    pk = entry.pk
    services.entry_delete(actor=member, entry=entry)
    assert not TimeEntry.objects.filter(pk=pk).exists()
    assert AuditEntry.objects.filter(object_id=str(pk), action="delete").exists()


def test_non_member_cannot_log_time_on_project(member) -> None:
    project = ProjectFactory()
    with refused("not_member"):
        services.timer_start(employee=member, project=project)


def test_member_who_left_cannot_log_time(member) -> None:
    project = ProjectFactory(members=[member])
    project_member_remove(actor=None, project=project, employee=member)
    day = last_monday()
    with refused("not_member"):
        services.entry_create(
            actor=member,
            employee=member,
            project=project,
            start=at(day, "08:00"),
            end=at(day, "09:00"),
        )


def test_module_permission_allows_any_project(manager) -> None:
    project = ProjectFactory()
    assert services.timer_start(employee=manager, project=project).started.project == project


def test_closed_project_is_refused(member) -> None:
    project = ProjectFactory(members=[member], status="completed")
    with refused("project_closed"):
        services.timer_start(employee=member, project=project)


def test_customer_must_match_project(member) -> None:
    project = ProjectFactory(members=[member])
    with refused("customer_mismatch"):
        services.timer_start(employee=member, project=project, customer=CustomerFactory())


def test_customer_without_project(member) -> None:
    customer = CustomerFactory()
    entry = services.timer_start(employee=member, customer=customer).started
    assert entry.customer == customer and entry.project is None and entry.billable


def test_nobody_records_time_for_someone_else(member, manager) -> None:
    day = last_monday()
    with pytest.raises(PermissionDenied):
        services.entry_create(
            actor=manager, employee=member, start=at(day, "08:00"), end=at(day, "09:00")
        )


def test_approve_and_return_in_bulk(member, manager) -> None:
    day = last_monday()
    entries = [make_entry(member, day, "08:00", "09:00"), make_entry(member, day, "09:00", "10:00")]
    assert services.entry_approve(actor=manager, entries=entries) == 2
    assert set(TimeEntry.objects.values_list("status", flat=True)) == {"approved"}
    assert services.entry_return(actor=manager, entries=entries, comment="Projekt falsch") == 2
    entry = TimeEntry.objects.first()
    assert entry.status == "returned" and entry.review_comment == "Projekt falsch"


def test_return_needs_a_comment(member, manager) -> None:
    entry = make_entry(member, last_monday(), "08:00", "09:00")
    with pytest.raises(ValidationError):
        services.entry_return(actor=manager, entries=[entry], comment="  ")


def test_nobody_approves_own_entries(manager) -> None:
    entry = make_entry(manager, last_monday(), "08:00", "09:00")
    with refused("own"):
        services.entry_approve(actor=manager, entries=[entry])


def test_returned_entry_goes_back_to_pending_when_edited(member, manager) -> None:
    entry = make_entry(member, last_monday(), "08:00", "09:00")
    services.entry_return(actor=manager, entries=[entry], comment="Notiz fehlt")
    entry.refresh_from_db()
    services.entry_update(actor=member, entry=entry, note="Kundentermin")
    entry.refresh_from_db()
    assert entry.status == "pending"


@pytest.mark.postgres
@pytest.mark.skipif(
    not settings.DATABASES["default"]["ENGINE"].endswith("postgresql"), reason="PostgreSQL only"
)
def test_exclusion_constraint_refuses_overlap_on_postgresql(member) -> None:
    from django.db import IntegrityError, transaction

    day = last_monday()
    make_entry(member, day, "09:00", "10:00")
    with pytest.raises(IntegrityError), transaction.atomic():
        make_entry(member, day, "09:30", "10:30")
