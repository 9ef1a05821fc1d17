"""Writes of reminders. Other modules create reminders through ``reminder_create``."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import models, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from apps.audit.models import AuditAction
from apps.audit.services import audit_changed, audit_created, audit_record, snapshot
from apps.documents.targets import target_label
from apps.reminders.models import CalendarToken, Reminder, new_calendar_token

logger = logging.getLogger(__name__)

AUDITED_FIELDS = ("title", "description", "due_date", "due_time", "priority", "owner", "done")


def remind_at_for(due_date: dt.date, due_time: dt.time | None) -> dt.datetime:
    """The moment a reminder becomes due: its time, else the start of its day (local time)."""
    return timezone.make_aware(dt.datetime.combine(due_date, due_time or dt.time(0, 0)))


def reminder_create(
    *,
    owner: Any,
    target: models.Model | None,
    due: dt.date | dt.datetime,
    title: str,
    description: str = "",
    priority: str = Reminder.Priority.MEDIUM,
    due_time: dt.time | None = None,
    created_by: Any = None,
    source_key: str = "",
) -> Reminder:
    """Create a reminder for ``owner``, optionally linked to a record (any model).

    * ``due``: a date (all-day; due from the start of that day) or an aware datetime (due at that
      moment; stored as local date + time). ``due_time`` adds a time to a date.
    * ``target``: the record the reminder is about (invoice, customer ...) or None.
    * ``source_key``: lets a module make the call idempotent, e.g.
      ``reminder_create(owner=u, target=invoice, due=invoice.due_date, title=...,
      source_key=f"invoices:follow-up:{invoice.pk}")``; a second call with the same key for the
      same owner updates the open reminder instead of creating another one.
    * ``created_by``: the acting user (None for the system); recorded in the audit log.

    E-mail notification happens later, once, through ``manage.py send_due_reminders``.
    """
    if isinstance(due, dt.datetime):
        local = timezone.localtime(due) if timezone.is_aware(due) else due
        due_date, due_time = local.date(), local.time().replace(microsecond=0)
    else:
        due_date = due
    title = title.strip()[:200]
    if not title:
        raise ValidationError(_("A reminder needs a title."), code="title")
    with transaction.atomic():
        if source_key:
            existing = (
                Reminder.objects.select_for_update()
                .filter(owner=owner, source_key=source_key)
                .first()
            )
            if existing is not None:
                if existing.done:
                    return existing
                return reminder_update(
                    reminder=existing,
                    actor=created_by,
                    title=title,
                    description=description,
                    due_date=due_date,
                    due_time=due_time,
                    priority=priority,
                )
        reminder = Reminder(
            title=title,
            description=description,
            due_date=due_date,
            due_time=due_time,
            priority=priority,
            owner=owner,
            created_by=created_by,
            remind_at=remind_at_for(due_date, due_time),
            source_key=source_key[:100],
        )
        if target is not None:
            reminder.content_type = ContentType.objects.get_for_model(target)
            reminder.object_id = target.pk
            reminder.target_repr = target_label(target)
        reminder.full_clean(exclude=["owner", "created_by", "content_type"])
        reminder.save(force_insert=True)
        audit_created(target=reminder, fields=AUDITED_FIELDS, actor=created_by)
    return reminder


def reminder_update(
    *,
    reminder: Reminder,
    actor: Any,
    title: str,
    description: str,
    due_date: dt.date,
    due_time: dt.time | None,
    priority: str,
) -> Reminder:
    """Change what a reminder says and when it is due; audited with the old and new values.

    A new due date or time replaces a snooze and re-arms the e-mail. Invalid values raise
    ``ValidationError`` and leave the reminder as it was (in the database and in memory).
    """
    title = title.strip()[:200]
    if not title:
        raise ValidationError(_("A reminder needs a title."), code="title")
    with transaction.atomic():
        before = snapshot(reminder, AUDITED_FIELDS)
        moved = (reminder.due_date, reminder.due_time) != (due_date, due_time)
        reminder.title = title
        reminder.description = description
        reminder.due_date = due_date
        reminder.due_time = due_time
        reminder.priority = priority
        if moved:
            reminder.remind_at = remind_at_for(due_date, due_time)
            reminder.snoozed_until = None
            reminder.notified_at = None
        try:
            reminder.full_clean(exclude=["owner", "created_by", "content_type"])
        except ValidationError:
            reminder.refresh_from_db()
            raise
        reminder.save()
        audit_changed(target=reminder, before=before, actor=actor)
    return reminder


def reminder_set_done(*, reminder: Reminder, actor: Any, done: bool) -> Reminder:
    with transaction.atomic():
        before = snapshot(reminder, ("done",))
        reminder.done = done
        reminder.done_at = timezone.now() if done else None
        reminder.save(update_fields=["done", "done_at", "updated_at"])
        audit_changed(target=reminder, before=before, actor=actor, action=AuditAction.STATUS)
    return reminder


SNOOZE_DAYS = {"1d": 1, "3d": 3, "7d": 7}


def reminder_snooze(*, reminder: Reminder, actor: Any, days: int) -> Reminder:
    """Due again ``days`` days from today (at the reminder's time, else the start of the day);
    a new e-mail goes out then."""
    if reminder.done:
        raise ValidationError(_("A done reminder cannot be snoozed."), code="done")
    with transaction.atomic():
        before = snapshot(reminder, ("snoozed_until",))
        until = remind_at_for(timezone.localdate() + dt.timedelta(days=days), reminder.due_time)
        reminder.snoozed_until = until
        reminder.remind_at = until
        reminder.notified_at = None
        reminder.save(update_fields=["snoozed_until", "remind_at", "notified_at", "updated_at"])
        audit_changed(target=reminder, before=before, actor=actor)
    return reminder


def reminder_delete(*, reminder: Reminder, actor: Any) -> None:
    with transaction.atomic():
        audit_record(
            action=AuditAction.DELETE,
            target=reminder,
            actor=actor,
            changes={
                k: {"old": v, "new": None} for k, v in snapshot(reminder, AUDITED_FIELDS).items()
            },
        )
        reminder.delete()


# --- Due notifications --------------------------------------------------------------------------


@dataclass(frozen=True)
class DigestResult:
    emails: int
    reminders: int
    failed: int


def _due_for_owner(owner_id: int, now: dt.datetime) -> models.QuerySet[Reminder]:
    return Reminder.objects.filter(
        owner_id=owner_id, done=False, notified_at__isnull=True, remind_at__lte=now
    ).order_by("remind_at", "id")


def reminders_send_due(*, now: dt.datetime | None = None) -> DigestResult:
    """E-mail each owner ONE digest of their reminders that became due and were not notified.

    Per owner, in one transaction: lock the due rows, send the mail, set ``notified_at``. A second
    run finds nothing new; a failed send leaves the rows for the next run.
    """
    now = now or timezone.now()
    owner_ids = list(
        Reminder.objects.filter(done=False, notified_at__isnull=True, remind_at__lte=now)
        .values_list("owner_id", flat=True)
        .distinct()
        .order_by("owner_id")
    )
    emails = reminders = failed = 0
    for owner_id in owner_ids:
        try:
            with transaction.atomic():
                # Lock the due rows (a parallel run skips them), then load them with joins.
                locked = list(
                    _due_for_owner(owner_id, now)
                    .select_for_update(skip_locked=connection_supports_skip_locked())
                    .values_list("pk", flat=True)
                )
                batch = list(
                    Reminder.objects.filter(pk__in=locked)
                    .select_related("owner", "content_type")
                    .order_by("remind_at", "id")
                )
                if not batch:
                    continue
                owner = batch[0].owner
                if not owner.is_active or not owner.email:
                    Reminder.objects.filter(pk__in=[r.pk for r in batch]).update(notified_at=now)
                    continue
                _send_digest(owner, batch)
                Reminder.objects.filter(pk__in=[r.pk for r in batch]).update(notified_at=now)
                audit_record(
                    action=AuditAction.EMAIL,
                    target=owner,
                    actor=None,
                    message=f"reminder digest: {len(batch)} reminder(s)",
                )
        except Exception:
            failed += 1
            logger.exception("Reminder digest for employee %s failed", owner_id)
            continue
        emails += 1
        reminders += len(batch)
    return DigestResult(emails=emails, reminders=reminders, failed=failed)


def connection_supports_skip_locked() -> bool:
    from django.db import connection

    return bool(connection.features.has_select_for_update_skip_locked)


def _send_digest(owner: Any, batch: list[Reminder]) -> None:
    language = owner.language or settings.LANGUAGE_CODE
    with translation.override(language):
        context = {
            "owner": owner,
            "reminders": batch,
            "site_url": settings.SITE_URL,
            "list_url": settings.SITE_URL + "/reminders/",
        }
        subject = " ".join(render_to_string("reminders/email/digest_subject.txt", context).split())
        body = render_to_string("reminders/email/digest.txt", context)
        html = render_to_string("reminders/email/digest.html", context)
    message = EmailMultiAlternatives(
        subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=[owner.email]
    )
    message.attach_alternative(html, "text/html")
    message.send()


# --- Calendar feed ------------------------------------------------------------------------------


def calendar_token_for(employee: Any) -> CalendarToken:
    token, _created = CalendarToken.objects.get_or_create(employee=employee)
    return token


def calendar_token_renew(*, employee: Any) -> CalendarToken:
    """A new secret: the old feed URL stops working at once."""
    with transaction.atomic():
        token, created = CalendarToken.objects.select_for_update().get_or_create(employee=employee)
        if not created:
            token.token = new_calendar_token()
            token.save(update_fields=["token", "created_at"])
        audit_record(
            action=AuditAction.UPDATE,
            target=employee,
            actor=employee,
            message="calendar feed token renewed",
        )
    return token


def calendar_token_revoke(*, token: CalendarToken, actor: Any) -> None:
    """Delete an employee's feed secret: the feed URL stops working at once; the employee can make
    a new one on their reminders page. Audited on the employee, as renewing is."""
    with transaction.atomic():
        employee = token.employee
        audit_record(
            action=AuditAction.UPDATE,
            target=employee,
            actor=actor,
            message="calendar feed token revoked",
        )
        token.delete()
