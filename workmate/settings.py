"""WorkmateOS settings: one module, driven by the environment (see README, "Configuration").

Defaults give the embedded mode (SQLite, local files, in-memory channel layer, console e-mail,
tasks run immediately). Production sets DATABASE_URL, REDIS_URL, S3_*, SMTP_*, OIDC_* and
HTTPS=true (see docker-compose.yml).
"""

from __future__ import annotations

from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

from workmate.env import (
    env_bool,
    env_choice,
    env_db,
    env_int,
    env_list,
    env_secret,
    env_str,
)

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DEBUG", False)
SECRET_KEY = env_secret("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY is required when DEBUG is off (see README).")
    SECRET_KEY = "insecure-development-key-only-for-debug-mode-" + "x" * 20

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# --- Applications -------------------------------------------------------------------------------
DOMAIN_APPS = [
    "apps.common",
    "apps.audit",
    "apps.company",
    "apps.employees",
    "apps.documents",
    "apps.reminders",
    "apps.dashboards",
    "apps.crm",
    "apps.projects",
    "apps.timetracking",
    "apps.invoices",
    "apps.finance",
    "apps.chat",
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django_htmx",
    "django_filters",
    "guardian",
    "axes",
    "channels",
    "django_tasks_db",
    *DOMAIN_APPS,
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "apps.common.middleware.RequestContextMiddleware",
    "apps.employees.middleware.UserPreferencesMiddleware",
    "apps.common.middleware.HtmxAwareLoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "workmate.urls"
WSGI_APPLICATION = "workmate.wsgi.application"
ASGI_APPLICATION = "workmate.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "apps.common.context_processors.navigation",
            ],
        },
    }
]

# --- Data ---------------------------------------------------------------------------------------
DATABASES = {"default": env_db("DATABASE_URL", f"sqlite:///{VAR_DIR / 'workmate.sqlite3'}")}
DATABASES["default"]["CONN_MAX_AGE"] = env_int("DATABASE_CONN_MAX_AGE", 60, minimum=0)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL + immediate transactions: concurrent readers and a writer without "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "timeout": 20,
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    if DATABASES["default"]["NAME"] != ":memory:":
        Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
_replica_url = env_secret("DATABASE_REPLICA_URL")
if _replica_url:
    DATABASES["replica"] = env_db("DATABASE_REPLICA_URL", _replica_url)
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["apps.common.db_router.PrimaryReplicaRouter"]
for _database in DATABASES.values():
    if _database["ENGINE"] == "django.db.backends.postgresql":
        # No JIT: our queries are short, but PostgreSQL's cost estimates for correlated subqueries
        # (unread counts, last message) can pass jit_above_cost, and compiling then takes 0.5-1 s
        # for a query that runs in 20 ms (seen on the chat room list with 5,000 rooms).
        # random_page_cost 1.1 instead of 4 (spinning disks): the data is on SSD or in memory, and
        # at 4 the planner hashes a whole table (5,000 projects, 2 ms) to join 40 rows of a week.
        _options = _database.setdefault("OPTIONS", {})
        _options["options"] = (
            f"{_options.get('options', '')} -c jit=off -c random_page_cost=1.1".strip()
        )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env_secret("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "workmate",
        }
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [REDIS_URL]},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

# --- Files --------------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(VAR_DIR / "static")))
STATICFILES_DIRS = [BASE_DIR / "static"]
# Private uploads: never served as public URLs; downloads go through permission-checked views.
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
MEDIA_URL = "/media-not-public/"

S3_BUCKET = env_str("S3_BUCKET")
if S3_BUCKET:
    _default_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": S3_BUCKET,
            "endpoint_url": env_str("S3_ENDPOINT_URL") or None,
            "access_key": env_secret("S3_ACCESS_KEY_ID") or None,
            "secret_key": env_secret("S3_SECRET_ACCESS_KEY") or None,
            "region_name": env_str("S3_REGION", "eu-central-1"),
            "default_acl": None,
            "querystring_auth": True,
            "querystring_expire": env_int("S3_URL_EXPIRE_SECONDS", 60, minimum=1),
            "file_overwrite": False,
            "addressing_style": env_str("S3_ADDRESSING_STYLE", "path"),
        },
    }
else:
    _default_storage = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(MEDIA_ROOT)},
    }
