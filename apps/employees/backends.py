"""Permissions from roles: the role's patterns are expanded for has_perm, the admin and templates."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest

from apps.employees.models import Employee
from apps.employees.permission_patterns import expand, patterns_grant

_CACHE_ATTR = "_workmate_role_patterns"


def role_patterns(user: Any) -> list[str]:
    """The user's patterns, cached on the user object for the request."""
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is None:
        role = user.role if getattr(user, "role_id", None) else None
        cached = list(role.permissions) if role else []
        setattr(user, _CACHE_ATTR, cached)
    return cached


class RoleBackend(ModelBackend):
    """Local password login (e-mail + password) and role-based module permissions.

    Object permissions come from django-guardian's backend; this one answers only module-wide
    questions, so it returns False whenever an object is passed (as ModelBackend does).
    """

    def authenticate(  # type: ignore[override]
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> Employee | None:
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None:
            return None
        if not settings.LOCAL_LOGIN_ENABLED and not (
            settings.LOCAL_LOGIN_BREAK_GLASS and user.is_superuser
        ):
            return None
        return user  # type: ignore[return-value]

    def get_user(self, user_id: Any) -> Employee | None:
        try:
            user = Employee.objects.select_related("role").get(pk=user_id)
        except Employee.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None

    def get_all_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if user_obj.is_superuser:
            return set(expand(["*"]))
        return set(expand(role_patterns(user_obj)))

    def get_user_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        return set()

    def get_group_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        return set()

    def has_perm(self, user_obj: Any, perm: str, obj: Any = None) -> bool:
        if obj is not None or not user_obj.is_active or user_obj.is_anonymous:
            return False
        if user_obj.is_superuser:
            return True
        return patterns_grant(role_patterns(user_obj), perm)

    def has_module_perms(self, user_obj: Any, app_label: str) -> bool:
        if not user_obj.is_active or user_obj.is_anonymous:
            return False
        return any(p.startswith(f"{app_label}.") for p in self.get_all_permissions(user_obj))
