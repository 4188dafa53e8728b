"""The analysis report as PDF and XLSX: the figures and Thai text read back from the files."""

import io
import re
from decimal import Decimal

import openpyxl
import pdfplumber
import pytest
from django.core.management import CommandError, call_command

from assessments.models import Assessment, FrameworkVersion
from reports.analysis_document import analysis_document
from reports.layout import Document, Section, Table, header
from reports.pdf import render_pdf
from reports.xlsx import render_xlsx
from tests import factories, published
from tests.published import indicators

SUGGESTION = "ควรพัฒนาและปรับปรุงการดำเนินงาน โดยเฉพาะในประเด็นการใช้ทรัพย์สินของราชการ"
URL = "/agencies/AG1/2565/report.pdf"


def compact(text):
    """Text as the PDF gives it back, to compare: extraction returns "า" for "ำ" (TECH.md) and
    puts spaces where the font positions marks, so spaces and line ends are left out."""
    return re.sub(r"\s+", "", text.replace("\u0e33", "\u0e32"))


@pytest.fixture
def tceb_2565(agency):
    figures = {
        **published.TCEB_2565_ITEMS,
        **indicators(published.TCEB_2565_INDICATORS),
        "OIT": "100.00",
        "ITA": "97.04",
    }
    factories.assessment(agency, 2564, {**indicators(published.TCEB_2564_INDICATORS), "ITA": "95.01"})
    assessment = factories.assessment(agency, 2565, figures, suggestions=f"{SUGGESTION}\nข้อเสนอแนะข้อที่สอง")
    assessment.tier_scheme, assessment.tier_lower, assessment.tier_upper = "three", Decimal("95"), Decimal("97.5")
    assessment.save()
    return assessment


def document_of(assessment):
    history = list(
        Assessment.objects.filter(agency=assessment.agency).order_by("fiscal_year").prefetch_related("scores")
    )
    versions = {v.pk: v for v in FrameworkVersion.objects.with_spec_data()}
    return analysis_document(next(a for a in history if a.pk == assessment.pk), history, versions)


def pdf_text(content):
    """The text of each page in the order it was written (Thai marks stay after their letters), compacted."""
    with pdfplumber.open(io.BytesIO(content)) as pdf:
        return [compact(page.extract_text(use_text_flow=True)) for page in pdf.pages]


def test_pdf_has_the_figures_thai_text_and_page_numbers_in_sarabun_only(tceb_2565):
    content = render_pdf(document_of(tceb_2565))

    with pdfplumber.open(io.BytesIO(content)) as pdf:
        fonts = {char["fontname"] for page in pdf.pages for char in page.chars}
    assert fonts and all("Sarabun" in font for font in fonts), fonts
    assert any("Bold" in font for font in fonts)
    pages = pdf_text(content)
    text = "".join(pages)
    assert compact("ได้คะแนน 97.04 คะแนน อยู่ในระดับ AA เทียบกับปี 2564 ได้คะแนน 95.01 คะแนน ผลต่าง 2.03") in text
    assert compact("คะแนนภาพรวม (ITA) 95.01 97.04 2.03") in text
    assert compact("ตัวชี้วัดที่ 1 การปฏิบัติหน้าที่ 94.57 98.80 4.23 AA") in text
    assert compact(SUGGESTION) in text
    assert "หน้า1/" in pages[0]
    assert f"หน้า{len(pages)}/{len(pages)}" in pages[-1]
    assert compact("หน่วยงานทดสอบหนึ่ง · ปีงบประมาณ พ.ศ. 2565") in pages[1]  # the page header

    # I20 (87.77) is listed under the urgent tier, not under the other two.
    urgent, improve = compact("ข้อบกพร่องหรือจุดอ่อนที่ต้องแก้ไขโดยเร่งด่วน"), compact("ประเด็นที่ต้องพัฒนาให้ดีขึ้น")
    tiers = text[text.index(compact("การจัดกลุ่มประเด็นการประเมินตามผลคะแนน")) :]
    assert re.search(r"I20\D*87\.77", tiers[tiers.index(urgent) : tiers.index(improve)])
    assert "I20" not in tiers[tiers.index(improve) :]


def small_document(rows, widths, header_rows=None):
    table = Table(header_rows or [[header("ข้อ"), header("ประเด็น")]], rows, widths, {})
    return Document(["ทดสอบ"], "หน่วยงานทดสอบ", 2565, [Section("ตาราง", [], table)], "test")


LONG_THAI = (
    "หน่วยงานของท่านมีการเปิดโอกาสให้ผู้รับบริการ ผู้มาติดต่อ หรือผู้มีส่วนได้ส่วนเสีย "
    "เข้าไปมีส่วนร่วมในการปรับปรุงพัฒนาการดำเนินงานและการให้บริการของหน่วยงานได้มากน้อยเพียงใด"
)


