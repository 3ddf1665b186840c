"""Settings of the platform: one module, every difference comes from the environment.

See README.md ("Configuration") for the variables. Defaults are for a developer's
machine; production sets ``DJANGO_ENV=production`` and the secrets.
"""

from __future__ import annotations

import socket
import sys
from pathlib import Path

import dj_database_url
from celery.schedules import crontab

from config.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / ".var"

# development | test | production; running under pytest means test unless said otherwise.
ENV = env_str("DJANGO_ENV", "test" if "pytest" in sys.modules else "development")
PRODUCTION = ENV == "production"
TESTING = ENV == "test"

SECRET_KEY = env_str("DJANGO_SECRET_KEY", "" if PRODUCTION else "dev-only-insecure-key-change-me-0123456789abcdef")
if PRODUCTION and not SECRET_KEY:
    raise RuntimeError("DJANGO_SECRET_KEY must be set in production")
DEBUG = env_bool("DJANGO_DEBUG", ENV == "development")
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", [".localhost", "localhost", "127.0.0.1", "testserver"])

# --- Database -----------------------------------------------------------------------------


def _database_url() -> str:
    url = env_str("DATABASE_URL")
    if url:
        return url
    url_file = VAR_DIR / "database_url"  # written by `python -m config.localdb`
    if url_file.exists():
        return url_file.read_text().strip()
    raise RuntimeError(
        "No database configured: set DATABASE_URL or run `make demo` / `python -m config.localdb` "
        "to start the embedded PostgreSQL."
    )


DATABASES = {"default": dj_database_url.parse(_database_url(), conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60))}
DATABASES["default"]["ENGINE"] = "django_tenants.postgresql_backend"
DATABASES["default"].setdefault("OPTIONS", {})
DATABASES["default"]["TEST"] = {"NAME": env_str("DATABASE_TEST_NAME") or None}
DATABASE_ROUTERS = ("django_tenants.routers.TenantSyncRouter",)

# --- Tenancy ------------------------------------------------------------------------------

TENANT_MODEL = "tenants.Syndicate"
TENANT_DOMAIN_MODEL = "tenants.Domain"
PUBLIC_SCHEMA_NAME = "public"
PUBLIC_SCHEMA_URLCONF = "config.urls_public"
ROOT_URLCONF = "config.urls_tenant"
SHOW_PUBLIC_IF_NO_TENANT_FOUND = False
# Host of the public (supplier) site; each syndicate gets "<code>.<PLATFORM_DOMAIN>".
PLATFORM_DOMAIN = env_str("PLATFORM_DOMAIN", "localhost")
PLATFORM_PORT = env_str("PLATFORM_PORT", "8000")
PLATFORM_SCHEME = env_str("PLATFORM_SCHEME", "https" if PRODUCTION else "http")

# Apps whose tables live in the public schema (supplier side).
SHARED_APPS = [
    "django_tenants",
    "tenants",
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "django_htmx",
    "accounts",
    "ui",
    "backoffice",
    "workspace",
    "invoicing.grids",
]
# Apps whose tables live in every syndicate's schema.
TENANT_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "rest_framework.authtoken",
    "accounts",
    "perimeter",
    "consumption",
    "reports",
    "billing_groups",
    "datacollection",
    "perimeter.importing",
    "datacollection.followup",
    "invoicing",
    "einvoicing",
    "technical_requests",
    "payments",
    "billing_files",
]
INSTALLED_APPS = list(SHARED_APPS) + [app for app in TENANT_APPS if app not in SHARED_APPS]

