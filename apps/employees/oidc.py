"""Single sign-on with Zitadel (or any OpenID provider): configuration, token checks, onboarding.

mozilla-django-oidc 5.0.2 provides the flow; this module supplies what it lacks:

* **Configuration from the issuer's discovery document**, fetched lazily with a timeout and cached
  (settings never do network I/O). Explicit ``OIDC_OP_*`` settings override single endpoints.
* **Token checks:** RS256 only (``alg: none`` and every other algorithm refused), the key from the
  JWKS (cached; an unknown ``kid`` triggers exactly one refetch, for key rotation), ``iss``,
  ``aud`` (the client id, plus the project id when ``OIDC_PROJECT_ID`` is set), ``azp``, ``exp``,
  ``iat`` and ``nonce``; the callback checks ``state`` and sends the PKCE verifier.
* **Users by ``sub``**, never by e-mail alone: an existing employee without ``sub`` is linked only
  when the token says the e-mail is verified. First sign-in creates the employee through
  ``employee_create`` (next code, audited); every sign-in syncs name, e-mail and role.
* **Every refusal is audited** (``LOGIN_FAILED`` with the reason) and the user sees a clear message.
"""

from __future__ import annotations

import hashlib
import logging
import time
from typing import Any
from urllib.parse import quote, urlencode

import jwt
import requests
from django.conf import settings
from django.contrib import auth, messages
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, resolve_url
from django.urls import reverse
from django.utils.deprecation import MiddlewareMixin
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.generic import View
from django_htmx.http import HttpResponseClientRedirect
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.middleware import SessionRefresh
from mozilla_django_oidc.utils import absolutify, import_from_settings
from mozilla_django_oidc.views import (
    OIDCAuthenticationCallbackView,
    OIDCAuthenticationRequestView,
    OIDCLogoutView,
)
from requests.auth import HTTPBasicAuth

from apps.audit.models import AuditAction
from apps.audit.services import audit_record
from apps.common.request_context import current_request_info
from apps.employees.models import Employee, Role

logger = logging.getLogger(__name__)

BACKEND_PATH = "apps.employees.oidc.OIDCBackend"
ZITADEL_ROLES_CLAIM = "urn:zitadel:iam:org:project:roles"
SIGN_ALGORITHM = "RS256"
CLOCK_SKEW_SECONDS = 30
JWKS_CACHE_SECONDS = 3600
AUDITED_FAILURES_PER_IP = 20
FAILURE_WINDOW_SECONDS = 300


class Reason:
    """Why a sign-in was refused: the audit log's message."""

    BAD_STATE = "bad state"
    BAD_NONCE = "bad nonce"
    WRONG_AUDIENCE = "wrong audience"
    WRONG_ISSUER = "wrong issuer"
    EXPIRED = "expired token"
    BAD_SIGNATURE = "bad signature"
    ALG_NONE = "alg none"
    UNEXPECTED_ALGORITHM = "unexpected algorithm"
    UNKNOWN_KEY = "unknown key"
    INVALID_TOKEN = "invalid token"  # noqa: S105 (a reason, not a secret)
    TOKEN_ERROR = "token error"  # noqa: S105
    PROVIDER_ERROR = "provider error"
    PROVIDER_UNAVAILABLE = "provider unavailable"
    USERINFO_ERROR = "userinfo error"
    MISSING_CLAIMS = "missing claims"
    INACTIVE = "inactive user"
    UNVERIFIED_EMAIL = "unverified e-mail"
    EMAIL_CONFLICT = "e-mail conflict"


class OIDCConfigError(Exception):
    """The provider's configuration cannot be loaded (unreachable, bad discovery document)."""


class OIDCLoginError(Exception):
    """A refused sign-in: ``reason`` goes to the audit log, ``user_message`` to the user."""

    def __init__(
        self,
        reason: str,
        detail: str = "",
        *,
        employee: Employee | None = None,
        user_message: str | None = None,
    ) -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail
        self.employee = employee
        self.user_message = user_message


