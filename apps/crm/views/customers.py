"""Customer list, detail (with tabs), create, edit, deactivate/delete, export, lookup."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from apps.audit.models import AuditAction
from apps.audit.services import audit_record
from apps.common.exports import export_request
from apps.common.htmx import render_page
from apps.common.http import AuthedRequest
from apps.common.permissions import object_permission, permission_required_for
from apps.common.tabs import render_tab_page
from apps.common.views import export_started
from apps.crm import selectors, services
from apps.crm.exporting import CUSTOMERS_XLSX, FORMATS, customers_export, export_query
from apps.crm.filters import CustomerFilter
from apps.crm.forms import CustomerForm
from apps.crm.models import Customer
from apps.crm.registry import customer_tabs


@require_GET
@permission_required_for("crm.view_customer")
def customer_list(request: AuthedRequest) -> HttpResponse:
    qs = selectors.customer_list_rows(selectors.customers_for_user(request.user))
    filterset = CustomerFilter(request.GET, queryset=qs, request=request)
    page = Paginator(filterset.qs, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    return render_page(
        request,
        "crm/customer_list.html",
        {
            "filter": filterset,
            "page": page,
            "can_add": request.user.has_perm("crm.add_customer"),
            "export_query": request.GET.urlencode(),
        },
        partials={"customer-results": "results"},
    )


def _export_filter(request: AuthedRequest) -> CustomerFilter:
    return CustomerFilter(request.GET, queryset=selectors.customers_for_user(request.user))


@require_GET
@permission_required_for("crm.view_customer")
def customer_export(request: AuthedRequest) -> HttpResponse:
    """The filtered list (same FilterSet as the page) as CSV; audited. XLSX takes longer and is
    created in the background (``customer_export_xlsx``)."""
    if request.GET.get("format", "csv") != "csv":
        return HttpResponse(_("Unknown export format."), status=400)
    filterset = _export_filter(request)
    if not filterset.is_valid():
        return HttpResponse(_("Invalid filter."), status=400)
    content = customers_export(filterset.qs, "csv")
    content_type, extension = FORMATS["csv"]
    audit_record(
        action=AuditAction.EXPORT,
        object_repr=str(Customer._meta.verbose_name_plural),
        message=f"csv: {request.GET.urlencode()[:500]}",
    )
    response = HttpResponse(content, content_type=content_type)
    filename = f"kunden-{timezone.localdate():%Y-%m-%d}.{extension}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_POST
@permission_required_for("crm.view_customer")
def customer_export_xlsx(request: AuthedRequest) -> HttpResponse:
    """Queue the filtered list (the filter in the query string, as for CSV) as XLSX; answers with
    its status, polled until the download link appears."""
    if not _export_filter(request).is_valid():
        return HttpResponse(_("Invalid filter."), status=400)
    export = export_request(
        user=request.user,
        kind=CUSTOMERS_XLSX,
        params={"query": export_query(request.GET)},
        filename=f"kunden-{timezone.localdate():%Y-%m-%d}.xlsx",
    )
    return export_started(request, export, target="customer-export")


@require_GET
@permission_required_for("crm.view_customer")
def customer_lookup(request: AuthedRequest) -> HttpResponse:
    """<option>s for a customer picker (datalist) in other modules' forms."""
    query = request.GET.get("q") or request.GET.get("customer") or ""
    customers = (
        list(
            selectors.customer_search(
                selectors.customers_for_user(request.user).exclude(status=Customer.Status.BLOCKED),
                query,
            )[:20]
        )
        if len(query.strip()) >= 2
        else []
    )
    return render(request, "crm/_customer_options.html", {"customers": customers})


# --- Detail with tabs -----------------------------------------------------------------------------


def customer_tab_response(
    request: AuthedRequest,
    customer: Customer,
    tab_key: str | None,
    *,
    extra: dict[str, Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    """The detail page, or only its tab area for htmx (``#customer-tab``): also used by the views
    that change something inside a tab (contacts, activities) to answer with the updated tab."""
    return render_tab_page(
        request,
        customer,
        tab_key,
        registry=customer_tabs,
        name="customer",
        template="crm/customer_detail.html",
        permission_flags={"can_edit": "crm.change_customer", "can_delete": "crm.delete_customer"},
        extra=extra,
        status=status,
    )


@require_GET
@object_permission("crm.view_customer", Customer, queryset=selectors.customers_for_user)
def customer_detail(request: AuthedRequest, customer: Customer) -> HttpResponse:
    return customer_tab_response(request, customer, request.GET.get("tab"))


# --- Create / edit --------------------------------------------------------------------------------


def _form_page(
    request: AuthedRequest, form: CustomerForm, customer: Customer | None
) -> HttpResponse:
    status = 422 if request.method == "POST" else 200
    return render_page(
        request,
        "crm/customer_form.html",
        {"form": form, "customer": customer},
        partials={"customer-form": "form"},
        status=status,
    )


def _saved(request: AuthedRequest, customer: Customer, message: str) -> HttpResponse:
    messages.success(request, message)
    if request.htmx:
        return HttpResponseClientRedirect(customer.get_absolute_url())
    return redirect(customer)


@require_http_methods(["GET", "POST"])
@permission_required_for("crm.add_customer")
def customer_create(request: AuthedRequest) -> HttpResponse:
    form = CustomerForm(request.POST or None, initial={"account_manager": request.user})
    if request.method == "POST" and form.is_valid():
        try:
            customer = services.customer_create(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return _saved(
                request,
                customer,
                _("Customer %(number)s was created.") % {"number": customer.number},
            )
    return _form_page(request, form, None)


@require_http_methods(["GET", "POST"])
@object_permission("crm.change_customer", Customer)
def customer_edit(request: AuthedRequest, customer: Customer) -> HttpResponse:
    form = CustomerForm(request.POST or None, instance=customer)
    if request.method == "POST" and form.is_valid():
        try:
            customer = services.customer_update(
                actor=request.user, customer=customer, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return _saved(request, customer, _("The customer was saved."))
    return _form_page(request, form, customer)


@require_POST
@object_permission("crm.change_customer", Customer)
def customer_deactivate(request: AuthedRequest, customer: Customer) -> HttpResponse:
    services.customer_deactivate(actor=request.user, customer=customer)
    messages.success(request, _("%(name)s was deactivated.") % {"name": customer.name})
    return redirect(customer)


@require_POST
@object_permission("crm.delete_customer", Customer)
def customer_delete(request: AuthedRequest, customer: Customer) -> HttpResponse:
    try:
        services.customer_delete(actor=request.user, customer=customer)
    except services.CustomerInUse as error:
        messages.error(request, " ".join(error.messages))
        target = customer.get_absolute_url()
    else:
        messages.success(request, _("%(name)s was deleted.") % {"name": customer.name})
        target = reverse("crm:customer_list")
    if request.htmx:
        return HttpResponseClientRedirect(target)
    return redirect(target)
