from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.timetracking import services
from apps.timetracking.models import TimeEntry
from tests.employees.factories import EmployeeFactory, role_named
from tests.projects.factories import ProjectFactory
from tests.timetracking.factories import last_monday, make_entry

pytestmark = pytest.mark.django_db

PERSONAS = ["admin", "manager", "member", "outsider", None]


@pytest.fixture
def world(member, manager):  # type: ignore[no-untyped-def]
    project = ProjectFactory(members=[member])
    entry = make_entry(member, last_monday(), "09:00", "10:00", project=project)
    return {"project": project, "entry": entry}


def _get(request, client_for, persona, url, *, method="get", **headers):  # type: ignore[no-untyped-def]
    user = request.getfixturevalue(persona) if persona else None
    client = client_for(user)
    return getattr(client, method)(url, headers=headers)


MATRIX = [
    # url name, args from world, method, {persona: status}
    (
        "timetracking:my_week",
        None,
        "get",
        {"admin": 200, "manager": 200, "member": 200, "outsider": 403},
    ),
    (
        "timetracking:my_day",
        None,
        "get",
        {"admin": 200, "manager": 200, "member": 200, "outsider": 403},
    ),
    (
        "timetracking:entry_create",
        None,
        "get",
        {"admin": 200, "manager": 200, "member": 200, "outsider": 403},
    ),
    (
        "timetracking:entry_edit",
        "entry",
        "get",
        {"admin": 404, "manager": 404, "member": 200, "outsider": 404},
    ),
    (
        "timetracking:entry_delete",
        "entry",
        "post",
        {"admin": 404, "manager": 404, "member": 302, "outsider": 404},
    ),
    (
        "timetracking:timer_widget",
        None,
        "get",
        {"admin": 200, "manager": 200, "member": 200, "outsider": 403},
    ),
    (
        "timetracking:timer_start",
        None,
        "post",
        {"admin": 302, "manager": 302, "member": 302, "outsider": 403},
    ),
    (
        "timetracking:timer_stop",
        None,
        "post",
        {"admin": 302, "manager": 302, "member": 302, "outsider": 403},
    ),
    (
        "timetracking:team_view",
        None,
        "get",
        {"admin": 200, "manager": 200, "member": 403, "outsider": 403},
    ),
    (
        "timetracking:approval_list",
        None,
        "get",
        {"admin": 200, "manager": 200, "member": 403, "outsider": 403},
    ),
    (
        "timetracking:approval_approve",
        None,
        "post",
        {"admin": 302, "manager": 302, "member": 403, "outsider": 403},
    ),
    (
        "timetracking:approval_return",
        None,
        "post",
        {"admin": 302, "manager": 302, "member": 403, "outsider": 403},
    ),
    (
        "timetracking:project_time_list",
        "project",
        "get",
        {"admin": 200, "manager": 200, "member": 200, "outsider": 404},
    ),
    (
        "timetracking:report_employee",
        "member",
        "get",
        {"admin": 200, "manager": 200, "member": 200, "outsider": 403},
    ),
    (
        "timetracking:report_project",
        "project",
        "get",
        {"admin": 200, "manager": 200, "member": 403, "outsider": 403},
    ),
    (
        "timetracking:report_employee_pdf",
        "member",
        "post",
        {"admin": 302, "manager": 302, "member": 302, "outsider": 403},
    ),
    (
        "timetracking:report_project_pdf",
        "project",
        "post",
        {"admin": 302, "manager": 302, "member": 403, "outsider": 403},
    ),
]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("name", "arg", "method", "expected"), MATRIX, ids=[m[0] for m in MATRIX])
def test_permission_matrix(
    request, client_for, world, member, persona, name, arg, method, expected
) -> None:  # type: ignore[no-untyped-def]
    args = []
    if arg == "member":
        args = [member.pk]
    elif arg:
        args = [world[arg].pk]
    url = reverse(name, args=args)
    response = _get(request, client_for, persona, url, method=method)
    if persona is None:
        assert response.status_code == 302 and "/accounts/" in response["Location"]
    else:
        assert response.status_code == expected[persona], (persona, name, response.status_code)


HTMX_PAGES = [
    # url name, HX-Target, a marker of the fragment
    ("timetracking:my_week", "week-grid", 'data-testid="week-grid"'),
    ("timetracking:my_day", "day-list", "<p>"),
    ("timetracking:entry_create", "entry-dialog", 'id="entry-form"'),
    ("timetracking:timer_widget", "timer-widget", 'id="timer-widget"'),
    ("timetracking:team_view", "team-results", 'data-testid="team-table"'),
    ("timetracking:approval_list", "approval-results", 'data-testid="approval-table"'),
    ("timetracking:report_employee", "report", "<table"),
    ("timetracking:report_project", "report", "<table"),
    ("timetracking:project_time_list", "project-time-results", 'data-testid="project-time-table"'),
]


