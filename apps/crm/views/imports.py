"""CSV import: upload -> preview (dry run) -> confirm -> a task creates the customers -> result.
The upload waits in the session until confirmed."""

from __future__ import annotations

import base64
import secrets

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from apps.common.htmx import render_page
from apps.common.http import AuthedRequest
from apps.common.permissions import permission_required_for
from apps.crm.forms import CustomerImportForm
from apps.crm.importing import (
    ImportFileError,
    customer_import_check,
    customer_import_queue,
    customer_import_result,
    customers_import,
)
from apps.crm.models import CustomerImport

SESSION_KEY = "crm_customer_import"
PREVIEW_ROWS = 200


def _page(request: AuthedRequest, context: dict, status: int = 200) -> HttpResponse:
    return render_page(request, "crm/customer_import.html", context, status=status)


@require_http_methods(["GET", "POST"])
@permission_required_for("crm.add_customer")
def customer_import(request: AuthedRequest) -> HttpResponse:
    form = CustomerImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if form.is_valid():
            upload = form.cleaned_data["file"]
            raw = upload.read()
            try:
                result = customers_import(raw=raw, actor=request.user, dry_run=True)
            except ImportFileError as error:
                form.add_error("file", str(error))
            else:
                token = secrets.token_urlsafe(16)
                request.session[SESSION_KEY] = {
                    "token": token,
                    "name": upload.name[:200],
                    "data": base64.b64encode(raw).decode("ascii"),
                }
                return _page(
                    request,
                    {
                        "form": form,
                        "result": result,
                        "token": token,
                        "filename": upload.name,
                        "preview_limit": PREVIEW_ROWS,
                    },
                )
        return _page(request, {"form": form}, status=422)
    return _page(request, {"form": form})


@require_POST
@permission_required_for("crm.add_customer")
def customer_import_confirm(request: AuthedRequest) -> HttpResponse:
    """Queue the previewed upload; a task creates the customers, the import's page shows how
    far it is and then the result."""
    pending = request.session.get(SESSION_KEY)
    if not pending or not secrets.compare_digest(pending["token"], request.POST.get("token", "")):
        messages.error(request, _("The upload has expired. Please upload the file again."))
        return redirect("crm:customer_import")
    job = customer_import_queue(
        actor=request.user, raw=base64.b64decode(pending["data"]), filename=pending["name"]
    )
    del request.session[SESSION_KEY]
    return redirect(job)


@require_GET
@permission_required_for("crm.add_customer")
def customer_import_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    """One's own import: "running …" (polled) and then its result, or how far it got."""
    job = customer_import_check(get_object_or_404(CustomerImport, pk=pk, uploaded_by=request.user))
    return render_page(
        request,
        "crm/customer_import.html",
        {
            "form": CustomerImportForm(),
            "job": job,
            "result": customer_import_result(job),
            "done": True,
            "filename": job.filename,
            "preview_limit": PREVIEW_ROWS,
        },
        partials={"customer-import-job": "job"},
    )
