"""Time a large import on SQLite and how long it keeps other saves waiting:
`python benchmarks/imports.py [AGENCIES]` (default 8,000 agencies, each with Ang Thong's 87 figures of 2568).

Imports are written in batches, each its own transaction; while one is written every other save
waits. This prints the longest and median batch of the agency and results imports (an upper
bound of how long each held SQLite's write lock) and the longest wait of a small save made every
0.2 s from another thread during the import, which must stay well under the busy timeout
(SQLITE_TIMEOUT, 20 s). It uses its own SQLite database under /tmp.
"""

import csv
import io
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ita_tracker.settings")
os.environ.setdefault("DJANGO_DEBUG", "1")
SCRATCH = tempfile.mkdtemp()
os.environ["DATABASE_URL"] = f"sqlite:///{SCRATCH}/benchmark.sqlite3"

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from assessments import agency_import, importing  # noqa: E402
from assessments.agency_import import AGENCY_COLUMNS, check_agencies, save_agencies  # noqa: E402
from assessments.importing import RESULT_COLUMNS, check_results, read_rows, save_results  # noqa: E402
from assessments.models import Agency, AgencyType  # noqa: E402

DEMO = Path(__file__).resolve().parent.parent / "fixtures" / "demo" / "results.csv"


def csv_bytes(header, rows):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


class Batches:
    """Times each call of one of the importer's batch functions: one batch, one transaction."""

    def __init__(self, module, name):
        self.name, self.times = name, []
        self.write = getattr(module, name)
        setattr(module, name, self)

    def __call__(self, *args):
        start = time.perf_counter()
        try:
            return self.write(*args)
        finally:
            self.times.append(time.perf_counter() - start)

    def line(self, name):
        return (
            f"{name:8} {len(self.times):6} batches, longest {max(self.times):.2f} s, "
            f"median {statistics.median(self.times):.2f} s, total {sum(self.times):.0f} s"
        )


class Saver(threading.Thread):
    """Another user's save, every 0.2 s: how long does it wait for the import?"""

    def __init__(self, pk):
        super().__init__(daemon=True)
        self.pk, self.waits, self.failures, self.done = pk, [], 0, threading.Event()

    def run(self):
        while not self.done.is_set():
            start = time.perf_counter()
            try:
                with transaction.atomic():
                    Agency.objects.filter(pk=self.pk).update(short_name=str(len(self.waits) % 100))
            except Exception:  # noqa: BLE001 - counted: there must be none
                self.failures += 1
            self.waits.append(time.perf_counter() - start)
            time.sleep(0.2)
        connection.close()


def main(count):
    with open(os.devnull, "w") as quiet:
        call_command("migrate", verbosity=0, stdout=quiet)
        call_command("load_frameworks", verbosity=0, stdout=quiet)
    demo = [row for row in csv.DictReader(DEMO.open(encoding="utf-8")) if row["agency"] == "ANGTHONG-MUN"]
    codes = [f"B{number:05d}" for number in range(count)]
    agency_file = csv_bytes(
        AGENCY_COLUMNS, [(code, f"หน่วยงานทดสอบ {code}", code, "local_government", "", "") for code in codes]
    )
    results_file = csv_bytes(
        RESULT_COLUMNS,
        [(code, row["fiscal_year"], row["code"], row["part"], row["score"]) for code in codes for row in demo],
    )
    print(
        f"{count} agencies, {count * len(demo)} figures ({len(results_file) / 1e6:.0f} MB of CSV), SQLite in {SCRATCH}"
    )

    start = time.perf_counter()
    agencies, problems = check_agencies(read_rows(agency_file, "agencies.csv", AGENCY_COLUMNS))
    assert not problems, problems[:3]
    print(f"agencies checked in {time.perf_counter() - start:.0f} s")
    saver = Saver(
        Agency.objects.create(
            code="OTHER",
            name_th="ผู้บันทึกระหว่างนำเข้า",
            agency_type=AgencyType.objects.get(code="local_government"),
        ).pk
    )
    saver.start()
    agency_batches = Batches(agency_import, "save_agencies_batch")
    save_agencies(agencies)

    start = time.perf_counter()
    figures, problems = check_results(read_rows(results_file, "results.csv", RESULT_COLUMNS))
    assert not problems, problems[:3]
    print(f"figures checked in {time.perf_counter() - start:.0f} s")
    result_batches = Batches(importing, "save_results_batch")
    save_results(figures)
    saver.done.set()
    saver.join()

    print(agency_batches.line("agencies"))
    print(result_batches.line("results"))
    print(
        f"a save every 0.2 s meanwhile: {len(saver.waits)} saves, longest wait {max(saver.waits):.2f} s, "
        f"median {statistics.median(saver.waits):.3f} s, {saver.failures} failed"
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 8000)
