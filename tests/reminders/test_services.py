from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from apps.audit.models import AuditAction, AuditEntry
from apps.reminders.models import Reminder
from apps.reminders.services import (
    calendar_token_for,
    calendar_token_renew,
    reminder_create,
    reminder_set_done,
    reminder_snooze,
    reminder_update,
    reminders_send_due,
)
from tests.crm.factories import CustomerFactory
from tests.employees.factories import EmployeeFactory
from tests.reminders.factories import make_reminder

pytestmark = pytest.mark.django_db


def test_reminder_create_links_any_record_and_is_audited(member):
    customer = CustomerFactory(name="Nordlicht GmbH")
    reminder = reminder_create(
        owner=member, target=customer, due=dt.date(2030, 1, 15), title="Angebot nachfassen"
    )
    assert reminder.target == customer
    assert "Nordlicht GmbH" in reminder.target_repr
    assert timezone.localtime(reminder.remind_at) == timezone.make_aware(dt.datetime(2030, 1, 15))
    assert AuditEntry.objects.filter(action=AuditAction.CREATE, object_id=str(reminder.pk)).exists()


def test_reminder_create_with_datetime_sets_date_and_time(member):
    due = timezone.make_aware(dt.datetime(2030, 3, 1, 14, 30))
    reminder = reminder_create(owner=member, target=None, due=due, title="Telefonat")
    assert (reminder.due_date, reminder.due_time) == (dt.date(2030, 3, 1), dt.time(14, 30))
    assert reminder.remind_at == due


def test_reminder_create_with_source_key_is_idempotent(member):
    customer = CustomerFactory()
    first = reminder_create(
        owner=member, target=customer, due=dt.date(2030, 1, 1), title="A", source_key="invoices:1"
    )
    second = reminder_create(
        owner=member, target=customer, due=dt.date(2030, 2, 1), title="B", source_key="invoices:1"
    )
    assert first.pk == second.pk
    assert Reminder.objects.get().due_date == dt.date(2030, 2, 1)


def test_reminder_create_refuses_empty_title(member):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        reminder_create(owner=member, target=None, due=dt.date(2030, 1, 1), title="  ")


def _update(reminder, actor, **changes):
    values = {
        "title": reminder.title,
        "description": reminder.description,
        "due_date": reminder.due_date,
        "due_time": reminder.due_time,
        "priority": reminder.priority,
    }
    return reminder_update(reminder=reminder, actor=actor, **(values | changes))


def test_reminder_update_records_old_and_new_values(member):
    reminder = make_reminder(owner=member, title="Alt", days=3)
    _update(reminder, member, title="Neu", priority="high")
    entry = AuditEntry.objects.filter(action=AuditAction.UPDATE, object_id=str(reminder.pk)).get()
    assert entry.actor == member
    assert entry.changes == {
        "title": {"old": "Alt", "new": "Neu"},
        "priority": {"old": "medium", "new": "high"},
    }


def test_reminder_update_of_the_due_date_replaces_a_snooze_and_rearms_the_mail(member):
    reminder = make_reminder(owner=member, days=-1)
    reminders_send_due()
    reminder_snooze(reminder=reminder, actor=member, days=7)
    reminder.refresh_from_db()
    reminder.notified_at = timezone.now()  # as if the snoozed reminder had been mailed again
    reminder.save(update_fields=["notified_at"])
    new_day = timezone.localdate() + dt.timedelta(days=2)
    _update(reminder, member, due_date=new_day, due_time=dt.time(8, 15))
    reminder.refresh_from_db()
    assert reminder.snoozed_until is None and reminder.notified_at is None
    assert timezone.localtime(reminder.remind_at) == timezone.make_aware(
        dt.datetime.combine(new_day, dt.time(8, 15))
    )


def test_reminder_update_without_changes_writes_no_audit_entry(member):
    reminder = make_reminder(owner=member)
    _update(reminder, member)
    assert not AuditEntry.objects.filter(
        action=AuditAction.UPDATE, object_id=str(reminder.pk)
    ).exists()


def test_reminder_update_refuses_an_empty_title_and_changes_nothing(member):
    from django.core.exceptions import ValidationError

    reminder = make_reminder(owner=member, title="Bleibt")
    with pytest.raises(ValidationError):
        _update(reminder, member, title="  ", priority="high")
    reminder.refresh_from_db()
    assert (reminder.title, reminder.priority) == ("Bleibt", "medium")


