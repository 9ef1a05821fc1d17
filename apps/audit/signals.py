"""Sign-in and password events into the audit log."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import post_save
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


@receiver(post_save, sender=settings.AUTH_USER_MODEL)
def _password_saved(
    sender: Any,
    instance: Any,
    created: bool,
    raw: bool = False,
    update_fields: Any = None,
    **kwargs: Any,
) -> None:
    """Every password change, whichever path made it, in one place.

    Passwords change in code we don't own: the admin's password form
    (``UserAdmin.user_change_password``), Django's auth forms, ``manage.py changepassword``; a
    service would see only the paths that remember to call it. All of them end in
    ``set_password()`` or ``set_unusable_password()`` and a save, so the hook sits there.
    Django keeps the raw password in ``_password`` from ``set_password()`` until the save (and
    clears it for the hash upgrade at sign-in, which is no change); ``Employee`` marks
    ``set_unusable_password()`` in ``_password_pending``. The entry never holds the password
    or its hash. The actor is the request's user, or ``audit_actor``'s, or none (a command).
    A new account's first password is part of its creation, audited by ``employee_create``.
    """
    pending = instance._password is not None or getattr(instance, "_password_pending", False)
    if not pending or raw:
        return
    if update_fields is not None and "password" not in update_fields:
        # Not saved yet (and Django forgets ``_password`` now): the save that stores it counts.
        instance._password_pending = True
        return
    instance._password_pending = False
    if created:
        return
    audit_record(
        action=AuditAction.PASSWORD_CHANGE
        if instance.has_usable_password()
        else AuditAction.PASSWORD_DISABLE,
        target=instance,
    )
