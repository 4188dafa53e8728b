"""The national benchmark: `make bench` (`python benchmarks/bench.py [--sizes 10,1000,8323] [--quick]`).

For each database (SQLite; PostgreSQL too when DATABASE_URL points to one) and each size, it builds
the synthetic national dataset with `generate_demo` in a throw-away database, then prints ONE markdown
table, every figure beside its floor measured in the same run:

- pages, in process (django.test.Client, force_login, one warm-up request first): median and p95 of N
  requests, queries and bytes per page, for each role; floor: the login page measured the same way;
- throughput of the dashboard and the progress form under gunicorn with 1 and 2 workers, against the
  login page served the same way, and each worker's peak memory (VmHWM);
- the documents (benchmarks/documents.py) and the national import (benchmarks/national_import.py),
  whose functions return rows of (label, median s, p95 s or None, floor s, extra text).

Everything is written under a temporary folder (SQLite files, media, static files); on PostgreSQL in a
database `ita_bench` created and dropped here. The table, the machine and the total time go to stdout.
"""

import argparse
import importlib
import json
import logging
import math
import os
import platform
import re
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

# benchmarks/ is on sys.path when this file is run; load.py starts and stops gunicorn the same way.
from load import Browser, Tally, die_with_parent, free_port, server_env, stop_on_signal, wait_until_up

ROOT = Path(__file__).resolve().parent.parent
SIZES = (10, 1000, 8323)
YEARS = "2564,2568,2569"
MEASURES = 10
PASSWORD = "generated-2570"

# The sign-ins generate_demo makes (the common brief), and their stand-ins in load_demo's data, which
# is used only while generate_demo does not exist yet.
ROLES = {
    "system administrator": ("gen-admin", "admin"),
    "ministry executive": ("gen-ministry", "executive"),
    "province executive": ("gen-province", "province"),
    "officer": ("gen-officer", "officer"),
    "unit staff": ("gen-unit", "unit"),
}
OVERSIGHT = ("system administrator", "ministry executive", "province executive")
# The pages each role is timed on: every one a role can open, the progress form by unit staff only.
PAGES = {
    "home": (*OVERSIGHT, "officer"),
    "dashboard": (*OVERSIGHT, "officer"),
    # The same page made again: the figures' stamp is changed before each request, as a saved
    # report or an import changes it (the page is otherwise kept in the shared cache).
    "dashboard, after a change": (*OVERSIGHT, "officer"),
    "overview, filter, sort, page 50": OVERSIGHT,
    "overview download XLSX": OVERSIGHT,
    "overview download CSV": OVERSIGHT,
    "agency page": (*OVERSIGHT, "officer"),
    "analysis": (*OVERSIGHT, "officer"),
    "plan": (*OVERSIGHT, "officer"),
    "review queue": ("system administrator", "officer"),
    "progress form": ("unit staff",),
}
FLOOR_PAGE = "/accounts/login/"
# Throughput under gunicorn: (page, the role whose session requests it).
SERVED = {"dashboard": "system administrator", "progress form": "unit staff"}
WORKERS = (1, 2)

# Targets (issue 14, "Targets"), at 8,323 agencies on SQLite.
PAGE_P95 = 0.200  # seconds
THROUGHPUT_SHARE = 1 / 3  # of the login page's
TARGETED_THROUGHPUT = {"dashboard"}
WORKER_MB = 300
PDF_RATIO, XLSX_RATIO, IMPORT_RATIO, IMPORT_MB = 1.3, 1.5, 5.0, 300
MODULES = {"documents": "documents", "national import": "national_import"}


# --- In the child process: one database, one size -----------------------------------------------


def progress(text):
    """A line on stderr, so that a long run shows where it is; the table alone goes to stdout."""
    print(f"… {text}", file=sys.stderr, flush=True)


def child_setup():
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ita_tracker.settings")
    import django  # noqa: PLC0415 - after the parent has put this database's settings in the environment

    django.setup()
    # The 403s of pages a role may not open are expected; server errors are still logged.
    logging.getLogger("django.request").setLevel(logging.ERROR)