@pytest.mark.parametrize(("name", "target", "marker"), HTMX_PAGES)
def test_htmx_requests_get_the_fragment(client_for, admin, world, name, target, marker) -> None:  # type: ignore[no-untyped-def]
    args = []
    if name == "timetracking:report_employee":
        args = [admin.pk]
    elif name in {"timetracking:report_project", "timetracking:project_time_list"}:
        args = [world["project"].pk]
    response = client_for(admin).get(
        reverse(name, args=args), headers={"HX-Request": "true", "HX-Target": target}
    )
    assert response.status_code == 200
    assert "<html" not in response.text
    assert marker in response.text
    assert "HX-Request" in response["Vary"]
    full = client_for(admin).get(reverse(name, args=args))
    assert "<html" in full.text
    if target != "entry-dialog":
        assert f'id="{target}"' in full.text


def test_header_shows_the_lazy_timer_for_trackers(client_for, member, outsider) -> None:
    page = client_for(member).get(reverse("timetracking:my_week"))
    assert 'id="timer-widget"' in page.text and 'hx-trigger="load"' in page.text
    other = client_for(outsider).get(reverse("dashboards:home"))
    assert 'id="timer-widget"' not in other.text


def test_timer_start_switch_stop_via_htmx(client_for, member) -> None:
    first, second = ProjectFactory(members=[member]), ProjectFactory(members=[member])
    client = client_for(member)
    hx = {"HX-Request": "true", "HX-Target": "timer-widget"}
    r = client.post(
        reverse("timetracking:timer_start"),
        {"target": f"p{first.pk}", "activity": "development"},
        headers=hx,
    )
    assert r.status_code == 200 and "data-timer-start" in r.text and first.title in r.text
    assert "timer:changed" in r["HX-Trigger-After-Settle"]
    r = client.post(
        reverse("timetracking:timer_start"),
        {"target": f"p{second.pk}", "activity": "meeting"},
        headers=hx,
    )
    assert second.title in r.text
    r = client.post(reverse("timetracking:timer_stop"), headers=hx)
    assert r.status_code == 200 and "data-timer-start" not in r.text
    assert TimeEntry.objects.filter(employee=member).count() == 2
    assert 'hx-swap-oob="true"' in r.text


def test_timer_start_on_foreign_project_is_422(client_for, member) -> None:
    project = ProjectFactory()
    r = client_for(member).post(
        reverse("timetracking:timer_start"),
        {"target": f"p{project.pk}", "activity": "development"},
        headers={"HX-Request": "true", "HX-Target": "timer-widget"},
    )
    assert r.status_code == 422
    assert not TimeEntry.objects.exists()


def test_timer_stop_without_timer_is_422(client_for, member) -> None:
    r = client_for(member).post(
        reverse("timetracking:timer_stop"),
        headers={"HX-Request": "true", "HX-Target": "timer-widget"},
    )
    assert r.status_code == 422


def test_entry_create_from_a_cell(client_for, member) -> None:
    project = ProjectFactory(members=[member])
    day = last_monday()
    client = client_for(member)
    form = client.get(
        reverse("timetracking:entry_create") + f"?date={day:%Y-%m-%d}&target=p{project.pk}",
        headers={"HX-Request": "true", "HX-Target": "entry-dialog"},
    )
    assert 'id="entry-form"' in form.text and "<html" not in form.text
    r = client.post(
        reverse("timetracking:entry_create"),
        {
            "date": f"{day:%Y-%m-%d}",
            "start_time": "08:00",
            "end_time": "12:30",
            "target": f"p{project.pk}",
            "activity": "development",
            "billable": "on",
            "note": "Sprint",
        },
        headers={"HX-Request": "true", "HX-Target": "entry-form"},
    )
    assert r.status_code == 200 and r["HX-Redirect"].startswith(reverse("timetracking:my_week"))
    entry = TimeEntry.objects.get()
    assert entry.duration_minutes == 270 and entry.project == project


def test_entry_create_with_duration_follows_last_entry(client_for, member) -> None:
    day = last_monday()
    make_entry(member, day, "08:00", "10:00")
    client_for(member).post(
        reverse("timetracking:entry_create"),
        {"date": f"{day:%Y-%m-%d}", "duration": "1:30", "activity": "meeting"},
    )
    entry = TimeEntry.objects.order_by("-start").first()
    assert timezone.localtime(entry.start).time() == dt.time(10, 0)
    assert entry.duration_minutes == 90