# --- Configuration --------------------------------------------------------------------------------

ENDPOINT_KEYS = {
    "OIDC_OP_AUTHORIZATION_ENDPOINT": "authorization_endpoint",
    "OIDC_OP_TOKEN_ENDPOINT": "token_endpoint",
    "OIDC_OP_USER_ENDPOINT": "userinfo_endpoint",
    "OIDC_OP_JWKS_ENDPOINT": "jwks_uri",
    "OIDC_OP_LOGOUT_ENDPOINT": "end_session_endpoint",
}
OPTIONAL_ENDPOINTS = {"OIDC_OP_USER_ENDPOINT", "OIDC_OP_LOGOUT_ENDPOINT"}


def oidc_enabled() -> bool:
    return bool(getattr(settings, "OIDC_ENABLED", False))


def issuer() -> str:
    return str(settings.OIDC_ISSUER).rstrip("/")


def _cache_key(kind: str, value: str) -> str:
    return f"oidc:{kind}:{hashlib.sha256(value.encode()).hexdigest()[:32]}"


def discovery() -> dict[str, Any]:
    """The issuer's ``/.well-known/openid-configuration``: fetched on first use, then cached."""
    url = f"{issuer()}/.well-known/openid-configuration"
    key = _cache_key("discovery", url)
    document = cache.get(key)
    if document is not None:
        return document
    try:
        response = requests.get(url, timeout=settings.OIDC_TIMEOUT)
        response.raise_for_status()
        document = response.json()
    except (requests.RequestException, ValueError) as error:
        raise OIDCConfigError(f"discovery document {url} cannot be loaded: {error}") from error
    if not isinstance(document, dict) or str(document.get("issuer", "")).rstrip("/") != issuer():
        raise OIDCConfigError(f"discovery document {url} names another issuer")
    cache.set(key, document, settings.OIDC_DISCOVERY_CACHE_SECONDS)
    return document


def endpoint(setting_name: str) -> str:
    """An endpoint of the provider: the explicit setting, else the discovery document's."""
    explicit = getattr(settings, setting_name, "") or ""
    if explicit:
        return explicit
    value = str(discovery().get(ENDPOINT_KEYS[setting_name]) or "")
    if not value and setting_name not in OPTIONAL_ENDPOINTS:
        raise OIDCConfigError(f"the provider publishes no {ENDPOINT_KEYS[setting_name]}")
    return value


def scopes() -> str:
    if settings.OIDC_SCOPES:
        return settings.OIDC_SCOPES
    values = ["openid", "profile", "email", ZITADEL_ROLES_CLAIM]
    if settings.OIDC_PROJECT_ID:
        values.append(f"urn:zitadel:iam:org:project:id:{settings.OIDC_PROJECT_ID}:aud")
    return " ".join(values)


_DERIVED_SETTINGS = {
    "OIDC_RP_CLIENT_ID": lambda: settings.OIDC_CLIENT_ID,
    "OIDC_RP_CLIENT_SECRET": lambda: settings.OIDC_CLIENT_SECRET,
    "OIDC_RP_SCOPES": scopes,
    "OIDC_RP_SIGN_ALGO": lambda: SIGN_ALGORITHM,
    "OIDC_TOKEN_USE_BASIC_AUTH": lambda: bool(settings.OIDC_CLIENT_SECRET),
    **{name: (lambda name=name: endpoint(name)) for name in ENDPOINT_KEYS},
}


def oidc_setting(attr: str, *default: Any) -> Any:
    """mozilla-django-oidc's ``get_settings`` with our names and lazily resolved endpoints."""
    if attr in _DERIVED_SETTINGS:
        return _DERIVED_SETTINGS[attr]()
    return import_from_settings(attr, *default)


# --- Claims ---------------------------------------------------------------------------------------


def _is_true(value: Any) -> bool:
    return value is True or (isinstance(value, str) and value.lower() == "true")


