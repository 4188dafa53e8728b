"""The analysis report as PDF and XLSX: the figures and Thai text read back from the files."""

import io
import re
import xml.etree.ElementTree as ET
from decimal import Decimal

import openpyxl
import pdfplumber
import pytest
from django.core.management import CommandError, call_command

from assessments.charts import bar_chart, line_chart, text_width
from assessments.models import Assessment, FrameworkVersion
from reports.analysis_document import analysis_document, analysis_document_for, without_empty_columns
from reports.layout import CHANGE, SCORE, Document, Section, Table, header
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
    cells = {}
    for row in summary.iter_rows():
        for cell in row:
            cells.setdefault(cell.value, cell)  # the first: the summary table's
    overall = next(row for row in summary.iter_rows() if row[0].value == "คะแนนภาพรวม (ITA)")
    assert [c.value for c in overall[1:4]] == [95.01, 97.04, pytest.approx(2.03)]
    assert isinstance(overall[2].value, float)
    assert overall[2].number_format == "0.00"
    assert overall[3].number_format == "0.00;(0.00)"
    score_header = cells["คะแนน"]
    assert any(score_header.coordinate in r and r.max_col - r.min_col == 1 for r in summary.merged_cells.ranges)
    assert summary.freeze_panes == f"A{score_header.row + 2}"
    # The sheet's tables (summary, indicators) have different headers: none repeats over the others' rows.
    assert summary.print_title_rows is None
    items_sheet = workbook["ผลรายประเด็น"]
    assert items_sheet.print_title_rows is not None and items_sheet.freeze_panes is not None
    assert summary.page_setup.orientation == "portrait"  # as the analysis PDF
    assert summary.page_setup.fitToWidth == 1 and summary.page_setup.fitToHeight == 0
    assert {cell.font.name for row in summary.iter_rows() for cell in row if cell.value is not None} == {
        "TH SarabunPSK"
    }

    assert [sheet.title for sheet in workbook.worksheets] == ["ผลคะแนน", "ผลรายประเด็น", "จุดอ่อนจุดแข็ง", "ข้อเสนอแนะ"]
    years = [c.value for row in summary.iter_rows() for c in row if c.value in ("ปี 2564", "ปี 2565")]
    assert years[:2] == ["ปี 2564", "ปี 2565"]
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


# Issue 12 item 7: the analysis as an integrity office can publish it.

INDICATORS_2566 = {1: "90.00", 2: "84.50", 3: "85.00", 4: "80.10", 5: "95.00", 6: "88.00", 7: "84.99", 8: "86.00"}


def sections_by_heading(document):
    return {section.heading: section for section in document.sections}


def body_rows(section):
    return section.table.rows if section.table else section.paragraphs


