"""System checks for the single sign-on configuration (``manage.py check``, also at deploy)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Error, Info, Tags, Warning, register

LOOPBACK = {"127.0.0.1", "localhost", "::1"}


@register(Tags.security)
def oidc_configuration(app_configs: Any = None, **kwargs: Any) -> list[Any]:
    issues: list[Any] = []
    issuer, client_id = settings.OIDC_ISSUER, settings.OIDC_CLIENT_ID
    if bool(issuer) != bool(client_id):
        # Information only: docker-compose sets the issuer before Zitadel has issued a client id,
        # and WorkmateOS starts (password sign-in) and passes check --deploy meanwhile.
        issues.append(
            Info(
                "Single sign-on is off because it is half configured: set both OIDC_ISSUER and "
                "OIDC_CLIENT_ID (or neither).",
                id="employees.I001",
            )
        )
    if issuer:
        parts = urlsplit(issuer)
        if parts.scheme not in {"http", "https"} or not parts.hostname:
            issues.append(Error(f"OIDC_ISSUER is not a URL: {issuer!r}", id="employees.E002"))
        elif parts.scheme == "http" and parts.hostname not in LOOPBACK and not settings.DEBUG:
            issues.append(
                Warning(
                    "OIDC_ISSUER uses http://: tokens and codes travel unencrypted.",
                    hint="Use the provider's https:// address.",
                    id="employees.W001",
                )
            )
    if (
        settings.OIDC_ENABLED
        and not settings.LOCAL_LOGIN_ENABLED
        and not settings.LOCAL_LOGIN_BREAK_GLASS
    ):
        issues.append(
            Warning(
                "Password sign-in is off and there is no break-glass access: while the identity "
                "provider is unreachable nobody can sign in.",
                hint="Set LOCAL_LOGIN_BREAK_GLASS=true to keep password sign-in for superusers.",
                id="employees.W002",
            )
        )
    return issues
