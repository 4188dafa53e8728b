"""Settings for ITA Tracker, all read from the environment.

Development (DJANGO_DEBUG=1) works out of the box on SQLite in the project folder; production
(DEBUG off) must be given SECRET_KEY and DATABASE_URL. A value that is set but wrong stops the
process at start-up with ImproperlyConfigured naming the variable, instead of misbehaving later.
"""

import datetime
import importlib.util
import logging
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in ("1", "true", "yes", "on"):
        return True
    if value.lower() in ("0", "false", "no", "off"):
        return False
    raise ImproperlyConfigured(f"{name} must be 1/0, true/false, yes/no or on/off, not {value!r}")


def env_list(name, default=""):
    return [part.strip() for part in os.environ.get(name, default).split(",") if part.strip()]


def env_int(name, default, *, minimum=None, maximum=None):
    value = os.environ.get(name, "").strip()
    if value == "":
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}") from None
    if minimum is not None and number < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, not {number}")
    if maximum is not None and number > maximum:
        raise ImproperlyConfigured(f"{name} must be at most {maximum}, not {number}")
    return number


def env_choice(name, default, choices):
    value = os.environ.get(name, "").strip().upper() or default
    if value not in choices:
        raise ImproperlyConfigured(f"{name} must be one of {', '.join(choices)}, not {value!r}")
    return value


def env_proxy_header(name):
    """("HTTP_X_FORWARDED_PROTO", "https") from "HTTP_X_FORWARDED_PROTO,https"; None when unset.

    Only set it when a proxy that overwrites the header is the only way to reach the app: anyone
    who can reach the app directly could otherwise claim a request came over HTTPS."""
    value = os.environ.get(name, "").strip()
    if value == "":
        return None
    parts = [part.strip() for part in value.split(",")]
    if len(parts) != 2 or not parts[0].startswith("HTTP_") or not parts[1]:
        raise ImproperlyConfigured(
            f"{name} must be the header as Django names it and the value meaning HTTPS, "
            f"e.g. HTTP_X_FORWARDED_PROTO,https; not {value!r}"
        )
    return parts[0], parts[1]


def env_database(name, *, default, conn_max_age):
    """The database from a URL (postgres://user:password@host:5432/name or sqlite:////path/file.sqlite3).

    Errors name the scheme, never the URL: it holds the password."""
    url = os.environ.get(name, "").strip() or default
    if url is None:
        raise ImproperlyConfigured(
            f"Set {name} (e.g. postgres://ita:password@db:5432/ita). Without it the app would keep its data in "
            "SQLite in the project folder, which is only for development with DJANGO_DEBUG=1."
        )
    scheme = url.partition("://")[0] if "://" in url else ""
    try:
        database = dj_database_url.parse(url, conn_max_age=conn_max_age)
    except ValueError:
        raise ImproperlyConfigured(
            f"{name} must look like postgres://user:password@host:5432/name or sqlite:////path/to/file.sqlite3 "
            f"(special characters in the password %-encoded); the one set (scheme {scheme!r}) cannot be read"
        ) from None
    if database["ENGINE"] not in ("django.db.backends.postgresql", "django.db.backends.sqlite3"):
        raise ImproperlyConfigured(f"{name} must be a PostgreSQL or SQLite URL, not {scheme}://")
    if not database["NAME"]:
        raise ImproperlyConfigured(f"{name} names no database: put it after the host, e.g. …@db:5432/ita")
    return database


DEBUG = env_bool("DJANGO_DEBUG")

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("Set SECRET_KEY (or DJANGO_DEBUG=1 for local development).")
    SECRET_KEY = "development-only-key-never-use-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    # The project's own management commands (backup, restore); it has no models.
    "ita_tracker",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_tables2",
    "django_filters",
    "simple_history",
    "django_tasks_db",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "assessments",
    "accounts",
    "measures",
    "people",
    "oit",
    "notifications",
    "reports",
    "dashboards",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "ita_tracker.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "accounts.middleware.SessionLimitsMiddleware",
    "accounts.middleware.SecondFactorMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "ita_tracker.middleware.NullBytesNotFound",
    "ita_tracker.middleware.BusyDatabaseMiddleware",
    # Last, as axes asks: it turns a sign-in refused for too many failures into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "ita_tracker.urls"
WSGI_APPLICATION = "ita_tracker.wsgi.application"

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
                "notifications.context_processors.bell",
            ],
        },
    },
]