def test_a_year_with_indicator_results_only_lists_its_indicators_below_and_above_the_target(agency):
    figures = {**indicators(INDICATORS_2566), "IND9": "100.00", "IND10": "100.00"}
    assessment = factories.assessment(agency, 2566, figures)

    document = document_of(assessment)

    sections = sections_by_heading(document)
    assert sections["การจัดกลุ่มประเด็นการประเมินตามผลคะแนน"].paragraphs == [
        "เกณฑ์การจัดกลุ่ม: เป้าหมาย 85.00 คะแนน",
        "ปีงบประมาณ พ.ศ. 2566 มีผลการประเมินรายตัวชี้วัดเท่านั้น ไม่มีผลรายประเด็นการประเมิน จึงจัดกลุ่มจุดอ่อนและจุดแข็งตามคะแนนของตัวชี้วัด",
    ]
    weak = sections["จุดอ่อน (ต่ำกว่าค่าเป้าหมาย)"].table
    assert [h.text for h in weak.header_rows[0]] == ["ตัวชี้วัด", "คะแนน"]  # no letter levels from 2566
    assert weak.rows == [
        ["IIT แบบวัดการรับรู้ของผู้มีส่วนได้ส่วนเสียภายใน"],
        ["ตัวชี้วัดที่ 2 การใช้งบประมาณ", Decimal("84.50")],
        ["ตัวชี้วัดที่ 4 การใช้ทรัพย์สินของราชการ", Decimal("80.10")],
        ["EIT แบบวัดการรับรู้ของผู้มีส่วนได้ส่วนเสียภายนอก"],
        ["ตัวชี้วัดที่ 7 ประสิทธิภาพการสื่อสาร", Decimal("84.99")],
    ]
    strong = sections["จุดแข็ง (ตั้งแต่ค่าเป้าหมายขึ้นไป)"].table
    assert [row[0] for row in strong.rows] == [
        "IIT แบบวัดการรับรู้ของผู้มีส่วนได้ส่วนเสียภายใน",
        "ตัวชี้วัดที่ 1 การปฏิบัติหน้าที่",
        "ตัวชี้วัดที่ 3 การใช้อำนาจ",  # 85.00 is at the target: a strength
        "ตัวชี้วัดที่ 5 การแก้ไขปัญหาการทุจริต",
        "EIT แบบวัดการรับรู้ของผู้มีส่วนได้ส่วนเสียภายนอก",
        "ตัวชี้วัดที่ 6 คุณภาพการดำเนินงาน",
        "ตัวชี้วัดที่ 8 การปรับปรุงระบบการทำงาน",
        "OIT แบบตรวจการเปิดเผยข้อมูลสาธารณะ",
        "ตัวชี้วัดที่ 9 การเปิดเผยข้อมูล",
        "ตัวชี้วัดที่ 10 การป้องกันการทุจริต",
    ]

    text = "".join(pdf_text(render_pdf(document)))
    assert compact("ไม่มีประเด็นในกลุ่มนี้") not in text
    weak_text = text[text.index(compact("จุดอ่อน (")) : text.index(compact("จุดแข็ง (ตั้งแต่"))]
    assert compact("ตัวชี้วัดที่ 4 การใช้ทรัพย์สินของราชการ 80.10") in weak_text
    assert compact("ตัวชี้วัดที่ 7 ประสิทธิภาพการสื่อสาร 84.99") in weak_text
    assert "90.00" not in weak_text


def test_three_tiers_of_indicators_in_a_year_without_items(agency):
    assessment = factories.assessment(agency, 2566, indicators({1: "94.99", 2: "95.00", 3: "97.51"}))
    assessment.tier_scheme, assessment.tier_lower, assessment.tier_upper = "three", Decimal("95"), Decimal("97.5")
    assessment.save()

    sections = sections_by_heading(document_of(assessment))

    assert sections["ข้อบกพร่องหรือจุดอ่อนที่ต้องแก้ไขโดยเร่งด่วน"].table.rows[1:] == [["ตัวชี้วัดที่ 1 การปฏิบัติหน้าที่", Decimal("94.99")]]
    assert sections["ประเด็นที่ต้องพัฒนาให้ดีขึ้น"].table.rows[1:] == [["ตัวชี้วัดที่ 2 การใช้งบประมาณ", Decimal("95.00")]]
    assert sections["ประเด็นที่ควรรักษาระดับไว้"].table.rows[1:] == [["ตัวชี้วัดที่ 3 การใช้อำนาจ", Decimal("97.51")]]


def test_a_year_with_items_still_groups_items_and_says_so_when_a_tier_is_empty(tceb_2565):
    sections = sections_by_heading(document_of(tceb_2565))

    assert len(sections["การจัดกลุ่มประเด็นการประเมินตามผลคะแนน"].paragraphs) == 1
    urgent = sections["ข้อบกพร่องหรือจุดอ่อนที่ต้องแก้ไขโดยเร่งด่วน"].table
    assert [row[0] for row in urgent.rows] == [
        "IIT ตัวชี้วัดที่ 4 การใช้ทรัพย์สินของราชการ",
        "I20",
        "I23",
        "EIT ตัวชี้วัดที่ 6 คุณภาพการดำเนินงาน",
        "E1",
        "E2",
        "E3",
        "E5",
        "EIT ตัวชี้วัดที่ 7 ประสิทธิภาพการสื่อสาร",
        "E6",
        "E7",
        "E9",
        "EIT ตัวชี้วัดที่ 8 การปรับปรุงระบบการทำงาน",
        "E11",
        "E12",
        "E14",
        "E15",
    ]


