"""The measures plan as PDF and XLSX: the Ang Thong 2569 layout read back from the files."""

import datetime
import io
import re

import openpyxl
import pdfplumber
import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from measures.models import Measure
from reports.pdf import render_pdf
from reports.plan_document import plan_document_for
from reports.xlsx import render_xlsx
from tests import factories, published

YEAR = 2569
URL = f"/agencies/AG1/{YEAR}/plan/report.pdf"
OWN = "มาตรการยกระดับการเปิดเผยข้อมูลสาธารณะ"
OTHERS = "มาตรการกำกับดูแลและตรวจสอบทรัพย์สิน"


def compact(text):
    """Text as the PDF gives it back: "ำ" extracts as "า" and spaces fall where marks are positioned."""
    return re.sub(r"\s+", "", text.replace("\u0e33", "\u0e32"))


def pdf_text(content):
    with pdfplumber.open(io.BytesIO(content)) as pdf:
        return "".join(compact(page.extract_text(use_text_flow=True)) for page in pdf.pages)


@pytest.fixture
def plan_2569(agency, unit, other_unit):
    """The 2569 plan answering Ang Thong's 2568 results: one measure of `unit` with steps,
    quarters and follow-up, one of `other_unit` with months."""
    factories.assessment(agency, 2568, published.angthong_2568_figures())
    factories.measure(
        agency,
        YEAR,
        OWN,
        lead_unit=unit,
        supporting=[other_unit],
        items=("o12", "i10"),
        months=[10, 11, 12, 1, 2, 3],
        analysis="บางรายการเปิดเผยข้อมูลไม่ครบถ้วน",
        steps="แต่งตั้งผู้ตรวจทานคนที่สอง\nจัดทำหน้ารวมลิงก์ข้อมูล",
        monitoring="ตรวจทานหน้าเว็บไซต์ทุกเดือน",
        report_to="นายกเทศมนตรี",
        kpi="ร้อยละของรายการที่เปิดเผยครบถ้วน",
        target="ร้อยละ 100",
    )
    factories.measure(agency, YEAR, OTHERS, lead_unit=other_unit, items=("i10",), period="months", months=[1, 2])
    factories.measure(
        agency,
        YEAR,
        "มาตรการตรวจสอบพัสดุ",
        lead_unit=other_unit,
        items=("i11",),
        period="dates",
        start_date=datetime.date(2025, 10, 1),
        end_date=datetime.date(2026, 3, 31),
    )
    return agency


def test_document_groups_rows_by_indicator_in_fixed_queries(plan_2569):
    with CaptureQueriesContext(connection) as queries:
        document = plan_document_for(plan_2569, YEAR)
    factories.measure(plan_2569, YEAR, "มาตรการเพิ่มเติม", lead_unit=plan_2569.units.first(), items=("o19", "i12"))
    with CaptureQueriesContext(connection) as more:
        plan_document_for(plan_2569, YEAR)
    assert len(more) == len(queries)  # no query per measure

    assert document.title_lines == ["มาตรการส่งเสริมคุณธรรมและความโปร่งใสภายในหน่วยงาน", f"ประจำปีงบประมาณ พ.ศ. {YEAR}"]
    assert document.filename == f"ita-plan-AG1-{YEAR}"
    plan, follow_up = document.sections
    rows = plan.table.rows
    # Indicator 4 (i10, i11) first: its cell printed once; the shared measure also lists indicator 9.
    assert [row[1] for row in rows] == [OWN, OTHERS, "มาตรการตรวจสอบพัสดุ"]
    assert rows[0][0] == "ตัวชี้วัดที่ 4 การใช้ทรัพย์สินของราชการ (คะแนน 95.05)\nตัวชี้วัดที่ 9 การเปิดเผยข้อมูล (คะแนน 92.50)"
    assert rows[1][0] == rows[2][0] == ""
    assert rows[0][3] == "1. แต่งตั้งผู้ตรวจทานคนที่สอง\n2. จัดทำหน้ารวมลิงก์ข้อมูล"
    assert [row[4] for row in rows] == ["ไตรมาส 1–2", "ม.ค.–ก.พ.", "1 ต.ค. 68 – 31 มี.ค. 69"]
    assert rows[0][5] == "สำนักงานบริหารกลาง (ส.บก.)\nกองการเจ้าหน้าที่ (กจ.)"
    assert follow_up.table.rows == [
        [OWN, "ตรวจทานหน้าเว็บไซต์ทุกเดือน", "รายงานผลต่อ นายกเทศมนตรี ทุกไตรมาส", "ร้อยละของรายการที่เปิดเผยครบถ้วน", "ร้อยละ 100"]
    ]


