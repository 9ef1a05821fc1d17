"""Project list, detail (tabs from apps.projects.registry), create/edit and members."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from apps.common.htmx import render_page
from apps.common.http import AuthedRequest
from apps.common.permissions import login_only, object_permission, permission_required_for
from apps.common.tabs import render_tab_page
from apps.crm.models import Customer
from apps.employees.models import Employee
from apps.projects import selectors, services
from apps.projects.filters import ProjectFilter
from apps.projects.forms import MemberAddForm, ProjectForm
from apps.projects.models import Project
from apps.projects.registry import project_tabs


@require_GET
@login_only  # scoped: the module permission sees all, members their own projects (selector)
def project_list(request: AuthedRequest) -> HttpResponse:
    filterset = ProjectFilter(
        request.GET, queryset=selectors.projects_for_user(request.user), request=request
    )
    page = Paginator(filterset.qs, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    return render_page(
        request,
        "projects/project_list.html",
        {
            "filter": filterset,
            "page": page,
            "can_add": request.user.has_perm("projects.add_project"),
        },
        partials={"project-results": "results"},
    )


def project_tab_response(
    request: AuthedRequest,
    project: Project,
    tab_key: str | None,
    *,
    extra: dict[str, Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    """The project page, or only ``#project-tab`` for htmx (also after member changes)."""
    return render_tab_page(
        request,
        project,
        tab_key,
        registry=project_tabs,
        name="project",
        template="projects/project_detail.html",
        permission_flags={
            "can_edit": "projects.change_project",
            "can_manage_members": "projects.manage_members",
        },
        extra=extra,
        status=status,
    )


@require_GET
@object_permission("projects.view_project", Project, queryset=selectors.projects_for_user)
def project_detail(request: AuthedRequest, project: Project) -> HttpResponse:
    return project_tab_response(request, project, request.GET.get("tab"))


def _form_page(request: AuthedRequest, form: ProjectForm, project: Project | None) -> HttpResponse:
    return render_page(
        request,
        "projects/project_form.html",
        {"form": form, "project": project},
        partials={"project-form": "form"},
        status=422 if request.method == "POST" else 200,
    )


def _saved(request: AuthedRequest, project: Project, message: str) -> HttpResponse:
    messages.success(request, message)
    if request.htmx:
        return HttpResponseClientRedirect(project.get_absolute_url())
    return redirect(project)


@require_http_methods(["GET", "POST"])
@permission_required_for("projects.add_project")
def project_create(request: AuthedRequest) -> HttpResponse:
    initial: dict[str, Any] = {"manager": request.user}
    customer_id = request.GET.get("customer", "")
    if customer_id.isdigit():
        initial["customer"] = get_object_or_404(Customer, pk=int(customer_id))
    form = ProjectForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            project = services.project_create(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return _saved(
                request, project, _("Project %(number)s was created.") % {"number": project.number}
            )
    return _form_page(request, form, None)


@require_http_methods(["GET", "POST"])
@object_permission("projects.change_project", Project, queryset=selectors.projects_for_user)
def project_edit(request: AuthedRequest, project: Project) -> HttpResponse:
    form = ProjectForm(request.POST or None, instance=project)
    if request.method == "POST" and form.is_valid():
        try:
            project = services.project_update(
                actor=request.user, project=project, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return _saved(request, project, _("The project was saved."))
    return _form_page(request, form, project)


def _members_done(request: AuthedRequest, project: Project) -> HttpResponse:
    if request.htmx:
        return project_tab_response(request, project, "members")
    return redirect(f"{project.get_absolute_url()}?tab=members")


@require_POST
@object_permission("projects.manage_members", Project, queryset=selectors.projects_for_user)
def project_member_add(request: AuthedRequest, project: Project) -> HttpResponse:
    form = MemberAddForm(request.POST, project=project)
    if not form.is_valid():
        return project_tab_response(
            request, project, "members", extra={"member_form": form}, status=422
        )
    employee = form.cleaned_data["employee"]
    services.project_member_add(actor=request.user, project=project, employee=employee)
    messages.success(request, _("%(name)s was added to the project.") % {"name": employee})
    return _members_done(request, project)


@require_POST
@object_permission("projects.manage_members", Project, queryset=selectors.projects_for_user)
def project_member_remove(
    request: AuthedRequest, project: Project, employee_pk: int
) -> HttpResponse:
    employee = Employee.objects.filter(pk=employee_pk).first()
    if employee is None or not selectors.project_is_member(project=project, user=employee):
        raise Http404
    services.project_member_remove(actor=request.user, project=project, employee=employee)
    messages.success(request, _("%(name)s was removed from the project.") % {"name": employee})
    return _members_done(request, project)
