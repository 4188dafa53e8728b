"""Load test: `make load` (SQLite, then PostgreSQL) or `make load DB=sqlite` / `DB=postgres`.

For each database: a throw-away set-up (migrate, frameworks, demo, 50 unit staff each alone in a
unit that leads one measure of Ang Thong's current plan), gunicorn on 127.0.0.1, then 50 users at
once for 60 s, each in a thread: log in through the login form, then loop dashboard → My updates →
their entry → save it with a unique text → read it back. Prints requests and latency per page,
then a floor measured in the same run: the same loop by one user alone, with the login page and
a static file, so that the figures can be read against what the machine gave this run.

A lost update is a save answered as saved whose text is not on the page afterwards, or a conflict
on an entry only that user edits. Exits 1 on any 5xx, failed request, refused save or lost update.
Everything is written to a temporary folder (SQLite file, media, static files) and, for PostgreSQL,
to a database `ita_load` created and dropped here; gunicorn is stopped however the script ends.
"""

import ctypes
import http.client
import http.cookies
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter, defaultdict
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlencode

import psycopg

ROOT = Path(__file__).resolve().parent.parent
USERS = int(os.environ.get("LOAD_USERS", "50"))
SECONDS = int(os.environ.get("LOAD_SECONDS", "60"))
FLOOR_SECONDS = 5
PORTS = range(8760, 8770)
POSTGRES = os.environ.get("LOAD_POSTGRES", "postgres://ita:ita@127.0.0.1:5432")
PASSWORD = "load-test-2570"
KEEP_ALIVE = 5  # seconds gunicorn keeps an idle connection open
TIMEOUT = 120  # seconds a user waits for an answer: 50 logins at once hash passwords for half a minute
# Two cores: three processes keep both busy while one waits (the GIL lets each run Python on one
# core at a time); four threads each overlap database waits, SQLite's busy wait included, so
# 12 requests are in flight. More processes would only share the same two cores; sync workers
# would leave a whole process idle behind each request waiting for SQLite's write lock.
# --preload: Django is imported once, before the workers fork.
GUNICORN = [
    "--preload",
    "--worker-class",
    "gthread",
    "--workers",
    "3",
    "--threads",
    "4",
    "--timeout",
    "60",
    "--graceful-timeout",
    "5",
    "--keep-alive",
    str(KEEP_ALIVE),
]
PAGES = ["login", "dashboard", "my updates", "entry", "save", "read back"]
TRIVIAL = {"/accounts/login/": "login page", "/static/css/site.css": "static file"}
ALONE = "1 user: "  # the floor's rows


# --- Set-up (in a child process, so that each database gets its own Django settings) -------


def setup(users_file):
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ita_tracker.settings")
    # Django and the app are imported here, in the child process that sets up one database,
    # once its settings (DATABASE_URL) are in the environment; the parent never imports them.
    import django  # noqa: PLC0415

    django.setup()
    from django.core.management import call_command  # noqa: PLC0415

    with open(os.devnull, "w") as quiet:
        call_command("migrate", verbosity=0, stdout=quiet)
        call_command("load_frameworks", verbosity=0, stdout=quiet)
        call_command("load_demo", verbosity=0, stdout=quiet)
        call_command("collectstatic", verbosity=0, interactive=False, stdout=quiet)
    Path(users_file).write_text(json.dumps(create_load_users(USERS)))


def create_load_users(count):
    """`count` unit staff of Ang Thong municipality, each alone in a unit of their own that leads a
    measure of the agency's latest plan, so that nobody else edits their entry: {username: entry pk}."""
    # Run by setup() in the child process, after django.setup().
    from django.contrib.auth import get_user_model  # noqa: PLC0415
    from django.contrib.auth.hashers import make_password  # noqa: PLC0415
    from django.db import transaction  # noqa: PLC0415
    from django.db.models import Max  # noqa: PLC0415

    from assessments.models import Agency, Membership, Role  # noqa: PLC0415
    from measures.actions import sync_entries  # noqa: PLC0415
    from measures.models import Measure, Unit  # noqa: PLC0415

    agency = Agency.objects.get(code="ANGTHONG-MUN")
    year = Measure.objects.filter(agency=agency).aggregate(Max("fiscal_year"))["fiscal_year__max"]
    password = make_password(PASSWORD)  # one hash for all: 50 would take half a minute
    entries = {}
    with transaction.atomic():
        for n in range(1, count + 1):
            user = get_user_model().objects.create(username=f"load{n:02}", password=password)
            Membership.objects.create(user=user, agency=agency, role=Role.UNIT_STAFF)
            unit = Unit.objects.create(agency=agency, name=f"หน่วยทดสอบโหลด {n:02}")
            unit.members.add(user)
            measure = Measure.objects.create(
                agency=agency, fiscal_year=year, order=1000 + n, name=f"มาตรการทดสอบโหลด {n:02}", lead_unit=unit
            )
            sync_entries(measure=measure)
            entries[user.username] = measure.entries.order_by("round__due_date").values_list("pk", flat=True).first()
    return entries