def test_a_plan_by_quarters_prints_arrows_and_one_by_months_a_month_grid(agency, unit):
    """TCEB 2566 prints a column per quarter with an arrow over the quarters a measure runs in."""
    factories.assessment(agency, 2568, published.angthong_2568_figures())
    factories.measure(agency, YEAR, OWN, lead_unit=unit, items=("o12",), months=[10, 11, 12, 1, 2, 3, 4, 5, 6, 7, 8, 9])
    factories.measure(agency, YEAR, OTHERS, lead_unit=unit, items=("i10",), months=[1, 2, 3], order=2)
    factories.measure(
        agency, YEAR, "มาตรการสองช่วง", lead_unit=unit, items=("i11",), months=[10, 11, 12, 7, 8, 9], order=3
    )

    table = plan_document_for(agency, YEAR).sections[0].table
    assert [h.text for h in table.header_rows[1]] == ["ไตรมาส ที่ 1", "ไตรมาส ที่ 2", "ไตรมาส ที่ 3", "ไตรมาส ที่ 4"]
    # No measure has an analysis or steps: those columns are left out, not printed empty.
    assert [(h.text, h.colspan) for h in table.header_rows[0]] == [
        ("ตัวชี้วัด (คะแนนปี 2568)", 1),
        ("มาตรการ", 1),
        ("ช่วงระยะเวลา", 4),
        ("ผู้รับผิดชอบ", 1),
    ]
    assert {row[1]: row[2:6] for row in table.rows} == {
        OWN: ["←", "―", "―", "→"],
        OTHERS: ["", "←→", "", ""],
        "มาตรการสองช่วง": ["←→", "", "", "←→"],
    }

    Measure.objects.filter(agency=agency).update(period="months")
    table = plan_document_for(agency, YEAR).sections[0].table
    assert [h.text for h in table.header_rows[1]][:3] == ["ต.ค.", "พ.ย.", "ธ.ค."]
    others = next(row for row in table.rows if row[1] == OTHERS)
    assert others[2:14] == ["", "", "", "■", "■", "■", "", "", "", "", "", ""]
    workbook = openpyxl.load_workbook(io.BytesIO(render_xlsx(plan_document_for(agency, YEAR))))
    values = [[cell.value for cell in row] for row in workbook.active.iter_rows()]
    assert any(row[2:5] == ["ต.ค.", "พ.ย.", "ธ.ค."] for row in values)


def test_pdf_is_landscape_in_sarabun_with_the_plan_text(plan_2569):
    content = render_pdf(plan_document_for(plan_2569, YEAR), landscape=True)

    with pdfplumber.open(io.BytesIO(content)) as pdf:
        fonts = {char["fontname"] for page in pdf.pages for char in page.chars}
        assert pdf.pages[0].width > pdf.pages[0].height
    assert fonts and all("Sarabun" in font for font in fonts), fonts
    text = pdf_text(content)
    for expected in (
        f"ประจำปีงบประมาณ พ.ศ. {YEAR}",
        "ตัวชี้วัดที่ 4 การใช้ทรัพย์สินของราชการ (คะแนน 95.05)",
        OWN,
        "1. แต่งตั้งผู้ตรวจทานคนที่สอง",
        "สำนักงานบริหารกลาง (ส.บก.)",
        "ไตรมาส 1–2",
        "1 ต.ค. 68 – 31 มี.ค. 69",
        "แนวทางการกำกับติดตาม",
    ):
        assert compact(expected) in text, expected


def test_xlsx_has_the_merged_header_wrapped_text_and_frozen_header(plan_2569):
    workbook = openpyxl.load_workbook(io.BytesIO(render_xlsx(plan_document_for(plan_2569, YEAR))))

    plan, follow_up = workbook.worksheets
    cells = {cell.value: cell for row in plan.iter_rows() for cell in row if cell.value}
    steps = cells["1. แต่งตั้งผู้ตรวจทานคนที่สอง\n2. จัดทำหน้ารวมลิงก์ข้อมูล"]
    assert steps.alignment.wrap_text
    assert plan.freeze_panes == f"A{cells['ผู้รับผิดชอบ'].row + 1}"  # below the header row
    assert "ตัวชี้วัดความสำเร็จและค่าเป้าหมาย" in {c.value for row in follow_up.iter_rows() for c in row}
    assert follow_up.merged_cells.ranges


def test_view_permission_ladder_and_unit_staff_get_their_units_measures(
    client, plan_2569, outsider, unit_staff, officer
):
    xlsx = URL.replace(".pdf", ".xlsx")
    response = client.get(xlsx)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")

    client.force_login(outsider)
    assert client.get(xlsx).status_code == 404

    client.force_login(unit_staff)
    response = client.get(xlsx)
    assert response.status_code == 200
    values = {
        c.value
        for sheet in openpyxl.load_workbook(io.BytesIO(response.content))
        for row in sheet.iter_rows()
        for c in row
    }
    assert OWN in values and OTHERS not in values

    client.force_login(officer)
    response = client.get(URL + "?digits=thai")
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="ita-plan-AG1-{YEAR}.pdf"'
    assert "๒๕๖๙" in pdf_text(response.content)
    assert client.get(f"/agencies/AG1/{YEAR}/plan/report.doc").status_code == 404
    page = client.get(f"/agencies/AG1/{YEAR}/plan/").content.decode()
    assert (
        f'href="/agencies/AG1/{YEAR}/plan/report.pdf"' in page
        and f'href="/agencies/AG1/{YEAR}/plan/report.xlsx"' in page
    )


