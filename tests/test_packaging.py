"""The production packaging, checked without Docker (nothing can be built here): compose.yaml and the
Dockerfile name only commands and files the project has, .env.example and settings.py agree, and
the two small scripts the containers run (scripts/daily, scripts/healthcheck) do their job."""

import datetime
import http.server
import importlib.machinery
import importlib.util
import json
import re
import shlex
import subprocess
import sys
import threading
import tomllib
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml
from django.core.management import get_commands

from tests.test_production_settings import example_environment, settings_variables

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = yaml.safe_load((ROOT / "compose.yaml").read_text())
DOCKERFILE = (ROOT / "Dockerfile").read_text()
APP_SERVICES = ["migrate", "web", "worker", "reminders", "digest", "backup"]
BANGKOK = ZoneInfo("Asia/Bangkok")
UTC = datetime.UTC

# Variables of .env.example that other programs read, and where.
READ_ELSEWHERE = {"POSTGRES_PASSWORD": "compose.yaml", "WEB_CONCURRENCY": "Dockerfile"}


def load_script(name):
    """A script of scripts/ (no .py suffix) as a module."""
    loader = importlib.machinery.SourceFileLoader(name, str(ROOT / "scripts" / name))
    module = importlib.util.module_from_spec(importlib.util.spec_from_loader(name, loader))
    loader.exec_module(module)
    return module


def dockerfile_instructions(keyword):
    """The arguments of each `keyword` instruction, continuation lines joined."""
    text = re.sub(r"\\\n\s*", " ", DOCKERFILE)
    return [line.split(None, 1)[1] for line in text.splitlines() if line.startswith(keyword + " ")]


def image_command():
    return json.loads(dockerfile_instructions("CMD")[-1])


def commands_of(service):
    """Each command line a service runs, as argv lists (`sh -c "a && b"` is two)."""
    command = service.get("command") or image_command()
    if command[:2] == ["sh", "-c"]:
        return [shlex.split(part) for part in command[2].split("&&")]
    return [command]


def problems_of(argv):
    """What in argv names nothing the project has; [] when all is there."""
    if argv[0] == "python":
        argv = argv[1:]
    if argv[0] == "manage.py":
        return [] if argv[1] in get_commands() else [f"no manage.py command {argv[1]!r}"]
    if argv[0] == "gunicorn":
        module = argv[1].replace(".", "/") + ".py"
        return [] if (ROOT / module).is_file() else [f"gunicorn's {argv[1]} is not a module of the project"]
    if argv[0] == "scripts/daily":
        return problems_of(argv[2:])
    return [] if (ROOT / argv[0]).is_file() else [f"no file {argv[0]}"]


def test_compose_runs_the_database_migrations_web_app_worker_and_reminders():
    services = COMPOSE["services"]

    assert set(services) == {"db", *APP_SERVICES}
    assert services["db"]["image"] == "postgres:17"
    assert "pg_isready" in services["db"]["healthcheck"]["test"]
    assert any(volume.endswith(":/var/lib/postgresql/data") for volume in services["db"]["volumes"])
    assert [argv[2] for argv in commands_of(services["migrate"])] == ["migrate", "load_frameworks"]
    assert services["migrate"]["restart"] == "no"
    assert "command" not in services["web"]  # the image's: gunicorn
    assert commands_of(services["worker"]) == [["python", "manage.py", "db_worker"]]
    assert commands_of(services["reminders"]) == [
        ["python", "scripts/daily", "07:30", "python", "manage.py", "send_reminders"]
    ]
    assert commands_of(services["digest"]) == [
        ["python", "scripts/daily", "07:00", "python", "manage.py", "send_notification_digest"]
    ]
    assert commands_of(services["backup"]) == [
        ["python", "scripts/daily", "02:00", "python", "manage.py", "backup", "--dated", "--keep", "14", "/backups"]
    ]
    assert "backups:/backups" in services["backup"]["volumes"]


@pytest.mark.parametrize("name", APP_SERVICES)
def test_every_command_of_a_service_exists_in_the_project(name):
    problems = [problem for argv in commands_of(COMPOSE["services"][name]) for problem in problems_of(argv)]

    assert problems == []


def test_the_image_serves_the_wsgi_application_on_port_8000():
    command = image_command()

    assert command[:2] == ["gunicorn", "ita_tracker.wsgi"] and problems_of(command) == []
    assert "0.0.0.0:8000" in command
    assert "8000" in dockerfile_instructions("EXPOSE")


