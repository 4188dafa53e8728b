"""Settings for ITA Tracker, all read from the environment.

Local defaults (SQLite in the project folder, DEBUG off) work out of the box; a value
that is set but wrong stops the process at start-up instead of misbehaving later.
"""

import datetime
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
    "reports",
    "dashboards",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
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
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite has one writer at a time. WAL lets pages read while someone writes; IMMEDIATE takes
    # the write lock when a transaction begins, so a check and the write that follows it cannot
    # interleave with another request's (SQLite has no SELECT ... FOR UPDATE); a writer that finds
    # the lock taken waits up to `timeout` seconds instead of failing at once.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": int(os.environ.get("SQLITE_TIMEOUT", "20")),
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
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Bangkok"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))

# Long jobs (the year-end ZIP bundles) are queued in the database and run by
# `manage.py db_worker`, so any web instance may queue and any worker may run them.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# A worker stamps the bundle it builds when it starts and after every file (one file takes
# seconds); a bundle not stamped for this long lost its worker (killed, out of memory, reboot):
# it is shown as failed and may be asked for again.
BUNDLE_STALL_SECONDS = int(os.environ.get("BUNDLE_STALL_SECONDS", "300"))
if BUNDLE_STALL_SECONDS < 60:
    raise ImproperlyConfigured("BUNDLE_STALL_SECONDS must be at least 60, longer than any single document takes.")

# The audit trail is read-only: nobody can restore an old version from the admin.
SIMPLE_HISTORY_REVERT_DISABLED = True

# Evidence files: PDF, images and Office documents, checked by content, at most this size each,
# at most EVIDENCE_MAX_REQUEST_BYTES in one save and EVIDENCE_MAX_ENTRY_BYTES on one report.
EVIDENCE_MAX_BYTES = int(os.environ.get("EVIDENCE_MAX_BYTES", 10 * 1024 * 1024))
EVIDENCE_MAX_REQUEST_BYTES = int(os.environ.get("EVIDENCE_MAX_REQUEST_BYTES", 20 * 1024 * 1024))
EVIDENCE_MAX_ENTRY_BYTES = int(os.environ.get("EVIDENCE_MAX_ENTRY_BYTES", 50 * 1024 * 1024))

# Uploaded results files are read in memory; anything larger than this is not a results file.
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Limits of a results or agencies file (web upload and import commands), checked while the file
# is read so that a file made to unpack to gigabytes is refused within seconds and megabytes.
# Rows: the most detailed framework (2562-2565) has 149 figures per agency and year; the largest
# province has about 360 agencies (54,000 rows), so 100,000 holds it or a ministry with room.
IMPORT_MAX_ROWS = int(os.environ.get("IMPORT_MAX_ROWS", 100_000))
# Bytes: 100,000 rows of CSV are about 2.5 MB; under FILE_UPLOAD_MAX_MEMORY_SIZE.
IMPORT_MAX_FILE_BYTES = int(os.environ.get("IMPORT_MAX_FILE_BYTES", 4 * 1024 * 1024))
# Unpacked XLSX: 100,000 rows of the five template columns unpack to 15-20 MB, of the ten
# columns of export_results to about 40 MB.
IMPORT_MAX_UNPACKED_BYTES = int(os.environ.get("IMPORT_MAX_UNPACKED_BYTES", 64 * 1024 * 1024))
# Columns: the template has 5, export_results writes 10; the rest is room for notes.
IMPORT_MAX_COLUMNS = int(os.environ.get("IMPORT_MAX_COLUMNS", 50))
# Characters in a cell: the longest agency names are about 150; bounds what an error quotes.
IMPORT_MAX_CELL_CHARS = int(os.environ.get("IMPORT_MAX_CELL_CHARS", 1000))
# Bad rows listed on the page and in the commands' output; the rest are counted.
IMPORT_PROBLEMS_SHOWN = int(os.environ.get("IMPORT_PROBLEMS_SHOWN", 50))

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
                "port": int(os.environ["EMAIL_PORT"]) if os.environ.get("EMAIL_PORT") else None,
                "username": os.environ.get("EMAIL_HOST_USER"),
                "password": os.environ.get("EMAIL_HOST_PASSWORD"),
                "use_tls": env_bool("EMAIL_USE_TLS") or None,
            }.items()
            if value is not None
        },
    }
}
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "ita-tracker@localhost")

# The address people open the site at, for links in e-mails sent outside a request (send_reminders).
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
if not SITE_URL.startswith(("http://", "https://")):
    raise ImproperlyConfigured(f"SITE_URL must start with http:// or https://, not {SITE_URL!r}")

if not DEBUG:
    SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
    CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

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

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

# Sign-in: throttling, two-factor, passwords and sessions


def env_count(name, default, *, minimum=1):
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}") from None
    if number < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, not {value!r}")
    return number


# The throttle (django-axes) counts failed sign-ins per account and, separately, per address: one
# account guessed from many addresses is locked, and so is one address guessing many accounts.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
LOGIN_FAILURE_LIMIT = env_count("LOGIN_FAILURE_LIMIT", 5)
LOGIN_LOCKOUT_MINUTES = env_count("LOGIN_LOCKOUT_MINUTES", 15)
AXES_FAILURE_LIMIT = LOGIN_FAILURE_LIMIT
AXES_COOLOFF_TIME = datetime.timedelta(minutes=LOGIN_LOCKOUT_MINUTES)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "accounts.sign_in.locked_out"
AXES_ENABLE_ACCESS_FAILURE_LOG = True
# The address a request comes from is REMOTE_ADDR, unless the operator says how many reverse
# proxies stand in front (each appends to X-Forwarded-For); a client can write the header
# itself, so it is never read without them (accounts.addresses.client_address).
TRUSTED_PROXY_COUNT = env_count("TRUSTED_PROXY_COUNT", 0, minimum=0)
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
SESSION_IDLE_MINUTES = env_count("SESSION_IDLE_MINUTES", 30)
SESSION_MAX_HOURS = env_count("SESSION_MAX_HOURS", 12)
SESSION_COOKIE_AGE = SESSION_MAX_HOURS * 3600