@pytest.mark.parametrize(
    "data",
    [
        {"date": "", "start_time": "08:00", "end_time": "09:00"},
        {"date": "2026-13-01"},
        {"date": "2020-01-01"},
        {"date": "2020-01-01", "start_time": "10:00", "end_time": "09:00"},
        {"date": "2020-01-01", "duration": "abc"},
        {"date": "2020-01-01", "duration": "1:00", "target": "p999999"},
        {"date": "2020-01-01", "duration": "1:00", "target": "x1"},
        {"date": "2026-03-29", "start_time": "02:30", "end_time": "03:30"},
    ],
)
def test_entry_create_bad_input_is_422(client_for, member, data) -> None:  # type: ignore[no-untyped-def]
    r = client_for(member).post(
        reverse("timetracking:entry_create"),
        {"activity": "development", **data},
        headers={"HX-Request": "true", "HX-Target": "entry-form"},
    )
    assert r.status_code == 422
    assert "<html" not in r.text
    assert not TimeEntry.objects.exists()


def test_entry_create_future_day_is_422(client_for, member) -> None:
    day = timezone.localdate() + dt.timedelta(days=2)
    r = client_for(member).post(
        reverse("timetracking:entry_create"),
        {
            "date": f"{day:%Y-%m-%d}",
            "start_time": "08:00",
            "end_time": "09:00",
            "activity": "development",
        },
    )
    assert r.status_code == 422


def test_entry_edit_keeps_seconds_when_times_unchanged(client_for, member) -> None:
    entry = make_entry(member, last_monday(), "09:00", "10:00")
    local = timezone.localtime(entry.start)
    client_for(member).post(
        reverse("timetracking:entry_edit", args=[entry.pk]),
        {
            "date": f"{local:%Y-%m-%d}",
            "start_time": "09:00",
            "end_time": "10:00",
            "activity": "support",
            "note": "neu",
        },
    )
    entry.refresh_from_db()
    assert entry.note == "neu" and entry.activity == "support" and entry.duration_minutes == 60


def test_arbzg_warning_on_save(client_for, member) -> None:
    day = last_monday()
    r = client_for(member).post(
        reverse("timetracking:entry_create"),
        {
            "date": f"{day:%Y-%m-%d}",
            "start_time": "07:00",
            "end_time": "14:00",
            "activity": "development",
        },
        follow=True,
    )
    assert any(m.level_tag == "warning" for m in r.context["messages"])


def test_week_view_shows_grid_totals_and_warnings(client_for, member) -> None:
    project = ProjectFactory(members=[member])
    day = last_monday()
    make_entry(member, day, "07:00", "14:00", project=project)  # 7 h without a break
    make_entry(member, day + dt.timedelta(days=1), "09:00", "10:30")
    r = client_for(member).get(reverse("timetracking:my_week") + f"?week={day:%Y-%m-%d}")
    assert "8:30" in r.text  # week total
    assert project.title in r.text
    assert "worktime-warning" in r.text


def test_member_sees_only_own_entries(client_for, member) -> None:
    colleague = EmployeeFactory(role=role_named("Mitarbeiter"))
    project = ProjectFactory(members=[member, colleague])
    make_entry(colleague, last_monday(), "09:00", "10:00", project=project, note="geheim")
    make_entry(member, last_monday(), "09:00", "10:00", project=project, note="meins")
    r = client_for(member).get(reverse("timetracking:project_time_list", args=[project.pk]))
    assert "meins" in r.text and "geheim" not in r.text
    week = client_for(member).get(
        reverse("timetracking:my_week") + f"?week={last_monday():%Y-%m-%d}"
    )
    assert "geheim" not in week.text


def test_approval_queue_approve_one_and_return_bulk(client_for, manager, member) -> None:
    day = last_monday()
    a = make_entry(member, day, "08:00", "09:00")
    b = make_entry(member, day, "09:00", "10:00")
    c = make_entry(member, day, "10:00", "11:00")
    client = client_for(manager)
    hx = {"HX-Request": "true", "HX-Target": "approval-results"}
    r = client.post(reverse("timetracking:approval_approve"), {"one": a.pk}, headers=hx)
    assert r.status_code == 200 and "<html" not in r.text
    a.refresh_from_db()
    assert a.status == "approved" and a.reviewed_by == manager
    r = client.post(
        reverse("timetracking:approval_return"), {"ids": [b.pk, c.pk], "comment": ""}, headers=hx
    )
    assert r.status_code == 422
    r = client.post(
        reverse("timetracking:approval_return"),
        {"ids": [b.pk, c.pk], "comment": "Projekt fehlt"},
        headers=hx,
    )
    assert r.status_code == 200
    assert set(TimeEntry.objects.filter(pk__in=[b.pk, c.pk]).values_list("status", flat=True)) == {
        "returned"
    }


def test_approval_queue_hides_own_entries(client_for, manager) -> None:
    make_entry(manager, last_monday(), "08:00", "09:00", note="eigener Eintrag")
    r = client_for(manager).get(reverse("timetracking:approval_list"))
    assert "eigener Eintrag" not in r.text