# --- The client ------------------------------------------------------------------------------


class FormFields(HTMLParser):
    """The (name, value) pairs a browser sends for the form with id `form_id`, before any button."""

    def __init__(self, form_id):
        super().__init__()
        self.form_id, self.inside, self.in_template, self.textarea, self.fields = form_id, False, False, None, []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = attrs.get("id") == self.form_id
        elif tag == "template":  # the blank activity row that JavaScript copies: not sent
            self.in_template = True
        elif self.inside and not self.in_template and attrs.get("name"):
            kind = attrs.get("type", "text")
            if tag == "textarea":
                self.textarea = [attrs["name"], ""]
            elif (
                tag == "input"
                and kind not in ("file", "submit", "button")
                and (kind not in ("radio", "checkbox") or "checked" in attrs)
            ):
                self.fields.append((attrs["name"], attrs.get("value") or ("on" if kind == "checkbox" else "")))

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "template":
            self.in_template = False
        elif tag == "textarea" and self.textarea:
            name, text = self.textarea
            self.fields.append((name, text.removeprefix("\n")))  # as browsers drop the newline after <textarea>
            self.textarea = None

    def handle_data(self, data):
        if self.textarea:
            self.textarea[1] += data


def form_fields(html, form_id):
    parser = FormFields(form_id)
    parser.feed(html)
    return parser.fields


class Tally:
    """What one thread saw: latencies and statuses per page, failures, lost updates."""

    def __init__(self):
        self.times, self.status, self.problems, self.saved, self.lost = defaultdict(list), Counter(), [], 0, []

    def merge(self, other):
        for page, times in other.times.items():
            self.times[page] += times
        self.status.update(other.status)
        self.problems += other.problems
        self.saved += other.saved
        self.lost += other.lost


class Browser:
    """One user: a keep-alive connection and a cookie jar."""

    def __init__(self, port, tally, prefix=""):
        self.port, self.tally, self.prefix, self.cookies, self.last = port, tally, prefix, {}, time.monotonic()
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT)

    def request(self, page, method, path, fields=None, multipart=False):
        """(status, location, body); status 0 when the request itself failed."""
        page = self.prefix + page
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if multipart:  # as a browser sends a form with enctype="multipart/form-data"
            boundary = uuid.uuid4().hex
            body = "".join(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
                for name, value in fields
            )
            body, headers["Content-Type"] = (
                f"{body}--{boundary}--\r\n".encode(),
                f"multipart/form-data; boundary={boundary}",
            )
        elif fields is not None:
            body, headers["Content-Type"] = urlencode(fields), "application/x-www-form-urlencoded"
        if time.monotonic() - self.last > KEEP_ALIVE - 1:
            self.conn.close()  # the server has closed it, or is about to: a browser opens a new one
        start = time.perf_counter()
        try:
            self.conn.request(method, path, body, headers)
            response = self.conn.getresponse()
            text = response.read().decode()
        except (OSError, http.client.HTTPException) as exc:
            self.conn.close()
            self.tally.status[page, "failed"] += 1
            self.tally.problems.append(f"{page} {path}: {exc!r}")
            return 0, "", ""
        self.last = time.monotonic()
        self.tally.times[page].append(time.perf_counter() - start)
        self.tally.status[page, response.status] += 1
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in http.cookies.SimpleCookie(header).items():
                if morsel.value and morsel["max-age"] != "0":
                    self.cookies[name] = morsel.value
                else:
                    self.cookies.pop(name, None)
        if response.status >= 500:
            self.tally.problems.append(f"{page} {method} {path}: {response.status}")
        return response.status, response.headers.get("Location", ""), text

    def expect(self, page, method, path, status, fields=None):
        got, location, text = self.request(page, method, path, fields)
        if got and got != status:
            self.tally.problems.append(f"{self.prefix}{page} {method} {path}: {got}, expected {status}")
        return got == status, location, text

    def log_in(self, username):
        ok, _location, text = self.expect("login", "GET", "/accounts/login/", 200)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', text)
        if not ok or not token:
            return False
        fields = {"csrfmiddlewaretoken": token[1], "username": username, "password": PASSWORD, "next": ""}
        ok, _location, _text = self.expect("login", "POST", "/accounts/login/", 302, fields)
        return ok and "sessionid" in self.cookies

    def round_trip(self, username, entry, n):
        """One pass of a user's loop; the save carries the revision of the form just loaded."""
        self.expect("dashboard", "GET", "/dashboard/", 200)
        self.expect("my updates", "GET", "/my/updates/", 200)
        path = f"/entries/{entry}/"
        ok, _location, text = self.expect("entry", "GET", path, 200)
        if not ok:
            return
        marker = f"load {username} save {n} {uuid.uuid4().hex}"
        fields = [(name, marker if name == "result" else value) for name, value in form_fields(text, "entry-form")]
        status, location, text = self.request("save", "POST", path, fields, multipart=True)
        if status == 409 or (status == 200 and 'role="alert"' in text):
            self.tally.lost.append(f"{username}: conflict on their own entry {entry} (save {n})")
        elif status != 302 or location != path:
            if status and status < 500:
                why = re.search(r'<li class="error">(.*?)</li>|class="errorlist[^"]*"><li>(.*?)</li>', text)
                self.tally.problems.append(
                    f"save {path}: {status} {location or 'not saved'} {why and (why[1] or why[2])}"
                )
        else:
            self.tally.saved += 1
            ok, _location, text = self.expect("read back", "GET", path, 200)
            if ok and marker not in text:
                self.tally.lost.append(f"{username}: save {n} of entry {entry} answered as saved, text not on the page")