def _claim_at(claims: dict[str, Any], path: str) -> Any:
    """``claims[path]``, or a dotted path into nested objects (``realm_access.roles``)."""
    if path in claims:
        return claims[path]
    value: Any = claims
    for part in path.split("."):
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    return value


def _keys_of(value: Any) -> set[str]:
    if isinstance(value, dict):  # Zitadel: {"role key": {"org id": "org domain"}}
        return {str(key) for key in value}
    if isinstance(value, list | tuple):  # Keycloak and others: ["role", ...]
        return {str(item) for item in value if isinstance(item, str | int)}
    if isinstance(value, str):
        return set(value.replace(",", " ").split())
    return set()


def role_keys(claims: dict[str, Any]) -> set[str]:
    """The identity provider's role keys in the token (configured claim + project claim)."""
    paths = [settings.OIDC_ROLES_CLAIM or ZITADEL_ROLES_CLAIM]
    if settings.OIDC_PROJECT_ID:
        paths.append(f"urn:zitadel:iam:org:project:{settings.OIDC_PROJECT_ID}:roles")
    keys: set[str] = set()
    for path in paths:
        keys |= _keys_of(_claim_at(claims, path))
    return keys


def role_for_claims(claims: dict[str, Any]) -> Role | None:
    """The mapped role with the highest priority; without one, the default role."""
    keys = role_keys(claims)
    if keys:
        role = Role.objects.filter(idp_role_key__in=keys).order_by("-priority", "name").first()
        if role is not None:
            return role
    return Role.objects.filter(is_default=True).first()


def names_from_claims(claims: dict[str, Any], email: str) -> tuple[str, str]:
    first = str(claims.get("given_name") or "").strip()
    last = str(claims.get("family_name") or "").strip()
    if not first and not last:
        full = str(claims.get("name") or "").strip()
        first, _sep, last = full.rpartition(" ") if " " in full else (full, "", "")
    if not first:
        first = str(claims.get("preferred_username") or email.split("@")[0] or "?")
    return first[:100], last[:100]


def _email_from(claims: dict[str, Any]) -> str:
    return Employee.objects.normalize_email(str(claims.get("email") or "").strip()).lower()


# --- The backend ----------------------------------------------------------------------------------


