"""`make bench` prints one table with every row it promises, each with a figure (benchmarks/bench.py).

One quick run (10 agencies, few requests, SQLite only) in a subprocess, about a minute; no timing is
asserted, only that each row is there and measured, and that nothing is left behind."""

import importlib.util
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
    *(("page: dashboard, after a change", role) for role in [*OVERSIGHT, "officer"]),
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
        # The documents and the import are left out here (their own benchmarks take a minute each);
        # how their rows are printed is tested below on rows of the same shape.
        [sys.executable, "benchmarks/bench.py", "--quick", "--skip", "documents,national import"],
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


def test_parts_left_out_are_printed_as_not_measured(quick_run):
    _header, rows = table_rows(quick_run[0].stdout)
    left_out = [
        (row["measured"], row["median"], row["notes"], row["met"]) for row in rows if row["met"] == "not measured"
    ]
    assert left_out == [
        ("documents", "nan", "not measured: left out (--skip)", "not measured"),
        ("national import", "nan", "not measured: left out (--skip)", "not measured"),
    ]


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
    # A signed-in page reads its session and user at least: none would be a miscount.
    assert all(int(row["queries"]) > 0 for row in pages), [r for r in pages if r["queries"] == "0"]
    # Each page beside the login page of the same run.
    floor = next(row for row in rows if row["measured"] == "floor: login page")
    assert {row["floor"] for row in pages} == {floor["median"]}


def test_the_bench_leaves_nothing_behind(quick_run):
    _done, scratch = quick_run
    assert list(scratch.iterdir()) == []


@pytest.fixture(scope="module")
def bench():
    """benchmarks/bench.py as a module (it imports benchmarks/load.py, found beside it)."""
    sys.path.append(str(ROOT / "benchmarks"))
    spec = importlib.util.spec_from_file_location("bench", ROOT / "benchmarks" / "bench.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    yield module
    sys.path.remove(str(ROOT / "benchmarks"))


def test_document_rows_are_printed_beside_their_floor_with_the_format_s_target(bench):
    table = bench.Table()
    rows = [
        ("PDF analysis TCEB 2565", 0.26, 0.3, 0.2, "120 KB"),
        ("XLSX analysis TCEB 2565", 0.032, None, 0.02, "30 KB, 400 cells"),
        ("DOCX analysis TCEB 2565", 0.05, 0.06, 0.04, "20 KB"),
    ]
    bench.module_rows(table, "sqlite", 8323, "documents", {"rows": rows})
    printed = [dict(zip(bench.Table.COLUMNS, row, strict=True)) for row in table.rows]
    assert [
        (r["measured"], r["median"], r["p95"], r["floor"], r["× floor"], r["target"], r["met"]) for r in printed
    ] == [
        ("documents: PDF analysis TCEB 2565", "0.260 s", "0.300 s", "0.200 s", "1.30×", "≤ 1.3× floor", "met"),
        ("documents: XLSX analysis TCEB 2565", "0.032 s", "–", "0.020 s", "1.60×", "≤ 1.5× floor", "missed"),
        ("documents: DOCX analysis TCEB 2565", "0.050 s", "0.060 s", "0.040 s", "1.25×", "–", "–"),
    ]


def test_the_import_meets_its_target_only_within_five_times_the_floor_and_300_mb(bench):
    def verdict(seconds, extra):
        table = bench.Table()
        row = ("national import, 8,323 agencies", seconds, None, 3.0, extra)
        bench.module_rows(table, "sqlite", 8323, "national import", {"rows": [row]})
        return dict(zip(bench.Table.COLUMNS, table.rows[0], strict=True))["met"]

    assert verdict(15.0, "507,703 rows, 20 MB CSV; peak 180 MB (floor 108 MB)") == "met"
    assert verdict(15.1, "507,703 rows, 20 MB CSV; peak 180 MB (floor 108 MB)") == "missed"
    assert verdict(9.0, "507,703 rows, 20 MB CSV; peak 310 MB (floor 108 MB)") == "missed"


def test_a_module_that_fails_is_a_missed_row_and_one_not_written_yet_is_not_measured(bench):
    table = bench.Table()
    bench.module_rows(table, "sqlite", 10, "national import", {"error": "failed: RuntimeError: boom"})
    bench.module_rows(table, "sqlite", 10, "documents", {"missing": "not measured: No module named 'documents'"})
    assert [(row[2], row[4], row[10], row[12]) for row in table.rows] == [
        ("national import", "nan", "failed: RuntimeError: boom", "missed"),
        ("documents", "nan", "not measured: No module named 'documents'", "not measured"),
    ]


def test_pages_whose_queries_grow_with_the_agencies_are_named(bench):
    table = bench.Table()
    for size, home, dashboard in ((10, 22, 26), (1000, 22, 27)):
        table.add(database="sqlite", agencies=size, measured="page: home", who="officer", queries=home)
        table.add(database="sqlite", agencies=size, measured="page: dashboard", who="officer", queries=dashboard)
    table.add(database="postgres", agencies=10, measured="page: home", who="officer", queries=22)
    assert bench.query_counts_by_size(table) == [
        "sqlite: queries per page differ with the size for dashboard (officer): 26 at 10, 27 at 1000"
    ]
    steady = bench.Table()
    for size in (10, 1000):
        steady.add(database="sqlite", agencies=size, measured="page: home", who="officer", queries=22)
    assert bench.query_counts_by_size(steady) == ["sqlite: every page makes the same number of queries at every size"]


def test_only_the_dashboard_has_a_throughput_target(bench):
    table = bench.Table()
    figures = {"login page": (300.0, 0), "dashboard": (99.0, 0), "progress form": (30.0, 0)}
    bench.served_rows(table, "sqlite", 8323, 1, figures, [130.0])
    printed = [dict(zip(bench.Table.COLUMNS, row, strict=True)) for row in table.rows]
    assert [(r["measured"], r["× floor"], r["target"], r["met"]) for r in printed] == [
        ("throughput: login page, 1 worker(s)", "1.00×", "–", "–"),
        ("throughput: dashboard, 1 worker(s)", "0.33×", "≥ 0.33× login page", "missed"),
        ("throughput: progress form, 1 worker(s)", "0.10×", "–", "–"),
        ("peak worker memory, 1 worker(s)", "–", "< 300 MB", "met"),
    ]
