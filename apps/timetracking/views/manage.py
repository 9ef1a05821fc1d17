"""For managers: the team view, the approval queue and a project's time list."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from apps.common.htmx import render_page
from apps.common.http import AuthedRequest
from apps.common.permissions import object_permission, permission_required_for
from apps.projects.models import Project
from apps.projects.selectors import projects_for_user
from apps.timetracking import selectors, services
from apps.timetracking.forms import ReviewForm
from apps.timetracking.rows import approval_rows
from apps.timetracking.timeutils import (
    iso_week,
    month_bounds,
    next_month,
    parse_month,
    parse_week,
    week_bounds,
)
from apps.timetracking.views.common import error_messages, with_messages

TEAM_PAGE_SIZE = 50


@require_GET
@permission_required_for("timetracking.view_team_time")
def team_view(request: AuthedRequest) -> HttpResponse:
    today = timezone.localdate()
    period = "month" if request.GET.get("period") == "month" else "week"
    if period == "month":
        first = parse_month(request.GET.get("month"), today) or today.replace(day=1)
        start, end = month_bounds(first)
        prev_q = f"period=month&month={(first - dt.timedelta(days=1)):%Y-%m}"
        next_q = f"period=month&month={next_month(first):%Y-%m}"
        title = first
    else:
        monday = parse_week(request.GET.get("week"), today)
        start, end = week_bounds(monday)
        prev_q = f"period=week&week={iso_week(monday - dt.timedelta(days=7))}"
        next_q = f"period=week&week={iso_week(monday + dt.timedelta(days=7))}"
        title = monday
    summary = selectors.team_summary(start, end)
    page = Paginator(summary.rows, TEAM_PAGE_SIZE).get_page(request.GET.get("page"))
    selectors.team_fill_items(list(page), start, end)
    context: dict[str, Any] = {
        "page": page,
        "period": period,
        "title_date": title,
        "period_end": (end - dt.timedelta(seconds=1)).date(),
        "prev_q": prev_q,
        "next_q": next_q,
        "total": summary.total,
        "billable": summary.billable,
        "active_tab": "team",
        # The report URLs of all rows share this prefix (one reverse() instead of 200).
        "report_base": reverse("timetracking:report_employee", args=[0]).removesuffix("0/"),
    }
    return render_page(
        request, "timetracking/team.html", context, partials={"team-results": "results"}
    )


def _queue_context(request: AuthedRequest, form: ReviewForm | None = None) -> dict[str, Any]:
    page = Paginator(selectors.approval_queue(request.user), 50).get_page(request.GET.get("page"))
    return {
        "page": page,  # for the count and the pager; the template prints ``rows``
        "rows": approval_rows(page.object_list),
        "form": form or ReviewForm(),
        "active_tab": "approvals",
    }


@require_GET
@permission_required_for("timetracking.approve_timeentry")
def approval_list(request: AuthedRequest) -> HttpResponse:
    return render_page(
        request,
        "timetracking/approval_list.html",
        _queue_context(request),
        partials={"approval-results": "results"},
    )


def _selected(request: AuthedRequest) -> list[Any]:
    raw = [request.POST["one"]] if request.POST.get("one") else request.POST.getlist("ids")
    ids = [int(v) for v in raw if str(v).isdigit()]
    return list(selectors.reviewable_entries(request.user).filter(pk__in=ids))


def _review_done(request: AuthedRequest, form: ReviewForm, status: int = 200) -> HttpResponse:
    if not request.htmx:
        return redirect(reverse("timetracking:approval_list"))
    response = render_page(
        request,
        "timetracking/approval_list.html",
        _queue_context(request, form),
        partials={"approval-results": "results"},
        status=status,
    )
    return with_messages(request, response)


@require_POST
@permission_required_for("timetracking.approve_timeentry")
def approval_approve(request: AuthedRequest) -> HttpResponse:
    form = ReviewForm(request.POST)
    entries = [e for e in _selected(request) if e.status != "approved"]
    if not entries:
        messages.error(request, _("Select at least one entry."))
        return _review_done(request, form, status=422)
    try:
        count = services.entry_approve(actor=request.user, entries=entries)
    except ValidationError as error:
        for text in error_messages(error):
            messages.error(request, text)
        return _review_done(request, form, status=422)
    messages.success(request, _("%(count)s entries approved.") % {"count": count})
    return _review_done(request, ReviewForm())


@require_POST
@permission_required_for("timetracking.approve_timeentry")
def approval_return(request: AuthedRequest) -> HttpResponse:
    form = ReviewForm(request.POST)
    entries = _selected(request)
    if not entries:
        messages.error(request, _("Select at least one entry."))
        return _review_done(request, form, status=422)
    comment = form.data.get("comment", "") if form.is_valid() else ""
    try:
        count = services.entry_return(actor=request.user, entries=entries, comment=comment)
    except ValidationError as error:
        for text in error_messages(error):
            messages.error(request, text)
        return _review_done(request, form, status=422)
    messages.success(request, _("%(count)s entries returned.") % {"count": count})
    return _review_done(request, ReviewForm())


@require_GET
@object_permission("projects.view_project", Project, queryset=projects_for_user)
def project_time_list(request: AuthedRequest, project: Project) -> HttpResponse:
    month = parse_month(request.GET.get("month"))
    qs = selectors.project_entries(request.user, project)
    if month is not None:
        qs = qs.between(*month_bounds(month))
    page = Paginator(qs, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    summary = selectors.project_time_summary(project)
    can_see_all = request.user.has_perm("timetracking.view_timeentry") or (
        project.manager_id == request.user.pk
    )
    if month is None and can_see_all:
        # The unfiltered list is the whole project: its totals are the summary's (one query less).
        totals = {"minutes": summary["minutes"], "billable": summary["billable_minutes"]}
    else:
        totals = selectors.entry_totals(qs)
    context = {
        "project": project,
        "page": page,
        "month": month,
        "totals": totals,
        "summary": summary,
        "can_see_all": can_see_all,
        "can_report": request.user.has_perm("timetracking.view_timeentry"),
    }
    return render_page(
        request,
        "timetracking/project_time_list.html",
        context,
        partials={"project-time-results": "results"},
    )