def test_reminder_update_with_an_invalid_value_leaves_the_object_unchanged(member):
    from django.core.exceptions import ValidationError

    reminder = make_reminder(owner=member, title="Bleibt")
    with pytest.raises(ValidationError):
        _update(reminder, member, title="Neu", priority="urgent")
    assert (reminder.title, reminder.priority) == ("Bleibt", "medium")
    assert Reminder.objects.get().title == "Bleibt"


def test_snooze_moves_due_and_rearms_notification(member):
    reminder = make_reminder(owner=member, days=-1)
    reminders_send_due()
    reminder.refresh_from_db()
    assert reminder.notified_at is not None
    reminder_snooze(reminder=reminder, actor=member, days=7)
    reminder.refresh_from_db()
    assert reminder.notified_at is None
    assert timezone.localtime(reminder.remind_at).date() == timezone.localdate() + dt.timedelta(
        days=7
    )


def test_done_sets_done_at(member):
    reminder = make_reminder(owner=member)
    reminder_set_done(reminder=reminder, actor=member, done=True)
    assert reminder.done and reminder.done_at is not None
    reminder_set_done(reminder=reminder, actor=member, done=False)
    assert not reminder.done and reminder.done_at is None


# --- send_due_reminders ------------------------------------------------------------------------


def test_send_due_reminders_twice_sends_one_digest_per_owner():
    anna = EmployeeFactory(language="de")
    bert = EmployeeFactory(language="en")
    make_reminder(owner=anna, days=-1, title="Rechnung prüfen")
    make_reminder(owner=anna, days=0, title="Kunde anrufen")
    make_reminder(owner=bert, days=-3, title="Send offer")
    make_reminder(owner=bert, days=5, title="Not yet due")
    done = make_reminder(owner=bert, days=-1, title="Already done")
    reminder_set_done(reminder=done, actor=bert, done=True)

    out = io.StringIO()
    call_command("send_due_reminders", stdout=out)
    assert "2 e-mail(s) sent for 3 reminder(s)" in out.getvalue()
    assert len(mail.outbox) == 2
    by_recipient = {message.to[0]: message for message in mail.outbox}
    german, english = by_recipient[anna.email], by_recipient[bert.email]
    assert "Rechnung prüfen" in german.body and "Kunde anrufen" in german.body
    assert "Erinnerungen" in german.subject
    assert "Send offer" in english.body and "Not yet due" not in english.body
    assert "reminder" in english.subject.lower()
    assert "Already done" not in english.body

    call_command("send_due_reminders", stdout=io.StringIO())
    assert len(mail.outbox) == 2  # nothing new


def test_a_new_due_reminder_gets_its_own_digest_later():
    anna = EmployeeFactory()
    make_reminder(owner=anna, days=-1)
    reminders_send_due()
    make_reminder(owner=anna, days=0, title="Neu fällig")
    result = reminders_send_due()
    assert (result.emails, result.reminders) == (1, 1)
    assert len(mail.outbox) == 2
    assert "Neu fällig" in mail.outbox[1].body


def test_digest_is_audited_as_email():
    anna = EmployeeFactory()
    make_reminder(owner=anna, days=-1)
    reminders_send_due()
    assert AuditEntry.objects.filter(action=AuditAction.EMAIL, object_id=str(anna.pk)).count() == 1


def test_failed_send_is_retried_next_run(monkeypatch):
    anna = EmployeeFactory()
    make_reminder(owner=anna, days=-1)

    def boom(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        raise OSError("SMTP down")

    with monkeypatch.context() as patched:
        patched.setattr("django.core.mail.EmailMultiAlternatives.send", boom)
        result = reminders_send_due()
    assert result.failed == 1
    assert Reminder.objects.get().notified_at is None
    assert reminders_send_due().emails == 1
    assert len(mail.outbox) == 1


def test_inactive_owner_gets_no_mail():
    gone = EmployeeFactory(status="inactive")
    make_reminder(owner=gone, days=-1)
    assert reminders_send_due().emails == 0
    assert mail.outbox == []


def test_calendar_token_renew_changes_token(member):
    old = calendar_token_for(member).token
    assert calendar_token_renew(employee=member).token != old


def test_calendar_token_revoke_deletes_the_secret_audited_on_the_employee(member, admin):
    from apps.reminders.models import CalendarToken
    from apps.reminders.services import calendar_token_revoke

    token = calendar_token_renew(employee=member)
    calendar_token_revoke(token=token, actor=admin)
    assert not CalendarToken.objects.filter(employee=member).exists()
    entry = AuditEntry.objects.for_object(member).get(message="calendar feed token revoked")
    assert (entry.action, entry.actor) == (AuditAction.UPDATE, admin)
    assert token.token not in str(entry.changes) + entry.message
