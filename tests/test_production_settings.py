"""Production start-up: the settings read from the environment, refusals that name the variable,
`check --deploy` clean with the example environment, and the log format.

Bad values are read by running settings.py afresh in this process (milliseconds each); a few
subprocesses show what an operator sees: the exit status and the message of a real start-up."""

import os
import re
import runpy
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

ROOT = Path(__file__).resolve().parent.parent
SETTINGS = ROOT / "ita_tracker" / "settings.py"
ENV_EXAMPLE = ROOT / ".env.example"
PASSWORD = "s3cret-password"


def settings_variables():
    """Every environment variable settings.py reads, by the helpers or by os.environ directly."""
    source = SETTINGS.read_text()
    return set(re.findall(r'(?:env_\w+\(|os\.environ\.get\(|os\.environ\[|os\.getenv\()\s*"([A-Z][A-Z0-9_]*)"', source))


def example_environment():
    """{name: value} of the lines .env.example sets (not the commented-out optional ones)."""
    pairs = (line.split("=", 1) for line in ENV_EXAMPLE.read_text().splitlines() if re.match(r"[A-Z][A-Z0-9_]*=", line))
    return dict(pairs)


def load_settings(monkeypatch, **environment):
    """The settings module's names, run afresh with only `environment` of its variables set."""
    for name in settings_variables():
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(SETTINGS))


PRODUCTION = {"SECRET_KEY": "x" * 50, "DATABASE_URL": "sqlite://:memory:"}


def production_environment(tmp_path, **changes):
    """The process environment of a production server configured from .env.example: ours without
    any setting, then the example's values, with a real secret and the database and files under tmp_path."""
    outside = {name: value for name, value in os.environ.items() if name not in settings_variables()}
    environment = {
        **outside,
        **example_environment(),
        "SECRET_KEY": secrets.token_urlsafe(50),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'production.sqlite3'}",
        "MEDIA_ROOT": str(tmp_path / "media"),
        "STATIC_ROOT": str(tmp_path / "static"),
        **changes,
    }
    return {name: value for name, value in environment.items() if value is not None}


