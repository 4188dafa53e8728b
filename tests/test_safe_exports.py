"""Exports never hand a spreadsheet something to run: text in XLSX is text, CSV cells that would
start a formula get a leading apostrophe, numbers stay numbers. Over every document, the overview
downloads, the year-end bundles and `export_results`. Word files hold text and no field but the page
numbers."""

import csv
import datetime
import io
import re
import zipfile

import docx
import openpyxl
import pytest
from django.core.management import call_command

from assessments.downloads import csv_safe
from assessments.models import Assessment, Score
from measures.models import Activity, ProgressEntry, State, Status
from reports.analysis_document import analysis_document_for
from reports.bundles import write_bundle
from reports.docx import render_docx
from reports.improvement_document import improvement_document_for
from reports.models import Bundle
from reports.plan_document import plan_document_for
from reports.progress_document import progress_document_for
from reports.xlsx import render_xlsx
from tests import factories, published
from tests.published import indicators

LINK = '=HYPERLINK("http://x","y")'
PLUS = "+1"
STEP = "-ขั้นตอนแรก"  # how Thai offices write a list of steps
AT = "@SUM(A1)"
HOSTILE = (LINK, PLUS, STEP, AT)


def text_cells(content):
    """{value: data_type} of every cell holding something, over all sheets; fails on any formula."""
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    cells = {}
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.value is None:
                    continue
                assert cell.data_type != "f", f"{sheet.title}!{cell.coordinate} holds a formula: {cell.value!r}"
                cells[cell.value] = cell.data_type
    return cells


def assert_text(cells, *values):
    for value in values:
        assert cells.get(value) == "s", f"{value!r} is not a text cell: {cells.get(value)!r}"


@pytest.fixture
def hostile_plan(agency, unit):
    """AG1, named like a formula, with the results of 2565 (suggestions starting with "@") and a
    2566 plan whose one measure and its Q2 report are written in every way a spreadsheet would run."""
    agency.name_th = LINK
    agency.save()
    factories.assessment(
        agency, 2565, {**published.TCEB_2565_ITEMS, **indicators(published.TCEB_2565_INDICATORS)}, suggestions=AT
    )
    measure = factories.measure(
        agency,
        2566,
        LINK,
        lead_unit=unit,
        items=("I20",),
        analysis=STEP,
        kpi=PLUS,
        target=AT,
        monitoring=LINK,
        strategy=PLUS,
        risks=AT,
        steps=f"{STEP}\n{AT}",
    )
    for kind in ("q2", "q4"):
        entry = ProgressEntry.objects.get(measure=measure, round__kind=kind, unit=unit)
        entry.result, entry.obstacles, entry.percent = LINK, PLUS, 100
        entry.status, entry.state = Status.DONE, State.APPROVED
        entry.save()
        Activity.objects.create(entry=entry, date=datetime.date(2026, 1, 5), text=AT)
    return agency


