"""Persona x URL permission matrix, htmx partials and query budgets for every reminders URL."""

from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import URLPattern, get_resolver, reverse

from apps.common.permissions import ACCESS_ATTR
from apps.reminders.services import calendar_token_for
from tests.crm.factories import CustomerFactory
from tests.reminders.factories import make_reminder

pytestmark = pytest.mark.django_db

PERSONAS = ["admin", "manager", "member", "outsider", "anonymous"]

# admin, manager (Projektleitung), member (Mitarbeiter), outsider (no role), anonymous.
# The reminder belongs to the admin; the record is the admin's employee page.
MATRIX = {
    "reminder_list": (200, 200, 200, 200, 302),
    "reminder_panel": (200, 200, 200, 404, 302),
    "reminder_create": (302, 302, 302, 404, 302),
    "reminder_toggle": (302, 404, 404, 404, 302),
    "reminder_snooze": (302, 404, 404, 404, 302),
    "reminder_edit": (200, 404, 404, 404, 302),
    "reminder_delete": (302, 404, 404, 404, 302),
    "calendar_token_renew": (302, 302, 302, 302, 302),
    "calendar_feed": (200, 200, 200, 200, 200),
}


def _args(target):
    return [ContentType.objects.get_for_model(target).pk, target.pk]


@pytest.mark.parametrize("name", sorted(MATRIX))
@pytest.mark.parametrize("persona", PERSONAS)
def test_permission_matrix(request, client_for, name, persona):
    admin = request.getfixturevalue("admin")
    user = None if persona == "anonymous" else request.getfixturevalue(persona)
    reminder = make_reminder(owner=admin, target=admin)
    token = calendar_token_for(admin).token
    method, url, data = {
        "reminder_list": ("get", reverse("reminders:reminder_list"), None),
        "reminder_panel": ("get", reverse("reminders:reminder_panel", args=_args(admin)), None),
        "reminder_create": (
            "post",
            reverse("reminders:reminder_create", args=_args(admin)),
            {"title": "Neu", "due_date": "2030-01-01", "priority": "low"},
        ),
        "reminder_toggle": ("post", reverse("reminders:reminder_toggle", args=[reminder.pk]), {}),
        "reminder_snooze": (
            "post",
            reverse("reminders:reminder_snooze", args=[reminder.pk]),
            {"days": "1d"},
        ),
        "reminder_edit": ("get", reverse("reminders:reminder_edit", args=[reminder.pk]), None),
        "reminder_delete": ("post", reverse("reminders:reminder_delete", args=[reminder.pk]), {}),
        "calendar_token_renew": ("post", reverse("reminders:calendar_token_renew"), {}),
        "calendar_feed": ("get", reverse("reminders:calendar_feed", args=[token]), None),
    }[name]
    client = client_for(user)
    response = (
        getattr(client, method)(url, data) if data is not None else getattr(client, method)(url)
    )
    expected = MATRIX[name][PERSONAS.index(persona)]
    assert response.status_code == expected, (name, persona, response.status_code)


def test_every_reminders_url_declares_its_access():
    for pattern in get_resolver().url_patterns:
        if getattr(pattern, "namespace", None) != "reminders":
            continue
        for sub in pattern.url_patterns:
            assert isinstance(sub, URLPattern)
            assert getattr(sub.callback, ACCESS_ATTR, None), sub.name


def test_reminder_list_groups_partial(member, client_for):
    make_reminder(owner=member)
    response = client_for(member).get(
        reverse("reminders:reminder_list"),
        headers={"HX-Request": "true", "HX-Target": "reminder-groups"},
    )
    assert response.status_code == 200
    assert "<html" not in response.text
    assert "overdue-title" in response.text
    assert "HX-Request" in response["Vary"]


def test_reminder_panel_partial(member, client_for):
    response = client_for(member).get(
        reverse("reminders:reminder_panel", args=_args(member)),
        headers={"HX-Request": "true", "HX-Target": "reminders-panel"},
    )
    assert response.status_code == 200
    assert "<html" not in response.text
    assert "#reminders-panel" in response.text
    assert "HX-Request" in response["Vary"]


@pytest.mark.parametrize("rows", [5, 50])
def test_reminder_list_query_budget(member, client_for, django_assert_max_num_queries, rows):
    customer = CustomerFactory()
    for index in range(rows):
        make_reminder(owner=member, target=customer if index % 2 else member, days=index % 7 - 3)
    client = client_for(member)
    client.get(reverse("reminders:reminder_list"))
    with django_assert_max_num_queries(12):
        response = client.get(reverse("reminders:reminder_list"))
    assert response.status_code == 200


@pytest.mark.parametrize("rows", [5, 50])
def test_reminder_panel_query_budget(member, client_for, django_assert_max_num_queries, rows):
    for _ in range(rows):
        make_reminder(owner=member, target=member)
    client = client_for(member)
    url = reverse("reminders:reminder_panel", args=_args(member))
    headers = {"HX-Request": "true", "HX-Target": "reminders-panel"}
    client.get(url, headers=headers)
    with django_assert_max_num_queries(8):
        response = client.get(url, headers=headers)
    assert response.status_code == 200


def test_reminder_edit_partial_and_save_query_budget(
    member, client_for, django_assert_max_num_queries
):
    reminder = make_reminder(owner=member, target=CustomerFactory())
    client = client_for(member)
    url = reverse("reminders:reminder_edit", args=[reminder.pk])
    headers = {"HX-Request": "true", "HX-Target": f"reminder-{reminder.pk}"}
    client.get(url, headers=headers)
    with django_assert_max_num_queries(10):
        form = client.get(f"{url}?next=/reminders/&show_target=1", headers=headers)
    assert form.status_code == 200
    data = {"title": "Neu", "due_date": "2030-01-01", "priority": "low", "show_target": "1"}
    # Session, user, reminder, permissions, the update and its audit entry, the item's record.
    with django_assert_max_num_queries(24):
        saved = client.post(url, data, headers=headers)
    assert saved.status_code == 200