def test_long_thai_text_wraps_inside_a_narrow_cell(db):
    # On A4 portrait the text area is 160 mm wide (3 cm left, 2 cm right): 3 cm of it is the second column.
    content = render_pdf(small_document([["I1", LONG_THAI]], [130, 30]))

    with pdfplumber.open(io.BytesIO(content)) as pdf:
        page = pdf.pages[0]
        borders = [edge for edge in page.edges if edge["orientation"] == "v"]
        body_top = max(edge["top"] for edge in borders)  # the body row starts under the header row
        body = [edge for edge in borders if edge["top"] == body_top]
        lefts = sorted({edge["x0"] for edge in body})
        cell_left, cell_right = lefts[-2], lefts[-1]
        bottom = max(edge["bottom"] for edge in body)
        chars = [c for c in page.chars if body_top <= c["top"] < bottom and c["text"] not in "I1"]
    assert cell_right - cell_left == pytest.approx(30 * 72 / 25.4, abs=1)  # 3 cm
    assert len({round(c["top"]) for c in chars}) >= 5  # the sentence wraps onto several lines
    assert all(cell_left < c["x0"] and c["x1"] < cell_right for c in chars)  # and stays inside the cell


def test_xlsx_keeps_numbers_merged_headers_frozen_panes_and_print_titles(tceb_2565):
    workbook = openpyxl.load_workbook(io.BytesIO(render_xlsx(document_of(tceb_2565))))

    summary = workbook.worksheets[0]
    cells = {cell.value: cell for row in summary.iter_rows() for cell in row if cell.value is not None}
    overall = next(row for row in summary.iter_rows() if row[0].value == "คะแนนภาพรวม (ITA)")
    assert [c.value for c in overall[1:]] == [95.01, 97.04, pytest.approx(2.03)]
    assert isinstance(overall[2].value, float)
    assert overall[2].number_format == "0.00"
    assert overall[3].number_format == "0.00;(0.00)"
    score_header = cells["คะแนน"]
    assert any(score_header.coordinate in r and r.max_col - r.min_col == 1 for r in summary.merged_cells.ranges)
    assert summary.freeze_panes == f"A{score_header.row + 2}"
    assert summary.print_title_rows == f"${score_header.row}:${score_header.row + 1}"
    assert summary.page_setup.orientation == "landscape"
    assert summary.page_setup.fitToWidth == 1 and summary.page_setup.fitToHeight == 0
    assert {cell.font.name for row in summary.iter_rows() for cell in row if cell.value is not None} == {"Sarabun"}

    indicator_sheet = workbook.worksheets[1]
    years = [c.value for row in indicator_sheet.iter_rows() for c in row if c.value in ("ปี 2564", "ปี 2565")]
    assert years == ["ปี 2564", "ปี 2565"]
    items = {row[0].value: row for sheet in workbook.worksheets for row in sheet.iter_rows() if row[0].value == "I20"}
    assert 87.77 in [c.value for c in items["I20"]]


def test_view_permission_ladder(client, tceb_2565, outsider, executive):
    response = client.get(URL)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")

    client.force_login(outsider)
    assert client.get(URL).status_code == 404

    client.force_login(executive)
    response = client.get("/agencies/AG1/2565/report.xlsx")
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="ita-analysis-AG1-2565.xlsx"'
    assert client.get("/agencies/AG1/2565/report.doc").status_code == 404
    assert client.get("/agencies/AG1/2570/report.pdf").status_code == 404


def test_view_serves_the_pdf_with_thai_digits(client, tceb_2565, executive):
    client.force_login(executive)

    response = client.get(URL + "?digits=thai")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="ita-analysis-AG1-2565.pdf"'
    text = "".join(pdf_text(response.content))
    assert "๙๗.๐๔" in text
    assert "97.04" not in text  # the chart's labels too
    assert "หน้า๑/" in text


def test_analysis_page_links_the_downloads(client, tceb_2565, executive):
    client.force_login(executive)

    page = client.get("/agencies/AG1/2565/").content.decode()

    assert 'href="/agencies/AG1/2565/report.pdf"' in page
    assert 'href="/agencies/AG1/2565/report.xlsx"' in page


def test_command_writes_the_file(tceb_2565, tmp_path):
    output = tmp_path / "report.xlsx"

    call_command(
        "export_report",
        "analysis",
        "--agency",
        "AG1",
        "--year",
        "2565",
        "--format",
        "xlsx",
        "-o",
        str(output),
        stdout=io.StringIO(),
    )

    workbook = openpyxl.load_workbook(output)
    assert any(cell.value == 97.04 for row in workbook.worksheets[0].iter_rows() for cell in row)


def test_command_reports_an_unknown_year(tceb_2565, tmp_path):
    with pytest.raises(CommandError, match="No results"):
        call_command("export_report", "analysis", "--agency", "AG1", "--year", "2570", "-o", str(tmp_path / "x.pdf"))
