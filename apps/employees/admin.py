from __future__ import annotations

from typing import Any

from django.apps import apps as django_apps
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from apps.employees import services
from apps.employees.forms import RoleAdminForm
from apps.employees.models import Department, Employee, Role
from apps.employees.permission_patterns import expand


class EmployeeCreationForm(AdminUserCreationForm):
    class Meta:
        model = Employee
        fields = ["email", "first_name", "last_name"]


class EmployeeChangeForm(UserChangeForm):
    class Meta:
        model = Employee
        fields = "__all__"


@admin.action(description=_("Deactivate selected employees"))
def deactivate_employees(modeladmin: Any, request: Any, queryset: Any) -> None:
    count = 0
    for employee in queryset.exclude(pk=request.user.pk):
        if employee.status != Employee.Status.INACTIVE:
            services.employee_deactivate(actor=request.user, employee=employee)
            count += 1
    modeladmin.message_user(
        request,
        ngettext("%d employee deactivated.", "%d employees deactivated.", count) % count,
        messages.SUCCESS,
    )


@admin.register(Employee)
class EmployeeAdmin(UserAdmin):
    form = EmployeeChangeForm
    add_form = EmployeeCreationForm
    list_display = ["code", "last_name", "first_name", "email", "department", "role", "status"]
    list_filter = ["status", "department", "role", "employment_type", "is_staff", "is_superuser"]
    search_fields = ["code", "first_name", "last_name", "email"]
    ordering = ["last_name", "first_name"]
    autocomplete_fields = ["department", "role", "reports_to"]
    readonly_fields = ["code", "last_login", "created_at", "updated_at", "oidc_sub"]
    list_select_related = ["department", "role"]
    actions = [deactivate_employees]
    filter_horizontal: list[str] = []
    fieldsets = [
        (None, {"fields": ["code", "email", "password"]}),
        (
            _("Person"),
            {"fields": ["first_name", "last_name", "phone", "position", "language", "theme"]},
        ),
        (
            _("Employment"),
            {
                "fields": [
                    "department",
                    "role",
                    "reports_to",
                    "employment_type",
                    "hire_date",
                    "termination_date",
                    "status",
                ]
            },
        ),
        (_("Access"), {"fields": ["is_staff", "is_superuser", "oidc_sub", "last_login"]}),
        (_("Timestamps"), {"fields": ["created_at", "updated_at"]}),
    ]
    add_fieldsets = [
        (
            None,
            {
                "classes": ["wide"],
                "fields": ["email", "first_name", "last_name", "password1", "password2"],
            },
        ),
    ]

    def save_model(self, request: Any, obj: Employee, form: Any, change: bool) -> None:
        # Through the services, so codes come from the sequence and every change is audited.
        data = {
            name: form.cleaned_data[name]
            for name in form.changed_data
            if name in services.EDITABLE_FIELDS
        }
        try:
            if change:
                # The password is read-only on this form; it changes only through the
                # password form (user_change_password), audited by the hook in audit.signals.
                saved = services.employee_update(actor=request.user, employee=obj, **data)
            else:
                password = form.cleaned_data.get("password1")
                data.pop("email", None)
                saved = services.employee_create(
                    actor=request.user, email=form.cleaned_data["email"], password=password, **data
                )
            obj.pk, obj.code = saved.pk, saved.code
        except ValidationError as error:
            self.message_user(request, "; ".join(error.messages), messages.ERROR)
            raise

    def get_readonly_fields(self, request: Any, obj: Any = None) -> list[str]:
        fields = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            # Only a superuser may make (or unmake) superusers: no escalation through the admin.
            fields.append("is_superuser")
        return fields

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False  # employees are deactivated, never deleted


@admin.register(Role)
class RoleAdmin(admin.ModelAdmin):
    form = RoleAdminForm
    list_display = ["name", "priority", "idp_role_key", "is_default", "employee_count"]
    search_fields = ["name", "idp_role_key"]
    readonly_fields = ["granted_modules"]

    @admin.display(description=_("employees"))
    def employee_count(self, role: Role) -> int:
        return role.employees.count()

    @admin.display(description=_("Modules granted"))
    def granted_modules(self, role: Role) -> str:
        labels = {perm.split(".")[0] for perm in expand(role.permissions)}
        names = sorted(str(django_apps.get_app_config(label).verbose_name) for label in labels)
        return ", ".join(names) or "—"

    def save_model(self, request: Any, obj: Role, form: Any, change: bool) -> None:
        services.role_save(actor=request.user, role=obj)

    def delete_model(self, request: Any, obj: Role) -> None:
        services.role_delete(actor=request.user, role=obj)

    def delete_queryset(self, request: Any, queryset: Any) -> None:
        for role in queryset:
            services.role_delete(actor=request.user, role=role)


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "manager"]
    search_fields = ["name", "code"]
    autocomplete_fields = ["manager"]

    def save_model(self, request: Any, obj: Department, form: Any, change: bool) -> None:
        services.department_save(actor=request.user, department=obj)

    def delete_model(self, request: Any, obj: Department) -> None:
        services.department_delete(actor=request.user, department=obj)

    def delete_queryset(self, request: Any, queryset: Any) -> None:
        for department in queryset:
            services.department_delete(actor=request.user, department=department)


@login_not_required
def admin_login(request: Any, extra_context: Any = None) -> Any:
    """One sign-in page for everything (password and single sign-on): the admin's own login form
    sends visitors to ours. A signed-in employee without admin access gets 403, not a loop."""
    from django.contrib.auth.views import redirect_to_login
    from django.core.exceptions import PermissionDenied
    from django.urls import reverse
    from django.utils.http import url_has_allowed_host_and_scheme

    if request.user.is_authenticated:
        raise PermissionDenied
    target = request.GET.get("next") or reverse("admin:index")
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        target = reverse("admin:index")
    return redirect_to_login(target, reverse("login"))


admin.site.login = admin_login  # type: ignore[method-assign]
