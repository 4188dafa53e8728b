"""The national import against its floor: `python benchmarks/national_import.py [AGENCIES]`
(default 8,323 agencies, the 61 item figures of 2568 each: 507,703 rows, about 20 MB of CSV).

The agencies are created first with `import_agencies`, then `import_results` reads the results
file in a subprocess of its own, so that its time and peak memory (ru_maxrss) are the command's
alone. The floor is the cheapest way to put the same rows in the score table of the same kind of
database: one plain `executemany` of the rows, in another subprocess, after the table is emptied.
SQLite under a temporary folder by default; with DATABASE_URL set (postgres://...), a scratch
database made beside it and dropped afterwards. Nothing is written in the project's folders.

`measure(agencies)` returns rows (label, median seconds, p95 seconds or None, floor seconds, extra)
for benchmarks/bench.py.
"""

import csv
import os
import random
import shutil
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
NATIONAL = 8_323
YEAR = 2568
# The items of the 2568 framework, as its results publish them: 15 IIT, 9 EIT in two parts, 28 OIT.
ITEMS = (
    [(f"i{n}", "") for n in range(1, 16)]
    + [(f"e{n}", part) for n in range(1, 10) for part in ("public", "survey")]
    + [(f"o{n}", "") for n in range(1, 29)]
)


def agency_codes(count):
    return [f"N{number:05d}" for number in range(1, count + 1)]


def write_files(folder, count, seed=1):
    """agencies.csv and results.csv for `count` agencies, written a row at a time."""
    codes = agency_codes(count)
    agencies = folder / "agencies.csv"
    with agencies.open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(["code", "name_th", "short_name", "agency_type", "parent", "size_class"])
        for code in codes:
            writer.writerow([code, f"หน่วยงานทดสอบ {code}", code, "local_government", "", ""])
    results = folder / "results.csv"
    scores = random.Random(seed)
    with results.open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(["agency", "fiscal_year", "code", "part", "score"])
        for code in codes:
            for item, part in ITEMS:
                writer.writerow([code, YEAR, item, part, f"{scores.randint(5000, 10000) / 100:.2f}"])
    return agencies, results


# Prints the peak RSS of the command it runs (the process itself, not its parent's).
MEASURED = textwrap.dedent(
    """
    import resource, runpy, sys
    sys.argv = sys.argv[1:]
    try:
        runpy.run_path(sys.argv[0], run_name="__main__")
    finally:
        print("maxrss_kb", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)
    """
)

FLOOR = textwrap.dedent(
    """
    import csv, os, resource, sys, time
    from decimal import Decimal
    url, path = os.environ["FLOOR_DATABASE_URL"], sys.argv[1]
    if url.startswith("sqlite"):
        import sqlite3
        connection = sqlite3.connect(url.split("sqlite:///", 1)[1])
        mark = "?"
    else:
        import psycopg
        connection = psycopg.connect(url)
        mark = "%s"
    cursor = connection.cursor()
    cursor.execute("DELETE FROM assessments_historicalscore")
    cursor.execute("DELETE FROM assessments_score")
    cursor.execute("SELECT a.code, s.id FROM assessments_agency a JOIN assessments_assessment s ON s.agency_id = a.id")
    assessments = dict(cursor.fetchall())
    connection.commit()
    parts = {"": 0, "public": 1, "survey": 2}
    with open(path, newline="", encoding="utf-8") as file:
        reader = csv.reader(file)
        next(reader)
        rows = [(assessments[a], code, parts[part], Decimal(score), None, "") for a, _y, code, part, score in reader]
    start = time.perf_counter()
    cursor.executemany(
        "INSERT INTO assessments_score (assessment_id, code, part, score, indicator, level) "
        f"VALUES ({mark}, {mark}, {mark}, {mark}, {mark}, {mark})",
        [(a, c, p, str(s) if mark == "?" else s, i, level) for a, c, p, s, i, level in rows],
    )
    connection.commit()
    print("seconds", time.perf_counter() - start)
    print("maxrss_kb", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
    """
)


def scratch_database(folder):
    """(DATABASE_URL for the run, a function that removes it)."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        return f"sqlite:///{folder}/national.sqlite3", lambda: None
    name = f"ita_bench_import_{os.getpid()}"
    base, _slash, _db = url.rpartition("/")
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(f"CREATE DATABASE {name}")

    def drop():
        with psycopg.connect(url, autocommit=True) as connection:
            connection.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")

    return f"{base}/{name}", drop


def manage(env, *args):
    return [sys.executable, "-c", MEASURED, str(ROOT / "manage.py"), *args]


def peak_mb(stderr_text):
    lines = [line for line in stderr_text.splitlines() if line.startswith("maxrss_kb")]
    return int(lines[-1].split()[1]) / 1024 if lines else None


def timed(args, env):
    start = time.perf_counter()
    result = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if result.returncode != 0:
        raise RuntimeError(f"{args[3:]} failed:\n{result.stderr[-3000:]}{result.stdout[-2000:]}")
    return seconds, peak_mb(result.stderr), result.stdout


def measure(agencies=NATIONAL):
    folder = Path(tempfile.mkdtemp(prefix="national-import-"))
    url, drop = scratch_database(folder)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "ita_tracker.settings",
        "DJANGO_DEBUG": "1",
        "DATABASE_URL": url,
        "MEDIA_ROOT": str(folder / "media"),
    }
    try:
        agency_file, results_file = write_files(folder, agencies)
        for command in (["migrate"], ["load_frameworks"], ["import_agencies", str(agency_file)]):
            timed(manage(env, *command, "-v", "0"), env)
        seconds, peak, _out = timed(manage(env, "import_results", str(results_file)), env)
        rows = agencies * len(ITEMS)
        floor = subprocess.run(
            [sys.executable, "-c", FLOOR, str(results_file)],
            cwd=ROOT,
            env={**env, "FLOOR_DATABASE_URL": url},
            capture_output=True,
            text=True,
        )
        if floor.returncode != 0:
            raise RuntimeError(floor.stderr[-3000:])
        figures = dict(line.split() for line in floor.stdout.splitlines())
        floor_seconds, floor_mb = float(figures["seconds"]), int(figures["maxrss_kb"]) / 1024
        kind = "PostgreSQL" if url.startswith("postgres") else "SQLite"
        size = results_file.stat().st_size / 1e6
        return [
            (
                f"national import, {agencies:,} agencies × {len(ITEMS)} items ({kind})",
                seconds,
                None,
                floor_seconds,
                f"{rows:,} rows, {size:.0f} MB CSV; peak {peak:.0f} MB (floor {floor_mb:.0f} MB); "
                f"{seconds / floor_seconds:.1f}× the floor",
            )
        ]
    finally:
        drop()
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    for label, median, _p95, floor, extra in measure(int(sys.argv[1]) if len(sys.argv) > 1 else NATIONAL):
        print(f"{label}: {median:.1f} s, floor {floor:.2f} s; {extra}")