def test_the_app_services_wait_for_the_migrations_and_share_the_media_volume():
    media_root = re.search(r"MEDIA_ROOT=(\S+)", DOCKERFILE).group(1)

    for name in APP_SERVICES:
        service = COMPOSE["services"][name]
        assert service["env_file"] == ".env"
        assert service["depends_on"]["db"] == {"condition": "service_healthy"}
        assert f"media:{media_root}" in service["volumes"]
        if name != "migrate":
            assert service["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}
    assert set(COMPOSE["volumes"]) == {"db", "media", "backups"}


def test_the_web_service_checks_its_health_with_the_script():
    web = COMPOSE["services"]["web"]

    assert web["healthcheck"]["test"] == ["CMD", "python", "scripts/healthcheck"]
    assert "scripts/healthcheck" in " ".join(dockerfile_instructions("COPY"))


def test_the_dockerfile_copies_only_what_exists_and_every_package_of_the_project():
    ignored = {line.strip() for line in (ROOT / ".dockerignore").read_text().splitlines() if line.strip()}
    sources = [
        source
        for arguments in dockerfile_instructions("COPY")
        for source in arguments.split()[:-1]
        if not source.startswith("--")
    ]
    packages = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]["find"]["include"]

    assert [source for source in sources if not (ROOT / source).exists()] == []
    assert [source for source in sources if source.split("/")[0] in ignored] == []
    assert {package.rstrip("*") for package in packages} <= set(sources)
    assert {"templates", "static", "locale", "fixtures", "manage.py", "requirements.lock"} <= set(sources)
    # Every app of the project is a package of it, and so in the image: the settings load them all.
    apps = {path.parent.name for path in ROOT.glob("*/apps.py")}
    assert apps <= {package.rstrip("*") for package in packages}


def test_the_image_installs_the_lock_with_hashes_and_runs_as_another_user_than_root():
    runs = " ".join(dockerfile_instructions("RUN"))

    assert "pip install --require-hashes -r requirements.lock" in runs
    assert "pip install --no-deps -e ." in runs
    assert "collectstatic --noinput" in runs
    assert dockerfile_instructions("USER")[-1] not in ("root", "0")


def test_every_variable_of_env_example_is_read_and_every_setting_is_documented():
    text = (ROOT / ".env.example").read_text()
    documented = set(re.findall(r"^(?:# )?([A-Z][A-Z0-9_]*)=", text, re.MULTILINE))
    read = settings_variables()

    assert sorted(documented - read - set(READ_ELSEWHERE)) == []
    assert sorted(read - documented) == []
    for name, where in READ_ELSEWHERE.items():
        assert name in documented and name in (ROOT / where).read_text()


def test_env_example_holds_no_secrets():
    values = example_environment()

    assert values["SECRET_KEY"] == "" and values["POSTGRES_PASSWORD"] == "" and values["EMAIL_HOST_PASSWORD"] == ""
    assert values["DATABASE_URL"] == "postgres://ita:PASSWORD@db:5432/ita"


def test_the_env_file_stays_out_of_git_and_of_the_image():
    assert "/.env" in (ROOT / ".gitignore").read_text().splitlines()
    assert ".env" in (ROOT / ".dockerignore").read_text().splitlines()


# --- scripts/daily ---------------------------------------------------------------------------

daily = load_script("daily")
HALF_PAST_SEVEN = datetime.time(7, 30)


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        # Earlier that day: today.
        (datetime.datetime(2026, 12, 24, 6, 0, tzinfo=BANGKOK), datetime.datetime(2026, 12, 24, 7, 30, tzinfo=BANGKOK)),
        # The moment itself counts.
        (
            datetime.datetime(2026, 12, 24, 7, 30, tzinfo=BANGKOK),
            datetime.datetime(2026, 12, 24, 7, 30, tzinfo=BANGKOK),
        ),
        # A microsecond later it is tomorrow's.
        (
            datetime.datetime(2026, 12, 24, 7, 30, 0, 1, tzinfo=BANGKOK),
            datetime.datetime(2026, 12, 25, 7, 30, tzinfo=BANGKOK),
        ),
        # Across the end of the year.
        (datetime.datetime(2026, 12, 31, 8, 0, tzinfo=BANGKOK), datetime.datetime(2027, 1, 1, 7, 30, tzinfo=BANGKOK)),
        # 23:45 UTC on the 24th is 06:45 on the 25th in Bangkok: the 25th's, at 00:30 UTC.
        (datetime.datetime(2026, 12, 24, 23, 45, tzinfo=UTC), datetime.datetime(2026, 12, 25, 0, 30, tzinfo=UTC)),
        # 00:10 UTC on 29 February 2028 is 07:10 in Bangkok: that day's.
        (datetime.datetime(2028, 2, 29, 0, 10, tzinfo=UTC), datetime.datetime(2028, 2, 29, 7, 30, tzinfo=BANGKOK)),
    ],
)
def test_the_next_run_is_the_next_half_past_seven_in_bangkok(now, expected):
    moment = daily.next_run(now, HALF_PAST_SEVEN)

    assert moment == expected
    assert moment.tzinfo == BANGKOK


