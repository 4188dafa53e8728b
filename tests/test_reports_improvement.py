"""The improvement plan (DOMAIN §7 item 4): header block and month grid, as rows, PDF and XLSX."""

import datetime
import io
import re

import openpyxl
import pdfplumber
import pytest
from django.core.management import call_command

from measures.models import ProgressEntry, State
from reports.improvement_document import improvement_document_for
from reports.pdf import render_pdf
from reports.xlsx import render_xlsx
from tests import factories, published

YEAR = 2569
URL = f"/agencies/AG1/{YEAR}/improvement/report.pdf"
OWN = "มาตรการยกระดับการเปิดเผยข้อมูลสาธารณะ"
OTHERS = "มาตรการกำกับดูแลและตรวจสอบทรัพย์สิน"
DATES = "มาตรการตรวจสอบพัสดุ"


def compact(text):
    """Text as the PDF gives it back: "ำ" extracts as "า" and spaces fall where marks are positioned."""
    return re.sub(r"\s+", "", text.replace("\u0e33", "\u0e32"))


@pytest.fixture
def plan_2569(agency, unit, other_unit):
    """A quarters measure (Q1–Q2), a months measure (ม.ค., ก.พ.) and a dates measure (15 พ.ย. – 10 ก.พ.)."""
    factories.assessment(agency, 2568, published.angthong_2568_figures())
    factories.measure(
        agency,
        YEAR,
        OWN,
        lead_unit=unit,
        supporting=[other_unit],
        items=("o12", "i10"),
        months=[10, 11, 12, 1, 2, 3],
        steps="แต่งตั้งผู้ตรวจทานคนที่สอง\nจัดทำหน้ารวมลิงก์ข้อมูล",
        kpi="ร้อยละของรายการที่เปิดเผยครบถ้วน",
        target="ร้อยละ 100",
        confidence="high",
        risks="ข้อมูลไม่ทันเวลา",
        strategy="SO-5",
    )
    factories.measure(
        agency, YEAR, OTHERS, lead_unit=other_unit, items=("i10",), period="months", months=[1, 2], confidence="high"
    )
    factories.measure(
        agency,
        YEAR,
        DATES,
        lead_unit=other_unit,
        items=("i11",),
        period="dates",
        confidence="medium",
        start_date=datetime.date(2025, 11, 15),
        end_date=datetime.date(2026, 2, 10),
    )
    return agency


def test_document_header_block_and_month_grid(plan_2569):
    document = improvement_document_for(plan_2569, YEAR)

    assert document.filename == f"ita-improvement-AG1-{YEAR}"
    block, grid = document.sections
    values = dict(block.table.rows)
    assert values["ชื่อแผน"] == f"แผนพัฒนาการส่งเสริมคุณธรรมและความโปร่งใส ประจำปีงบประมาณ พ.ศ. {YEAR}"
    assert values["วัตถุประสงค์"].startswith("ยกระดับผลการประเมิน ITA") and "ตัวชี้วัดที่ 4" in values["วัตถุประสงค์"]
    assert values["เป้าหมาย"] == "ระดับดีเยี่ยม"
    assert values["หน่วยงานหลัก"] == "กองการเจ้าหน้าที่ (กจ.)"  # leads two of the three
    assert values["ยุทธศาสตร์ที่สนับสนุน"] == "SO-5"
    assert values["ระยะเวลา"] == "ต.ค. 68 – ก.ย. 69"
    assert values["ประเภทแผน"] == "แผนปฏิบัติการ"
    assert values["ความมั่นใจในความสำเร็จ"].count("[X]") == 1
    assert "[X] มาก (>80%)" in values["ความมั่นใจในความสำเร็จ"].split("\n")
    assert "ข้อมูลไม่ทันเวลา" in values["ความเสี่ยง"]

    assert [h.text for h in grid.table.header_rows[1]][:3] == ["ต.ค.", "พ.ย.", "ธ.ค."]
    assert grid.table.header_rows[0][2].text == "ระยะเวลาดำเนินการ" and grid.table.header_rows[0][2].colspan == 12
    marks = {row[1].split("\n")[0]: [i for i, v in enumerate(row[2:14]) if v] for row in grid.table.rows}
    assert marks == {OWN: [0, 1, 2, 3, 4, 5], OTHERS: [3, 4], DATES: [1, 2, 3, 4]}
    own = grid.table.rows[0]
    assert own[1] == f"{OWN}\n1. แต่งตั้งผู้ตรวจทานคนที่สอง\n2. จัดทำหน้ารวมลิงก์ข้อมูล"
    assert own[14] == "ร้อยละของรายการที่เปิดเผยครบถ้วน\nค่าเป้าหมาย: ร้อยละ 100"