DATABASES = {
    "default": env_database(
        "DATABASE_URL",
        # Only development may fall back to a file in the project folder (`make clean` deletes it).
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}" if DEBUG else None,
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60, minimum=0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite has one writer at a time. WAL lets pages read while someone writes; IMMEDIATE takes
    # the write lock when a transaction begins, so a check and the write that follows it cannot
    # interleave with another request's (SQLite has no SELECT ... FOR UPDATE); a writer that finds
    # the lock taken waits up to `timeout` seconds instead of failing at once.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": env_int("SQLITE_TIMEOUT", 20, minimum=0),
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Database sessions that know their user, for "sign out everywhere".
SESSION_ENGINE = "accounts.sessions"

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Thai first: Thai is the default language whatever the browser asks for until the
# user picks English, and times are Bangkok's.
LANGUAGE_CODE = "th"
LANGUAGES = [("th", _("Thai")), ("en", _("English"))]
# The choice is kept a year in the browser, and for good with the user (accounts.Preferences).
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Bangkok"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))


def env_file_storage():
    """Where evidence files and bundles are kept: MEDIA_ROOT, or an S3-compatible bucket when
    AWS_STORAGE_BUCKET_NAME is set, so that several instances and workers share one set of files.

    The bucket stays private: every file is read back through the app, which checks who may have
    it. boto3 takes the keys from AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, as it always does."""
    bucket = os.environ.get("AWS_STORAGE_BUCKET_NAME", "").strip()
    endpoint = os.environ.get("AWS_S3_ENDPOINT_URL", "").strip()
    if not bucket:
        if endpoint:
            raise ImproperlyConfigured("AWS_S3_ENDPOINT_URL is set but AWS_STORAGE_BUCKET_NAME is not: name the bucket")
        return {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    if endpoint and not endpoint.startswith(("http://", "https://")):
        raise ImproperlyConfigured(f"AWS_S3_ENDPOINT_URL must start with http:// or https://, not {endpoint!r}")
    options = {
        "bucket_name": bucket,
        "endpoint_url": endpoint or None,
        "region_name": os.environ.get("AWS_S3_REGION_NAME", "").strip() or None,
        # A folder inside the bucket, when the bucket is shared with something else.
        "location": os.environ.get("AWS_LOCATION", "").strip().strip("/"),
        # Two uploads of "minutes.pdf" to one report are two files, as on the file system.
        "file_overwrite": False,
        "default_acl": None,
        "querystring_auth": True,
    }
    return {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options}


STORAGES = {
    "default": env_file_storage(),
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}


def env_cache(name):
    """The cache every instance shares: the database's table (made by migration reports 0005), or
    Redis from a redis:// or rediss:// URL. A cache in process memory would hold different values
    in each worker, so it is never used."""
    url = os.environ.get(name, "").strip()
    if not url:
        return {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": CACHE_TABLE}
    scheme = url.partition("://")[0] if "://" in url else ""
    if scheme not in ("redis", "rediss"):
        raise ImproperlyConfigured(
            f"{name} must be a redis:// or rediss:// URL, not {scheme or 'one without a scheme'}"
        )
    if importlib.util.find_spec("redis") is None:
        raise ImproperlyConfigured(
            f"{name} names a Redis server, but the redis package is not installed (pip install redis)"
        )
    return {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}


# The table of the database cache; migration reports 0005 creates it.
CACHE_TABLE = "ita_cache"
CACHES = {"default": env_cache("CACHE_URL")}

# Long jobs (the year-end ZIP bundles) are queued in the database and run by
# `manage.py db_worker`, so any web instance may queue and any worker may run them.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# A worker stamps the bundle it builds when it starts and after every file (one file takes
# seconds); a bundle not stamped for this long lost its worker (killed, out of memory, reboot):
# it is shown as failed and may be asked for again.
BUNDLE_STALL_SECONDS = env_int("BUNDLE_STALL_SECONDS", 300)
if BUNDLE_STALL_SECONDS < 60:
    raise ImproperlyConfigured("BUNDLE_STALL_SECONDS must be at least 60, longer than any single document takes.")

# The font the Excel files name: government PCs have the national fonts TH SarabunPSK and TH Sarabun
# New (not Sarabun, which the PDFs embed); the workbook only names it, the PC that opens it draws it.
XLSX_FONTS = ("TH SarabunPSK", "TH Sarabun New", "Sarabun")
XLSX_FONT = os.environ.get("XLSX_FONT", "").strip() or XLSX_FONTS[0]
if XLSX_FONT not in XLSX_FONTS:
    raise ImproperlyConfigured(f"XLSX_FONT must be one of {', '.join(XLSX_FONTS)}, not {XLSX_FONT!r}")

# The audit trail is read-only: nobody can restore an old version from the admin.
SIMPLE_HISTORY_REVERT_DISABLED = True

# Evidence files: PDF, images and Office documents, checked by content, at most this size each,
# at most EVIDENCE_MAX_REQUEST_BYTES in one save and EVIDENCE_MAX_ENTRY_BYTES on one report.
EVIDENCE_MAX_BYTES = env_int("EVIDENCE_MAX_BYTES", 10 * 1024 * 1024, minimum=1)
EVIDENCE_MAX_REQUEST_BYTES = env_int("EVIDENCE_MAX_REQUEST_BYTES", 20 * 1024 * 1024, minimum=1)
EVIDENCE_MAX_ENTRY_BYTES = env_int("EVIDENCE_MAX_ENTRY_BYTES", 50 * 1024 * 1024, minimum=1)

# Uploads above FILE_UPLOAD_MAX_MEMORY_SIZE go to a temporary file, which a results import reads
# as a stream (Django's default, 2.5 MB); other request bodies stay under 5 MB.
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = int(2.5 * 1024 * 1024)

# Limits of a results or agencies file (web upload and import commands), checked while the file
# is read so that a file made to unpack to gigabytes is refused within seconds and megabytes.
# Rows: a national year, every agency at once: 8,323 agencies × 61 item figures of 2568 are
# 507,703 rows; the most detailed framework (2562-2565, 149 figures) would be 1.24 million.
IMPORT_MAX_ROWS = env_int("IMPORT_MAX_ROWS", 1_300_000, minimum=1)
# Bytes: a national year of 2568 is about 20 MB of CSV, of 2562-2565 about 45 MB. Files are
# read as a stream, so this bounds time, not memory.
IMPORT_MAX_FILE_BYTES = env_int("IMPORT_MAX_FILE_BYTES", 64 * 1024 * 1024, minimum=1)
# Unpacked XLSX: 100,000 rows of the five template columns unpack to 15-20 MB, of the ten
# columns of export_results to about 40 MB; streamed with expat, so this too bounds time.
IMPORT_MAX_UNPACKED_BYTES = env_int("IMPORT_MAX_UNPACKED_BYTES", 600 * 1024 * 1024, minimum=1)
# Columns: the template has 5, export_results writes 10; the rest is room for notes.
IMPORT_MAX_COLUMNS = env_int("IMPORT_MAX_COLUMNS", 50, minimum=1)
# Characters in a cell: the longest agency names are about 150; bounds what an error quotes.
IMPORT_MAX_CELL_CHARS = env_int("IMPORT_MAX_CELL_CHARS", 1000, minimum=1)
# Bad rows listed on the page and in the commands' output; the rest are counted.
IMPORT_PROBLEMS_SHOWN = env_int("IMPORT_PROBLEMS_SHOWN", 50, minimum=0)

# Console in development; SMTP (settings from the environment) in production.
MAILERS = {
    "default": {
        "BACKEND": os.environ.get(
            "EMAIL_BACKEND",
            "django.core.mail.backends.console.EmailBackend"
            if DEBUG
            else "django.core.mail.backends.smtp.EmailBackend",
        ),
        "OPTIONS": {
            key: value
            for key, value in {
                "host": os.environ.get("EMAIL_HOST"),
                "port": env_int("EMAIL_PORT", None, minimum=1, maximum=65535),
                "username": os.environ.get("EMAIL_HOST_USER"),
                "password": os.environ.get("EMAIL_HOST_PASSWORD"),
                "use_tls": env_bool("EMAIL_USE_TLS") or None,
            }.items()
            if value is not None
        },
    }
}
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "ita-tracker@localhost")

# An invitation to join an agency (people app) may be accepted for this many days after it is sent.
INVITATION_DAYS = env_int("INVITATION_DAYS", 7, minimum=1, maximum=90)

# The address people open the site at, for links in e-mails sent outside a request (send_reminders).
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
if not SITE_URL.startswith(("http://", "https://")):
    raise ImproperlyConfigured(f"SITE_URL must start with http:// or https://, not {SITE_URL!r}")

# Deployment and browser security
# Nothing here is assumed about the network in front of the app: HTTPS redirects, HSTS and trusting a
# proxy's header are the operator's decisions, set in the environment (README, "Security").
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_PROXY_SSL_HEADER = env_proxy_header("SECURE_PROXY_SSL_HEADER")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT")
# The container's health check asks over plain HTTP from inside; a redirect would read as unhealthy.
SECURE_REDIRECT_EXEMPT = [r"^health/$"]
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS")
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD")
# W021 (no HSTS preload) is not a fault of a deployment: the preload list takes only a registered
# domain as a whole, and the app usually runs on one of an agency's subdomains. Whoever owns the
# domain decides, with SECURE_HSTS_PRELOAD.
SILENCED_SYSTEM_CHECKS = ["security.W021"]

# Content Security Policy and error pages
# Scripts, styles and everything else come only from the site's own files: no inline script or
# style and no style="" or on…= attributes, so that injected markup cannot run or restyle the page.
# Charts are inline SVG with presentation attributes, which the policy does not cover. Nothing
# may frame the site, and forms post only to it. tests/test_csp.py keeps the templates clean.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}
# Django's own CSRF page has an inline style and speaks English; ours is in the site's layout.
CSRF_FAILURE_VIEW = "ita_tracker.views.csrf_failure"

# One line per record, with time, level and logger, to the console (the container's log).
LOG_LEVEL = env_choice("LOG_LEVEL", "WARNING", ["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"])
LOG_LEVEL_NUMBER = logging.getLevelNamesMapping()[LOG_LEVEL]
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"line": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "line"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        # Listing "django" drops Django's own handlers (the console only with DEBUG on, mail to ADMINS,
        # which is unset): its records, server errors (django.request) among them, reach the root's.
        "django": {"level": LOG_LEVEL},
        # Refused hosts, bad CSRF tokens and lock-outs are kept down to warnings whatever LOG_LEVEL
        # says: they are what someone looks for after an attack.
        "django.security": {"level": min(LOG_LEVEL_NUMBER, logging.WARNING)},
        "axes": {"level": min(LOG_LEVEL_NUMBER, logging.WARNING)},
        # WeasyPrint and fontTools report every step of every PDF at INFO.
        "weasyprint": {"level": max(LOG_LEVEL_NUMBER, logging.WARNING)},
        "fontTools": {"level": max(LOG_LEVEL_NUMBER, logging.WARNING)},
    },
}