STORAGES = {
    "default": _default_storage,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
FILE_UPLOAD_PERMISSIONS = 0o640

# --- Auth ---------------------------------------------------------------------------------------
AUTH_USER_MODEL = "employees.Employee"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "apps.employees.backends.RoleBackend",
    "guardian.backends.ObjectPermissionBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboards:home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Local password login: for the embedded mode and break-glass access. With SSO in place, switch it
# off; LOCAL_LOGIN_BREAK_GLASS keeps it for superusers only.
LOCAL_LOGIN_ENABLED = env_bool("LOCAL_LOGIN_ENABLED", True)
LOCAL_LOGIN_BREAK_GLASS = env_bool("LOCAL_LOGIN_BREAK_GLASS", False)
# Rate limiting of the local login (django-axes): per username and per IP address, separately.
AXES_ENABLED = env_bool("LOGIN_RATE_LIMIT_ENABLED", True)
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = env_int("LOGIN_LOCKOUT_MINUTES", 15, minimum=1) / 60
# Separate counters: one per e-mail address (whatever the IP) and one per IP (whatever the address).
AXES_LOCKOUT_PARAMETERS = ["ip_address", "username"]
AXES_USERNAME_FORM_FIELD = "username"  # the login form's field (axes defaults to USERNAME_FIELD)
AXES_USERNAME_CALLABLE = "apps.employees.ratelimit.client_username"
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_IPWARE_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0, minimum=0) or None
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 60 * 60 * 10, minimum=60)
# django-guardian: no anonymous user row (all pages need a login anyway).
ANONYMOUS_USER_NAME = None
GUARDIAN_MONKEY_PATCH_USER = False

# --- Internationalisation -----------------------------------------------------------------------
LANGUAGE_CODE = env_choice("LANGUAGE_CODE", "de", {"de", "en"})
LANGUAGES = [("de", _("German")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "Europe/Berlin")
USE_I18N = True
USE_TZ = True
LANGUAGE_COOKIE_SECURE = env_bool("HTTPS", False)
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"

# --- Security -----------------------------------------------------------------------------------
HTTPS = env_bool("HTTPS", False)
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
CSRF_COOKIE_HTTPONLY = True
SECURE_HSTS_SECONDS = env_int("HSTS_SECONDS", 31_536_000 if HTTPS else 0, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if env_bool("TRUST_X_FORWARDED_PROTO", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REDIRECT_EXEMPT = [r"^health/$"]

# Content Security Policy: no inline scripts or styles anywhere.
_csp_form_action = [CSP.SELF, *env_list("CSP_FORM_ACTION_EXTRA", [])]
_csp = {
    "default-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "frame-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "frame-ancestors": [CSP.SELF],
    "base-uri": [CSP.NONE],
    "form-action": _csp_form_action,
}
if env_bool("CSP_REPORT_ONLY", False):
    SECURE_CSP_REPORT_ONLY = _csp
else:
    SECURE_CSP = _csp

# --- E-mail, tasks ------------------------------------------------------------------------------
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "WorkmateOS <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
if env_str("SMTP_HOST"):
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": env_str("SMTP_HOST"),
                "port": env_int("SMTP_PORT", 587, minimum=1),
                "username": env_str("SMTP_USER") or None,
                "password": env_secret("SMTP_PASSWORD") or None,
                "use_tls": env_bool("SMTP_STARTTLS", True),
                "use_ssl": env_bool("SMTP_SSL", False),
                "timeout": env_int("SMTP_TIMEOUT", 20, minimum=1),
            },
        }
    }
elif env_str("MAIL_FILE_PATH"):
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "OPTIONS": {"file_path": env_str("MAIL_FILE_PATH")},
        }
    }
else:
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}

TASKS_BACKEND = env_choice("TASKS_BACKEND", "immediate", {"immediate", "database"})
TASKS = {
    "default": {
        "BACKEND": (
            "django_tasks_db.DatabaseBackend"
            if TASKS_BACKEND == "database"
            else "django.tasks.backends.immediate.ImmediateBackend"
        )
    }
}

# --- Logging ------------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}

