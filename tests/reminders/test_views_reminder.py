from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from apps.reminders.models import Reminder
from apps.reminders.services import calendar_token_for
from tests.crm.factories import CustomerFactory
from tests.employees.factories import EmployeeFactory
from tests.reminders.factories import make_reminder

pytestmark = pytest.mark.django_db

PANEL = {"HX-Request": "true", "HX-Target": "reminders-panel"}


def _panel_args(target):
    return [ContentType.objects.get_for_model(target).pk, target.pk]


def test_my_reminders_groups_overdue_today_upcoming_done(member, client_for):
    make_reminder(owner=member, days=-2, title="Überfällig")
    make_reminder(owner=member, days=0, title="Heute")
    make_reminder(owner=member, days=4, title="Später")
    done = make_reminder(owner=member, days=-5, title="Erledigt")
    from apps.reminders.services import reminder_set_done

    reminder_set_done(reminder=done, actor=member, done=True)
    make_reminder(owner=EmployeeFactory(), days=0, title="Fremd")
    response = client_for(member).get(reverse("reminders:reminder_list"))
    assert response.status_code == 200
    groups = response.context["groups"]
    assert [r.title for r in groups.overdue] == ["Überfällig"]
    assert [r.title for r in groups.today] == ["Heute"]
    assert [r.title for r in groups.upcoming] == ["Später"]
    assert [r.title for r in groups.done] == ["Erledigt"]
    assert "Fremd" not in response.text


def test_nav_badge_counts_due_reminders(member, client_for):
    make_reminder(owner=member, days=-1)
    make_reminder(owner=member, days=0)
    make_reminder(owner=member, days=3)
    response = client_for(member).get(reverse("reminders:reminder_list"))
    item = next(
        i for i in response.context["nav_items"] if i["url"] == reverse("reminders:reminder_list")
    )
    assert item["badge"] == 2


def test_toggle_done_inline(member, client_for):
    reminder = make_reminder(owner=member)
    response = client_for(member).post(
        reverse("reminders:reminder_toggle", args=[reminder.pk]),
        headers={"HX-Request": "true", "HX-Target": f"reminder-{reminder.pk}"},
    )
    assert response.status_code == 200
    assert "<html" not in response.text
    assert f'id="reminder-{reminder.pk}"' in response.text
    assert "HX-Request" in response["Vary"]
    reminder.refresh_from_db()
    assert reminder.done


def test_snooze_inline(member, client_for):
    reminder = make_reminder(owner=member, days=-1)
    response = client_for(member).post(
        reverse("reminders:reminder_snooze", args=[reminder.pk]),
        {"days": "7d"},
        headers={"HX-Request": "true", "HX-Target": f"reminder-{reminder.pk}"},
    )
    assert response.status_code == 200
    reminder.refresh_from_db()
    assert timezone.localtime(reminder.remind_at).date() == timezone.localdate() + dt.timedelta(
        days=7
    )


def test_snooze_with_bad_value_is_400(member, client_for):
    reminder = make_reminder(owner=member)
    response = client_for(member).post(
        reverse("reminders:reminder_snooze", args=[reminder.pk]), {"days": "forever"}
    )
    assert response.status_code == 400


def test_other_employees_reminder_is_404(member, client_for):
    reminder = make_reminder(owner=EmployeeFactory())
    for name in ("reminder_toggle", "reminder_snooze", "reminder_delete"):
        response = client_for(member).post(
            reverse(f"reminders:{name}", args=[reminder.pk]), {"days": "1d"}
        )
        assert response.status_code == 404
    reminder.refresh_from_db()
    assert not reminder.done


def test_delete_own_reminder(member, client_for):
    reminder = make_reminder(owner=member)
    response = client_for(member).post(
        reverse("reminders:reminder_delete", args=[reminder.pk]),
        headers={"HX-Request": "true", "HX-Target": f"reminder-{reminder.pk}"},
    )
    assert response.status_code == 200
    assert not Reminder.objects.exists()