class OIDCBackend(OIDCAuthenticationBackend):
    """Signs employees in with the provider's tokens. Permissions come from ``RoleBackend``:
    this backend answers no permission question (no extra queries)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # mozilla's __init__ reads the endpoints; ours are resolved lazily (discovery on use).
        self.UserModel = Employee

    get_settings = staticmethod(oidc_setting)

    # Django's protocol --------------------------------------------------------------------------
    def authenticate(  # type: ignore[override]
        self,
        request: HttpRequest | None,
        nonce: str | None = None,
        code_verifier: str | None = None,
        **kwargs: Any,
    ) -> Employee | None:
        """Only the OIDC callback signs in here (a password sign-in passes other credentials)."""
        if request is None or kwargs or nonce is None or not oidc_enabled():
            return None
        code = request.GET.get("code")
        if not code:
            return None
        try:
            user, _claims, id_token = self.authenticate_code(
                request, code=code, nonce=nonce, code_verifier=code_verifier
            )
        except OIDCLoginError as error:
            audit_login_failure(error)
            return None
        self.store_tokens(None, id_token)
        return user

    def get_user(self, user_id: Any) -> Employee | None:
        user = Employee.objects.select_related("role").filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None

    def get_all_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        return set()

    def get_user_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        return set()

    def get_group_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        return set()

    def has_perm(self, user_obj: Any, perm: str, obj: Any = None) -> bool:
        return False

    def has_module_perms(self, user_obj: Any, app_label: str) -> bool:
        return False

    # The code flow ------------------------------------------------------------------------------
    def authenticate_code(
        self,
        request: HttpRequest,
        *,
        code: str,
        nonce: str | None,
        code_verifier: str | None,
    ) -> tuple[Employee, dict[str, Any], str]:
        """Redeem the code, check the ID token, find or onboard the employee (or raise).
        Returns the employee, the ID token's claims and the ID token."""
        self.request = request
        try:
            token_endpoint = endpoint("OIDC_OP_TOKEN_ENDPOINT")
        except OIDCConfigError as error:
            raise OIDCLoginError(Reason.PROVIDER_UNAVAILABLE, str(error)) from error
        payload = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": absolutify(request, reverse("oidc_authentication_callback")),
            "client_id": settings.OIDC_CLIENT_ID,
        }
        if code_verifier:
            payload["code_verifier"] = code_verifier
        token_info = self.get_token(payload, token_endpoint)
        id_token = token_info.get("id_token")
        access_token = token_info.get("access_token")
        if not isinstance(id_token, str) or not id_token:
            raise OIDCLoginError(Reason.TOKEN_ERROR, "no id_token in the token response")
        claims = self.verify_token(id_token, nonce=nonce)
        user = self.get_or_create_user(access_token, id_token, claims)
        return user, claims, id_token

    def get_token(self, payload: dict[str, Any], token_endpoint: str = "") -> dict[str, Any]:  # type: ignore[override]
        secret = settings.OIDC_CLIENT_SECRET
        auth_header = None
        if secret:
            # RFC 6749 §2.3.1: client id and secret are form-encoded before Basic encoding.
            auth_header = HTTPBasicAuth(
                quote(settings.OIDC_CLIENT_ID, safe=""), quote(secret, safe="")
            )
        try:
            response = requests.post(
                token_endpoint or endpoint("OIDC_OP_TOKEN_ENDPOINT"),
                data=payload,
                auth=auth_header,
                headers={"Accept": "application/json"},
                timeout=settings.OIDC_TIMEOUT,
            )
        except requests.RequestException as error:
            raise OIDCLoginError(Reason.PROVIDER_UNAVAILABLE, str(error)) from error
        try:
            body = response.json()
        except ValueError:
            body = {}
        if response.status_code != 200 or not isinstance(body, dict):
            error_code = body.get("error", "") if isinstance(body, dict) else ""
            # A replayed or expired code answers "invalid_grant".
            raise OIDCLoginError(
                Reason.TOKEN_ERROR, f"HTTP {response.status_code} {error_code}".strip()
            )
        return body

    # Token verification -------------------------------------------------------------------------
    def _jwks(self, *, refresh: bool) -> dict[str, Any]:
        try:
            url = endpoint("OIDC_OP_JWKS_ENDPOINT")
        except OIDCConfigError as error:
            raise OIDCLoginError(Reason.PROVIDER_UNAVAILABLE, str(error)) from error
        key = _cache_key("jwks", url)
        if not refresh:
            cached = cache.get(key)
            if cached is not None:
                return cached
        try:
            response = requests.get(url, timeout=settings.OIDC_TIMEOUT)
            response.raise_for_status()
            jwks = response.json()
        except (requests.RequestException, ValueError) as error:
            raise OIDCLoginError(Reason.PROVIDER_UNAVAILABLE, f"JWKS: {error}") from error
        if not isinstance(jwks, dict) or not isinstance(jwks.get("keys"), list):
            raise OIDCLoginError(Reason.PROVIDER_ERROR, "JWKS without keys")
        cache.set(key, jwks, JWKS_CACHE_SECONDS)
        return jwks

    def signing_key(self, header: dict[str, Any]) -> Any:
        """The JWKS key for the token's ``kid``; an unknown kid refetches the JWKS once."""
        kid = header.get("kid")
        for refresh in (False, True):
            candidates = [
                jwk
                for jwk in self._jwks(refresh=refresh)["keys"]
                if isinstance(jwk, dict)
                and jwk.get("kty") == "RSA"
                and jwk.get("use", "sig") == "sig"
                and jwk.get("alg", SIGN_ALGORITHM) == SIGN_ALGORITHM
                and (kid is None or jwk.get("kid") == kid)
            ]
            if len(candidates) == 1:
                try:
                    return jwt.PyJWK(candidates[0], algorithm=SIGN_ALGORITHM).key
                except jwt.PyJWKError as error:
                    raise OIDCLoginError(Reason.PROVIDER_ERROR, f"bad JWK: {error}") from error
        raise OIDCLoginError(Reason.UNKNOWN_KEY, f"kid {kid!r}")

    def verify_token(self, token: str, **kwargs: Any) -> dict[str, Any]:  # type: ignore[override]
        """Check the ID token completely; raise ``OIDCLoginError`` with the reason."""
        nonce = kwargs.get("nonce")
        try:
            header = jwt.get_unverified_header(token)
        except jwt.InvalidTokenError as error:
            raise OIDCLoginError(Reason.INVALID_TOKEN, str(error)) from error
        algorithm = str(header.get("alg") or "")
        if algorithm.lower() in {"", "none"}:
            raise OIDCLoginError(Reason.ALG_NONE)
        if algorithm != SIGN_ALGORITHM:
            raise OIDCLoginError(Reason.UNEXPECTED_ALGORITHM, algorithm)
        key = self.signing_key(header)
        try:
            claims = jwt.decode(
                token,
                key,
                algorithms=[SIGN_ALGORITHM],
                audience=settings.OIDC_CLIENT_ID,
                issuer=issuer(),
                leeway=CLOCK_SKEW_SECONDS,
                options={"require": ["iss", "sub", "aud", "exp", "iat"]},
            )
        except jwt.ExpiredSignatureError as error:
            raise OIDCLoginError(Reason.EXPIRED) from error
        except jwt.InvalidAudienceError as error:
            raise OIDCLoginError(Reason.WRONG_AUDIENCE, str(error)) from error
        except jwt.InvalidIssuerError as error:
            raise OIDCLoginError(Reason.WRONG_ISSUER, str(error)) from error
        except jwt.InvalidSignatureError as error:
            raise OIDCLoginError(Reason.BAD_SIGNATURE) from error
        except jwt.InvalidTokenError as error:
            raise OIDCLoginError(Reason.INVALID_TOKEN, str(error)) from error
        audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
        if settings.OIDC_PROJECT_ID and settings.OIDC_PROJECT_ID not in audiences:
            raise OIDCLoginError(Reason.WRONG_AUDIENCE, "project id not in aud")
        # Zitadel puts the project id next to the client id into "aud"; with several audiences
        # the token must name this client as the authorized party (OIDC Core 3.1.3.7).
        if len(audiences) > 1 and claims.get("azp") != settings.OIDC_CLIENT_ID:
            raise OIDCLoginError(Reason.WRONG_AUDIENCE, "azp is not this client")
        if nonce is None or claims.get("nonce") != nonce:
            raise OIDCLoginError(Reason.BAD_NONCE)
        return claims

    # Users --------------------------------------------------------------------------------------
    def get_userinfo(self, access_token: Any, id_token: Any, payload: dict[str, Any]) -> Any:
        """The ID token's claims, completed by the userinfo endpoint (same ``sub`` required)."""
        claims = dict(payload)
        try:
            url = endpoint("OIDC_OP_USER_ENDPOINT")
        except OIDCConfigError as error:
            raise OIDCLoginError(Reason.PROVIDER_UNAVAILABLE, str(error)) from error
        if not url or not access_token:
            return claims
        try:
            response = requests.get(
                url,
                headers={"Authorization": f"Bearer {access_token}"},
                timeout=settings.OIDC_TIMEOUT,
            )
            response.raise_for_status()
            info = response.json()
        except (requests.RequestException, ValueError) as error:
            raise OIDCLoginError(Reason.USERINFO_ERROR, str(error)) from error
        if not isinstance(info, dict) or info.get("sub") != payload.get("sub"):
            raise OIDCLoginError(Reason.USERINFO_ERROR, "userinfo is about another subject")
        return {**info, **claims}  # the signed ID token wins

    def filter_users_by_claims(self, claims: dict[str, Any]) -> Any:
        """By the provider's subject only, never by e-mail."""
        sub = claims.get("sub")
        if not sub:
            return Employee.objects.none()
        return Employee.objects.select_related("role").filter(oidc_sub=sub)

    def get_or_create_user(
        self, access_token: Any, id_token: Any, payload: dict[str, Any]
    ) -> Employee:
        claims = self.get_userinfo(access_token, id_token, payload)
        employee = self.filter_users_by_claims(claims).first()
        if employee is not None:
            if not employee.is_active:
                raise _inactive(employee)
            return self.update_user(employee, claims)
        email = _email_from(claims)
        if not email:
            raise OIDCLoginError(Reason.MISSING_CLAIMS, "no e-mail in the token")
        existing = Employee.objects.filter(email__iexact=email).first()
        if existing is None:
            return self.create_user(claims)
        if existing.oidc_sub:
            raise OIDCLoginError(
                Reason.EMAIL_CONFLICT, "e-mail belongs to another identity", employee=existing
            )
        if not _is_true(claims.get("email_verified")):
            raise OIDCLoginError(
                Reason.UNVERIFIED_EMAIL,
                employee=existing,
                user_message=_(
                    "Your e-mail address is not verified at the identity provider, so it cannot "
                    "be linked to your existing account. Please verify it there or contact your "
                    "administrator."
                ),
            )
        if not existing.is_active:
            raise _inactive(existing)
        return self.update_user(existing, claims, link=True)

    def create_user(self, claims: dict[str, Any]) -> Employee:
        from apps.employees.services import employee_create

        email = _email_from(claims)
        first_name, last_name = names_from_claims(claims, email)
        locale = str(claims.get("locale") or "")
        fields: dict[str, Any] = {
            "first_name": first_name,
            "last_name": last_name,
            "role": role_for_claims(claims),
            "oidc_sub": str(claims["sub"]),
        }
        if locale[:2] in {Employee.Language.DE, Employee.Language.EN}:
            fields["language"] = locale[:2]
        try:
            with transaction.atomic():
                return employee_create(actor=None, email=email, **fields)
        except (ValidationError, IntegrityError) as error:
            # Two first sign-ins at once: the other one created the employee.
            employee = self.filter_users_by_claims(claims).first()
            if employee is not None:
                return employee
            raise OIDCLoginError(Reason.EMAIL_CONFLICT, str(error)) from error

    def update_user(
        self, user: Employee, claims: dict[str, Any], *, link: bool = False
    ) -> Employee:  # type: ignore[override]
        """Name, e-mail and role follow the provider on every sign-in (audited as updates)."""
        from apps.employees.services import employee_update

        email = _email_from(claims) or user.email
        first_name, last_name = names_from_claims(claims, email)
        role = role_for_claims(claims)
        wanted: dict[str, Any] = {
            "first_name": first_name,
            "last_name": last_name,
            "email": email,
            "role": role,
        }
        if link:
            wanted["oidc_sub"] = str(claims["sub"])
        changes: dict[str, Any] = {}
        for name, value in wanted.items():
            if name == "role":
                if user.role_id != (value.pk if value else None):
                    changes[name] = value
            elif getattr(user, name) != value:
                changes[name] = value
        if not changes:
            return user
        try:
            with transaction.atomic():
                return employee_update(actor=user, employee=user, **changes)
        except (ValidationError, IntegrityError) as error:
            raise OIDCLoginError(Reason.EMAIL_CONFLICT, str(error), employee=user) from error

    def store_tokens(self, access_token: Any, id_token: Any) -> None:
        # The ID token is kept for the end-session request (id_token_hint), never the access token.
        self.request.session["oidc_id_token"] = id_token