def run_users(port, entries, seconds):
    """All users at once: log in, wait for everyone, then loop until `seconds` have passed."""
    tallies, clock = [Tally() for _ in entries], {}
    start = threading.Barrier(len(entries), action=lambda: clock.update(end=time.monotonic() + seconds), timeout=300)

    def user(tally, username, entry):
        browser = Browser(port, tally)
        logged_in = browser.log_in(username)
        start.wait()
        n = 0
        while logged_in and time.monotonic() < clock["end"]:
            n += 1
            browser.round_trip(username, entry, n)

    threads = [
        threading.Thread(target=user, args=args, daemon=True)
        for args in zip(tallies, entries, entries.values(), strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    total = Tally()
    for tally in tallies:
        total.merge(tally)
    return total


def run_floor(port, username, entry, seconds, tally):
    """The same loop by one user alone, then pages that do almost nothing: what each page costs
    without waiting for others, and how fast the machine was in this run."""
    browser = Browser(port, tally, prefix=ALONE)
    browser.log_in(username)
    end, n = time.monotonic() + seconds, 0
    while time.monotonic() < end:
        n += 1
        browser.round_trip(username, entry, f"alone {n}")
        for path, page in TRIVIAL.items():
            browser.expect(page, "GET", path, 200)


def report(title, tally, seconds):
    def ms(times, q):
        return f"{sorted(times)[min(len(times) - 1, int(q * len(times)))] * 1000:8.0f}" if times else f"{'-':>8}"

    print(f"\n{title}")
    print(f"{'page':20} {'requests':>8} {'per s':>6} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}  answers")
    for page in [*PAGES, *(ALONE + page for page in [*PAGES, *TRIVIAL.values()])]:
        answers = sorted((str(status), count) for (name, status), count in tally.status.items() if name == page)
        if not answers:
            continue
        times = tally.times[page]
        per_s = f"{len(times) / seconds:6.1f}" if page in PAGES[1:] else f"{'':6}"
        print(
            f"{page:20} {sum(c for _s, c in answers):8} {per_s} {ms(times, 0.5)} {ms(times, 0.95)} {ms(times, 1)}  "
            + " ".join(f"{status}×{count}" for status, count in answers)
        )
    server_errors = sum(c for (_page, status), c in tally.status.items() if status != "failed" and status >= 500)
    print(
        f"saves answered as saved: {tally.saved}; server errors (5xx): {server_errors}; lost updates: {len(tally.lost)}"
    )
    problems = tally.lost + tally.problems
    for line in problems[:20]:
        print("  ", line)
    if len(problems) > 20:
        print(f"   … and {len(problems) - 20} more")
    return problems


# --- One database --------------------------------------------------------------------------


def postgres(sql):
    with psycopg.connect(f"{POSTGRES}/ita", autocommit=True) as conn:
        conn.execute(sql)


def free_port():
    for port in PORTS:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) != 0:
                return port
    sys.exit(f"no free port in {PORTS.start}–{PORTS.stop - 1}")


def die_with_parent():
    """In the child before gunicorn starts: the kernel stops it if this script dies, even by SIGKILL."""
    ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def server_env(scratch, database_url):
    """The settings of a production-like server (no debug, a fresh secret key, plain-HTTP cookies)
    whose files go under `scratch`."""
    return dict(
        os.environ,
        DJANGO_SETTINGS_MODULE="ita_tracker.settings",
        DJANGO_DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(40),
        ALLOWED_HOSTS="127.0.0.1,testserver",
        SECURE_COOKIES="0",
        MEDIA_ROOT=str(scratch / "media"),
        STATIC_ROOT=str(scratch / "static"),
        DATABASE_URL=database_url,
    )


def run(database):
    scratch = Path(tempfile.mkdtemp(prefix=f"ita-load-{database}-"))
    env = server_env(scratch, f"{POSTGRES}/ita_load" if database == "postgres" else f"sqlite:///{scratch}/load.sqlite3")
    log_path = scratch / "gunicorn.log"
    server, keep = None, bool(os.environ.get("LOAD_KEEP"))
    try:
        if database == "postgres":
            postgres("DROP DATABASE IF EXISTS ita_load WITH (FORCE)")
            postgres("CREATE DATABASE ita_load")
        began = time.perf_counter()
        subprocess.run(
            [sys.executable, __file__, "--setup", scratch / "users.json"], env=env, cwd=ROOT, check=True, timeout=600
        )
        entries = json.loads((scratch / "users.json").read_text())
        set_up = time.perf_counter() - began
        port = free_port()
        with log_path.open("w") as log:
            server = subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "ita_tracker.wsgi", "--bind", f"127.0.0.1:{port}", *GUNICORN],
                env=env,
                cwd=ROOT,
                stdout=log,
                stderr=log,
                preexec_fn=die_with_parent,
            )
        wait_until_up(port, server)
        began = time.perf_counter()
        tally = run_users(port, entries, SECONDS)
        elapsed = time.perf_counter() - began
        username, entry = next(iter(entries.items()))
        run_floor(port, username, entry, FLOOR_SECONDS, tally)  # after, so that every worker is warm
        title = (
            f"{database}: {len(entries)} users for {SECONDS} s (logins first, then the clock), "
            "gunicorn gthread 3 × 4 threads, "
            f"2 cores; set-up {set_up:.0f} s, logins and loop {elapsed:.0f} s"
        )
        problems = report(title, tally, SECONDS)
        if problems:
            keep = True
            errors = {
                line
                for line in log_path.read_text().splitlines()
                if re.search("error|timeout", line, re.I) and not line.startswith(" ")
            }
            print(f"server log {log_path} (kept), distinct error lines:")
            for line in sorted(errors)[:20]:
                print("  ", line)
        return not problems
    finally:
        if server is not None:
            server.terminate()
            try:
                server.wait(15)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
        if database == "postgres":
            postgres("DROP DATABASE IF EXISTS ita_load WITH (FORCE)")
        if not keep:
            shutil.rmtree(scratch, ignore_errors=True)


def wait_until_up(port, server, seconds=60):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn stopped at start-up ({server.returncode})")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=seconds)
            conn.request("GET", "/accounts/login/")
            if conn.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.2)
        finally:
            conn.close()
    raise RuntimeError(f"gunicorn did not answer on port {port} within {seconds} s")


def stop_on_signal(signum, _frame):
    raise SystemExit(128 + signum)  # so that the `finally` blocks stop gunicorn and clean up


def main(databases):
    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, stop_on_signal)
    unknown = set(databases) - {"sqlite", "postgres"}
    if unknown or not databases:
        sys.exit(f"usage: {sys.argv[0]} [sqlite] [postgres]")
    passed = [run(database) for database in databases]
    sys.exit(0 if all(passed) else 1)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--setup"]:
        setup(sys.argv[2])
    else:
        main(sys.argv[1:] or ["sqlite", "postgres"])