MIDDLEWARE = [
    "django_tenants.middleware.main.TenantMainMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "config.middleware.ContentSecurityPolicyMiddleware",
    "tenants.middleware.InactiveSyndicateMiddleware",  # a closed syndicate answers 503 before any view
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.middleware.AccountGuardMiddleware",
    "accounts.readonly.ReadOnlyViewMiddleware",  # "Voir l'espace du membre": read-only, every write refused
    "accounts.access.StaffScopeMiddleware",  # the back-office's syndicate lookups follow the user's portfolio
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "ui.context_processors.navigation",
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"

# --- Accounts and security ----------------------------------------------------------------

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["accounts.backends.EmailBackend"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "accounts:login"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if TESTING:  # hashing cost is not what the tests check
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "accounts.passwords.MaximumLengthValidator", "OPTIONS": {"max_length": 128}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "accounts.passwords.ContextWordsValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
ACCOUNT_ACTIVATION_HOURS = 24
PASSWORD_RESET_TIMEOUT = 60 * 60  # one hour for a reset link
LOGIN_LOCKOUT_FAILURES = 10  # the 11th attempt is refused
LOGIN_LOCKOUT_MINUTES = env_int("LOGIN_LOCKOUT_MINUTES", 15)

SESSION_COOKIE_AGE = 60 * 60 * 8
SESSION_SAVE_EVERY_REQUEST = True  # idle expiry: the clock restarts at each request
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_DOMAIN = None  # host-only: a syndicate's session never reaches another address
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_DOMAIN = None
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
SECURE_SSL_REDIRECT = PRODUCTION and env_bool("DJANGO_SSL_REDIRECT", True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if PRODUCTION else None
# Reverse proxies in front of the web process that append to X-Forwarded-For (Caddy in
# deploy/compose.yaml: 1). 0 ignores the header: a client could write anything in it.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
SECURE_HSTS_SECONDS = 31536000 if PRODUCTION else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = PRODUCTION
SECURE_HSTS_PRELOAD = PRODUCTION
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

# --- Internationalisation -----------------------------------------------------------------

# The UI is French only (its source strings are French): no LocaleMiddleware, so no page
# follows the browser's Accept-Language; Django's own messages come in French too.
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

# --- Static files -------------------------------------------------------------------------

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION
# Files served at the site root: ``/favicon.ico``, for browsers and tools that ignore the icon link.
WHITENOISE_ROOT = BASE_DIR / "ui" / "root"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
# Uploaded listings and meter-data files (with their error workbooks) are deleted this many
# days after their job finished (backoffice.tasks.stored_files_purge_all, daily); export files
# go when their link expires (reports.links.LINK_VALIDITY).
STORED_UPLOAD_RETENTION_DAYS = env_int("STORED_UPLOAD_RETENTION_DAYS", 30)
# Technical requests: attachments (PDF, PNG, JPEG) per file and per request; the account
# managers' shared mailbox told of a new request or a member's message nobody has taken yet.
TECHNICAL_REQUEST_ATTACHMENT_MAX_BYTES = env_int("TECHNICAL_REQUEST_ATTACHMENT_MAX_BYTES", 5 * 1024 * 1024)
TECHNICAL_REQUEST_ATTACHMENTS_MAX = env_int("TECHNICAL_REQUEST_ATTACHMENTS_MAX", 5)
TECHNICAL_REQUESTS_TEAM_EMAIL = env_str("TECHNICAL_REQUESTS_TEAM_EMAIL")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache (tenant-aware keys) ------------------------------------------------------------

REDIS_URL = env_str("REDIS_URL")
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}
# Rate-limit counters (config/throttling.py) have their own cache: shared by every web
# process through Redis, and cleared between tests without touching the rest.
# (Tests keep it in process memory: clearing a Redis cache would flush the whole database.)
CACHES["throttle"] = (
    {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "throttle"}
    if TESTING or not REDIS_URL
    else {**CACHES["default"], "KEY_PREFIX": "throttle"}
)
for _cache in CACHES.values():
    _cache["KEY_FUNCTION"] = "django_tenants.cache.make_key"
    _cache["REVERSE_KEY_FUNCTION"] = "django_tenants.cache.reverse_key"
RATELIMIT_USE_CACHE = "throttle"

# Rates ("<requests>/<s|m|h|d>") of config/throttling.py, per client address unless named
# "_email" (per address typed in the form) or "api_user" (per user or token).
RATE_LIMITS = {
    "login": env_str("RATE_LIMIT_LOGIN", "30/m"),
    "second_factor": env_str("RATE_LIMIT_SECOND_FACTOR", "30/m"),
    "password_reset": env_str("RATE_LIMIT_PASSWORD_RESET", "30/h"),
    "password_reset_email": env_str("RATE_LIMIT_PASSWORD_RESET_EMAIL", "5/h"),
    "access_request": env_str("RATE_LIMIT_ACCESS_REQUEST", "30/h"),
    "access_request_email": env_str("RATE_LIMIT_ACCESS_REQUEST_EMAIL", "15/h"),
    "activation_resend": env_str("RATE_LIMIT_ACTIVATION_RESEND", "30/h"),
    "api_user": env_str("RATE_LIMIT_API_USER", "1200/m"),
    "api_client": env_str("RATE_LIMIT_API_CLIENT", "2400/m"),
}

# --- Celery -------------------------------------------------------------------------------


def _redis_answers(host: str = "127.0.0.1", port: int = 6379) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.3) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def _broker() -> tuple[str, str]:
    """Broker URL and a sentence saying where it came from (printed by the demo)."""
    url = env_str("CELERY_BROKER_URL")
    if url:
        return url, "CELERY_BROKER_URL"
    if TESTING:
        return "memory://", "in-memory broker (tests)"
    if _redis_answers():
        return "redis://127.0.0.1:6379/0", "Redis on localhost"
    return "filesystem://", "filesystem broker under .var/broker (no server needed)"


CELERY_BROKER_URL, CELERY_BROKER_ORIGIN = _broker()
BROKER_DIR = VAR_DIR / "broker"
if CELERY_BROKER_URL.startswith("filesystem"):
    for sub in ("in", "processed"):
        (BROKER_DIR / sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR / "in"),
        "data_folder_out": str(BROKER_DIR / "in"),
        "processed_folder": str(BROKER_DIR / "processed"),
        "store_processed": False,
    }