def test_member_cannot_see_others_report(client_for, member, manager) -> None:
    r = client_for(member).get(reverse("timetracking:report_employee", args=[manager.pk]))
    assert r.status_code == 404


def test_report_csv(client_for, member) -> None:
    day = last_monday()
    make_entry(member, day, "08:00", "09:30", note="Kick-off")
    r = client_for(member).get(
        reverse("timetracking:report_employee", args=[member.pk]) + f"?month={day:%Y-%m}&format=csv"
    )
    assert r.status_code == 200 and r["Content-Type"].startswith("text/csv")
    assert "Kick-off" in r.content.decode("utf-8-sig")


def test_project_report_csv(client_for, manager, member) -> None:
    project = ProjectFactory(members=[member])
    day = last_monday()
    make_entry(member, day, "08:00", "09:30", project=project, hourly_rate="100.00")
    r = client_for(manager).get(
        reverse("timetracking:report_project", args=[project.pk]) + f"?month={day:%Y-%m}&format=csv"
    )
    body = r.content.decode("utf-8-sig")
    assert "150,00" in body


def _populate(member, project, weeks: int) -> None:  # type: ignore[no-untyped-def]
    colleague = EmployeeFactory(role=role_named("Mitarbeiter"))
    entries = []
    start = last_monday() - dt.timedelta(days=7 * (weeks - 1))
    for w in range(weeks):
        for d in range(5):
            day = start + dt.timedelta(days=7 * w + d)
            for employee in (member, colleague):
                for hour in (8, 10, 13):
                    from tests.timetracking.factories import at

                    s = at(day, f"{hour:02d}:00")
                    entries.append(
                        TimeEntry(
                            employee=employee,
                            project=project,
                            start=s,
                            end=s + dt.timedelta(hours=1, minutes=30),
                            duration_minutes=90,
                        )
                    )
    TimeEntry.objects.bulk_create(entries)
    services.time_totals_rebuild(employee_ids=[member.pk, colleague.pk])  # as seed_demo does


@pytest.mark.parametrize("weeks", [1, 6])
def test_query_budgets(client_for, django_assert_max_num_queries, member, manager, weeks) -> None:  # type: ignore[no-untyped-def]
    project = ProjectFactory(members=[member])
    _populate(member, project, weeks)
    week = f"?week={last_monday():%Y-%m-%d}"
    pages = [
        (member, reverse("timetracking:my_week") + week),
        (member, reverse("timetracking:my_day") + f"?date={last_monday():%Y-%m-%d}"),
        (manager, reverse("timetracking:team_view") + "?period=month"),
        (manager, reverse("timetracking:approval_list")),
        (manager, reverse("timetracking:project_time_list", args=[project.pk])),
        (member, reverse("timetracking:timer_widget")),
        (manager, reverse("timetracking:report_employee", args=[member.pk])),
        (manager, reverse("timetracking:report_project", args=[project.pk])),
    ]
    for user, url in pages:
        client = client_for(user)
        with django_assert_max_num_queries(10):
            assert client.get(url).status_code == 200


def test_project_detail_has_a_time_tab_with_budget_use(client_for, manager, member) -> None:
    from decimal import Decimal

    project = ProjectFactory(members=[member], budget_amount=Decimal("1000.00"))
    make_entry(
        member, last_monday(), "08:00", "10:00", project=project, hourly_rate=Decimal("100.00")
    )
    r = client_for(manager).get(project.get_absolute_url() + "?tab=time")
    assert r.status_code == 200
    assert 'data-testid="project-time-summary"' in r.text
    assert "20 %" in r.text


def test_team_view_lists_hours_per_employee_with_pages(client_for, manager, monkeypatch) -> None:
    from apps.timetracking.views import manage

    monkeypatch.setattr(manage, "TEAM_PAGE_SIZE", 2)
    day = last_monday()
    people = [EmployeeFactory(first_name="T", last_name=f"Team{i}") for i in range(3)]
    project = ProjectFactory(title="Webshop", members=people)
    for i, person in enumerate(people):
        make_entry(person, day, "08:00", f"{9 + i:02d}:00", project=project)
    url = reverse("timetracking:team_view") + f"?week={day:%Y-%m-%d}"
    client = client_for(manager)
    first = client.get(url)
    assert "Team0" in first.text and "Team1" in first.text and "Team2" not in first.text
    assert "Webshop 1:00" in first.text
    assert 'data-testid="team-table"' in first.text
    # The footer sums everyone, not only this page: 1 + 2 + 3 hours.
    assert "<strong>6:00</strong>" in first.text
    second = client.get(
        url + "&page=2", headers={"HX-Request": "true", "HX-Target": "team-results"}
    )
    assert "<html" not in second.text
    assert "Team2" in second.text and "Webshop 3:00" in second.text and "Team0" not in second.text
