"""Admin: projects and their members through the services (numbers, permissions, audit)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.utils.translation import gettext as _

from apps.projects import services
from apps.projects.models import Project, ProjectMember


class ProjectMemberInline(admin.TabularInline):
    model = ProjectMember
    extra = 0
    autocomplete_fields = ["employee"]
    readonly_fields = ["added_at"]


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ["number", "title", "customer", "manager", "status", "deadline"]
    list_filter = ["status", "priority", "department"]
    search_fields = ["number", "title", "customer__name", "customer__number"]
    autocomplete_fields = ["customer", "manager"]
    readonly_fields = ["number", "created_at", "updated_at"]
    list_select_related = ["customer", "manager"]
    inlines = [ProjectMemberInline]

    def save_model(self, request: Any, obj: Project, form: Any, change: bool) -> None:
        fields = {name: getattr(obj, name) for name in services.EDITABLE_FIELDS}
        if change:
            saved = services.project_update(actor=request.user, project=obj, **fields)
        else:
            saved = services.project_create(actor=request.user, **fields)
        obj.pk, obj.number = saved.pk, saved.number
        obj._state.adding = False

    def save_formset(self, request: Any, form: Any, formset: Any, change: bool) -> None:
        """Members through the services, so the guardian object permissions follow and each
        addition and removal is audited. A row whose employee was swapped is both."""
        if formset.model is not ProjectMember:
            super().save_formset(request, form, formset, change)
            return
        project = form.instance
        formset.save(commit=False)  # fills deleted_objects, changed_objects, new_objects
        leaving = [membership.employee for membership in formset.deleted_objects]
        joining = [membership.employee for membership in formset.new_objects]
        for membership, changed in formset.changed_objects:
            if "employee" in changed:
                leaving.append(ProjectMember.objects.get(pk=membership.pk).employee)
                joining.append(membership.employee)
        # Removals first, so that swapping two rows' employees keeps both.
        for employee in leaving:
            services.project_member_remove(actor=request.user, project=project, employee=employee)
        for employee in joining:
            services.project_member_add(actor=request.user, project=project, employee=employee)

    def get_deleted_objects(self, objs: Any, request: Any) -> tuple[Any, Any, Any, Any]:
        """What the delete page shows. A project in use cannot go: it is listed as protected,
        with what to do instead. What goes with an unused one (memberships, its permissions, an
        empty chat room) is project_delete's to decide, not the related models' admins'."""
        deleted, counts, _perms_needed, protected = super().get_deleted_objects(objs, request)
        reason = _("in use (time entries, invoices or chat messages): complete or cancel it")
        in_use = [f"{project}: {reason}" for project in objs if services.project_in_use(project)]
        return deleted, counts, set(), [*protected, *in_use]

    def delete_model(self, request: Any, obj: Project) -> None:
        services.project_delete(actor=request.user, project=obj)

    def delete_queryset(self, request: Any, queryset: Any) -> None:
        for project in queryset:  # "delete selected": one audited deletion per project
            services.project_delete(actor=request.user, project=project)