CELERY_RESULT_BACKEND = env_str("CELERY_RESULT_BACKEND") or None
# Tests run tasks in-process (tenant-aware all the same); the tenancy test starts a real worker.
CELERY_TASK_ALWAYS_EAGER = TESTING
CELERY_TASK_EAGER_PROPAGATES = TESTING
CELERY_TASK_ACKS_LATE = True  # a worker lost mid-task gives the job back to the broker
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_DEFAULT_QUEUE = "light"
CELERY_TASK_QUEUES_NAMES = ("light", "heavy")
CELERY_TASK_ROUTES: dict[str, dict[str, str]] = {
    "reports.*": {"queue": "heavy"},  # exports never delay the light queue (emails)
}
CELERY_BEAT_SCHEDULE: dict[str, dict[str, object]] = {
    # Beat tasks without a tenant: each iterates the syndicates with tenant_context.
    "consumption-partitions-ahead": {"task": "consumption.tasks.partitions_ensure_all", "schedule": 24 * 3600.0},
    "consumption-inbox-watch": {"task": "consumption.tasks.inbox_watch", "schedule": 300.0},
    "technical-requests-exchange": {"task": "technical_requests.tasks.exchange_all", "schedule": 900.0},
    "consumption-alerts-daily": {"task": "consumption.tasks.alerts_compute_all", "schedule": 24 * 3600.0},
    "stored-files-purge-daily": {"task": "backoffice.tasks.stored_files_purge_all", "schedule": 24 * 3600.0},
    # Billing runs: the task asks every morning and starts the runs of the 1st and the 10th.
    "invoicing-billing-runs": {
        "task": "invoicing.tasks.billing_runs_start_all",
        "schedule": crontab(minute=30, hour=5),
    },
    # ChorusPro: every deposit still moving has its status asked for (einvoicing.tasks).
    "einvoicing-chorus-poll": {"task": "einvoicing.tasks.chorus_poll_all", "schedule": 3600.0},
    # Overdue invoices: one reminder per stage (J+1, J+15, J+30 after the due date), every morning.
    "payments-reminders": {"task": "payments.tasks.payment_reminders_all", "schedule": crontab(minute=0, hour=7)},
}
# --- E-invoicing: the supplier on every invoice, Factur-X and ChorusPro (docs/billing.md) --
# The seller printed on the PDF and written in the Factur-X XML (invoicing.pdf_build reads it).
INVOICE_SUPPLIER: dict[str, object] = {
    "name": env_str("SUPPLIER_NAME", "Énergies Normandes SA"),
    "address": tuple(env_list("SUPPLIER_ADDRESS", ["12 quai de la Londe", "14000 Caen"])),
    "siret": env_str("SUPPLIER_SIRET", "81234567800027"),
    "vat_number": env_str("SUPPLIER_VAT_NUMBER", "FR23812345678"),
    "rcs": env_str("SUPPLIER_RCS", "RCS Caen 812 345 678"),
    "capital": env_str("SUPPLIER_CAPITAL", "SA au capital de 12 000 000 €"),
    "customer_service": env_str(
        "SUPPLIER_CUSTOMER_SERVICE", "Service clients : 02 31 00 00 00 (lundi au vendredi, 8 h 30 – 18 h)"
    ),
}
# The account transfers are paid to and direct debits collected by (BT-84/BT-86), SEPA creditor id (BT-90).
SUPPLIER_IBAN = env_str("SUPPLIER_IBAN", "FR7630006000011234567890189")
SUPPLIER_BIC = env_str("SUPPLIER_BIC", "AGRIFRPPXXX")
SUPPLIER_SEPA_CREDITOR_ID = env_str("SUPPLIER_SEPA_CREDITOR_ID", "FR12ZZZ123456")
# ChorusPro through the State's API gateway (PISTE). Without client id, secret and technical
# user, every flux is written to MEDIA_ROOT/chorus-outbox/<schema>/ instead of being sent.
CHORUS_CLIENT_ID = env_str("CHORUS_CLIENT_ID")
CHORUS_CLIENT_SECRET = env_str("CHORUS_CLIENT_SECRET")
CHORUS_TECHNICAL_LOGIN = env_str("CHORUS_TECHNICAL_LOGIN")
CHORUS_TECHNICAL_PASSWORD = env_str("CHORUS_TECHNICAL_PASSWORD")
CHORUS_TOKEN_URL = env_str("CHORUS_TOKEN_URL", "https://sandbox-oauth.piste.gouv.fr/api/oauth/token")
CHORUS_API_URL = env_str("CHORUS_API_URL", "https://sandbox-api.piste.gouv.fr/cpro/")
CHORUS_TIMEOUT_SECONDS = env_int("CHORUS_TIMEOUT_SECONDS", 30)