def test_no_suggestions_print_no_heading_and_recorded_ones_print_one_paragraph_each(agency, tceb_2565):
    document = document_of(tceb_2565)
    suggestions = [s for s in document.sections if s.heading.startswith("ข้อเสนอแนะจากสำนักงาน")]
    assert [s.paragraphs for s in suggestions] == [[SUGGESTION, "ข้อเสนอแนะข้อที่สอง"]]

    tceb_2565.suggestions = "  \n\n"
    tceb_2565.save()
    document = document_of(tceb_2565)
    assert not [s for s in document.sections if "ข้อเสนอแนะ" in s.heading]
    text = "".join(pdf_text(render_pdf(document)))
    assert compact("ข้อเสนอแนะจากสำนักงาน") not in text
    assert compact("ไม่มีการบันทึกข้อเสนอแนะ") not in text


@pytest.fixture
def angthong_2568(agency):
    return factories.assessment(agency, 2568, published.angthong_2568_figures())


def test_eit_items_scored_in_two_parts_print_their_parts_side_by_side(angthong_2568):
    document = document_of(angthong_2568)

    table = sections_by_heading(document)["ตัวชี้วัดที่ 6 คุณภาพการดำเนินงาน (EIT)"].table
    assert [[(h.text, h.colspan, h.rowspan) for h in row] for row in table.header_rows] == [
        [("ข้อ", 1, 2), ("ประเด็นการประเมิน", 1, 2), ("คะแนน ปี 2568", 2, 1), ("กลุ่ม", 1, 2)],
        [("EIT Public", 1, 1), ("EIT Survey", 1, 1)],
    ]
    assert table.rows == [
        ["e1", "เจ้าหน้าที่ปฏิบัติงานหรือให้บริการแก่ท่าน เป็นไปตามขั้นตอนและระยะเวลา", Decimal("93.47"), Decimal("86.67"), "จุดแข็ง"],
        [
            "e2",
            "เจ้าหน้าที่ปฏิบัติงานหรือให้บริการแก่ท่านและผู้อื่นอย่างเท่าเทียมกัน",
            Decimal("93.86"),
            Decimal("84.24"),
            "จุดแข็ง / จุดอ่อน",  # Public at or above 85, Survey below
        ],
        [
            "e3",
            "ท่านเคยถูกเจ้าหน้าที่เรียกรับสินบน เพื่อแลกกับการปฏิบัติงานหรือให้บริการแก่ท่าน หรือไม่",
            Decimal("99.01"),
            Decimal("100.00"),
            "จุดแข็ง",
        ],
    ]
    assert table.number_columns == {2: SCORE, 3: SCORE}
    # The items of one part only (IIT, OIT) keep one score column.
    iit = sections_by_heading(document)["ตัวชี้วัดที่ 4 การใช้ทรัพย์สินของราชการ (IIT)"].table
    assert iit.rows[0] == ["i10", iit.rows[0][1], Decimal("85.81"), "จุดแข็ง"]

    text = "".join(pdf_text(render_pdf(document)))
    assert compact("EIT Public EIT Survey") in text
    assert re.search(r"e2[^0-9]*93\.8684\.24" + compact("จุดแข็ง / จุดอ่อน"), text)
    items = text[text.index(compact("ผลการประเมินรายประเด็น")) : text.index(compact("การจัดกลุ่มประเด็น"))]
    assert compact("(EIT Public)") not in items and compact("(EIT Survey)") not in items