def test_panel_add_reminder_to_a_customer(member, client_for):
    customer = CustomerFactory()
    response = client_for(member).post(
        reverse("reminders:reminder_create", args=_panel_args(customer)),
        {"title": "Rückruf", "due_date": "2030-05-04", "due_time": "09:30", "priority": "high"},
        headers=PANEL,
    )
    assert response.status_code == 200
    assert "<html" not in response.text
    assert "#reminders-panel" in response.text
    reminder = Reminder.objects.get()
    assert (reminder.owner, reminder.target, reminder.priority) == (member, customer, "high")
    assert "Rückruf" in response.text


def test_panel_form_gives_the_date_input_an_iso_value(member, client_for):
    """<input type="date"> ignores a German "04.05.2030": the default date must be ISO."""
    response = client_for(member).get(
        reverse("reminders:reminder_panel", args=_panel_args(member)), headers=PANEL
    )
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    assert f'name="due_date" value="{tomorrow.isoformat()}"' in response.text


def test_panel_add_with_bad_input_is_422_and_changes_nothing(member, client_for):
    customer = CustomerFactory()
    response = client_for(member).post(
        reverse("reminders:reminder_create", args=_panel_args(customer)),
        {"title": "", "due_date": "31.02.2030", "priority": "urgent"},
        headers=PANEL,
    )
    assert response.status_code == 422
    assert "<html" not in response.text
    assert 'class="errorlist' in response.text
    assert not Reminder.objects.exists()


def test_panel_shows_only_own_reminders_without_module_permission(member, admin, client_for):
    customer = CustomerFactory()
    make_reminder(owner=member, target=customer, title="Meine")
    make_reminder(owner=admin, target=customer, title="Die der Chefin")
    url = reverse("reminders:reminder_panel", args=_panel_args(customer))
    mine = client_for(member).get(url, headers=PANEL)
    assert "Meine" in mine.text and "Die der Chefin" not in mine.text
    everything = client_for(admin).get(url, headers=PANEL)
    assert "Meine" in everything.text and "Die der Chefin" in everything.text


def test_panel_of_an_invisible_record_is_404(outsider, client_for):
    customer = CustomerFactory()
    url = reverse("reminders:reminder_panel", args=_panel_args(customer))
    assert client_for(outsider).get(url).status_code == 404
    add = reverse("reminders:reminder_create", args=_panel_args(customer))
    assert (
        client_for(outsider)
        .post(add, {"title": "x", "due_date": "2030-01-01", "priority": "low"})
        .status_code
        == 404
    )
    assert not Reminder.objects.exists()


def test_panel_for_a_model_that_does_not_carry_attachments_is_404(admin, client_for):
    from apps.employees.models import Role

    role = Role.objects.first()
    url = reverse(
        "reminders:reminder_panel", args=[ContentType.objects.get_for_model(Role).pk, role.pk]
    )
    assert client_for(admin).get(url).status_code == 404


def test_reminders_of_a_deleted_record_stay_with_their_owner(member, client_for):
    customer = CustomerFactory(name="Weg GmbH")
    make_reminder(owner=member, target=customer, title="Nachfassen")
    customer.delete()
    response = client_for(member).get(reverse("reminders:reminder_list"))
    assert "Nachfassen" in response.text
    assert "Weg GmbH" in response.text


# --- iCal feed ----------------------------------------------------------------------------------


