"""Access control for views: every view declares who may use it, exactly once.

* ``@public``: no login (health check, login page, OIDC callbacks, secret-token feeds).
* ``@login_only``: any signed-in, active employee (own profile, start page, own settings).
* ``@permission_required_for("crm.view_customer")``: a module permission.
* ``@object_permission("crm.change_customer", Customer)``: one object, loaded from the URL's ``pk``
  and passed to the view as ``customer``; checked with ``can()``.

``tests/common/test_url_permissions.py`` walks every URL and fails on a view without one of these.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404

ACCESS_ATTR = "workmate_access"

View = TypeVar("View", bound=Callable[..., HttpResponse])
OwnerRule = Callable[[Any, str, Any], bool]

_owner_rules: dict[type[Model], OwnerRule] = {}


def register_owner_rule(model: type[Model], rule: OwnerRule) -> None:
    """Declare the domain's owner rule, e.g. "the owner of a reminder may change it"."""
    _owner_rules[model] = rule


def can(user: Any, perm: str, obj: Model | None = None) -> bool:
    """Module permission OR object permission (django-guardian) OR the domain's owner rule."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.has_perm(perm):
        return True
    if obj is None:
        return False
    if user.has_perm(perm, obj):
        return True
    rule = _owner_rules.get(type(obj))
    return bool(rule and rule(user, perm, obj))


def _mark(view: Callable[..., Any], access: str) -> None:
    setattr(view, ACCESS_ATTR, access)


def public[View: Callable[..., HttpResponse]](view: View) -> View:
    """No login and no permission: only for pages that must work signed out."""
    view = login_not_required(view)
    _mark(view, "public")
    return view


def login_only[View: Callable[..., HttpResponse]](view: View) -> View:
    """Any signed-in employee; the data the view shows must be scoped to the user."""
    _mark(view, "login")
    return view


def _deny(request: HttpRequest, perm: str, obj: Model | None = None) -> None:
    from apps.audit.services import audit_permission_denied

    audit_permission_denied(request=request, permission=perm, target=obj)
    raise PermissionDenied


def permission_required_for(*perms: str, any_of: bool = False) -> Callable[[View], View]:
    """The user needs every permission in ``perms`` (or one of them with ``any_of``)."""
    if not perms:
        raise ValueError("permission_required_for needs at least one permission.")

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            checks = [request.user.has_perm(p) for p in perms]
            if not (any(checks) if any_of else all(checks)):
                _deny(request, " | ".join(perms) if any_of else ", ".join(perms))
            return view(request, *args, **kwargs)

        _mark(wrapper, "perm:" + ",".join(perms))
        return wrapper  # type: ignore[return-value]

    return decorator


def object_permission(
    perm: str,
    model: type[Model],
    *,
    queryset: Callable[[Any], QuerySet[Any]] | None = None,
    url_kwarg: str = "pk",
    context_name: str | None = None,
) -> Callable[[View], View]:
    """Load the object named by the URL and require ``can(user, perm, obj)``.

    Someone who may not even view the object gets 404 (its existence is not revealed); someone who
    may view it but not do ``perm`` gets 403. ``queryset(user)`` may narrow and prefetch the lookup.
    """
    app_label, model_name = model._meta.app_label, model._meta.model_name
    view_perm = f"{app_label}.view_{model_name}"
    name = context_name or model_name

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            lookup = kwargs.pop(url_kwarg)
            source = queryset(request.user) if queryset else model._default_manager.all()
            obj = get_object_or_404(source, pk=lookup)
            if not can(request.user, perm, obj):
                if perm != view_perm and can(request.user, view_perm, obj):
                    _deny(request, perm, obj)
                raise Http404
            kwargs[name] = obj
            return view(request, *args, **kwargs)

        _mark(wrapper, f"object:{perm}")
        return wrapper  # type: ignore[return-value]

    return decorator