def _inactive(employee: Employee) -> OIDCLoginError:
    return OIDCLoginError(
        Reason.INACTIVE,
        employee=employee,
        user_message=_("Your account is deactivated. Please contact your administrator."),
    )


def _audit_allowed() -> bool:
    """At most AUDITED_FAILURES_PER_IP refused sign-ins per address and window reach the audit
    log (the callback URL is public: it must not let anyone flood the hash-chained log)."""
    info = current_request_info()
    key = _cache_key("failures", (info.ip if info else None) or "unknown")
    cache.add(key, 0, FAILURE_WINDOW_SECONDS)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, FAILURE_WINDOW_SECONDS)
        count = 1
    return count <= AUDITED_FAILURES_PER_IP


def audit_login_failure(error: OIDCLoginError) -> None:
    logger.warning("single sign-on refused: %s", error)
    if not _audit_allowed():
        return
    message = f"{error.reason}: {error.detail}" if error.detail else error.reason
    audit_record(
        action=AuditAction.LOGIN_FAILED,
        target=error.employee,
        actor=None,
        object_repr=(None if error.employee else "single sign-on"),
        message=f"oidc: {message}"[:500],
    )


# --- Views (wrapped with @public in oidc_urls.py) -------------------------------------------------


def _login_page_with(request: HttpRequest, text: str) -> HttpResponse:
    messages.error(request, text)
    return redirect(settings.LOGIN_URL)