def manage(environment, *arguments):
    return subprocess.run(
        [sys.executable, "manage.py", *arguments],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("EMAIL_PORT", "abc", "EMAIL_PORT must be a whole number, not 'abc'"),
        ("EMAIL_PORT", "70000", "EMAIL_PORT must be at most 65535, not 70000"),
        ("SECURE_HSTS_SECONDS", "1 year", "SECURE_HSTS_SECONDS must be a whole number, not '1 year'"),
        ("SECURE_HSTS_SECONDS", "-1", "SECURE_HSTS_SECONDS must be at least 0, not -1"),
        ("SECURE_SSL_REDIRECT", "always", "SECURE_SSL_REDIRECT must be 1/0, true/false, yes/no or on/off"),
        ("SECURE_HSTS_INCLUDE_SUBDOMAINS", "y", "SECURE_HSTS_INCLUDE_SUBDOMAINS must be 1/0"),
        ("SECURE_PROXY_SSL_HEADER", "X-Forwarded-Proto,https", "SECURE_PROXY_SSL_HEADER must be the header"),
        ("SECURE_PROXY_SSL_HEADER", "HTTP_X_FORWARDED_PROTO", "SECURE_PROXY_SSL_HEADER must be the header"),
        ("SECURE_PROXY_SSL_HEADER", "HTTP_X_FORWARDED_PROTO,https,http", "SECURE_PROXY_SSL_HEADER must be the header"),
        ("SECURE_PROXY_SSL_HEADER", "HTTP_X_FORWARDED_PROTO,", "SECURE_PROXY_SSL_HEADER must be the header"),
        (
            "DATABASE_URL",
            f"mysql://ita:{PASSWORD}@db/ita",
            "DATABASE_URL must be a PostgreSQL or SQLite URL, not mysql://",
        ),
        ("DATABASE_URL", "db.sqlite3", "DATABASE_URL must look like postgres://"),
        ("DATABASE_URL", f"postgres://ita:{PASSWORD}@db:port/ita", "DATABASE_URL must look like postgres://"),
        ("DATABASE_URL", f"postgres://ita:{PASSWORD}@db:5432", "DATABASE_URL names no database"),
        ("DATABASE_CONN_MAX_AGE", "forever", "DATABASE_CONN_MAX_AGE must be a whole number, not 'forever'"),
        ("SQLITE_TIMEOUT", "20s", "SQLITE_TIMEOUT must be a whole number, not '20s'"),
        ("BUNDLE_STALL_SECONDS", "5m", "BUNDLE_STALL_SECONDS must be a whole number, not '5m'"),
        ("BUNDLE_STALL_SECONDS", "30", "BUNDLE_STALL_SECONDS must be at least 60"),
        ("EVIDENCE_MAX_BYTES", "10MB", "EVIDENCE_MAX_BYTES must be a whole number, not '10MB'"),
        ("EVIDENCE_MAX_REQUEST_BYTES", "0", "EVIDENCE_MAX_REQUEST_BYTES must be at least 1, not 0"),
        ("IMPORT_MAX_ROWS", "1e5", "IMPORT_MAX_ROWS must be a whole number, not '1e5'"),
        ("IMPORT_PROBLEMS_SHOWN", "-5", "IMPORT_PROBLEMS_SHOWN must be at least 0, not -5"),
        ("LOG_LEVEL", "loud", "LOG_LEVEL must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL, not 'LOUD'"),
        ("TRUSTED_PROXY_COUNT", "one", "TRUSTED_PROXY_COUNT must be a whole number, not 'one'"),
        ("SESSION_IDLE_MINUTES", "0", "SESSION_IDLE_MINUTES must be at least 1, not 0"),
        ("SITE_URL", "ita.example.go.th", "SITE_URL must start with http:// or https://"),
    ],
)
def test_a_bad_value_stops_start_up_naming_the_variable(monkeypatch, name, value, message):
    with pytest.raises(ImproperlyConfigured) as refused:
        load_settings(monkeypatch, **{**PRODUCTION, name: value})

    assert message in str(refused.value)
    assert PASSWORD not in str(refused.value)


def test_production_refuses_to_start_without_a_database_url(monkeypatch):
    with pytest.raises(ImproperlyConfigured) as refused:
        load_settings(monkeypatch, SECRET_KEY="x" * 50)

    assert "Set DATABASE_URL" in str(refused.value)
    assert "only for development with DJANGO_DEBUG=1" in str(refused.value)


def test_development_falls_back_to_sqlite_in_the_project_folder(monkeypatch):
    names = load_settings(monkeypatch, DJANGO_DEBUG="1")

    assert names["DATABASES"]["default"]["NAME"] == str(ROOT / "db.sqlite3")
    assert names["SESSION_COOKIE_SECURE"] is False


