"""Reminders and calendar feed tokens in the admin: through the services, audited as in the app."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from apps.audit.models import AuditAction, AuditEntry
from apps.audit.services import audit_chain_verify
from apps.reminders import services
from apps.reminders.models import CalendarToken, Reminder
from tests.employees.factories import EmployeeFactory
from tests.reminders.factories import make_reminder

pytestmark = pytest.mark.django_db


def _post(**values):  # type: ignore[no-untyped-def]
    data = {
        "title": "Vertrag verlängern",
        "description": "Kündigungsfrist beachten",
        "due_date": "2030-04-01",
        "due_time": "09:15",
        "priority": "high",
    }
    data.update(values)
    return data


def _save(client, url, data):  # type: ignore[no-untyped-def]
    response = client.post(url, data)
    assert response.status_code == 302, response.context and response.context["errors"]


def test_admin_pages_render(client_for, admin):
    reminder = make_reminder(owner=admin)
    services.calendar_token_renew(employee=admin)
    client = client_for(admin)
    for url in (
        reverse("admin:reminders_reminder_changelist"),
        reverse("admin:reminders_reminder_add"),
        reverse("admin:reminders_reminder_change", args=[reminder.pk]),
        reverse("admin:reminders_calendartoken_changelist"),
    ):
        assert client.get(url).status_code == 200


def test_admin_reminder_added_is_audited_as_the_app_creates_it(client_for, admin, member):
    _save(client_for(admin), reverse("admin:reminders_reminder_add"), _post(owner=member.pk))
    reminder = Reminder.objects.get()
    assert (reminder.owner, reminder.created_by, reminder.done) == (member, admin, False)
    assert reminder.remind_at == services.remind_at_for(dt.date(2030, 4, 1), dt.time(9, 15))
    entry = AuditEntry.objects.for_object(reminder).get()
    assert (entry.action, entry.actor) == (AuditAction.CREATE, admin)
    reference = services.reminder_create(
        owner=member,
        target=None,
        due=dt.date(2030, 4, 1),
        due_time=dt.time(9, 15),
        title="Vertrag verlängern",
        description="Kündigungsfrist beachten",
        priority="high",
        created_by=admin,
    )
    assert entry.changes == AuditEntry.objects.for_object(reference).get().changes


def test_admin_reminder_change_is_the_apps_update_and_status_change(client_for, admin, member):
    reminder = make_reminder(owner=member, title="Alt", days=3)
    reminder.notified_at = reminder.remind_at
    reminder.save(update_fields=["notified_at"])
    url = reverse("admin:reminders_reminder_change", args=[reminder.pk])
    _save(client_for(admin), url, _post(done="on"))
    update, status = AuditEntry.objects.for_object(reminder).order_by("seq")[1:]
    assert (update.action, update.actor) == (AuditAction.UPDATE, admin)
    assert update.changes == {
        "title": {"old": "Alt", "new": "Vertrag verlängern"},
        "description": {"old": "", "new": "Kündigungsfrist beachten"},
        "due_date": {"old": reminder.due_date.isoformat(), "new": "2030-04-01"},
        "due_time": {"old": None, "new": "09:15:00"},
        "priority": {"old": "medium", "new": "high"},
    }
    assert (status.action, status.actor, status.changes) == (
        AuditAction.STATUS,
        admin,
        {"done": {"old": False, "new": True}},
    )
    reminder.refresh_from_db()
    assert reminder.done and reminder.done_at is not None
    assert reminder.notified_at is None  # a new due date re-arms the e-mail, as in the app
    assert reminder.owner == member


def test_admin_reminder_owner_stays(client_for, admin, member):
    reminder = make_reminder(owner=member)
    url = reverse("admin:reminders_reminder_change", args=[reminder.pk])
    _save(client_for(admin), url, _post(owner=admin.pk, title=reminder.title))
    reminder.refresh_from_db()
    assert reminder.owner == member


def test_admin_unchanged_reminder_save_writes_no_entries(client_for, admin):
    reminder = make_reminder(owner=admin)
    client = client_for(admin)
    before = AuditEntry.objects.count()
    url = reverse("admin:reminders_reminder_change", args=[reminder.pk])
    data = {
        "title": reminder.title,
        "description": "",
        "due_date": reminder.due_date.isoformat(),
        "due_time": "",
        "priority": reminder.priority,
    }
    _save(client, url, data)
    assert AuditEntry.objects.count() == before


def test_admin_reminder_delete_and_bulk_delete_are_audited_as_the_app_does(client_for, admin):
    one, two, three, reference = (make_reminder(owner=admin, title="Weg") for _ in range(4))
    client = client_for(admin)
    _save(client, reverse("admin:reminders_reminder_delete", args=[one.pk]), {"post": "yes"})
    _save(
        client,
        reverse("admin:reminders_reminder_changelist"),
        {"action": "delete_selected", "_selected_action": [two.pk, three.pk], "post": "yes"},
    )
    reference_id = str(reference.pk)
    services.reminder_delete(reminder=reference, actor=admin)
    assert not Reminder.objects.exists()
    expected = AuditEntry.objects.get(action=AuditAction.DELETE, object_id=reference_id).changes
    assert expected["title"] == {"old": "Weg", "new": None}
    for reminder in (one, two, three):
        entry = AuditEntry.objects.for_object(reminder).get(action=AuditAction.DELETE)
        assert (entry.actor, entry.changes) == (admin, expected)
    assert audit_chain_verify()[1] is None


def test_admin_calendar_token_delete_revokes_the_feed_audited(client_for, admin):
    one, two, three = EmployeeFactory(), EmployeeFactory(), EmployeeFactory()
    tokens = {
        employee: services.calendar_token_renew(employee=employee) for employee in (one, two, three)
    }
    client = client_for(admin)
    feed = reverse("reminders:calendar_feed", args=[tokens[one].token])
    assert client.get(feed).status_code == 200
    _save(
        client,
        reverse("admin:reminders_calendartoken_delete", args=[tokens[one].pk]),
        {"post": "yes"},
    )
    _save(
        client,
        reverse("admin:reminders_calendartoken_changelist"),
        {
            "action": "delete_selected",
            "_selected_action": [tokens[two].pk, tokens[three].pk],
            "post": "yes",
        },
    )
    assert not CalendarToken.objects.exists()
    assert client.get(feed).status_code == 404
    for employee in (one, two, three):
        entry = AuditEntry.objects.for_object(employee).get(message="calendar feed token revoked")
        assert (entry.action, entry.actor, entry.changes) == (AuditAction.UPDATE, admin, {})
    assert audit_chain_verify()[1] is None


def test_admin_calendar_token_cannot_be_added_or_changed(client_for, admin):
    token = services.calendar_token_renew(employee=admin)
    client = client_for(admin)
    assert client.get(reverse("admin:reminders_calendartoken_add")).status_code == 403
    url = reverse("admin:reminders_calendartoken_change", args=[token.pk])
    client.post(url, {"employee": EmployeeFactory().pk})
    token.refresh_from_db()
    assert token.employee == admin