class OIDCStartView(OIDCAuthenticationRequestView):
    """Sends the browser to the provider (state, nonce and PKCE S256 kept in the session)."""

    get_settings = staticmethod(oidc_setting)

    def __init__(self, **kwargs: Any) -> None:
        View.__init__(self, **kwargs)  # endpoints are resolved in get(), not on construction

    def get(self, request: HttpRequest) -> HttpResponse:  # type: ignore[override]
        if not oidc_enabled():
            raise Http404
        try:
            self.OIDC_OP_AUTH_ENDPOINT = endpoint("OIDC_OP_AUTHORIZATION_ENDPOINT")
        except OIDCConfigError as error:
            logger.warning("single sign-on unavailable: %s", error)
            return _login_page_with(
                request,
                _("The identity provider cannot be reached right now. Please try again later."),
            )
        self.OIDC_RP_CLIENT_ID = settings.OIDC_CLIENT_ID
        return super().get(request)


class OIDCCallbackView(OIDCAuthenticationCallbackView):
    """The provider's redirect back: checks state, redeems the code, signs the employee in."""

    get_settings = staticmethod(oidc_setting)

    def get(self, request: HttpRequest) -> HttpResponse:  # type: ignore[override]
        if not oidc_enabled():
            raise Http404
        state = request.GET.get("state") or ""
        code = request.GET.get("code") or ""
        states = request.session.get("oidc_states")
        entry = None
        if isinstance(states, dict) and state in states:
            # Each state is used once: removed before anything else happens (no replay).
            entry = states.pop(state)
            request.session["oidc_states"] = states
            request.session.save()
        if request.GET.get("error"):
            error = OIDCLoginError(Reason.PROVIDER_ERROR, str(request.GET["error"])[:100])
            if request.user.is_authenticated and entry is not None:
                auth.logout(request)  # a failed silent renewal ends the session
            return self._failure(error)
        if not code or entry is None:
            return self._failure(OIDCLoginError(Reason.BAD_STATE))
        # Reload the session after the slow token request, as mozilla-django-oidc does, so
        # parallel tabs' changes are not overwritten.
        request.session = request.session.__class__(request.session.session_key)
        try:
            user, claims, id_token = OIDCBackend().authenticate_code(
                request,
                code=code,
                nonce=entry.get("nonce"),
                code_verifier=entry.get("code_verifier"),
            )
        except OIDCLoginError as error:
            if request.user.is_authenticated:
                auth.logout(request)
            return self._failure(error)
        self.user = user
        next_url = self.success_url  # read first: signing in another user flushes the session
        if not (request.user.is_authenticated and request.user.pk == user.pk):
            user.backend = BACKEND_PATH  # the audit log's sign-in entry names the method
            auth.login(request, user, backend=BACKEND_PATH)
        # Kept for the end-session request's id_token_hint (never the access token).
        request.session["oidc_id_token"] = id_token
        lifetime = settings.OIDC_RENEW_ID_TOKEN_EXPIRY_SECONDS
        request.session["oidc_id_token_expiration"] = min(
            float(claims["exp"]), time.time() + lifetime
        )
        return HttpResponseRedirect(next_url)

    @property
    def success_url(self) -> str:
        next_url = self.request.session.get("oidc_login_next")
        if next_url and url_has_allowed_host_and_scheme(
            next_url, {self.request.get_host()}, self.request.is_secure()
        ):
            return next_url
        return resolve_url(settings.LOGIN_REDIRECT_URL)

    def _failure(self, error: OIDCLoginError) -> HttpResponse:
        audit_login_failure(error)
        return _login_page_with(
            self.request,
            error.user_message or _("Single sign-on failed. Please try again."),
        )