def test_command_writes_the_plan(plan_2569, tmp_path):
    output = tmp_path / "plan.xlsx"

    call_command(
        "export_report",
        "plan",
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

    workbook = openpyxl.load_workbook(output)
    assert OTHERS in {c.value for row in workbook.worksheets[0].iter_rows() for c in row}


I10 = "i10 เจ้าหน้าที่ในหน่วยงานของท่าน มีการขอยืมหรือขอใช้ ทรัพย์สินของหน่วยงานอย่างถูกต้องตามขั้นตอน/แนวปฏิบัติ มากน้อยเพียงใด"
O12 = "o12 รายการการจัดซื้อจัดจ้างหรือการจัดหาพัสดุ และความก้าวหน้าการจัดซื้อจัดจ้างหรือการจัดหาพัสดุ ประจำปี พ.ศ. 2568"
I11 = "i11 เจ้าหน้าที่ในหน่วยงานของท่าน เคยนำทรัพย์สินของหน่วยงานไปใช้เพื่อประโยชน์ส่วนตัว บ่อยครั้งมากน้อยเพียงใด"
EXPECTED_TCEB_ROWS = [
    ("heading", "1) แบบวัดการรับรู้ของผู้มีส่วนได้ส่วนเสียภายใน (IIT)"),
    ("heading", "1.1) ประเด็นที่เป็นจุดแข็ง (ตั้งแต่ค่าเป้าหมาย 85.00 คะแนนขึ้นไป)"),
    ("heading", "ตัวชี้วัดที่ 4 การใช้ทรัพย์สินของราชการ (คะแนน 95.05)"),
    # A measure answering items of two tools goes under the first tool; it lists both items.
    ("", f"{I10} ได้รับผลประเมิน 85.81 คะแนน\n{O12} ได้รับผลประเมิน 50.00 คะแนน"),
    ("", ""),
    ("", f"{I11} ได้รับผลประเมิน 100.00 คะแนน"),
]


def test_tceb_layout_is_one_table_under_tool_tier_and_indicator_headings(plan_2569):
    """TCEB 2566's single table: each item printed once with its score, the monitoring and
    reporting columns beside the steps; the month-less plan prints its period as text."""
    document = plan_document_for(plan_2569, YEAR, layout="tceb")

    (section,) = document.sections
    assert section.sheet == "มาตรการ"
    table = section.table
    assert [h.text for h in table.header_rows[0]] == [
        "ประเด็นการประเมิน (ผลปี 2568)",
        "มาตรการและขั้นตอนดำเนินการ",
        "ช่วงระยะเวลา",
        "หน่วยงานที่รับผิดชอบ",
        "แนวทางการกำกับติดตาม",
        "การรายงานผล",
    ]
    assert list(zip(table.row_styles, [row[0] for row in table.rows], strict=True)) == EXPECTED_TCEB_ROWS
    own = table.rows[3]
    assert own[1] == f"{OWN}\n1) แต่งตั้งผู้ตรวจทานคนที่สอง\n2) จัดทำหน้ารวมลิงก์ข้อมูล"
    assert own[2:] == [
        "ไตรมาส 1–2",
        "สำนักงานบริหารกลาง (ส.บก.)\nกองการเจ้าหน้าที่ (กจ.)",
        "ตรวจทานหน้าเว็บไซต์ทุกเดือน\nตัวชี้วัดความสำเร็จ: ร้อยละของรายการที่เปิดเผยครบถ้วน ร้อยละ 100",
        "รายงานผลต่อ นายกเทศมนตรี ทุกไตรมาส",
    ]
    assert table.rows[4][0] == ""  # i10 was printed in OWN's row of the same indicator

    text = pdf_text(render_pdf(document, landscape=True))
    assert compact("1) แบบวัดการรับรู้ของผู้มีส่วนได้ส่วนเสียภายใน (IIT)") in text
    assert compact("1.1) ประเด็นที่เป็นจุดแข็ง (ตั้งแต่ค่าเป้าหมาย 85.00 คะแนนขึ้นไป)") in text


def test_plan_download_takes_the_layout_and_refuses_one_it_does_not_know(client, plan_2569, officer):
    client.force_login(officer)
    response = client.get(URL.replace(".pdf", ".xlsx") + "?layout=tceb")
    assert response.status_code == 200
    values = {c.value for row in openpyxl.load_workbook(io.BytesIO(response.content)).active.iter_rows() for c in row}
    assert "แนวทางการกำกับติดตาม" in values and "ผลการวิเคราะห์" not in values
    assert client.get(URL + "?layout=nope").status_code == 404