# Sign-in: throttling, two-factor, passwords and sessions


# The throttle (django-axes) counts failed sign-ins per account and, separately, per address: one
# account guessed from many addresses is locked, and so is one address guessing many accounts.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
LOGIN_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5, minimum=1)
LOGIN_LOCKOUT_MINUTES = env_int("LOGIN_LOCKOUT_MINUTES", 15, minimum=1)
AXES_FAILURE_LIMIT = LOGIN_FAILURE_LIMIT
AXES_COOLOFF_TIME = datetime.timedelta(minutes=LOGIN_LOCKOUT_MINUTES)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "accounts.sign_in.locked_out"
AXES_ENABLE_ACCESS_FAILURE_LOG = True
# The address a request comes from is REMOTE_ADDR, unless the operator says how many reverse
# proxies stand in front (each appends to X-Forwarded-For); a client can write the header
# itself, so it is never read without them (accounts.addresses.client_address).
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0, minimum=0)
AXES_CLIENT_IP_CALLABLE = "accounts.addresses.client_address"

# Two-factor (django-otp, TOTP): required of administrators (accounts.second_factor). Wrong codes
# are throttled by each device (a growing wait) and counted by the sign-in step itself.
OTP_TOTP_ISSUER = os.environ.get("OTP_TOTP_ISSUER", "ITA Tracker")
# Nobody, administrators included, reads another person's secret from the admin.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
SECOND_FACTOR_FAILURE_LIMIT = 5

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# A session ends after SESSION_IDLE_MINUTES without a request, and SESSION_MAX_HOURS after the
# sign-in whatever happens (accounts.middleware.SessionLimitsMiddleware); the cookie lasts no longer.
SESSION_IDLE_MINUTES = env_int("SESSION_IDLE_MINUTES", 30, minimum=1)
SESSION_MAX_HOURS = env_int("SESSION_MAX_HOURS", 12, minimum=1)
SESSION_COOKIE_AGE = SESSION_MAX_HOURS * 3600
