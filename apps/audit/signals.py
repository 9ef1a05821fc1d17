"""Sign-in events into the audit log."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from apps.audit.models import AuditAction
from apps.audit.services import audit_record


@receiver(user_logged_in)
def _logged_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    backend = getattr(user, "backend", "") or ""
    method = "oidc" if "oidc" in backend.lower() or "zitadel" in backend.lower() else "password"
    audit_record(action=AuditAction.LOGIN, target=user, actor=user, message=method)


@receiver(user_logged_out)
def _logged_out(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:
        audit_record(action=AuditAction.LOGOUT, target=user, actor=user)


@receiver(user_login_failed)
def _login_failed(
    sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any
) -> None:
    username = str(credentials.get("username") or credentials.get("email") or "")[:200]
    reason = str(kwargs.get("reason") or credentials.get("reason") or "invalid credentials")
    employee = None
    if username:
        employee = get_user_model().objects.filter(email__iexact=username).first()
        if employee is not None and not employee.is_active:
            reason = "account inactive"
    audit_record(
        action=AuditAction.LOGIN_FAILED,
        target=employee,
        actor=None,
        object_repr=username,
        message=reason,
    )