def test_the_parts_side_by_side_with_last_years_figures(agency, angthong_2568):
    figures = {key: "90.00" for key in published.angthong_2568_figures() if isinstance(key, tuple)}
    factories.assessment(agency, 2569, figures)
    assessment = Assessment.objects.get(agency=agency, fiscal_year=2569)

    table = sections_by_heading(document_of(assessment))["ตัวชี้วัดที่ 6 คุณภาพการดำเนินงาน (EIT)"].table

    assert [[h.text for h in row] for row in table.header_rows] == [
        ["ข้อ", "ประเด็นการประเมิน", "EIT Public", "EIT Survey", "กลุ่ม"],
        ["ปี 2568", "ปี 2569", "ผลต่าง"] * 2,
    ]
    assert table.rows[1][2:] == [
        Decimal("93.86"),
        Decimal("90.00"),
        Decimal("-3.86"),
        Decimal("84.24"),
        Decimal("90.00"),
        Decimal("5.76"),
        "จุดแข็ง",
    ]
    assert table.number_columns == {2: SCORE, 3: SCORE, 4: CHANGE, 5: SCORE, 6: SCORE, 7: CHANGE}


def test_columns_with_no_value_in_any_row_are_left_out(angthong_2568):
    sections = sections_by_heading(document_of(angthong_2568))

    # 2568 has no letter levels: the tier tables have no "ระดับ" column, its width goes to the text.
    weak = sections["จุดอ่อน (ต่ำกว่าค่าเป้าหมาย)"].table
    assert [h.text for h in weak.header_rows[0]] == ["ข้อ", "ประเด็นการประเมิน", "คะแนน"]
    assert weak.widths == [8, 70, 10]
    assert weak.rows[:2] == [["EIT ตัวชี้วัดที่ 6 คุณภาพการดำเนินงาน"], ["e2", weak.rows[1][1], Decimal("84.24")]]
    # A first year: no earlier year, no change column.
    summary = sections["สรุปผลการประเมิน ITA ประจำปีงบประมาณ พ.ศ. 2568"].table
    assert [[h.text for h in row] for row in summary.header_rows] == [["เครื่องมือการประเมิน", "ปี 2568"]]


def test_an_empty_column_under_a_merged_header_narrows_the_header():
    table = Table(
        [[header("ตัวชี้วัด", rowspan=2), header("คะแนน", colspan=3), header("ระดับ", rowspan=2)], ["ปี 1", "ปี 2", "ปี 3"]],
        [["ก", None, Decimal("1"), Decimal("2"), ""], ["หัวข้อ"], ["ข", "", Decimal("3"), None, ""]],
        [40, 10, 10, 10, 8],
        {1: SCORE, 2: SCORE, 3: SCORE},
        ["", "heading", ""],
    )

    narrowed = without_empty_columns(table)

    assert [[(h.text, h.colspan) for h in row] for row in narrowed.header_rows] == [
        [("ตัวชี้วัด", 1), ("คะแนน", 2)],
        [("ปี 2", 1), ("ปี 3", 1)],
    ]
    assert narrowed.rows == [["ก", Decimal("1"), Decimal("2")], ["หัวข้อ"], ["ข", Decimal("3"), None]]
    assert narrowed.widths == [58, 10, 10] and narrowed.number_columns == {1: SCORE, 2: SCORE}
    assert narrowed.row_styles == ["", "heading", ""]


def test_sections_go_on_a_few_whole_word_sheets(tceb_2565):
    document = document_of(tceb_2565)

    sheets = list(dict.fromkeys(section.sheet for section in document.sections))
    assert sheets == ["ผลคะแนน", "ผลรายประเด็น", "จุดอ่อนจุดแข็ง", "ข้อเสนอแนะ"]
    assert all(section.sheet and len(section.sheet) <= 31 and " " not in section.sheet for section in document.sections)
    by_sheet = {}
    for section in document.sections:
        by_sheet.setdefault(section.sheet, []).append(section.heading)
    assert by_sheet["ผลคะแนน"] == [
        "สรุปผลการประเมิน ITA ประจำปีงบประมาณ พ.ศ. 2565",
        "ผลการประเมินรายตัวชี้วัด",
        "แนวโน้มผลการประเมิน",
    ]
    assert by_sheet["จุดอ่อนจุดแข็ง"][0] == "การจัดกลุ่มประเด็นการประเมินตามผลคะแนน"


# Chart labels: the box of every text in the SVG, from the same width rule the charts use.

SVG_NS = "{http://www.w3.org/2000/svg}"


