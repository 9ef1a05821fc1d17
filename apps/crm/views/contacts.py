"""Contacts and activities, edited in place inside the customer page's tabs."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from apps.common.http import AuthedRequest
from apps.common.permissions import object_permission
from apps.crm import services
from apps.crm.forms import ActivityForm, ContactForm
from apps.crm.models import Contact, Customer
from apps.crm.views.customers import customer_tab_response


def _back_to_tab(request: AuthedRequest, customer: Customer, tab: str) -> HttpResponse:
    if request.htmx:
        return customer_tab_response(request, customer, tab)
    return redirect(f"{customer.get_absolute_url()}?tab={tab}")


@require_POST
@object_permission("crm.add_contact", Customer)
def contact_create(request: AuthedRequest, customer: Customer) -> HttpResponse:
    form = ContactForm(request.POST, prefix="new")
    if form.is_valid():
        try:
            services.contact_create(actor=request.user, customer=customer, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The contact was added."))
            return _back_to_tab(request, customer, "contacts")
    return customer_tab_response(
        request, customer, "contacts", extra={"contact_form": form}, status=422
    )


@require_http_methods(["GET", "POST"])
@object_permission("crm.change_contact", Contact)
def contact_edit(request: AuthedRequest, contact: Contact) -> HttpResponse:
    customer = contact.customer
    form = ContactForm(request.POST or None, instance=contact, prefix=f"c{contact.pk}")
    if request.method == "POST" and form.is_valid():
        try:
            services.contact_update(actor=request.user, contact=contact, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The contact was saved."))
            return _back_to_tab(request, customer, "contacts")
    return customer_tab_response(
        request,
        customer,
        "contacts",
        extra={"editing": contact, "edit_form": form},
        status=422 if request.method == "POST" else 200,
    )


@require_POST
@object_permission("crm.change_contact", Contact)
def contact_make_primary(request: AuthedRequest, contact: Contact) -> HttpResponse:
    services.contact_make_primary(actor=request.user, contact=contact)
    messages.success(request, _("%(name)s is now the primary contact.") % {"name": contact})
    return _back_to_tab(request, contact.customer, "contacts")


@require_POST
@object_permission("crm.delete_contact", Contact)
def contact_delete(request: AuthedRequest, contact: Contact) -> HttpResponse:
    customer = contact.customer
    services.contact_delete(actor=request.user, contact=contact)
    messages.success(request, _("The contact was removed."))
    return _back_to_tab(request, customer, "contacts")


@require_POST
@object_permission("crm.add_activity", Customer)
def activity_create(request: AuthedRequest, customer: Customer) -> HttpResponse:
    form = ActivityForm(request.POST, customer=customer, prefix="activity")
    if form.is_valid():
        try:
            services.activity_log(actor=request.user, customer=customer, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The activity was logged."))
            return _back_to_tab(request, customer, "activities")
    return customer_tab_response(
        request, customer, "activities", extra={"activity_form": form}, status=422
    )
