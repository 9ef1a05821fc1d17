from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout as auth_logout
from django.contrib.auth import views as auth_views
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from apps.audit.models import AuditEntry
from apps.audit.presentation import describe
from apps.common.htmx import render_page
from apps.common.http import AuthedRequest
from apps.common.permissions import (
    can,
    login_only,
    object_permission,
    permission_required_for,
    public,
)
from apps.employees import selectors, services
from apps.employees.filters import EmployeeFilter
from apps.employees.forms import EmployeeForm, LoginForm, PreferencesForm, ProfileForm
from apps.employees.models import Department, Employee

# --- Sign-in --------------------------------------------------------------------------------------


@public
def login(request: HttpRequest) -> HttpResponse:
    view = auth_views.LoginView.as_view(
        template_name="registration/login.html",
        authentication_form=LoginForm,
        redirect_authenticated_user=True,
        extra_context={
            "local_login_enabled": settings.LOCAL_LOGIN_ENABLED or settings.LOCAL_LOGIN_BREAK_GLASS,
            "sso_enabled": getattr(settings, "OIDC_ENABLED", False),
        },
    )
    return view(request)


@require_POST
@login_only
def logout(request: AuthedRequest) -> HttpResponse:
    """Ends the session; after a single sign-on also the provider's (end-session endpoint)."""
    from apps.employees.oidc import provider_logout_url

    if request.session.get("oidc_id_token"):
        target = provider_logout_url(request)  # needs the ID token: before the session ends
        auth_logout(request)
        return redirect(target)
    return auth_views.LogoutView.as_view()(request)


# --- Own profile and preferences ------------------------------------------------------------------


def _apply_language_cookie(response: HttpResponse, language: str) -> None:
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=365 * 24 * 3600,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )


@require_POST
@login_only
def preferences(request: AuthedRequest) -> HttpResponse:
    """Language and theme from the user menu; works with and without JavaScript."""
    form = PreferencesForm(request.POST)
    if not form.is_valid():
        return HttpResponse(_("Invalid choice."), status=400)
    services.employee_set_preferences(
        employee=request.user,
        language=form.cleaned_data["language"] or None,
        theme=form.cleaned_data["theme"] or None,
    )
    target = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        target = "/"
    response: HttpResponse = (
        HttpResponseClientRedirect(target) if request.htmx else redirect(target)
    )
    if form.cleaned_data["language"]:
        _apply_language_cookie(response, form.cleaned_data["language"])
    return response


@require_http_methods(["GET", "POST"])
@login_only
def profile(request: AuthedRequest) -> HttpResponse:
    employee = request.user
    form = ProfileForm(request.POST or None, instance=employee)
    if request.method == "POST" and form.is_valid():
        services.employee_update(actor=request.user, employee=employee, **form.cleaned_data)
        messages.success(request, _("Your profile was saved."))
        response = redirect("employees:profile")
        _apply_language_cookie(response, form.cleaned_data["language"])
        return response
    status = 422 if request.method == "POST" else 200
    return render_page(
        request,
        "employees/profile.html",
        {"employee": employee, "form": form},
        partials={"profile-form": "form"},
        status=status,
    )


# --- Directory ------------------------------------------------------------------------------------


@require_GET
@permission_required_for("employees.view_employee")
def employee_list(request: AuthedRequest) -> HttpResponse:
    filterset = EmployeeFilter(request.GET, queryset=selectors.employees_for_user(request.user))
    page = Paginator(filterset.qs, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    return render_page(
        request,
        "employees/employee_list.html",
        {
            "filter": filterset,
            "page": page,
            "can_add": request.user.is_staff and request.user.has_perm("employees.add_employee"),
        },
        partials={"employee-results": "results"},
    )


@require_GET
@object_permission(
    "employees.view_employee", Employee, queryset=selectors.employee_profiles_for_user
)
def employee_detail(request: AuthedRequest, employee: Employee) -> HttpResponse:
    can_edit = can(request.user, "employees.change_employee", employee)
    reports = list(employee.reports.exclude(status=Employee.Status.INACTIVE).order_by("last_name"))
    history = (
        describe(list(AuditEntry.objects.for_object(employee).select_related("content_type")[:10]))
        if request.user.has_perm("audit.view_auditentry")
        else []
    )
    return render_page(
        request,
        "employees/employee_detail.html",
        {"employee": employee, "can_edit": can_edit, "reports": reports, "history": history},
    )


@require_http_methods(["GET", "POST"])
@object_permission("employees.change_employee", Employee)
def employee_edit(request: AuthedRequest, employee: Employee) -> HttpResponse:
    form = EmployeeForm(request.POST or None, instance=employee)
    if request.method == "POST" and form.is_valid():
        try:
            services.employee_update(actor=request.user, employee=employee, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The employee was saved."))
            if request.htmx:
                return HttpResponseClientRedirect(employee.get_absolute_url())
            return redirect(employee)
    status = 422 if request.method == "POST" else 200
    return render_page(
        request,
        "employees/employee_edit.html",
        {"employee": employee, "form": form},
        partials={"employee-form": "form"},
        status=status,
    )


@require_POST
@object_permission("employees.change_employee", Employee)
def employee_deactivate(request: AuthedRequest, employee: Employee) -> HttpResponse:
    if employee.pk == request.user.pk:
        messages.error(request, _("You cannot deactivate yourself."))
    else:
        services.employee_deactivate(actor=request.user, employee=employee)
        messages.success(request, _("%(name)s was deactivated.") % {"name": employee})
    return redirect(employee)


# --- Departments ----------------------------------------------------------------------------------


@require_GET
@permission_required_for("employees.view_department")
def department_list(request: AuthedRequest) -> HttpResponse:
    page = Paginator(selectors.departments_with_counts(), settings.PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render_page(
        request,
        "employees/department_list.html",
        {"page": page},
        partials={"department-results": "results"},
    )


@require_GET
@object_permission("employees.view_department", Department)
def department_detail(request: AuthedRequest, department: Department) -> HttpResponse:
    members = Paginator(
        selectors.employees_for_user(request.user).filter(department=department),
        settings.PAGE_SIZE,
    ).get_page(request.GET.get("page"))
    return render_page(
        request,
        "employees/department_detail.html",
        {"department": department, "page": members},
        partials={"department-members": "members"},
    )