# --- Single sign-on (OIDC) ---------------------------------------------------------------------
# Zitadel (or any OpenID provider) via mozilla-django-oidc; see docs/zitadel.md. Endpoints come from
# the issuer's discovery document (fetched on first use with OIDC_TIMEOUT, cached), explicit
# OIDC_OP_* variables override single endpoints. Nothing here does network I/O.
OIDC_ISSUER = env_str("OIDC_ISSUER").strip().rstrip("/")
OIDC_CLIENT_ID = env_str("OIDC_CLIENT_ID").strip()
OIDC_CLIENT_SECRET = env_secret("OIDC_CLIENT_SECRET")  # empty: public client (PKCE, auth "none")
OIDC_PROJECT_ID = env_str("OIDC_PROJECT_ID").strip()  # Zitadel: required in "aud" when set
OIDC_ROLES_CLAIM = env_str("OIDC_ROLES_CLAIM", "urn:zitadel:iam:org:project:roles")
OIDC_SCOPES = env_str("OIDC_SCOPES")  # default: openid profile email + Zitadel's role scopes
OIDC_OP_AUTHORIZATION_ENDPOINT = env_str("OIDC_OP_AUTHORIZATION_ENDPOINT")
OIDC_OP_TOKEN_ENDPOINT = env_str("OIDC_OP_TOKEN_ENDPOINT")
OIDC_OP_USER_ENDPOINT = env_str("OIDC_OP_USER_ENDPOINT")
OIDC_OP_JWKS_ENDPOINT = env_str("OIDC_OP_JWKS_ENDPOINT")
OIDC_OP_LOGOUT_ENDPOINT = env_str("OIDC_OP_LOGOUT_ENDPOINT")
OIDC_TIMEOUT = env_int("OIDC_TIMEOUT", 10, minimum=1)
OIDC_DISCOVERY_CACHE_SECONDS = env_int("OIDC_DISCOVERY_CACHE_SECONDS", 3600, minimum=0)
OIDC_RENEW_ID_TOKEN_EXPIRY_SECONDS = env_int("OIDC_RENEW_SECONDS", 15 * 60, minimum=60)
OIDC_ENABLED = bool(OIDC_ISSUER and OIDC_CLIENT_ID)
# Fixed choices for mozilla-django-oidc (client id, secret, scopes and endpoints are resolved at
# request time in apps/employees/oidc.py).
OIDC_USE_PKCE = True
OIDC_PKCE_CODE_CHALLENGE_METHOD = "S256"
OIDC_USE_NONCE = True
OIDC_STORE_ID_TOKEN = True  # for the end-session request's id_token_hint
OIDC_STORE_ACCESS_TOKEN = False
OIDC_CREATE_USER = True
OIDC_OP_LOGOUT_URL_METHOD = "apps.employees.oidc.provider_logout_url"
OIDC_EXEMPT_URLS = ["health", "login", "logout"]
LOGIN_REDIRECT_URL_FAILURE = "login"
# Always listed (inert while SSO is off) so sessions keep resolving; permissions: RoleBackend.
AUTHENTICATION_BACKENDS.insert(
    AUTHENTICATION_BACKENDS.index("apps.employees.backends.RoleBackend"),
    "apps.employees.oidc.OIDCBackend",
)
if OIDC_ENABLED:
    # Signing out is a form POST answered with a redirect to the provider's end-session endpoint;
    # browsers apply CSP form-action to that redirect, so the provider's origin must be allowed.
    for _url in (OIDC_ISSUER, OIDC_OP_LOGOUT_ENDPOINT):
        _origin = "/".join(_url.split("/")[:3]) if "://" in _url else ""
        if _origin and _origin not in _csp_form_action:
            _csp_form_action.append(_origin)
    MIDDLEWARE.insert(
        MIDDLEWARE.index("django_htmx.middleware.HtmxMiddleware") + 1,
        "apps.employees.oidc.OIDCSessionRefresh",
    )

# --- CRM ----------------------------------------------------------------------------------------
# A customer import (a background task) that made no progress for this long lost its worker
# (killed, OOM, deploy): it is shown and stored as interrupted (apps/crm/importing.py).
CUSTOMER_IMPORT_STALE_MINUTES = env_int("CUSTOMER_IMPORT_STALE_MINUTES", 15, minimum=1)

# --- Chat ---------------------------------------------------------------------------------------
# Messages per history page (initial room view and each "older" batch) and how long the author
# may still edit or delete their own message.
CHAT_PAGE_SIZE = env_int("CHAT_PAGE_SIZE", 50, minimum=5)
CHAT_EDIT_WINDOW_MINUTES = env_int("CHAT_EDIT_WINDOW_MINUTES", 15, minimum=0)
# An open socket re-checks access on every message it sends and on a "revoke" event (leaving a
# project); for messages it receives, at most every N seconds (0 = before every message).
CHAT_ACCESS_RECHECK_SECONDS = env_int("CHAT_ACCESS_RECHECK_SECONDS", 10, minimum=0)

# --- Documents ----------------------------------------------------------------------------------
# Upload limit per file, enforced while the body streams in (apps/documents/uploads.py).
DOCUMENT_MAX_BYTES = env_int("DOCUMENT_MAX_BYTES", 25 * 1024 * 1024, minimum=1)
DOCUMENT_MAX_FILES_PER_UPLOAD = env_int("DOCUMENT_MAX_FILES_PER_UPLOAD", 20, minimum=1)
# Office files (zip containers): total unpacked size and per-part compression ratio (zip bombs).
DOCUMENT_MAX_UNZIPPED_BYTES = env_int("DOCUMENT_MAX_UNZIPPED_BYTES", 250 * 1024 * 1024, minimum=1)
DOCUMENT_MAX_ZIP_RATIO = 100
DOCUMENT_MAX_IMAGE_PIXELS = 80_000_000
# Uploads beyond this stay in memory no longer but spool to a temporary file.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
# Non-file form data of one request (the files are limited above).
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

# --- Time tracking --------------------------------------------------------------------------------
# How many time entries `seed_demo --size large` creates (the benchmark volume); tests lower it.
TIMETRACKING_DEMO_LARGE_ENTRIES = 1_000_000

# --- Product settings ---------------------------------------------------------------------------
DEMO_PASSWORD = env_secret("DEMO_PASSWORD", "workmate-demo")
PAGE_SIZE = env_int("PAGE_SIZE", 25, minimum=5)