def label_boxes(markup, with_pale_boxes=False):
    """(left, top, right, bottom, text) of each <text> of an SVG chart, legends' translation included,
    and with `with_pale_boxes` the pale boxes under value labels, as (…, "box")."""
    root = ET.fromstring(str(markup))
    base = float(root.get("font-size", 12))
    boxes = []

    def walk(element, dx, dy):
        if element.tag == SVG_NS + "g" and element.get("transform", "").startswith("translate("):
            x, y = element.get("transform")[len("translate(") : -1].split()
            dx, dy = dx + float(x), dy + float(y)
        if element.tag == SVG_NS + "rect" and element.get("fill") == "#ffffff":  # a value label's pale box
            x, y = float(element.get("x")) + dx, float(element.get("y")) + dy
            width, height = float(element.get("width")), float(element.get("height"))
            pale.append((x, y, x + width, y + height, "box"))
        if element.tag == SVG_NS + "text":
            size = float(element.get("font-size", base))
            x, y, width = float(element.get("x")) + dx, float(element.get("y")) + dy, text_width(element.text, size)
            anchor = element.get("text-anchor", "start")
            left = x - width / 2 if anchor == "middle" else x - width if anchor == "end" else x
            boxes.append((left, y - 0.75 * size, left + width, y + 0.25 * size, element.text))
        for child in element:
            walk(child, dx, dy)

    pale = []
    walk(root, 0, 0)
    return boxes + pale if with_pale_boxes else boxes


def overlaps(markup):
    """Pairs of texts whose boxes intersect, and of value labels' pale boxes (a box lies under its own text)."""
    boxes = label_boxes(markup, with_pale_boxes=True)
    return [
        (a[4], b[4])
        for i, a in enumerate(boxes)
        for b in boxes[i + 1 :]
        if (a[4] == "box") == (b[4] == "box")
        and a[0] < b[2] - 0.5
        and b[0] < a[2] - 0.5
        and a[1] < b[3] - 0.5
        and b[1] < a[3] - 0.5
    ]


def value_labels(chart):
    return [box[4] for box in label_boxes(chart) if re.fullmatch(r"\d+\.\d\d", box[4])]


def test_the_demo_trend_charts_have_no_labels_over_each_other(demo):
    charted = 0
    for assessment in Assessment.objects.select_related("agency"):
        document = analysis_document_for(assessment)
        for chart in (chart for section in document.sections for chart in section.charts):
            charted += 1
            assert overlaps(chart) == [], (assessment, overlaps(chart))
            assert len(value_labels(chart)) == str(chart).count("<circle")  # every point keeps its figure
    assert charted >= 2  # TCEB 2565 and FIO 2563 have a year before them


@pytest.mark.parametrize("width", [640, 440, 300])
@pytest.mark.parametrize("count", [2, 5, 6, 8, 12, 30])
def test_close_lines_over_many_years_keep_their_labels_apart(width, count):
    years = list(range(2562, 2562 + count))
    series = [
        ("ITA", [Decimal("95.01") + i % 2 for i in range(count)]),
        ("IIT", [Decimal("95.50")] * count),
        ("EIT", [Decimal("94.90") + (i % 3) for i in range(count)]),
        ("OIT", [Decimal("100.00")] * count),
    ]

    chart = line_chart("คะแนน ITA และเครื่องมือการประเมิน", years, series, width=width)

    assert overlaps(chart) == []
    if width == 640 and count <= 8:
        assert len(value_labels(chart)) == 4 * count
    shown_years = [b[4] for b in label_boxes(chart) if b[4] in {str(y) for y in years}]
    assert shown_years[0] == "2562" and len(shown_years) >= min(count, 4)


def test_long_bar_labels_alternate_between_two_lines():
    bars = [("ผ่านดีเยี่ยม", 3), ("ผ่านดีมาก", 5), ("ผ่านดี", 1), ("ผ่าน", 0), ("ไม่ผ่าน", 2), ("ยังไม่ประเมิน", 4)]

    chart = bar_chart("ระดับผลการประเมิน", bars, width=320)

    assert overlaps(chart) == []
    assert {label for *_box, label in label_boxes(chart)} >= {label for label, _count in bars}
