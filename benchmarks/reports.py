"""Time the official documents on the demo data: `python benchmarks/reports.py` (`--quick`: one
warm run each and no bundles, to check that it runs).

Prints, for each document and format (PDF, XLSX, DOCX), the best and median of several warm renders,
the size and the PDF's pages, beside a floor measured in the same run (a one-page document through
the same renderers), then the time of each demo organisation's year-end bundle as the worker builds it.
The target (issue: official-style reports) is under 3 s for an agency with 10 measures and 4 rounds.
It uses its own SQLite database and media folder under /tmp and changes nothing in the project's.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ita_tracker.settings")
os.environ.setdefault("DJANGO_DEBUG", "1")
SCRATCH = tempfile.mkdtemp()
os.environ["DATABASE_URL"] = f"sqlite:///{SCRATCH}/benchmark.sqlite3"
os.environ["MEDIA_ROOT"] = f"{SCRATCH}/media"

import django  # noqa: E402
import pypdfium2 as pdfium  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402

from assessments.access import bundle_agencies  # noqa: E402
from assessments.models import Agency, Assessment  # noqa: E402
from measures.models import Measure  # noqa: E402
from reports.analysis_document import analysis_document_for  # noqa: E402
from reports.docx import render_docx  # noqa: E402
from reports.improvement_document import improvement_document_for  # noqa: E402
from reports.layout import Document, Section, Table, header  # noqa: E402
from reports.models import Bundle  # noqa: E402
from reports.pdf import render_pdf  # noqa: E402
from reports.plan_document import plan_document_for  # noqa: E402
from reports.progress_document import progress_document_for  # noqa: E402
from reports.tasks import build_bundle  # noqa: E402
from reports.xlsx import render_xlsx  # noqa: E402


def timed(build, runs):
    times, content = [], b""
    build()  # warm: fonts, templates, framework data
    for _ in range(runs):
        start = time.perf_counter()
        content = build()
        times.append(time.perf_counter() - start)
    return min(times), statistics.median(times), content


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="one warm run of each document and no bundles")
    quick = parser.parse_args().quick
    runs = 1 if quick else 5
    with open(os.devnull, "w") as quiet:
        call_command("migrate", verbosity=0, stdout=quiet)
        call_command("load_frameworks", verbosity=0, stdout=quiet)
        call_command("load_demo", verbosity=0, stdout=quiet)
    tceb = Agency.objects.get(code="TCEB")
    cases = [
        (
            "analysis TCEB 2565",
            lambda: analysis_document_for(Assessment.objects.get(agency=tceb, fiscal_year=2565)),
            False,
        ),
        ("plan TCEB 2566", lambda: plan_document_for(tceb, 2566), True),
        ("progress TCEB 2566 Q2", lambda: progress_document_for(tceb, 2566, "q2"), True),
        ("progress TCEB 2566 12m", lambda: progress_document_for(tceb, 2566, "12m"), True),
        ("improvement TCEB 2566", lambda: improvement_document_for(tceb, 2566), True),
    ]
    measures = Measure.objects.filter(agency=tceb, fiscal_year=2566).count()
    print(
        f"TCEB 2566: {measures} measures, 4 quarterly rounds; {runs} warm runs each, "
        "document built from the database every run"
    )
    print(f"{'document':28} {'format':6} {'best s':>8} {'median s':>9} {'size KB':>8} {'pages':>6}")
    # The floor: a one-page document (a title and a table of one row) through the same renderers.
    floor = Document(
        ["เอกสารหนึ่งหน้า"],
        tceb.name_th,
        2566,
        [Section("ส่วนที่ 1", [], Table([[header("ที่"), header("มาตรการ")]], [["1", "ก"]], [4, 40]))],
        "floor",
    )
    cases.insert(0, ("floor: one-page document", lambda: floor, True))
    for name, build_document, landscape in cases:
        # Default arguments: each lambda keeps this round's values (it is called within the round).
        for fmt, render in (
            ("pdf", lambda d, landscape=landscape: render_pdf(d, landscape=landscape)),
            ("xlsx", render_xlsx),
            ("docx", lambda d, landscape=landscape: render_docx(d, landscape=landscape)),
        ):
            best, median, content = timed(
                lambda render=render, build_document=build_document: render(build_document()), runs
            )
            pages = len(pdfium.PdfDocument(content)) if fmt == "pdf" else ""
            print(f"{name:28} {fmt:6} {best:8.2f} {median:9.2f} {len(content) / 1024:8.0f} {pages:>6}")
    if not quick:
        bundles()


def bundles():
    """Each demo organisation's bundle, built once as the worker runs it (cold: the first of its kind)."""
    admin = get_user_model().objects.get(username="admin")
    print(f"\n{'year-end bundle':28} {'files':>6} {'seconds':>8} {'s/file':>7} {'size KB':>8}")
    for code, year in (("PMO", 2566), ("MNRE", 2564), ("ANGTHONG-PROV", 2569)):
        organisation = Agency.objects.get(code=code)
        bundle = Bundle.objects.create(organisation=organisation, fiscal_year=year, requested_by=admin)
        bundle.agencies.set(bundle_agencies(organisation, admin))
        start = time.perf_counter()
        build_bundle.call(bundle.pk)
        seconds = time.perf_counter() - start
        bundle.refresh_from_db()
        per_file, size = seconds / bundle.done, bundle.file.size / 1024
        print(f"{code + ' ' + str(year):28} {bundle.done:6} {seconds:8.2f} {per_file:7.2f} {size:8.0f}")


if __name__ == "__main__":
    main()
