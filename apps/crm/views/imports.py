"""CSV import: upload -> preview (dry run) -> confirm. The upload waits in the session between."""

from __future__ import annotations

import base64
import secrets

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from apps.common.htmx import render_page
from apps.common.http import AuthedRequest
from apps.common.permissions import permission_required_for
from apps.crm.forms import CustomerImportForm
from apps.crm.importing import ImportFileError, customers_import

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
    pending = request.session.get(SESSION_KEY)
    if not pending or not secrets.compare_digest(pending["token"], request.POST.get("token", "")):
        messages.error(request, _("The upload has expired. Please upload the file again."))
        return redirect("crm:customer_import")
    raw = base64.b64decode(pending["data"])
    try:
        result = customers_import(
            raw=raw, actor=request.user, dry_run=False, filename=pending["name"]
        )
    except ImportFileError as error:
        messages.error(request, str(error))
        return redirect("crm:customer_import")
    del request.session[SESSION_KEY]
    messages.success(request, _("Import finished: %(summary)s.") % {"summary": result.summary()})
    return _page(
        request,
        {
            "form": CustomerImportForm(),
            "result": result,
            "done": True,
            "filename": pending["name"],
            "preview_limit": PREVIEW_ROWS,
        },
    )