def test_results_are_each_units_latest_approved_entry(plan_2569):
    entry = ProgressEntry.objects.filter(measure__name=OWN).select_related("unit").first()
    assert entry is not None  # factories.measure syncs an entry for every active round and unit
    ProgressEntry.objects.filter(pk=entry.pk).update(
        state=State.APPROVED, percent=60, status="on_track", result="เปิดเผยแล้ว 30 รายการ"
    )
    _block, grid = improvement_document_for(plan_2569, YEAR).sections
    # A summary per unit; the narrative belongs to the progress report.
    assert "กองการเจ้าหน้าที่ (กจ.): ร้อยละ 60 (เป็นไปตามแผน)" in grid.table.rows[0][16]
    assert "เปิดเผยแล้ว 30 รายการ" not in grid.table.rows[0][16]


def test_units_at_the_same_point_are_named_once(plan_2569):
    q1 = ProgressEntry.objects.filter(measure__name=OWN, round__kind="q1")
    q1.update(state=State.APPROVED, percent=100, status="done")

    _block, grid = improvement_document_for(plan_2569, YEAR).sections
    assert grid.table.rows[0][16] == "กองการเจ้าหน้าที่ (กจ.), สำนักงานบริหารกลาง (ส.บก.): ร้อยละ 100 (ดำเนินการแล้วเสร็จ)"

    q1.filter(unit__abbreviation="กจ.").update(percent=80, status="on_track")
    _block, grid = improvement_document_for(plan_2569, YEAR).sections
    assert grid.table.rows[0][16].split("\n") == [
        "กองการเจ้าหน้าที่ (กจ.): ร้อยละ 80 (เป็นไปตามแผน)",
        "สำนักงานบริหารกลาง (ส.บก.): ร้อยละ 100 (ดำเนินการแล้วเสร็จ)",
    ]


def test_pdf_in_sarabun_and_xlsx_month_cells(plan_2569):
    document = improvement_document_for(plan_2569, YEAR)
    content = render_pdf(document, landscape=True)
    with pdfplumber.open(io.BytesIO(content)) as pdf:
        fonts = {char["fontname"] for page in pdf.pages for char in page.chars}
        assert pdf.pages[0].width > pdf.pages[0].height
        text = "".join(compact(page.extract_text(use_text_flow=True)) for page in pdf.pages)
    assert fonts and all("Sarabun" in font for font in fonts), fonts
    for expected in (
        f"แผนพัฒนาการส่งเสริมคุณธรรมและความโปร่งใส ประจำปีงบประมาณ พ.ศ. {YEAR}",
        OWN,
        "ต.ค.",
        "ระดับดีเยี่ยม",
        "[X]",
        "[]",
        "■",
    ):
        assert compact(expected) in text, expected

    workbook = openpyxl.load_workbook(io.BytesIO(render_xlsx(document)))
    sheet = workbook.worksheets[-1]
    cells = {cell.value: cell for row in sheet.iter_rows() for cell in row if cell.value}
    period = cells["ระยะเวลาดำเนินการ"]
    assert any(
        str(r) == f"{period.coordinate}:{sheet.cell(period.row, period.column + 11).coordinate}"
        for r in sheet.merged_cells.ranges
    )
    october = cells["ต.ค."]
    others = next(c for c in cells.values() if isinstance(c.value, str) and c.value.startswith(OTHERS))
    row = [sheet.cell(others.row, october.column + i).value for i in range(12)]
    assert row == [None, None, None, "■", "■"] + [None] * 7


def test_view_permission_ladder_and_command(client, plan_2569, outsider, officer, tmp_path):
    xlsx = URL.replace(".pdf", ".xlsx")
    response = client.get(xlsx)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")

    client.force_login(outsider)
    assert client.get(xlsx).status_code == 404

    client.force_login(officer)
    response = client.get(xlsx)
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="ita-improvement-AG1-{YEAR}.xlsx"'
    assert client.get(f"/agencies/AG1/{YEAR}/improvement/report.doc").status_code == 404
    page = client.get(f"/agencies/AG1/{YEAR}/plan/").content.decode()
    assert f'href="/agencies/AG1/{YEAR}/improvement/report.pdf"' in page

    output = tmp_path / "improvement.xlsx"
    call_command(
        "export_report",
        "improvement",
        "--agency",
        "AG1",
        "--year",
        str(YEAR),
        "--format",
        "xlsx",
        "-o",
        str(output),
        stdout=io.StringIO(),
    )
    values = {c.value for sheet in openpyxl.load_workbook(output) for row in sheet.iter_rows() for c in row}
    assert f"แผนพัฒนาการส่งเสริมคุณธรรมและความโปร่งใส ประจำปีงบประมาณ พ.ศ. {YEAR}" in values