def build_dataset(size):
    """Migrations, frameworks, static files and the synthetic dataset; (dataset name, seconds to build it)."""
    from django.core.management import call_command, get_commands  # noqa: PLC0415

    with open(os.devnull, "w") as quiet:
        call_command("migrate", verbosity=0, stdout=quiet)
        call_command("load_frameworks", verbosity=0, stdout=quiet)
        call_command("collectstatic", verbosity=0, interactive=False, stdout=quiet)
        start = time.perf_counter()
        if "generate_demo" in get_commands():
            arguments = ["--agencies", str(size), "--years", YEARS, "--measures", str(MEASURES), "--seed", "1"]
            call_command("generate_demo", *arguments, "--password", PASSWORD, stdout=quiet)
            name = f"generate_demo --agencies {size}"
        else:  # until generate_demo exists: the demo data, whatever the size asked
            call_command("load_demo", verbosity=0, stdout=quiet)
            name = "load_demo (generate_demo not available)"
    return name, time.perf_counter() - start


def sign_in(user):
    """A test client signed in as `user`, the second factor counted as given (as tests/conftest.py does)."""
    from django.test import Client  # noqa: PLC0415

    from accounts import second_factor  # noqa: PLC0415

    client = Client(raise_request_exception=False)
    client.force_login(user)
    session = client.session
    session[second_factor.STEP_KEY] = second_factor.DONE
    session.save()
    return client


def p95(times):
    """The nearest-rank 95th percentile."""
    ordered = sorted(times)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def time_page(client, path, requests, budget, before=None):
    """Median and p95 seconds of `requests` GETs after one warm-up (fewer, at least 3, once `budget`
    seconds are spent), with the last request's status, queries and bytes. Streamed bodies are read
    to the end inside the timing, as a browser would. `before()` runs before each, untimed."""
    from django.db import connection  # noqa: PLC0415
    from django.test.utils import CaptureQueriesContext  # noqa: PLC0415

    def get():
        if before:
            before()
        # Each request empties the query log when it starts (request_started): a log left longer
        # by the setting-up made the request's own queries look like none.
        connection.queries_log.clear()
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            response = client.get(path)
            body = b"".join(response.streaming_content) if response.streaming else response.content
            seconds = time.perf_counter() - start
        return seconds, response.status_code, len(queries), len(body)

    get()
    times = []
    for _ in range(requests):
        seconds, status, queries, size = get()
        times.append(seconds)
        if len(times) >= 3 and sum(times) > budget:
            break
    return {
        "median": statistics.median(times),
        "p95": p95(times),
        "status": status,
        "queries": queries,
        "bytes": size,
        "requests": len(times),
    }


def page_paths(users):
    """{page: {role: path}} for the dataset just built: each role's own agency, year and entry."""
    from django.db.models import Count, Max  # noqa: PLC0415

    from assessments.models import Assessment, Membership, Role  # noqa: PLC0415
    from measures.models import Measure, ProgressEntry  # noqa: PLC0415

    officer_agency = (
        Membership.objects.filter(user=users["officer"], role=Role.OFFICER).order_by("agency__code").first().agency
    )
    paths = {page: {} for page in PAGES}
    for role in OVERSIGHT + ("officer",):
        user = users[role]
        assessments = Assessment.objects.visible_to(user)
        year = assessments.fiscal_years().first()
        of_year = assessments.filter(fiscal_year=year)
        # The officer's agency when the role sees it, else the first the role oversees.
        agency = officer_agency
        if not of_year.filter(agency=officer_agency).exists():
            agency = of_year.order_by("agency__code").select_related("agency").first().agency
        plan_year = Measure.objects.filter(agency=agency).aggregate(Max("fiscal_year"))["fiscal_year__max"] or year
        # The most common type, so that page 50 exists at national size (past the last page: the last).
        common = of_year.values("agency__agency_type__code").annotate(n=Count("pk")).order_by("-n").first()
        listing = f"?agency_type={common['agency__agency_type__code']}&sort=rank_in_type"
        for page, path in {
            "home": "/",
            "dashboard": "/dashboard/",
            "dashboard, after a change": "/dashboard/",
            "overview, filter, sort, page 50": f"/overview/{year}/{listing}&page=50",
            "overview download XLSX": f"/overview/{year}/download.xlsx{listing}",
            "overview download CSV": f"/overview/{year}/download.csv{listing}",
            "agency page": f"/agencies/{agency.code}/",
            "analysis": f"/agencies/{agency.code}/{year}/",
            "plan": f"/agencies/{agency.code}/{plan_year}/plan/",
            "review queue": "/review/",
        }.items():
            if role in PAGES[page]:
                paths[page][role] = path
    # An entry with activities at every size: one without runs a query fewer (13, not 14), which
    # would read as the page's queries changing with the number of agencies.
    entry = (
        ProgressEntry.objects.for_unit_member(users["unit staff"])
        .filter(activities__isnull=False)
        .order_by("-measure__fiscal_year", "round__due_date", "pk")
        .first()
    )
    paths["progress form"]["unit staff"] = f"/entries/{entry.pk}/"
    return paths