def test_ical_feed_lists_open_reminders_and_parses(member, client_for):
    make_reminder(owner=member, days=1, title="Ganztägig")
    reminder_create_time = make_reminder(
        owner=member, days=2, title="Mit Uhrzeit", due_time=dt.time(10, 0)
    )
    done = make_reminder(owner=member, days=1, title="Erledigt")
    from apps.reminders.services import reminder_set_done

    reminder_set_done(reminder=done, actor=member, done=True)
    make_reminder(owner=EmployeeFactory(), title="Fremd")
    token = calendar_token_for(member).token
    response = client_for(None).get(reverse("reminders:calendar_feed", args=[token]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    events = {str(e["summary"]): e for e in calendar.walk("VEVENT")}
    assert set(events) == {"Ganztägig", "Mit Uhrzeit"}
    assert isinstance(events["Ganztägig"].decoded("dtstart"), dt.date)
    assert events["Mit Uhrzeit"].decoded("dtstart") == reminder_create_time.remind_at


def test_ical_feed_rejects_wrong_token(member, client_for):
    calendar_token_for(member)
    response = client_for(None).get(reverse("reminders:calendar_feed", args=["wrong-token"]))
    assert response.status_code == 404


def test_ical_renew_invalidates_old_url(member, client_for):
    old = calendar_token_for(member).token
    response = client_for(member).post(
        reverse("reminders:calendar_token_renew"),
        headers={"HX-Request": "true", "HX-Target": "calendar-feed"},
    )
    assert response.status_code == 200
    assert "<html" not in response.text
    assert client_for(None).get(reverse("reminders:calendar_feed", args=[old])).status_code == 404
    new = calendar_token_for(member).token
    assert new in response.text
    assert client_for(None).get(reverse("reminders:calendar_feed", args=[new])).status_code == 200


def test_ical_feed_of_inactive_employee_is_404(client_for):
    gone = EmployeeFactory(status="inactive")
    token = calendar_token_for(gone).token
    assert client_for(None).get(reverse("reminders:calendar_feed", args=[token])).status_code == 404


# --- Edit ---------------------------------------------------------------------------------------


def _edit_url(reminder, **query):
    from urllib.parse import urlencode

    url = reverse("reminders:reminder_edit", args=[reminder.pk])
    return f"{url}?{urlencode(query)}" if query else url


def _input_tag(html, element_id):
    import re

    return re.search(rf'<input [^>]*id="{element_id}"[^>]*>', html).group(0)


def _item_headers(reminder):
    return {"HX-Request": "true", "HX-Target": f"reminder-{reminder.pk}"}


VALID_EDIT = {
    "title": "Angebot nachfassen",
    "due_date": "2030-06-01",
    "due_time": "14:45",
    "priority": "critical",
    "description": "Mit Frau Berg sprechen",
}


def test_items_offer_an_edit_link_that_works_with_and_without_htmx(member, client_for):
    reminder = make_reminder(owner=member, target=member)
    response = client_for(member).get(reverse("reminders:reminder_list"))
    href = _edit_url(reminder) + "?next=/reminders/&amp;show_target=1"
    assert f'href="{href}" hx-get="{href}" hx-target="#reminder-{reminder.pk}"' in response.text


def test_edit_get_htmx_swaps_the_item_for_its_form(member, client_for):
    reminder = make_reminder(
        owner=member, days=3, title="Rückruf", due_time=dt.time(9, 30), priority="high"
    )
    response = client_for(member).get(
        _edit_url(reminder, next="/reminders/"), headers=_item_headers(reminder)
    )
    assert response.status_code == 200
    assert "<html" not in response.text
    assert f'<li id="reminder-{reminder.pk}"' in response.text
    assert "HX-Request" in response["Vary"]
    form = response.context["form"]
    assert form["title"].value() == "Rückruf"
    due = (timezone.localdate() + dt.timedelta(days=3)).isoformat()
    assert f'name="due_date" value="{due}"' in response.text
    assert 'name="due_time" value="09:30"' in response.text
    assert f'<label for="reminder-{reminder.pk}-title">' in response.text
    assert "autofocus" in _input_tag(response.text, f"reminder-{reminder.pk}-title")
    assert '<input type="hidden" name="next" value="/reminders/">' in response.text


def test_edit_get_without_htmx_is_a_page_of_its_own(member, client_for):
    reminder = make_reminder(owner=member)
    response = client_for(member).get(_edit_url(reminder))
    assert response.status_code == 200
    assert "<html" in response.text
    assert "Erinnerung bearbeiten" in response.text
    assert f'action="{_edit_url(reminder)}"' in response.text


def test_edit_post_htmx_saves_returns_the_item_and_is_audited(member, client_for):
    from apps.audit.models import AuditAction, AuditEntry

    reminder = make_reminder(owner=member, title="Alt", days=1)
    response = client_for(member).post(
        _edit_url(reminder), VALID_EDIT | {"next": "/reminders/"}, headers=_item_headers(reminder)
    )
    assert response.status_code == 200
    assert "<html" not in response.text
    assert "HX-Request" in response["Vary"]
    assert f'<li id="reminder-{reminder.pk}" class="reminder-item"' in response.text
    assert "Angebot nachfassen" in response.text and "Alt" not in response.text
    assert 'data-testid="reminder-edit" autofocus' in response.text
    assert 'hx-swap-oob="beforeend"' in response.text
    assert "Die Erinnerung wurde gespeichert." in response.text
    reminder.refresh_from_db()
    assert (reminder.title, reminder.due_date, reminder.due_time, reminder.priority) == (
        "Angebot nachfassen",
        dt.date(2030, 6, 1),
        dt.time(14, 45),
        "critical",
    )
    assert reminder.description == "Mit Frau Berg sprechen"
    entry = AuditEntry.objects.get(action=AuditAction.UPDATE, object_id=str(reminder.pk))
    assert entry.actor == member
    assert entry.changes["title"] == {"old": "Alt", "new": "Angebot nachfassen"}


def test_edit_post_with_bad_input_is_422_in_german_and_changes_nothing(member, client_for):
    from apps.audit.models import AuditAction, AuditEntry

    reminder = make_reminder(owner=member, title="Bleibt", days=1)
    response = client_for(member).post(
        _edit_url(reminder),
        {"title": " ", "due_date": "31.02.2030", "priority": "urgent"},
        headers=_item_headers(reminder),
    )
    assert response.status_code == 422
    assert "<html" not in response.text
    assert f'<li id="reminder-{reminder.pk}"' in response.text
    assert 'class="errorlist' in response.text
    assert "Dieses Feld ist zwingend erforderlich." in response.text
    assert "Bitte ein gültiges Datum eingeben." in response.text
    title = _input_tag(response.text, f"reminder-{reminder.pk}-title")
    assert 'aria-invalid="true"' in title
    assert "autofocus" in title  # the first field to correct has the focus
    reminder.refresh_from_db()
    assert (reminder.title, reminder.priority) == ("Bleibt", "medium")
    assert not AuditEntry.objects.filter(
        action=AuditAction.UPDATE, object_id=str(reminder.pk)
    ).exists()


def test_edit_post_without_htmx_redirects_to_next(member, client_for):
    reminder = make_reminder(owner=member, target=member)
    panel = reverse("reminders:reminder_panel", args=_panel_args(member))
    response = client_for(member).post(_edit_url(reminder), VALID_EDIT | {"next": panel})
    assert response.status_code == 302
    assert response["Location"] == panel
    reminder.refresh_from_db()
    assert reminder.title == "Angebot nachfassen"


def test_edit_post_without_htmx_ignores_a_foreign_next(member, client_for):
    reminder = make_reminder(owner=member)
    response = client_for(member).post(
        _edit_url(reminder), VALID_EDIT | {"next": "https://evil.example/"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("reminders:reminder_list")


def test_edit_post_without_htmx_with_bad_input_shows_the_page_again(member, client_for):
    reminder = make_reminder(owner=member, title="Bleibt")
    response = client_for(member).post(
        _edit_url(reminder), {"title": "", "due_date": "2030-01-01", "priority": "low"}
    )
    assert response.status_code == 422
    assert "<html" in response.text
    assert "Dieses Feld ist zwingend erforderlich." in response.text
    reminder.refresh_from_db()
    assert reminder.title == "Bleibt"


def test_edit_cancel_brings_the_item_back(member, client_for):
    reminder = make_reminder(owner=member, title="Unverändert")
    client = client_for(member)
    response = client.get(
        _edit_url(reminder, show="1", next="/reminders/"), headers=_item_headers(reminder)
    )
    assert response.status_code == 200
    assert "<html" not in response.text
    assert f'<li id="reminder-{reminder.pk}" class="reminder-item"' in response.text
    assert "Unverändert" in response.text
    plain = client.get(_edit_url(reminder, show="1", next="/reminders/"))
    assert (plain.status_code, plain["Location"]) == (302, "/reminders/")


def test_edit_in_my_reminders_keeps_the_record_link(member, client_for):
    customer = CustomerFactory(name="Nordlicht GmbH")
    reminder = make_reminder(owner=member, target=customer)
    client = client_for(member)
    saved = client.post(
        _edit_url(reminder), VALID_EDIT | {"show_target": "1"}, headers=_item_headers(reminder)
    )
    assert "Nordlicht GmbH" in saved.text
    in_panel = client.post(_edit_url(reminder), VALID_EDIT, headers=_item_headers(reminder))
    assert "Nordlicht GmbH" not in in_panel.text


def test_toggle_in_my_reminders_keeps_the_record_link(member, client_for):
    customer = CustomerFactory(name="Nordlicht GmbH")
    reminder = make_reminder(owner=member, target=customer)
    response = client_for(member).post(
        reverse("reminders:reminder_toggle", args=[reminder.pk]),
        {"show_target": "1"},
        headers=_item_headers(reminder),
    )
    assert "Nordlicht GmbH" in response.text


def test_edit_someone_elses_reminder_is_404(member, client_for):
    reminder = make_reminder(owner=EmployeeFactory(), title="Fremd")
    client = client_for(member)
    assert client.get(_edit_url(reminder)).status_code == 404
    assert client.post(_edit_url(reminder), VALID_EDIT).status_code == 404
    reminder.refresh_from_db()
    assert reminder.title == "Fremd"


def test_edit_with_view_permission_only_is_403(client_for):
    from apps.audit.models import AuditAction, AuditEntry
    from tests.employees.factories import RoleFactory

    reader = EmployeeFactory(role=RoleFactory(permissions=["reminders.view_reminder"]))
    reminder = make_reminder(owner=EmployeeFactory(), title="Fremd")
    client = client_for(reader)
    assert client.get(_edit_url(reminder)).status_code == 403
    assert client.post(_edit_url(reminder), VALID_EDIT).status_code == 403
    reminder.refresh_from_db()
    assert reminder.title == "Fremd"
    assert AuditEntry.objects.filter(action=AuditAction.PERMISSION_DENIED).count() == 2


def test_module_permission_may_edit_others_reminders(admin, member, client_for):
    reminder = make_reminder(owner=member, title="Von Mia")
    response = client_for(admin).post(
        _edit_url(reminder), VALID_EDIT, headers=_item_headers(reminder)
    )
    assert response.status_code == 200
    reminder.refresh_from_db()
    assert (reminder.title, reminder.owner) == ("Angebot nachfassen", member)


def test_list_offers_delete_and_the_htmx_delete_removes_the_item(member, client_for):
    reminder = make_reminder(owner=member, title="Angebot nachfassen")
    client = client_for(member)
    page = client.get(reverse("reminders:reminder_list"))
    assert 'data-testid="reminder-delete"' in page.text
    assert 'data-testid="reminder-edit"' in page.text
    response = client.post(
        reverse("reminders:reminder_delete", args=[reminder.pk]),
        headers={"HX-Request": "true", "HX-Target": f"reminder-{reminder.pk}"},
    )
    assert response.status_code == 200
    assert "Angebot nachfassen" not in response.text
    assert not Reminder.objects.exists()


def test_buttons_follow_the_owner_rule_and_the_module_permission():
    from apps.employees.models import Role
    from apps.reminders.templatetags.reminders import reminder_rights

    viewer = EmployeeFactory(
        role=Role.objects.create(name="Nur lesen", permissions=["reminders.view_reminder"])
    )
    own = make_reminder(owner=viewer, title="Eigene")
    foreign = make_reminder(owner=EmployeeFactory(), title="Fremde")
    assert reminder_rights(own, viewer) == {"change": True, "delete": True}
    assert reminder_rights(foreign, viewer) == {"change": False, "delete": False}
    editor = EmployeeFactory(role=Role.objects.create(name="Pflege", permissions=["reminders.*"]))
    assert reminder_rights(foreign, editor) == {"change": True, "delete": True}