def test_nothing_about_https_or_a_proxy_is_assumed(monkeypatch):
    names = load_settings(monkeypatch, **PRODUCTION)

    assert names["SECURE_PROXY_SSL_HEADER"] is None
    assert names["SECURE_SSL_REDIRECT"] is False
    assert names["SECURE_HSTS_SECONDS"] == 0
    assert names["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is False
    assert names["SECURE_HSTS_PRELOAD"] is False
    # The cookies are the exception: production sends them over HTTPS only unless told otherwise.
    assert names["SESSION_COOKIE_SECURE"] is True and names["CSRF_COOKIE_SECURE"] is True


def test_https_settings_come_from_the_environment(monkeypatch):
    names = load_settings(
        monkeypatch,
        **PRODUCTION,
        SECURE_PROXY_SSL_HEADER=" HTTP_X_FORWARDED_PROTO , https ",
        SECURE_SSL_REDIRECT="1",
        SECURE_HSTS_SECONDS=" 31536000 ",
        SECURE_HSTS_INCLUDE_SUBDOMAINS="yes",
        SECURE_HSTS_PRELOAD="true",
        SECURE_COOKIES="0",
        EMAIL_PORT="587",
    )

    assert names["SECURE_PROXY_SSL_HEADER"] == ("HTTP_X_FORWARDED_PROTO", "https")
    assert names["SECURE_SSL_REDIRECT"] is True
    assert names["SECURE_HSTS_SECONDS"] == 31536000
    assert names["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True and names["SECURE_HSTS_PRELOAD"] is True
    assert names["SESSION_COOKIE_SECURE"] is False and names["CSRF_COOKIE_SECURE"] is False
    assert names["MAILERS"]["default"]["OPTIONS"]["port"] == 587


def test_the_health_url_is_not_redirected_to_https(monkeypatch):
    exempt = load_settings(monkeypatch, **PRODUCTION, SECURE_SSL_REDIRECT="1")["SECURE_REDIRECT_EXEMPT"]

    # SecurityMiddleware matches the path without its leading slash.
    assert any(re.search(pattern, "health/") for pattern in exempt)
    assert not any(re.search(pattern, "health/extra/") or re.search(pattern, "") for pattern in exempt)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"DATABASE_URL": None}, "ImproperlyConfigured: Set DATABASE_URL"),
        ({"EMAIL_PORT": "abc"}, "ImproperlyConfigured: EMAIL_PORT must be a whole number, not 'abc'"),
    ],
)
def test_a_real_start_up_exits_with_the_message(tmp_path, changes, message):
    completed = manage(production_environment(tmp_path, **changes), "check")

    assert completed.returncode == 1
    assert message in completed.stderr.strip().splitlines()[-1]


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({}, set()),
        ({"SECURE_HSTS_SECONDS": None, "SECURE_SSL_REDIRECT": None}, {"security.W004", "security.W008"}),
        ({"EMAIL_HOST": None}, {"accounts.W001"}),
    ],
    ids=["as-in-env-example", "without-hsts-and-redirect", "without-a-mail-server"],
)
def test_check_deploy_is_clean_with_the_example_environment(tmp_path, changes, expected):
    completed = manage(production_environment(tmp_path, **changes), "check", "--deploy", "--fail-level", "WARNING")
    output = completed.stdout + completed.stderr

    assert set(re.findall(r"^\?: \(([\w.]+)\)", output, re.MULTILINE)) == expected, output
    assert completed.returncode == (1 if expected else 0), output


LOG_LINE = r"\d\d\d\d-\d\d-\d\d \d\d:\d\d:\d\d,\d\d\d {level} {logger} {message}"
EMIT = """
import logging, django
django.setup()
logging.getLogger("django.request").error("Internal Server Error: /plans/7/")
logging.getLogger("django.security.DisallowedHost").warning("Invalid HTTP_HOST header: 'evil.example'")
logging.getLogger("axes.handlers").warning("AXES: Locked out officer")
logging.getLogger("measures.reminders").warning("a warning of the app")
logging.getLogger("measures.reminders").info("an info of the app")
logging.getLogger("weasyprint.progress").info("Step 2 - Fetching and parsing CSS")
"""


@pytest.mark.parametrize(
    ("level", "shown", "hidden"),
    [
        ("INFO", ["a warning of the app", "an info of the app"], ["Step 2"]),
        ("ERROR", ["Invalid HTTP_HOST header", "AXES: Locked out"], ["a warning of the app", "an info of the app"]),
    ],
)
def test_logs_have_time_level_and_logger_and_keep_security_warnings(tmp_path, level, shown, hidden):
    environment = production_environment(tmp_path, LOG_LEVEL=level, DJANGO_SETTINGS_MODULE="ita_tracker.settings")

    completed = subprocess.run(
        [sys.executable, "-c", EMIT], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120
    )

    assert completed.returncode == 0, completed.stderr
    lines = completed.stderr.splitlines()
    server_error = LOG_LINE.format(
        level="ERROR", logger=r"django\.request", message=r"Internal Server Error: /plans/7/"
    )
    assert any(re.fullmatch(server_error, line) for line in lines), lines
    for text in shown:
        assert any(
            text in line and re.match(LOG_LINE.format(level=r"\w+", logger=r"\S+", message=""), line) for line in lines
        )
    for text in hidden:
        assert not any(text in line for line in lines)
