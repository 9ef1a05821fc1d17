"""The pipeline board: one column per stage; cards move by drag and drop or by a form per card."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from apps.common.htmx import render_page
from apps.common.http import AuthedRequest
from apps.common.permissions import object_permission, permission_required_for
from apps.crm import selectors, services
from apps.crm.filters import PipelineFilter
from apps.crm.forms import PipelineMoveForm
from apps.crm.models import Customer


def _board(request: AuthedRequest, *, status: int = 200) -> HttpResponse:
    qs = selectors.customers_for_user(request.user).filter(
        status__in=[Customer.Status.LEAD, Customer.Status.ACTIVE]
    )
    filterset = PipelineFilter(request.GET, queryset=qs, request=request)
    return render_page(
        request,
        "crm/pipeline.html",
        {
            "filter": filterset,
            "columns": selectors.pipeline_board(
                filterset.qs,
                can_move=request.user.has_perm("crm.change_customer"),
                query=request.GET.urlencode(),
            ),
            "column_limit": selectors.PIPELINE_COLUMN_LIMIT,
        },
        partials={"pipeline-board": "board"},
        status=status,
    )


@require_GET
@permission_required_for("crm.view_customer")
def pipeline(request: AuthedRequest) -> HttpResponse:
    return _board(request)


@require_POST
@object_permission("crm.change_customer", Customer)
def pipeline_move(request: AuthedRequest, customer: Customer) -> HttpResponse:
    form = PipelineMoveForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Unknown pipeline stage."))
        if request.htmx:
            return _board(request, status=422)
        return redirect(reverse("crm:pipeline"))
    customer = services.customer_move_stage(
        actor=request.user, customer=customer, stage=form.cleaned_data["stage"]
    )
    messages.success(
        request,
        _("%(name)s moved to “%(stage)s”.")
        % {"name": customer.name, "stage": customer.get_stage_display()},
    )
    if request.htmx:
        return _board(request)
    query = request.GET.urlencode()
    return redirect(reverse("crm:pipeline") + (f"?{query}" if query else ""))
