"""Time the official documents and the overview download against their floors:
`python benchmarks/documents.py [--agencies N] [--runs R] [--quick]`.

Each document (analysis, measures plan, 6- and 12-month progress, improvement plan, combined) is
built from the database and rendered as the download does, median and p95 of several warm runs,
beside its floor measured in the same run, the two in turns (`timed_beside`):
- PDF: WeasyPrint's `HTML(string=...).write_pdf()` of the same HTML, already built, with the same
  fonts and CSS: what the app adds around WeasyPrint;
- XLSX: openpyxl's write-only workbook writing the same cell values (no styles) to memory, beside
  the download (document built and rendered) and the renderer alone on the document built;
- DOCX: python-docx writing the same texts, one paragraph a cell (no tables, no styles).
Then the overview download of a whole fiscal year at N agencies (a system administrator, no
filter), XLSX against the same write-only floor, CSV against `csv.writer` of the same values.

Run as a script it builds its own SQLite database under /tmp (`load_frameworks`, `load_demo`, and
N synthetic agencies for the overview); imported (benchmarks/bench.py) its functions use the
database Django is configured with and return rows of (label, median s, p95 s, floor s, extra).
"""

import argparse
import csv
import gc
import io
import os
import statistics
import sys
import tempfile
import time
import tracemalloc
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
if __name__ == "__main__":
    SCRATCH = tempfile.mkdtemp()
    os.environ["DATABASE_URL"] = f"sqlite:///{SCRATCH}/benchmark.sqlite3"
    os.environ["MEDIA_ROOT"] = f"{SCRATCH}/media"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ita_tracker.settings")
os.environ.setdefault("DJANGO_DEBUG", "1")

import django  # noqa: E402

django.setup()

import docx  # noqa: E402
import openpyxl  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402
from weasyprint import HTML  # noqa: E402

from accounts import second_factor  # noqa: E402
from assessments.models import Agency, AgencyType, Assessment, FrameworkVersion  # noqa: E402
from reports import pdf  # noqa: E402
from reports.analysis_document import analysis_document_for  # noqa: E402
from reports.combined_document import combined_document_for  # noqa: E402
from reports.docx import render_docx  # noqa: E402
from reports.improvement_document import improvement_document_for  # noqa: E402
from reports.plan_document import plan_document_for  # noqa: E402
from reports.progress_document import progress_document_for  # noqa: E402
from reports.xlsx import render_xlsx  # noqa: E402

OVERVIEW_YEAR = 2568  # the demo's few agencies of 2568, and the synthetic ones beside them


def timed(build, runs):
    """(median, p95 or None, last result) of `runs` warm runs of `build()` (one run first, not
    counted: fonts, templates, framework data)."""
    times, result = [], build()
    for _ in range(runs):
        gc.collect()  # see timed_beside
        start = time.perf_counter()
        result = build()
        times.append(time.perf_counter() - start)
    p95 = sorted(times)[min(len(times) - 1, round(0.95 * (len(times) - 1)))] if len(times) >= 5 else None
    return statistics.median(times), p95, result


def timed_beside(build, floor, runs):
    """As `timed` for `build()`, with the median of `floor()` run in turn with it: the two
    measured one after the other in each round, so that a slower moment of the machine weighs on
    both; and the garbage collector's work is done before each run, not left to fall into the next
    one (a WeasyPrint render makes a large object graph: without it the same PDF measured anywhere
    from 0.83x to 1.52x its floor, with it 1.07x to 1.17x)."""
    build_times, floor_times = [], []
    result = build()
    floor()
    for _ in range(runs):
        gc.collect()
        start = time.perf_counter()
        result = build()
        build_times.append(time.perf_counter() - start)
        gc.collect()
        start = time.perf_counter()
        floor()
        floor_times.append(time.perf_counter() - start)
    p95 = sorted(build_times)[min(len(build_times) - 1, round(0.95 * (len(build_times) - 1)))] if runs >= 5 else None
    return statistics.median(build_times), p95, result, statistics.median(floor_times)


