from __future__ import annotations

from django.http import HttpResponse
from django.views.decorators.http import require_GET

from apps.audit.models import AuditAction, AuditEntry
from apps.audit.presentation import describe
from apps.common.htmx import render_page
from apps.common.http import AuthedRequest
from apps.common.permissions import login_only


@require_GET
@login_only
def home(request: AuthedRequest) -> HttpResponse:
    """The start page: a greeting and the user's own recent activity."""
    # What the user did; sign-ins and sign-outs would crowd it out (the last one is shown apart).
    entries = (
        AuditEntry.objects.filter(actor=request.user)
        .exclude(action__in=[AuditAction.LOGIN, AuditAction.LOGOUT])
        .select_related("content_type")
    )
    recent = describe(list(entries[:10]))
    return render_page(request, "dashboards/home.html", {"recent": recent})