def run_child(size, out, requests, budget):
    child_setup()
    from django.conf import settings  # noqa: PLC0415
    from django.contrib.auth import get_user_model  # noqa: PLC0415
    from django.test import Client  # noqa: PLC0415

    from assessments.stamp import figures_changed  # noqa: PLC0415

    dataset, build_seconds = build_dataset(size)
    progress(f"{dataset}: built in {build_seconds:.0f} s")
    users = {}
    for role, names in ROLES.items():
        found = {user.username: user for user in get_user_model().objects.filter(username__in=names)}
        users[role] = next(found[name] for name in names if name in found)  # generate_demo's first
    paths = page_paths(users)
    floor = time_page(Client(), FLOOR_PAGE, requests, budget)
    pages = []
    for page, by_role in paths.items():
        for role, path in by_role.items():
            try:
                before = figures_changed if page.endswith("after a change") else None
                figures = time_page(sign_in(users[role]), path, requests, budget, before)
            except Exception:  # noqa: BLE001 - printed as a missed row, the run goes on
                figures = {"error": traceback.format_exc(limit=3).strip().splitlines()[-1]}
            pages.append({"page": page, "role": role, "path": path, **figures})
            progress(
                f"{page}, {role}: " + (f"median {figures['median'] * 1000:.0f} ms" if "median" in figures else "error")
            )
    # Sessions for the gunicorn runs, in the configured session store (the database).
    sessions = {}
    for page, role in SERVED.items():
        client = sign_in(users[role])
        sessions[page] = {"path": paths[page][role], "cookie": client.cookies[settings.SESSION_COOKIE_NAME].value}
    Path(out).write_text(
        json.dumps(
            {
                "dataset": dataset,
                "build_seconds": build_seconds,
                "floor": floor,
                "pages": pages,
                "sessions": sessions,
                "cookie_name": settings.SESSION_COOKIE_NAME,
            }
        )
    )


def module_rows_of(module, quick, agencies):
    """The rows of one benchmark module: its `bench_rows(quick=, agencies=)` when it has one, else
    the functions benchmarks/documents.py and benchmarks/national_import.py have today."""
    runs = 1 if quick else 5
    if callable(getattr(module, "bench_rows", None)):
        return module.bench_rows(quick=quick, agencies=agencies)
    if callable(getattr(module, "document_rows", None)):  # documents.py
        rows = list(module.document_rows(runs))
        if callable(getattr(module, "add_overview_agencies", None)):
            module.add_overview_agencies(agencies)
            rows += module.overview_download_rows(runs=runs)
        return rows
    if callable(getattr(module, "measure", None)):  # national_import.py
        return module.measure(agencies)
    raise ImportError(f"{module.__name__}.py has no bench_rows()")


def run_module_child(module_name, out, quick, agencies):
    """Imports benchmarks/<module>.py and calls it; its rows, or why there are none, as JSON."""
    try:
        module = importlib.import_module(module_name)
        rows = module_rows_of(module, quick, agencies)
    except ImportError as exc:
        Path(out).write_text(json.dumps({"missing": f"not measured: {exc}"}))
        return
    Path(out).write_text(json.dumps({"rows": [list(row) for row in rows]}))


# --- In the parent: gunicorn, throughput, memory ----------------------------------------------------


