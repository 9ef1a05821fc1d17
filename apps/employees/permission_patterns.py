"""The permission vocabulary of roles.

A role holds a list of patterns; each grants Django permission strings (``app_label.codename``):

* ``*``                 everything
* ``backoffice.*``      every permission of crm, projects, timetracking, invoices, finance, chat
* ``core.*``            every permission of employees, documents, reminders, dashboards
* ``crm.*``             every permission of one app
* ``crm.view_*``        every permission of one app whose codename starts with ``view_``
* ``crm.view_customer`` exactly that permission
"""

from __future__ import annotations

from functools import cache

from django.apps import apps
from django.contrib.auth.management import _get_all_permissions
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

APP_GROUPS: dict[str, frozenset[str]] = {
    "backoffice": frozenset({"crm", "projects", "timetracking", "invoices", "finance", "chat"}),
    "core": frozenset({"employees", "documents", "reminders", "dashboards"}),
}


@cache
def known_permissions() -> frozenset[str]:
    """Every permission string the installed models define (from the code, not the database)."""
    perms = set()
    for model in apps.get_models():
        opts = model._meta
        for codename, _name in _get_all_permissions(opts):
            perms.add(f"{opts.app_label}.{codename}")
    return frozenset(perms)


@cache
def known_app_labels() -> frozenset[str]:
    return frozenset(config.label for config in apps.get_app_configs())


def pattern_matches(pattern: str, perm: str) -> bool:
    if pattern == "*":
        return True
    app_label, _dot, codename = perm.partition(".")
    head, _dot, tail = pattern.partition(".")
    if tail == "*":
        group = APP_GROUPS.get(head)
        return app_label in group if group is not None else app_label == head
    if tail.endswith("*"):
        return app_label == head and codename.startswith(tail[:-1])
    return pattern == perm


def patterns_grant(patterns: list[str], perm: str) -> bool:
    return any(pattern_matches(p, perm) for p in patterns)


def validate_pattern(pattern: str) -> None:
    if pattern == "*":
        return
    head, dot, tail = pattern.partition(".")
    if not dot or not head or not tail or "*" in head or "*" in tail[:-1]:
        raise ValidationError(
            _(
                "“%(pattern)s” is not a permission pattern (e.g. crm.*, crm.view_*, crm.view_customer)."
            )
            % {"pattern": pattern},
            code="malformed",
        )
    if tail == "*":
        if head in APP_GROUPS or head in known_app_labels():
            return
        raise ValidationError(_("Unknown module “%(app)s”.") % {"app": head}, code="unknown_app")
    if tail.endswith("*"):
        if head in known_app_labels() and any(
            pattern_matches(pattern, perm) for perm in known_permissions()
        ):
            return
        raise ValidationError(
            _("“%(pattern)s” matches no permission.") % {"pattern": pattern}, code="unknown"
        )
    if pattern not in known_permissions():
        raise ValidationError(
            _("Unknown permission “%(pattern)s”.") % {"pattern": pattern}, code="unknown"
        )


def validate_patterns(patterns: list[str]) -> None:
    errors = []
    for pattern in patterns:
        try:
            validate_pattern(pattern)
        except ValidationError as error:
            errors.extend(error.messages)
    if errors:
        raise ValidationError(errors)


def expand(patterns: list[str]) -> frozenset[str]:
    """The concrete permission strings the patterns grant."""
    return frozenset(perm for perm in known_permissions() if patterns_grant(patterns, perm))