# Distributor files dropped in <inbox>/<syndicate code>/ are ingested by consumption.tasks.inbox_watch.
METER_DATA_INBOX = env_str("METER_DATA_INBOX", str(VAR_DIR / "inbox"))
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_TIMEZONE = TIME_ZONE

# --- Email --------------------------------------------------------------------------------

EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if PRODUCTION
    else "django.core.mail.backends.locmem.EmailBackend"
    if TESTING
    else "django.core.mail.backends.filebased.EmailBackend",
)
# Where the file backend writes each mail (the browser tests point their server at a temporary folder).
EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH", str(VAR_DIR / "mail"))
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
# A finished export smaller than this travels attached to its e-mail; a larger one as an expiring link.
EXPORT_ATTACHMENT_MAX_BYTES = env_int("EXPORT_ATTACHMENT_MAX_BYTES", 5 * 1024 * 1024)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Espace client Énergie <no-reply@fournisseur.example>")

# --- API ----------------------------------------------------------------------------------

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "config.api_pagination.BoundedPageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    # drf-spectacular plus the error answers of every operation (config/api_schema.py).
    "DEFAULT_SCHEMA_CLASS": "config.api_schema.ContractAutoSchema",
    "DEFAULT_METADATA_CLASS": "config.api_metadata.ApiMetadata",  # OPTIONS never a 500
    # Per user or token, and per client address; rates in RATE_LIMITS (config/throttling.py).
    "DEFAULT_THROTTLE_CLASSES": ["config.throttling.ApiUserThrottle", "config.throttling.ApiClientThrottle"],
    # A service's ValidationError answers 400 with its messages, in every endpoint.
    "EXCEPTION_HANDLER": "config.api_errors.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "API de l'espace client",
    "DESCRIPTION": "Member-scoped REST API of a syndicate's customer platform.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",  # assets served from our own static files, no CDN
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "config.api_schema.add_error_components",
    ],
    # Several models have a "status" (sites, exports…): name each enum after its choices.
    "ENUM_NAME_OVERRIDES": {
        "SiteStatusEnum": "perimeter.choices.SiteStatus",
        "UserRoleEnum": "accounts.choices.Role",
        "ContactRoleEnum": "perimeter.choices.ContactRole",
        "JourneySiteStatusEnum": "datacollection.api.serializers.STATUS_CHOICES",
        "ChorusDepositStatusEnum": "einvoicing.choices.DepositStatus",
        "TechnicalRequestStatusEnum": "technical_requests.choices.RequestStatus",
        "RequestFieldKindEnum": "technical_requests.choices.FieldKind",
        "MemberKindEnum": "perimeter.choices.MemberKind",
        "InvoiceKindEnum": "invoicing.choices.InvoiceKind",
        "PowerStepKvaEnum": "technical_requests.catalogue.POWER_STEPS_KVA",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
