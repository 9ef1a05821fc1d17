"""The navigation and its badges."""

from __future__ import annotations

import pytest


@pytest.mark.django_db
def test_htmx_fragments_do_not_compute_the_navigation_badges(client_for, member):
    """The navigation (with its badge queries) is computed only when a page renders it."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    client = client_for(member)
    url = reverse("employees:employee_list")
    with CaptureQueriesContext(connection) as page:
        client.get(url)
    with CaptureQueriesContext(connection) as fragment:
        client.get(url, headers={"HX-Request": "true", "HX-Target": "employee-results"})
    badge_tables = ("reminders_reminder", "chat_chatmessage")
    assert any(t in q["sql"] for q in page.captured_queries for t in badge_tables)
    assert not any(t in q["sql"] for q in fragment.captured_queries for t in badge_tables)