@pytest.mark.parametrize(
    "value, written",
    [
        (LINK, "'" + LINK),
        (PLUS, "'+1"),
        (STEP, "'" + STEP),
        (AT, "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("-2+3", "'-2+3"),
        ("ขั้นตอน - แรก", "ขั้นตอน - แรก"),
        (-4.72, -4.72),
        (None, None),
    ],
)
def test_csv_cells_that_would_start_a_formula_are_prefixed(value, written):
    assert csv_safe(value) == written


def test_analysis_xlsx_holds_text_not_formulas(hostile_plan):
    cells = text_cells(
        render_xlsx(analysis_document_for(Assessment.objects.get(agency=hostile_plan, fiscal_year=2565)))
    )

    assert_text(cells, LINK, AT)  # the agency's name in the title, the NACC's suggestions


def test_plan_xlsx_holds_text_not_formulas(hostile_plan):
    cells = text_cells(render_xlsx(plan_document_for(hostile_plan, 2566)))

    assert_text(cells, LINK, STEP, PLUS, AT)  # name and monitoring, analysis, KPI, target
    assert f"1. {STEP}\n2. {AT}" in cells  # the steps as the plan numbers them, "-" kept


def test_progress_xlsx_holds_text_not_formulas(hostile_plan):
    cells = text_cells(render_xlsx(progress_document_for(hostile_plan, 2566, "q2")))

    assert_text(cells, LINK)
    assert (
        f"ส.บก.:\n5 ม.ค. 69 {AT}\n{LINK}\nปัญหาอุปสรรค: {PLUS}\nความคืบหน้า ร้อยละ 100\n\nความคืบหน้าของมาตรการ ร้อยละ 100"
        in cells
    )


def test_improvement_xlsx_holds_text_not_formulas(hostile_plan):
    cells = text_cells(render_xlsx(improvement_document_for(hostile_plan, 2566)))

    assert_text(cells, LINK, PLUS)  # the agency's name, the strategy
    assert f"{LINK}\n1. {STEP}\n2. {AT}" in cells
    assert f"{PLUS}\nค่าเป้าหมาย: {AT}" in cells


def test_a_control_character_pasted_into_a_measure_does_not_break_the_excel_file(hostile_plan):
    measure = hostile_plan.measures.get()
    measure.name = "มาตรการ\x0bที่หนึ่ง\x08"  # a vertical tab and a backspace, as Word pastes them
    measure.save()

    cells = text_cells(render_xlsx(plan_document_for(hostile_plan, 2566)))

    assert "มาตรการที่หนึ่ง" in cells


def docx_texts(content):
    """Every paragraph and table cell of a Word file; fails on any field but the page numbers, so
    that nothing a measure's text says is run by Word."""
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        xml = "".join(archive.read(name).decode("utf-8") for name in archive.namelist() if name.endswith(".xml"))
    assert "w:instrText" not in xml and "w:fldChar" not in xml
    assert set(re.findall(r'w:instr="([^"]*)"', xml)) == {"PAGE", "NUMPAGES"}
    document = docx.Document(io.BytesIO(content))
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return {paragraph.text for paragraph in document.paragraphs} | set(cells)


def test_every_document_in_word_holds_the_text_as_written(hostile_plan):
    analysis = docx_texts(
        render_docx(analysis_document_for(Assessment.objects.get(agency=hostile_plan, fiscal_year=2565)))
    )
    plan = docx_texts(render_docx(plan_document_for(hostile_plan, 2566), landscape=True))
    progress = docx_texts(render_docx(progress_document_for(hostile_plan, 2566, "q2"), landscape=True))
    improvement = docx_texts(render_docx(improvement_document_for(hostile_plan, 2566), landscape=True))

    assert {LINK, AT} <= analysis  # the agency's name in the title, the NACC's suggestions
    assert {LINK, STEP, PLUS, AT, f"1. {STEP}\n2. {AT}"} <= plan
    assert (
        f"ส.บก.:\n5 ม.ค. 69 {AT}\n{LINK}\nปัญหาอุปสรรค: {PLUS}\nความคืบหน้า ร้อยละ 100\n\nความคืบหน้าของมาตรการ ร้อยละ 100"
        in progress
    )
    assert {f"{LINK}\n1. {STEP}\n2. {AT}", f"{PLUS}\nค่าเป้าหมาย: {AT}"} <= improvement


def test_a_control_character_pasted_into_a_measure_does_not_break_the_word_file(hostile_plan):
    measure = hostile_plan.measures.get()
    measure.name = "มาตรการ\x0bที่หนึ่ง\x08"  # python-docx refuses them outright
    measure.save()

    assert "มาตรการที่หนึ่ง" in docx_texts(render_docx(plan_document_for(hostile_plan, 2566), landscape=True))


def test_the_year_end_bundle_holds_text_not_formulas(hostile_plan, officer, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    bundle = Bundle.objects.create(organisation=hostile_plan, fiscal_year=2566, requested_by=officer)
    bundle.agencies.set([hostile_plan])
    out = io.BytesIO()

    write_bundle(bundle, out)

    archive = zipfile.ZipFile(out)
    workbooks = sorted(name for name in archive.namelist() if name.endswith(".xlsx"))
    assert workbooks == [
        f"AG1-2566/AG1/ita-{name}.xlsx"
        for name in (
            "analysis-AG1-2565",
            "improvement-AG1-2566",
            "plan-AG1-2566",
            "progress-AG1-2566-12m",
            "progress-AG1-2566-6m",
        )
    ]
    for name in workbooks:
        assert_text(text_cells(archive.read(name)), LINK)
        assert LINK in docx_texts(archive.read(name.removesuffix(".xlsx") + ".docx"))
    assert_text(text_cells(archive.read("AG1-2566/AG1/ita-plan-AG1-2566.xlsx")), STEP, PLUS, AT)


# The overview downloads


@pytest.fixture
def overseer(db):
    """Oversees a province whose one town is named like a formula and fell 4.72 points."""
    province = factories.agency("PROV", PLUS, agency_type="province")
    town = factories.agency("TOWN", LINK, agency_type="local_government", parent=province)
    factories.summarised_assessment(town, 2564, {"IIT": "95.00", "EIT": "95.00", "OIT": "95.00"})
    factories.summarised_assessment(town, 2565, {"IIT": "90.28", "EIT": "90.28", "OIT": "90.28"})
    return factories.member("governor", province, "executive", oversight=True)


def test_overview_csv_prefixes_text_and_keeps_a_fall_a_number(client, overseer):
    client.force_login(overseer)

    response = client.get("/overview/2565/download.csv")

    assert response.status_code == 200
    header, *rows = list(csv.reader(io.StringIO(response.getvalue().decode("utf-8-sig"))))
    assert rows == [
        [
            "1",
            "TOWN",
            "'" + LINK,
            "องค์กรปกครองส่วนท้องถิ่น (ไม่ระบุประเภท)",
            "'+1",
            "90.28",
            "A",
            "90.28",
            "90.28",
            "90.28",
            "95.00",
            "-4.72",
            "0",
            "",
        ]
    ]


def test_overview_xlsx_holds_text_not_formulas(client, overseer):
    client.force_login(overseer)

    response = client.get("/overview/2565/download.xlsx")

    assert response.status_code == 200
    cells = text_cells(response.content)
    assert_text(cells, LINK, PLUS)
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert sheet.cell(row=2, column=12).value == pytest.approx(-4.72)
    assert sheet.cell(row=2, column=12).data_type == "n"


# export_results


def test_export_results_prefixes_an_agency_code_starting_with_a_hyphen_and_imports_back_unchanged(db, tmp_path):
    agency = factories.agency("-AG9")
    factories.assessment(agency, 2568, published.angthong_2568_figures())
    before = sorted(Score.objects.values_list("pk", "code", "part", "score"))
    out = io.StringIO()
    call_command("export_results", "--agency=-AG9", "--year=2568", stdout=out)
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert {row["agency"] for row in rows} == {"'-AG9"}
    assert all(not row["score"].startswith("'") for row in rows)
    path = tmp_path / "export.csv"
    path.write_text(out.getvalue(), encoding="utf-8")
    official = sum(1 for row in rows if row["source"] == "official")
    imported = io.StringIO()

    call_command("import_results", str(path), stdout=imported)

    assert imported.getvalue().strip() == f"Imported {official} figures: 0 new, 0 changed, {official} unchanged."
    assert sorted(Score.objects.values_list("pk", "code", "part", "score")) == before
