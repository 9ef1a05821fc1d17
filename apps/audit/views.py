from __future__ import annotations

from django.conf import settings
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.views.decorators.http import require_GET

from apps.audit.filters import AuditEntryFilter
from apps.audit.models import AuditEntry
from apps.audit.presentation import describe
from apps.common.htmx import render_page
from apps.common.http import AuthedRequest
from apps.common.permissions import permission_required_for


@require_GET
@permission_required_for("audit.view_auditentry")
def audit_list(request: AuthedRequest) -> HttpResponse:
    queryset = AuditEntry.objects.select_related("actor", "content_type").order_by("-seq")
    filterset = AuditEntryFilter(request.GET, queryset=queryset)
    page = Paginator(filterset.qs, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = describe(list(page.object_list))
    return render_page(
        request,
        "audit/audit_list.html",
        {"filter": filterset, "page": page},
        partials={"audit-results": "results"},
    )