def load_demo_data():
    """The demo organisations and their documents, unless the database has them already."""
    with open(os.devnull, "w") as quiet:
        call_command("migrate", verbosity=0, stdout=quiet)
        if not Agency.objects.filter(code="TCEB").exists():
            call_command("load_frameworks", verbosity=0, stdout=quiet)
            call_command("load_demo", verbosity=0, stdout=quiet)


def demo_documents():
    """[(name, build, landscape)] as the downloads build them (landscape as reports.views sets it)."""
    tceb = Agency.objects.get(code="TCEB")
    return [
        ("analysis TCEB 2565", lambda: analysis_document_for(Assessment.objects.get(agency=tceb, fiscal_year=2565)), 0),
        ("plan TCEB 2566", lambda: plan_document_for(tceb, 2566), 1),
        ("progress TCEB 2566 6m", lambda: progress_document_for(tceb, 2566, "6m"), 1),
        ("progress TCEB 2566 12m", lambda: progress_document_for(tceb, 2566, "12m"), 1),
        ("improvement TCEB 2566", lambda: improvement_document_for(tceb, 2566), 1),
        ("combined TCEB 2566", lambda: combined_document_for(tceb, 2566), 0),
    ]


def pdf_floor(html):
    """WeasyPrint alone on the app's own HTML, fonts and CSS."""
    return HTML(string=html, base_url=str(pdf.FONT_DIR), url_fetcher=pdf.DocumentFetcher()).write_pdf(
        font_config=pdf.FONT_CONFIG
    )


def sheet_values(content):
    """[(sheet name, [[value]])] of a workbook's cells, as the floor writes them again."""
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    return [(sheet.title, [list(row) for row in sheet.iter_rows(values_only=True)]) for sheet in workbook]


def xlsx_floor(sheets):
    """openpyxl's write-only workbook of the same values, no styles."""
    workbook = openpyxl.Workbook(write_only=True)
    for title, rows in sheets:
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def docx_texts(content):
    """Every paragraph's and table cell's text of a DOCX file."""
    document = docx.Document(io.BytesIO(content))
    texts = [p.text for p in document.paragraphs]
    for table in document.tables:
        texts += [cell.text for row in table.rows for cell in row.cells]
    return texts


def docx_floor(texts):
    """python-docx writing the same texts, one paragraph each."""
    document = docx.Document()
    for text in texts:
        document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def document_rows(runs=5):
    """Rows (label, median, p95, floor median, extra) of every demo document in each format."""
    load_demo_data()
    rows = []
    for name, build, landscape in demo_documents():
        landscape = bool(landscape)
        html = pdf.render_html(build(), landscape=landscape)
        median, p95, content, floor = timed_beside(
            lambda b=build, la=landscape: pdf.render_pdf(b(), landscape=la), lambda h=html: pdf_floor(h), runs
        )
        rows.append((f"PDF {name}", median, p95, floor, f"{len(content) // 1024} KB"))

        sheets = sheet_values(render_xlsx(build(), landscape=landscape))
        median, p95, content, floor = timed_beside(
            lambda b=build, la=landscape: render_xlsx(b(), landscape=la), lambda s=sheets: xlsx_floor(s), runs
        )
        cells = sum(len(r) for _title, values in sheets for r in values)
        rows.append((f"XLSX {name}", median, p95, floor, f"{len(content) // 1024} KB, {cells} cells"))
        # The renderer alone, on the document already built (as the PDF's floor has its HTML built).
        document = build()
        median, p95, _content, floor = timed_beside(
            lambda d=document, la=landscape: render_xlsx(d, landscape=la), lambda s=sheets: xlsx_floor(s), runs
        )
        rows.append((f"XLSX {name}, document built", median, p95, floor, "render_xlsx only"))

        median, p95, content = timed(lambda b=build, la=landscape: render_docx(b(), landscape=la), runs)
        texts = docx_texts(content)
        floor, _p95, _floor_content = timed(lambda t=texts: docx_floor(t), runs)
        rows.append((f"DOCX {name}", median, p95, floor, f"{len(content) // 1024} KB"))
    return rows