def test_runs_are_a_day_apart_all_year_as_bangkok_has_no_daylight_saving():
    # Through both of Europe's and America's clock changes of 2027.
    moments = [daily.next_run(datetime.datetime(2027, 1, 1, tzinfo=UTC), HALF_PAST_SEVEN)]
    for _day in range(365):
        moments.append(daily.next_run(moments[-1] + datetime.timedelta(seconds=1), HALF_PAST_SEVEN))

    assert {later - earlier for earlier, later in zip(moments, moments[1:], strict=False)} == {
        datetime.timedelta(days=1)
    }
    assert {moment.astimezone(UTC).time() for moment in moments} == {datetime.time(0, 30)}


@pytest.mark.parametrize("text", ["7:30", "07:3", "24:00", "07:60", "ab:cd", "0730", ""])
def test_a_time_not_in_hh_mm_is_refused(text):
    with pytest.raises(ValueError):
        daily.parse_time(text)


def test_daily_refuses_a_bad_time_before_running_anything():
    completed = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "daily"), "7:30", "false"], capture_output=True, text=True, timeout=30
    )

    assert completed.returncode == 1
    assert "the time must be HH:MM (e.g. 07:30), not '7:30'" in completed.stderr


class Stop(Exception):
    pass


def test_daily_sleeps_until_the_time_runs_the_command_and_waits_for_the_next_day(monkeypatch):
    clock = [datetime.datetime(2026, 12, 24, 6, 0, tzinfo=BANGKOK)]
    runs = []

    def sleep(seconds):
        clock[0] += datetime.timedelta(seconds=seconds)

    def run(command):
        runs.append((clock[0], command))
        clock[0] += datetime.timedelta(seconds=20)  # send_reminders takes a while
        if len(runs) == 3:
            raise Stop
        return subprocess.CompletedProcess(command, 1 if len(runs) == 1 else 0)

    monkeypatch.setattr(daily, "clock", lambda: clock[0])
    monkeypatch.setattr(daily.time, "sleep", sleep)
    monkeypatch.setattr(daily.subprocess, "run", run)
    monkeypatch.setattr(daily.signal, "signal", lambda *args: None)

    with pytest.raises(Stop):
        daily.main(["daily", "07:30", "python", "manage.py", "send_reminders"])

    # The first run failed; the next day's happened all the same.
    assert [moment for moment, _command in runs] == [
        datetime.datetime(2026, 12, day, 7, 30, tzinfo=BANGKOK) for day in (24, 25, 26)
    ]
    assert {tuple(command) for _moment, command in runs} == {("python", "manage.py", "send_reminders")}


# --- scripts/healthcheck ---------------------------------------------------------------------

healthcheck = load_script("healthcheck")


@pytest.mark.parametrize(
    ("allowed_hosts", "host"),
    [
        ("ita.example.go.th,127.0.0.1", "ita.example.go.th"),
        (" .example.go.th ", "example.go.th"),
        ("*", "localhost"),
        ("", "localhost"),
    ],
)
def test_the_health_check_asks_with_a_host_django_accepts(allowed_hosts, host):
    assert healthcheck.host_header(allowed_hosts) == host


@pytest.fixture
def health_server():
    """A stand-in for gunicorn on a free port, answering /health/ with the status the test sets."""
    answer = {"status": 200, "body": b"ok"}
    seen = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            seen.append((self.path, self.headers["Host"]))
            self.send_response(answer["status"])
            self.end_headers()
            self.wfile.write(answer["body"])

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server.server_address[1], answer, seen
    server.shutdown()
    server.server_close()


def test_the_health_check_passes_on_200(health_server, monkeypatch, capsys):
    port, _answer, seen = health_server
    monkeypatch.setenv("ALLOWED_HOSTS", "ita.example.go.th")

    healthcheck.main(["healthcheck", str(port)])

    assert seen == [("/health/", "ita.example.go.th")]
    assert "healthcheck: ok" in capsys.readouterr().out


def test_the_health_check_fails_on_503_and_without_an_answer(health_server, monkeypatch):
    port, answer, _seen = health_server
    answer.update(status=503, body=b"database unavailable")
    monkeypatch.setenv("ALLOWED_HOSTS", "ita.example.go.th")

    with pytest.raises(SystemExit) as unhealthy:
        healthcheck.main(["healthcheck", str(port)])
    assert str(unhealthy.value) == "healthcheck: /health/ answered 503 database unavailable"

    with pytest.raises(SystemExit) as silent:
        healthcheck.main(["healthcheck", "1"])
    assert str(silent.value).startswith("healthcheck: no answer on port 1")