def provider_logout_url(request: HttpRequest) -> str:
    """Where the browser goes after signing out: the provider's end-session endpoint (with the
    ID token as hint and our login page as post-logout redirect), else our login page."""
    login_page = resolve_url(settings.LOGOUT_REDIRECT_URL)
    id_token = request.session.get("oidc_id_token")
    if not oidc_enabled() or not id_token:
        return login_page
    try:
        end_session = endpoint("OIDC_OP_LOGOUT_ENDPOINT")
    except OIDCConfigError as error:
        logger.warning("provider sign-out skipped: %s", error)
        return login_page
    if not end_session:
        return login_page
    query = urlencode(
        {
            "id_token_hint": id_token,
            "post_logout_redirect_uri": request.build_absolute_uri(login_page),
            "client_id": settings.OIDC_CLIENT_ID,
        }
    )
    return f"{end_session}{'&' if '?' in end_session else '?'}{query}"


class OIDCSignOutView(OIDCLogoutView):
    """POST only: ends our session and the provider's."""

    get_settings = staticmethod(oidc_setting)


# --- Session renewal ------------------------------------------------------------------------------


class OIDCSessionRefresh(SessionRefresh):
    """When the ID token of an SSO session has expired, renew it through the provider
    (``prompt=none``) and come back to the same page. htmx requests get ``HX-Redirect`` so the
    whole page navigates, never a redirect into a fragment."""

    get_settings = staticmethod(oidc_setting)

    def __init__(self, get_response: Any) -> None:
        MiddlewareMixin.__init__(self, get_response)  # no settings or network on start-up

    OIDC_STATE_SIZE = 32
    OIDC_NONCE_SIZE = 32
    OIDC_USE_NONCE = True
    OIDC_AUTHENTICATION_CALLBACK_URL = "oidc_authentication_callback"

    @property
    def OIDC_EXEMPT_URLS(self) -> list[str]:  # mozilla-django-oidc attribute names
        return list(getattr(settings, "OIDC_EXEMPT_URLS", []))

    @property
    def OIDC_OP_AUTHORIZATION_ENDPOINT(self) -> str:
        return endpoint("OIDC_OP_AUTHORIZATION_ENDPOINT")

    @property
    def OIDC_RP_CLIENT_ID(self) -> str:
        return settings.OIDC_CLIENT_ID

    @property
    def OIDC_RP_SCOPES(self) -> str:
        return scopes()

    def process_request(self, request: HttpRequest) -> HttpResponse | None:
        if not oidc_enabled() or not self.is_refreshable_url(request):
            return None
        try:
            response = super().process_request(request)
        except OIDCConfigError as error:
            logger.warning("session renewal skipped, provider unavailable: %s", error)
            return None
        if response is None:
            return None
        htmx = getattr(request, "htmx", None)
        if htmx:
            # Come back to the page the user sees, not to the fragment URL.
            request.session["oidc_login_next"] = htmx.current_url_abs_path or None
            return HttpResponseClientRedirect(response["Location"])
        return response
