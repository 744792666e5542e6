"""Ayni settings, read from the environment.

Development defaults need nothing: an SQLite file under ``var/`` and DEBUG on. Production is
``AYNI_ENV=production``: it requires ``SECRET_KEY`` (or ``SECRET_KEY_FILE``) and turns on every
protection that ``manage.py check --deploy`` asks for.

Every ``AYNI_*`` variable is read here, once, with its type and default, and the code reads
``settings.AYNI_*`` (never the environment, never ``getattr`` with a default of its own):
docs/development.md lists them. There is no country setting: the country comes from the
country office of the user (or the programme), and the public chooses.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent.parent


def envstr(name: str, default: str = "") -> str:
    """A string from the environment, or from the file named by NAME_FILE (for secrets)."""
    path = os.environ.get(f"{name}_FILE")
    if path:
        return Path(path).read_text(encoding="utf-8").strip()
    return os.environ.get(name, default)


def envbool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def envint(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}") from exc


def envlist(name: str, default: str) -> list[str]:
    return [item.strip() for item in envstr(name, default).split(",") if item.strip()]


# development or production (see the module docstring).
AYNI_ENV = envstr("AYNI_ENV", "development")
if AYNI_ENV not in {"development", "production"}:
    raise ImproperlyConfigured(f"AYNI_ENV must be development or production, not {AYNI_ENV!r}")
PRODUCTION = AYNI_ENV == "production"

# AYNI_DATA_DIR: where the SQLite file, uploads, the analytics store and downloads live. A
# checkout keeps its data in var/ beside pyproject.toml; an installed package, in ./var.
_DEFAULT_DATA_DIR = (
    PROJECT_DIR / "var" if (PROJECT_DIR / "pyproject.toml").exists() else Path.cwd() / "var"
)
DATA_DIR = Path(envstr("AYNI_DATA_DIR", str(_DEFAULT_DATA_DIR)))

SECRET_KEY = envstr("SECRET_KEY")
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured("SECRET_KEY (or SECRET_KEY_FILE) is required in production")
    # Development only: a fixed, obviously unsafe key so that sessions survive restarts.
    SECRET_KEY = "ayni-development-only-insecure-key-do-not-use-in-production"  # noqa: S105

DEBUG = envbool("DEBUG", not PRODUCTION)
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "axes",
    "auditlog",
    # Two-step verification: django-otp's device framework and its TOTP device; recovery
    # codes are Ayni's own device (accounts.models), stored hashed.
    "django_otp",
    "django_otp.plugins.otp_totp",
    "ayni.core",
    "ayni.accounts",
    "ayni.geography",
    "ayni.partners",
    "ayni.programmes",
    "ayni.finance",
    "ayni.evidence",
    "ayni.monitoring",
    "ayni.reporting",
    "ayni.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Outside the session and authentication middleware: it reads request.user after them.
    "ayni.core.middleware.SecurityHeadersMiddleware",
    # Logs refused answers (401, 403); reads request.user after the view, like the one above.
    "ayni.core.security_log.SecurityEventMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # After authentication and messages: it signs an expired session out with a note.
    "ayni.core.sessions.SessionLifetimeMiddleware",
    # After authentication: a user who must use two-step verification and has not set it up
    # reaches only its set-up page (accounts/two_step.py).
    "ayni.accounts.middleware.TwoStepSetupMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "auditlog.middleware.AuditlogMiddleware",
    # Last, as django-axes asks: it turns a lock-out into a response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "ayni.urls"
WSGI_APPLICATION = "ayni.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "ayni.core.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        envstr("DATABASE_URL", f"sqlite:///{DATA_DIR / 'ayni.sqlite3'}"),
        conn_max_age=envint("DATABASE_CONN_MAX_AGE", 60 if PRODUCTION else 0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web server read while an import writes; IMMEDIATE takes the write lock when
    # a transaction begins (a deferred one that reads first cannot wait for it, it fails at
    # once); a writer that finds the lock taken waits up to ``timeout`` seconds for it.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The cache. With REDIS_URL (production with several processes) one Redis shared by every web
# and worker process: sessions are read from it (``cached_db``: written to the database too,
# so a Redis restart signs nobody out; while Redis is down, signed-in pages fail), and /healthz
# checks it. Without it each process keeps its own memory cache and sessions stay in
# the database only (a per-process cache in front of them would serve a signed-out session
# from another process's memory). django-axes keeps its failed sign-ins in the database
# either way (its cache handler would forget a lock-out when Redis restarts).
REDIS_URL = envstr("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": envstr("CACHE_KEY_PREFIX", "ayni"),
            # A Redis that hangs must not hang the pages: fail within two seconds instead.
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
# Passwords: at least AYNI_PASSWORD_MIN_LENGTH characters (no upper bound below Django's
# 4,096, no composition rules), not a common password, not made of the words a guesser tries
# first here (docs/security.md lists them: accounts/password_validation.py).
AYNI_PASSWORD_MIN_LENGTH = envint("AYNI_PASSWORD_MIN_LENGTH", 12)
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": AYNI_PASSWORD_MIN_LENGTH},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "ayni.accounts.password_validation.ContextWordsValidator"},
]
# Two-step verification (accounts/two_step.py). Required: every signed-in user must set it up
# before anything else (on by default in production; off in development so that the demo
# sign-in and the tests need no authenticator app).
AYNI_MFA_REQUIRED = envbool("AYNI_MFA_REQUIRED", PRODUCTION)
# The name authenticator apps show beside the account.
OTP_TOTP_ISSUER = "Ayni"
# After a wrong code a device refuses to check another for 1, 2, 4, 8… seconds times this
# factor (django-otp's throttling): the authenticator app and the recovery codes apart.
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_STATIC_THROTTLE_FACTOR = 1
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "reporting:home"
LOGOUT_REDIRECT_URL = "reporting:home"

# Lock-out after repeated failed logins (django-axes): per user name and address together, so
# that one attacker cannot lock every user out from one address.
# On: a lock-out also pauses the account's API tokens (accounts.tokens.is_locked_out).
AXES_ENABLED = True
AXES_FAILURE_LIMIT = envint("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = envint("AXES_COOLOFF_MINUTES", 30) / 60
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False
# What django-axes keeps of a failed attempt's form: never a password or a one-time code.
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "code"]
AXES_CLIENT_IP_CALLABLE = "ayni.core.network.client_ip"

# How many reverse proxies stand in front of the server (0: none, the header is ignored). The
# client's address is read from X-Forwarded-For accordingly, in one place (core/network.py):
# lock-outs, the API's rate limits and the security log use it. Left at 0 behind a proxy,
# every request comes from the proxy's address, and a few failed sign-ins by anyone would
# lock a user name out for everyone.
AYNI_PROXY_COUNT = envint("AYNI_PROXY_COUNT", 0)


# API rate limits (DRF's "N/second|minute|hour|day"): per signed-in user, and per address for
# anonymous calls. Empty turns a limit off.
def envrate(name: str, default: str) -> str | None:
    value = envstr(name, default).strip()
    if not value:
        return None
    count, _slash, period = value.partition("/")
    if not (count.isdigit() and period in {"second", "minute", "hour", "day"}):
        raise ImproperlyConfigured(f"{name} must look like 120/minute, not {value!r}")
    return value


AYNI_API_RATE_USER = envrate("AYNI_API_RATE_USER", "1200/minute")
AYNI_API_RATE_ANON = envrate("AYNI_API_RATE_ANON", "120/minute")

# API tokens (accounts.ApiToken): the longest a person may make one last, in days.
AYNI_TOKEN_MAX_DAYS = envint("AYNI_TOKEN_MAX_DAYS", 365)
if AYNI_TOKEN_MAX_DAYS < 1:
    raise ImproperlyConfigured("AYNI_TOKEN_MAX_DAYS must be at least 1")

LANGUAGE_CODE = "es"
LANGUAGES = [("es", _("Spanish")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = envstr("TIME_ZONE", "America/Lima")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(envstr("STATIC_ROOT", str(DATA_DIR / "static")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # What jobs read and write (uploaded imports, exports): under MEDIA_ROOT, which no URL
    # serves; files are downloaded only through the job's download view, which checks who
    # asks. Point this alias at another backend (object storage) to share it between hosts.
    "jobs": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
MEDIA_ROOT = DATA_DIR / "media"
# Request bodies (other than uploaded files) above this size are refused.
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Files to import above this size are refused before they are read (uploads, and every
# importer again on the file itself).
AYNI_MAX_IMPORT_BYTES = envint("AYNI_MAX_IMPORT_BYTES", 200 * 1024 * 1024)
# Deepest nesting of arrays and objects accepted in a JSON import or request body (a DHIS2
# value is 3 deep, a MultiPolygon's coordinates 6): parsers' work grows with the depth.
AYNI_MAX_JSON_DEPTH = envint("AYNI_MAX_JSON_DEPTH", 64)
# SDMX-ML data structure files the server keeps, chosen by file name in a mapping's
# constants.structure (a structure can also be uploaded with the import).
AYNI_SDMX_STRUCTURES_DIR = Path(
    envstr("AYNI_SDMX_STRUCTURES_DIR", str(DATA_DIR / "sdmx-structures"))
)
# XLSX imports, checked before openpyxl opens the file: the size of all its parts expanded,
# and its shared strings, which openpyxl holds in memory all at once (a workbook of repeated
# texts compresses well below the ratio guard yet expands to gigabytes in memory). Excel
# itself keeps a cell to 32,767 characters.
AYNI_XLSX_MAX_EXPANDED_BYTES = envint("AYNI_XLSX_MAX_EXPANDED_BYTES", 1024 * 1024 * 1024)
AYNI_XLSX_MAX_SHARED_STRINGS_BYTES = envint("AYNI_XLSX_MAX_SHARED_STRINGS_BYTES", 64 * 1024 * 1024)
AYNI_XLSX_MAX_SHARED_STRINGS = envint("AYNI_XLSX_MAX_SHARED_STRINGS", 1_000_000)
AYNI_XLSX_MAX_STRING_LENGTH = envint("AYNI_XLSX_MAX_STRING_LENGTH", 32_767)
# A workbook is a few dozen parts (a few per sheet); each part is opened by the DTD check.
AYNI_XLSX_MAX_PARTS = envint("AYNI_XLSX_MAX_PARTS", 10_000)
# A data file's header names a few dozen columns; more than this is refused before it is read.
AYNI_IMPORT_MAX_COLUMNS = envint("AYNI_IMPORT_MAX_COLUMNS", 500)
# Background jobs: "thread" runs them in the web process (embedded default, no extra
# service); "worker" queues them in the database for `ayni worker` processes.
AYNI_JOBS = envstr("AYNI_JOBS", "thread")
if AYNI_JOBS not in {"thread", "worker"}:
    raise ImproperlyConfigured(f"AYNI_JOBS must be thread or worker, not {AYNI_JOBS!r}")
# A running job or import batch shows it is alive through its process (same host: the process
# is checked) and a heartbeat written every AYNI_JOB_HEARTBEAT_SECONDS; one of another host
# whose heartbeat is older than AYNI_JOB_STALE_SECONDS is taken as dead. Workers and the web
# process look for dead jobs and batches every AYNI_JOB_SWEEP_SECONDS, and as often the
# analytics store looks for changes it has not absorbed (at each sweep, and on a read).
AYNI_JOB_HEARTBEAT_SECONDS = envint("AYNI_JOB_HEARTBEAT_SECONDS", 30)
AYNI_JOB_STALE_SECONDS = envint("AYNI_JOB_STALE_SECONDS", 300)
AYNI_JOB_SWEEP_SECONDS = envint("AYNI_JOB_SWEEP_SECONDS", 60)
# How long job files are kept after their job finished: uploaded files to import (which a
# retry reads again) and produced exports. `ayni jobs cleanup` removes older ones; each worker
# runs it once a day (a deployment without workers runs it from cron).
AYNI_UPLOAD_RETENTION_DAYS = envint("AYNI_UPLOAD_RETENTION_DAYS", 30)
AYNI_EXPORT_RETENTION_DAYS = envint("AYNI_EXPORT_RETENTION_DAYS", 7)
# A list download of more rows than this runs as a job (progress page, then a download link)
# instead of streaming in the request.
AYNI_EXPORT_INLINE_MAX_ROWS = envint("AYNI_EXPORT_INLINE_MAX_ROWS", 5000)
# The analytics store's folder (Parquet, one partition per country, year and indicator);
# empty means <DATA_DIR>/analytics. Read at each use, so tests and benchmarks may change it.
AYNI_ANALYTICS_DIR = envstr("AYNI_ANALYTICS_DIR")
# The refresh's fast path (COPY on PostgreSQL, years two at a time, the preferred-source
# window only where an indicator has several sources). Off, the portable path runs
# everywhere: it writes the same files, and is the way out should the fast path fail.
AYNI_ANALYTICS_FAST_REFRESH = envbool("AYNI_ANALYTICS_FAST_REFRESH", True)

# Backups of a PostgreSQL database: the folder of the client programs (pg_dump, pg_restore,
# psql) of the server's major version; empty means those on the PATH.
AYNI_PG_BINDIR = envstr("AYNI_PG_BINDIR")

# Tests and CI only (the application never reads them).
# Third-party sample data (DHIS2, SDMX, boundaries) read in place; tests that need it skip
# without it.
AYNI_SHARED_DATA = Path(envstr("AYNI_SHARED_DATA", str(PROJECT_DIR.parent / "shared" / "data")))
# 1 (CI): a missing file of that folder fails the tests that read it instead of skipping them.
AYNI_REQUIRE_SHARED_DATA = envbool("AYNI_REQUIRE_SHARED_DATA", False)
# The Chromium the browser tests drive (default: chromium or chromium-browser on the PATH).
AYNI_CHROMIUM = envstr("AYNI_CHROMIUM")
# 1 (CI): a missing browser fails the browser tests instead of skipping them.
AYNI_REQUIRE_BROWSER = envbool("AYNI_REQUIRE_BROWSER", False)

REST_FRAMEWORK = {
    # Tokens first: DRF answers 401 with the first class's WWW-Authenticate challenge (the
    # session has none, and put first it made every refusal a 403). A request without an
    # Authorization header falls through to the session, which checks CSRF. Each refuses
    # (403) a user who must set up two-step verification and has not (accounts.drf).
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "ayni.accounts.drf.TokenAuthentication",
        "ayni.accounts.drf.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["ayni.core.drf.AyniPermission"],
    # JSON bodies are checked for their nesting depth before they are parsed; no field of any
    # body may hold a NUL character (core.drf).
    "DEFAULT_PARSER_CLASSES": [
        "ayni.core.drf.JSONParser",
        "ayni.core.drf.FormParser",
        "ayni.core.drf.MultiPartParser",
    ],
    "DEFAULT_THROTTLE_CLASSES": [
        "ayni.core.drf.UserRateThrottle",
        "ayni.core.drf.AnonRateThrottle",
    ],
    "DEFAULT_PAGINATION_CLASS": "ayni.core.api.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "ayni.core.schema.AutoSchema",
    "EXCEPTION_HANDLER": "ayni.core.api.exception_handler",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"]
    + ([] if PRODUCTION else ["rest_framework.renderers.BrowsableAPIRenderer"]),
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Ayni API",
    "DESCRIPTION": "Country cooperation programme for children: geography, partners and more.",
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Several models have a "status"; name each choice set so clients get stable enums.
    "ENUM_NAME_OVERRIDES": {
        "AgreementStatusEnum": "ayni.partners.models.Agreement.Status",
        "PartnerReportStatusEnum": "ayni.partners.models.PartnerReport.Status",
        "ProgrammeStatusEnum": "ayni.programmes.models.CountryProgramme.Status",
        "WorkplanStatusEnum": "ayni.programmes.models.Workplan.Status",
        "StudyStatusEnum": "ayni.evidence.models.Study.Status",
        "GrantStageEnum": "ayni.finance.models.Grant.Stage",
        "JobStatusEnum": "ayni.core.models.Job.Status",
    },
}

SESSION_COOKIE_HTTPONLY = True
# A signed-in session ends after AYNI_SESSION_IDLE_MINUTES without a request, and at the latest
# AYNI_SESSION_MAX_HOURS after signing in (core/sessions.py); the cookie lives no longer.
AYNI_SESSION_IDLE_MINUTES = envint("AYNI_SESSION_IDLE_MINUTES", 60)
AYNI_SESSION_MAX_HOURS = envint("AYNI_SESSION_MAX_HOURS", 12)
SESSION_COOKIE_AGE = AYNI_SESSION_MAX_HOURS * 3600
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    # The __Host- prefix makes the browser refuse the cookie unless it is Secure, for "/" and
    # without a Domain: a sibling sub-domain cannot set or overwrite it.
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
    SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# The health check answers over plain HTTP too, for a check on the loopback address that does
# not pass through the proxy: it carries no data and reads no cookie (core/health.py).
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": envstr("LOG_LEVEL", "WARNING")},
    # Security events (core/security_log.py): sign-ins, failures, lock-outs, refusals.
    "loggers": {
        "ayni.security": {"level": envstr("SECURITY_LOG_LEVEL", "INFO")},
    },
}