def add_overview_agencies(count, year=OVERVIEW_YEAR):
    """`count` agencies with an assessment of `year` (and of the year before, for the change),
    under one parent, bulk-created: the overview's rows without the import."""
    existing = Assessment.objects.filter(fiscal_year=year).count()
    if existing >= count:
        return
    kind = AgencyType.objects.order_by("pk").first()
    versions = {y: FrameworkVersion.objects.for_year(y) for y in (year - 1, year)}
    parent, _created = Agency.objects.get_or_create(
        code="BENCH-PARENT", defaults={"name_th": "กระทรวงทดสอบ", "agency_type": kind}
    )
    agencies = Agency.objects.bulk_create(
        Agency(code=f"B{n:05d}", name_th=f"หน่วยงานทดสอบที่ {n}", parent=parent, agency_type=kind)
        for n in range(existing, count)
    )
    assessments = []
    for n, agency in enumerate(agencies, start=existing):
        overall = Decimal(60 + n % 4000 / 100).quantize(Decimal("0.01"))
        for fiscal_year, score in ((year - 1, overall - 2), (year, overall)):
            assessments.append(
                Assessment(
                    agency=agency,
                    fiscal_year=fiscal_year,
                    version=versions[fiscal_year],
                    overall=score,
                    iit=score,
                    eit=score,
                    oit=score,
                    level="A",
                )
            )
    Assessment.objects.bulk_create(assessments, batch_size=1000)
    Assessment.objects.filter(fiscal_year=year).refresh_ranks()


def overview_download_rows(year=OVERVIEW_YEAR, runs=5, username=None, label=""):
    """Rows of the overview download of `year` as a system administrator (or `username`), XLSX and CSV."""
    user = get_user_model().objects.filter(username=username) if username else None
    user = user.first() if user else get_user_model().objects.filter(is_superuser=True).order_by("pk").first()
    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    session = client.session  # signed in with the second factor given, as after the sign-in page
    session[second_factor.STEP_KEY] = second_factor.DONE
    session.save()
    agencies = Assessment.objects.visible_to(user).filter(fiscal_year=year).count()
    label = label or f"{agencies} agencies"
    rows = []
    for file_format in ("xlsx", "csv"):

        def download(file_format=file_format):
            response = client.get(f"/overview/{year}/download.{file_format}")
            assert response.status_code == 200, response.status_code
            return b"".join(response.streaming_content) if response.streaming else response.content

        content = download()
        if file_format == "xlsx":
            sheets = sheet_values(content)
            median, p95, content, floor = timed_beside(download, lambda s=sheets: xlsx_floor(s), runs)
        else:
            values = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
            median, p95, content, floor = timed_beside(download, lambda v=values: csv_floor(v), runs)
        size = len(content) / 1024 / 1024
        peak = peak_memory(download) / 1024 / 1024
        extra = f"{size:.1f} MB file, peak Python memory {peak:.0f} MB"
        rows.append((f"overview download {file_format.upper()}, {label}", median, p95, floor, extra))
    return rows


def peak_memory(build):
    """The most memory Python held at once while `build()` ran, beyond what it held before."""
    tracemalloc.start()
    try:
        build()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def csv_floor(values):
    buffer = io.StringIO()
    csv.writer(buffer).writerows(values)
    return buffer.getvalue().encode("utf-8")


def print_rows(rows):
    print(f"{'':52} {'median s':>9} {'p95 s':>7} {'floor s':>8} {'× floor':>8}")
    for label, median, p95, floor, extra in rows:
        p95_text = f"{p95:7.3f}" if p95 is not None else f"{'-':>7}"
        print(f"{label:52} {median:9.3f} {p95_text} {floor:8.3f} {median / floor:8.2f}  {extra}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--agencies", type=int, default=8323, help="agencies in the overview download")
    parser.add_argument("--runs", type=int, default=5, help="warm runs of each (default 5)")
    parser.add_argument("--quick", action="store_true", help="one warm run each, 1,000 agencies")
    arguments = parser.parse_args()
    runs = 1 if arguments.quick else arguments.runs
    agencies = 1000 if arguments.quick else arguments.agencies
    rows = document_rows(runs)
    print_rows(rows)
    add_overview_agencies(agencies)
    overview = overview_download_rows(runs=runs)
    print_rows(overview)


if __name__ == "__main__":
    main()
