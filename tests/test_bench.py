"""`make bench` prints one table with every row it promises, each with a figure (benchmarks/bench.py).

One quick run (10 agencies, few requests, SQLite only) in a subprocess, about a minute; no timing is
asserted, only that each row is there and measured, and that nothing is left behind."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
OVERSIGHT = ["system administrator", "ministry executive", "province executive"]
EXPECTED = {
    ("floor: login page", "anonymous"),
    *(("page: home", role) for role in [*OVERSIGHT, "officer"]),
    *(("page: dashboard", role) for role in [*OVERSIGHT, "officer"]),
    *(("page: overview, filter, sort, page 50", role) for role in OVERSIGHT),
    *(("page: overview download XLSX", role) for role in OVERSIGHT),
    *(("page: overview download CSV", role) for role in OVERSIGHT),
    *(("page: agency page", role) for role in [*OVERSIGHT, "officer"]),
    *(("page: analysis", role) for role in [*OVERSIGHT, "officer"]),
    *(("page: plan", role) for role in [*OVERSIGHT, "officer"]),
    ("page: review queue", "system administrator"),
    ("page: review queue", "officer"),
    ("page: progress form", "unit staff"),
    *(
        row
        for workers in (1, 2)
        for row in (
            (f"throughput: login page, {workers} worker(s)", "anonymous"),
            (f"throughput: dashboard, {workers} worker(s)", "system administrator"),
            (f"throughput: progress form, {workers} worker(s)", "unit staff"),
            (f"peak worker memory, {workers} worker(s)", "–"),
        )
    ),
}
COLUMNS = ["database", "agencies", "measured", "who", "median", "p95", "floor", "× floor"]
COLUMNS += ["queries", "bytes", "notes", "target", "met"]
FIGURE = re.compile(r"\d+(\.\d+)? (ms|s|req/s|MB)")


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory):
    scratch = tmp_path_factory.mktemp("bench")
    env = {name: value for name, value in os.environ.items() if name != "DATABASE_URL"}  # SQLite only
    env["TMPDIR"] = str(scratch)
    done = subprocess.run(
        [sys.executable, "benchmarks/bench.py", "--quick"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    return done, scratch


def table_rows(output):
    lines = [line for line in output.splitlines() if line.startswith("| ")]
    header, *rows = ([cell.strip() for cell in line.strip("|").split(" | ")] for line in lines)
    return header, [dict(zip(header, row, strict=True)) for row in rows]


def test_quick_bench_prints_the_machine_and_one_table(quick_run):
    done, _scratch = quick_run
    assert done.returncode == 0, done.stderr[-2000:]
    machine = next(line for line in done.stdout.splitlines() if line.startswith("Machine:"))
    assert re.search(r"\d+ cores, [\d.]+ GB memory; Python 3\.\d+\.\d+, SQLite 3\.\d+", machine)
    header, _rows = table_rows(done.stdout)
    assert header == COLUMNS
    assert re.search(r"total \d+ s", done.stdout)


def test_every_promised_row_is_there_once_at_ten_agencies(quick_run):
    _header, rows = table_rows(quick_run[0].stdout)
    measured = [
        (row["measured"], row["who"]) for row in rows if row["measured"].startswith(("page", "floor", "thr", "peak"))
    ]
    assert sorted(measured) == sorted(EXPECTED)
    assert {(row["database"], row["agencies"]) for row in rows} == {("sqlite", "10")}


def test_documents_and_the_national_import_have_rows_measured_or_said_not_to_be(quick_run):
    _header, rows = table_rows(quick_run[0].stdout)
    for what in ("documents", "national import"):
        of_module = [row for row in rows if row["measured"].split(":")[0] == what]
        assert of_module, what
        for row in of_module:
            assert row["met"] == "not measured" or FIGURE.fullmatch(row["median"]), row


def test_every_measured_row_has_a_figure_and_a_verdict_beside_its_target(quick_run):
    _header, rows = table_rows(quick_run[0].stdout)
    for row in rows:
        if row["met"] == "not measured":
            continue
        assert FIGURE.fullmatch(row["median"]), row
        if row["target"] != "–":
            assert row["met"] in ("met", "missed"), row
    pages = [row for row in rows if row["measured"].startswith("page: ")]
    assert all(row["target"] == "p95 < 200 ms" and row["queries"].isdigit() for row in pages)
    assert all(int(row["bytes"]) > 0 for row in pages)
    # Each page beside the login page of the same run.
    floor = next(row for row in rows if row["measured"] == "floor: login page")
    assert {row["floor"] for row in pages} == {floor["median"]}


def test_the_bench_leaves_nothing_behind(quick_run):
    _done, scratch = quick_run
    assert list(scratch.iterdir()) == []