def worker_pids(master):
    children = Path(f"/proc/{master}/task/{master}/children")
    if children.exists():
        return [int(pid) for pid in children.read_text().split()]
    pids = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            if re.search(rf"^PPid:\s+{master}$", status.read_text(), re.M):
                pids.append(int(status.parent.name))
        except OSError:
            continue
    return pids


def peak_mb(pid):
    """VmHWM: the most resident memory the process has had, in MB."""
    try:
        found = re.search(r"^VmHWM:\s+(\d+) kB", Path(f"/proc/{pid}/status").read_text(), re.M)
    except OSError:
        return 0.0
    return int(found[1]) / 1024 if found else 0.0


def throughput(port, path, cookie, clients, seconds):
    """Requests per second answered 200 by `clients` users at once, each looping on `path` for
    `seconds` (a request under way at the end is waited for and counted); (per second, failures)."""
    tally, end = Tally(), time.monotonic() + seconds
    done = []

    def user():
        browser = Browser(port, tally)
        browser.cookies.update(cookie)
        while time.monotonic() < end:
            browser.expect("page", "GET", path, 200)
        done.append(time.monotonic())

    start = time.monotonic()
    threads = [threading.Thread(target=user, daemon=True) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    answered = tally.status["page", 200]
    return answered / (max(done) - start), sum(tally.status.values()) - answered


def serve_and_measure(env, scratch, child, workers, seconds):
    """Gunicorn as the image runs it (gthread, 4 threads, --preload) with `workers` processes:
    throughput of each served page and of the login page, and the workers' peak memory."""
    port = free_port()
    command = [sys.executable, "-m", "gunicorn", "ita_tracker.wsgi", "--bind", f"127.0.0.1:{port}", "--preload"]
    command += ["--workers", str(workers), "--worker-class", "gthread", "--threads", "4", "--timeout", "120"]
    log = (scratch / f"gunicorn-{workers}.log").open("w")
    server = subprocess.Popen(command, env=env, cwd=ROOT, stdout=log, stderr=log, preexec_fn=die_with_parent)
    clients = 2 * workers  # enough to keep every worker busy on two cores
    try:
        wait_until_up(port, server)
        warm_up = max(1.0, seconds / 5)  # every worker's first requests: templates, connections
        throughput(port, FLOOR_PAGE, {}, clients, warm_up)
        figures = {"login page": throughput(port, FLOOR_PAGE, {}, clients, seconds)}
        for page, session in child["sessions"].items():
            cookie = {child["cookie_name"]: session["cookie"]}
            throughput(port, session["path"], cookie, clients, warm_up)
            figures[page] = throughput(port, session["path"], cookie, clients, seconds)
        memory = [peak_mb(pid) for pid in worker_pids(server.pid)]
    finally:
        server.terminate()
        try:
            server.wait(15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()
    return figures, memory


# --- The table --------------------------------------------------------------------------------------


def ms(seconds):
    return f"{seconds * 1000:.1f} ms"


def verdict(ok):
    return "met" if ok else "missed"


class Table:
    COLUMNS = ("database", "agencies", "measured", "who", "median", "p95", "floor", "× floor")
    COLUMNS += ("queries", "bytes", "notes", "target", "met")

    def __init__(self):
        self.rows = []

    def add(self, **cells):
        self.rows.append([str(cells.get(name.replace("× floor", "ratio"), "–")) for name in self.COLUMNS])

    def markdown(self):
        lines = ["| " + " | ".join(self.COLUMNS) + " |", "|" + "---|" * len(self.COLUMNS)]
        lines += ["| " + " | ".join(cell.replace("|", "/") for cell in row) + " |" for row in self.rows]
        return "\n".join(lines)


def page_rows(table, database, size, child):
    floor = child["floor"]
    table.add(
        database=database,
        agencies=size,
        measured="floor: login page",
        who="anonymous",
        median=ms(floor["median"]),
        p95=ms(floor["p95"]),
        floor=ms(floor["median"]),
        ratio="1.0×",
        queries=floor["queries"],
        bytes=floor["bytes"],
        notes=f"{floor['requests']} requests",
    )
    for page in child["pages"]:
        common = {"database": database, "agencies": size, "measured": f"page: {page['page']}", "who": page["role"]}
        if "error" in page:
            table.add(**common, median="nan", notes=page["error"], target="answers 200", met="missed")
            continue
        ok = page["status"] == 200 and page["p95"] < PAGE_P95
        table.add(
            **common,
            median=ms(page["median"]),
            p95=ms(page["p95"]),
            floor=ms(floor["median"]),
            ratio=f"{page['median'] / floor['median']:.0f}×",
            queries=page["queries"],
            bytes=page["bytes"],
            notes=f"{page['requests']} requests" + ("" if page["status"] == 200 else f", answered {page['status']}"),
            target=f"p95 < {PAGE_P95 * 1000:.0f} ms",
            met=verdict(ok),
        )


def served_rows(table, database, size, workers, figures, memory):
    login, _failed = figures["login page"]
    common = {"database": database, "agencies": size}
    table.add(
        **common,
        measured=f"throughput: login page, {workers} worker(s)",
        who="anonymous",
        median=f"{login:.1f} req/s",
        floor=f"{login:.1f} req/s",
        ratio="1.00×",
        notes=f"gunicorn gthread × 4 threads, {2 * workers} clients",
    )
    for page, (per_second, failed) in figures.items():
        if page == "login page":
            continue
        share = per_second / login if login else 0.0
        # The issue sets a throughput target for the dashboard alone; the progress form is shown beside it.
        targeted = page in TARGETED_THROUGHPUT
        table.add(
            **common,
            measured=f"throughput: {page}, {workers} worker(s)",
            who=SERVED[page],
            median=f"{per_second:.2f} req/s",
            floor=f"{login:.1f} req/s",
            ratio=f"{share:.2f}×",
            notes=f"{failed} failed or not 200" if failed else f"{2 * workers} clients",
            target="≥ 0.33× login page" if targeted else "–",
            met=verdict(share >= THROUGHPUT_SHARE and not failed) if targeted else "–",
        )
    peak = max(memory, default=0.0)
    table.add(
        **common,
        measured=f"peak worker memory, {workers} worker(s)",
        who="–",
        median=f"{peak:.0f} MB",
        notes="VmHWM of each worker: " + ", ".join(f"{mb:.0f} MB" for mb in memory),
        target=f"< {WORKER_MB} MB",
        met=verdict(0 < peak < WORKER_MB),
    )


def module_target(what, label, ratio, extra):
    """The target and whether it is met for one row of documents.py or national_import.py, judged on
    the ratio as printed (two decimals)."""
    ratio = None if ratio is None else round(ratio, 2)
    text = f"{label} {extra}".lower()
    if what == "national import":
        found = re.search(r"peak (\d+(?:\.\d+)?) MB", extra or "")
        ok = ratio is not None and ratio <= IMPORT_RATIO and (found is None or float(found[1]) < IMPORT_MB)
        return f"≤ {IMPORT_RATIO:.0f}× floor, < {IMPORT_MB} MB", verdict(ok)
    if "pdf" in text:
        return f"≤ {PDF_RATIO}× floor", verdict(ratio is not None and ratio <= PDF_RATIO)
    if "xlsx" in text:
        return f"≤ {XLSX_RATIO}× floor", verdict(ratio is not None and ratio <= XLSX_RATIO)
    return "–", "–"


def module_rows(table, database, agencies, what, result):
    common = {"database": database, "agencies": agencies}
    if "missing" in result:
        table.add(**common, measured=what, median="nan", notes=result["missing"], met="not measured")
        return
    if "error" in result:
        table.add(**common, measured=what, median="nan", notes=result["error"], met="missed")
        return
    for label, median, p95_seconds, floor, extra in result["rows"]:
        ratio = median / floor if median is not None and floor else None
        target, met = module_target(what, label, ratio, extra)
        table.add(
            **common,
            measured=f"{what}: {label}",
            median=f"{median:.3f} s" if median is not None else "nan",
            p95=f"{p95_seconds:.3f} s" if p95_seconds is not None else "–",
            floor=f"{floor:.3f} s" if floor else "–",
            ratio=f"{ratio:.2f}×" if ratio is not None else "–",
            notes=extra or "",
            target=target,
            met=met,
        )


def query_counts_by_size(table):
    """Notes on whether each page makes the same number of queries at every size (the issue's
    "query counts constant"), per database."""
    counts = {}
    for row in table.rows:
        cells = dict(zip(Table.COLUMNS, row, strict=True))
        if cells["measured"].startswith("page: ") and cells["queries"].isdigit():
            key = (cells["database"], cells["measured"].removeprefix("page: "), cells["who"])
            counts.setdefault(key, {})[cells["agencies"]] = cells["queries"]
    notes = []
    for database in dict.fromkeys(database for database, _page, _who in counts):
        of_database = {key: by_size for key, by_size in counts.items() if key[0] == database}
        if len(next(iter(of_database.values()))) < 2:
            continue  # one size: nothing to compare
        varying = [
            f"{page} ({who}): " + ", ".join(f"{n} at {size}" for size, n in by_size.items())
            for (_database, page, who), by_size in of_database.items()
            if len(set(by_size.values())) > 1
        ]
        notes.append(
            f"{database}: queries per page differ with the size for " + "; ".join(varying)
            if varying
            else f"{database}: every page makes the same number of queries at every size"
        )
    return notes


# --- One database ---------------------------------------------------------------------------------


def database_url(database, scratch, name):
    if database == "sqlite":
        return f"sqlite:///{scratch}/{name}.sqlite3"
    parts = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit(parts._replace(path=f"/{name}"))


def postgres(sql):
    import psycopg  # noqa: PLC0415

    with psycopg.connect(os.environ["DATABASE_URL"], autocommit=True) as conn:
        conn.execute(sql)


def child_env(database, scratch, name):
    return server_env(scratch, database_url(database, scratch, name))


def with_database(database, scratch, name, work):
    """`work(env)` in a fresh database: a SQLite file under `scratch`, or a PostgreSQL database
    created before and dropped after."""
    if database == "postgres":
        postgres(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        postgres(f"CREATE DATABASE {name}")
    try:
        return work(child_env(database, scratch, name))
    finally:
        if database == "postgres":
            postgres(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def bench_size(table, notes, database, size, options):
    scratch = Path(tempfile.mkdtemp(prefix=f"ita-bench-{database}-{size}-"))
    try:

        def work(env):
            out = scratch / "pages.json"
            command = [sys.executable, __file__, "--child", str(size), str(out)]
            command += ["--requests", str(options.requests), "--budget", str(options.budget)]
            subprocess.run(command, env=env, cwd=ROOT, check=True)
            child = json.loads(out.read_text())
            notes.append(f"{database}, {size} agencies: {child['dataset']}, built in {child['build_seconds']:.0f} s")
            page_rows(table, database, size, child)
            for workers in () if "gunicorn" in options.skip else WORKERS:
                progress(f"gunicorn, {workers} worker(s)")
                figures, memory = serve_and_measure(env, scratch, child, workers, options.seconds)
                served_rows(table, database, size, workers, figures, memory)

        with_database(database, scratch, "ita_bench", work)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def bench_module(table, database, what, options):
    """One module's rows in a child process. The documents get a throw-away SQLite database (they do
    not depend on the database kind); the import makes its own beside DATABASE_URL, or SQLite."""
    agencies = max(options.sizes)
    scratch = Path(tempfile.mkdtemp(prefix=f"ita-bench-{MODULES[what]}-"))
    try:
        out = scratch / "rows.json"
        command = [sys.executable, __file__, "--module", MODULES[what], str(out), "--agencies", str(agencies)]
        if options.quick:
            command.append("--quick")
        env = {**os.environ, "TMPDIR": str(scratch), "MEDIA_ROOT": str(scratch / "media")}
        if what == "documents":
            env["DATABASE_URL"] = database_url("sqlite", scratch, "documents")
        elif database == "sqlite":
            env.pop("DATABASE_URL", None)
        done = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True)
        if done.returncode:
            lines = (done.stderr or done.stdout).strip().splitlines() or ["no output"]
            result = {"error": f"failed: {lines[-1]}"}
        else:
            result = json.loads(out.read_text())
        module_rows(table, database, agencies, what, result)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def machine():
    cpu = re.search(r"^model name\s*:\s*(.+)$", Path("/proc/cpuinfo").read_text(), re.M)
    memory = re.search(r"^MemTotal:\s+(\d+) kB", Path("/proc/meminfo").read_text(), re.M)
    versions = [f"Python {platform.python_version()}", f"SQLite {sqlite3.sqlite_version}"]
    if os.environ.get("DATABASE_URL", "").startswith("postgres"):
        import psycopg  # noqa: PLC0415

        with psycopg.connect(os.environ["DATABASE_URL"]) as conn:
            versions.append(f"PostgreSQL {conn.execute('SHOW server_version').fetchone()[0]}")
    else:
        versions.append("PostgreSQL not measured (DATABASE_URL unset)")
    return (
        f"{cpu[1] if cpu else platform.processor()}, {os.cpu_count()} cores, "
        f"{int(memory[1]) / 1024**2:.1f} GB memory; {', '.join(versions)}"
    )


def parse(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)), help="numbers of agencies (default %(default)s)")
    parser.add_argument("--quick", action="store_true", help="a tiny run: 10 agencies, few requests")
    parser.add_argument("--requests", type=int, default=20, help="timed requests per page (default %(default)s)")
    parser.add_argument("--budget", type=float, default=30, help="seconds per page before stopping at 3 requests")
    parser.add_argument("--seconds", type=float, default=15, help="seconds of each gunicorn throughput run")
    parser.add_argument(
        "--skip",
        default="",
        help="parts left out, separated by commas: gunicorn, documents, national import (printed as not measured)",
    )
    options = parser.parse_args(argv)
    options.skip = {part.strip() for part in options.skip.split(",") if part.strip()}
    if options.skip - {"gunicorn", *MODULES}:
        parser.error("--skip: any of gunicorn, documents, national import, separated by commas")
    try:
        options.sizes = [int(size) for size in options.sizes.split(",")]
    except ValueError:
        parser.error("--sizes: numbers of agencies separated by commas, e.g. 10,1000,8323")
    if options.quick:
        options.sizes, options.requests, options.budget, options.seconds = [10], 2, 5, 1
    return options


def main(argv):
    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, stop_on_signal)
    options = parse(argv)
    began = time.perf_counter()
    databases = ["sqlite"]
    if os.environ.get("DATABASE_URL", "").startswith("postgres"):
        databases.append("postgres")
    print(f"Machine: {machine()}\n")
    table, notes = Table(), []
    for database in databases:
        for size in options.sizes:
            progress(f"{database}, {size} agencies")
            bench_size(table, notes, database, size, options)
        for what in MODULES:
            if what == "documents" and database != "sqlite":
                continue  # documents do not depend on the database kind
            if what in options.skip:
                result = {"missing": "not measured: left out (--skip)"}
                module_rows(table, database, max(options.sizes), what, result)
                continue
            progress(f"{database}, {what}")
            bench_module(table, database, what, options)
    print(table.markdown())
    print()
    notes += query_counts_by_size(table)
    for note in notes:
        print(f"- {note}")
    command = "python benchmarks/bench.py " + " ".join(argv) if argv else "make bench"
    print(f"\n`{command}`: total {time.perf_counter() - began:.0f} s")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        arguments = argparse.ArgumentParser()
        arguments.add_argument("size", type=int)
        arguments.add_argument("out")
        arguments.add_argument("--requests", type=int)
        arguments.add_argument("--budget", type=float)
        child_options = arguments.parse_args(sys.argv[2:])
        run_child(child_options.size, child_options.out, child_options.requests, child_options.budget)
    elif sys.argv[1:2] == ["--module"]:
        arguments = argparse.ArgumentParser()
        arguments.add_argument("module")
        arguments.add_argument("out")
        arguments.add_argument("--agencies", type=int)
        arguments.add_argument("--quick", action="store_true")
        module_options = arguments.parse_args(sys.argv[2:])
        # The project first: benchmarks/reports.py must not hide the `reports` app.
        sys.path.insert(0, str(ROOT))
        run_module_child(module_options.module, module_options.out, module_options.quick, module_options.agencies)
    else:
        main(sys.argv[1:])
