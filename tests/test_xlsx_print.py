"""Excel files that print (issue 12 item 11), checked from the files: TH SarabunPSK, rows within
Excel's 409 pt and as tall as their lines, long rows continued with their number and "(ต่อ)",
sheets named by whole words, Thai margins, the letterhead and the sign-off."""

import datetime
import io
import math
import re
import zipfile

import openpyxl
import pytest
import time_machine
from PIL import Image as PILImage

from assessments.downloads import xlsx_response
from assessments.models import Agency, Assessment
from measures.models import Measure
from reports.analysis_document import analysis_document_for
from reports.files import render
from reports.improvement_document import improvement_document_for
from reports.layout import Acknowledgement, Document, Header, Letterhead, Section, Signature, Table
from reports.plan_document import plan_document_for
from reports.progress_document import progress_document_for
from reports.xlsx import TYPEFACES, column_spans, lines_per_row, render_xlsx, row_limit, typeface
from tests import clock

pytestmark = clock.pinned(2026, 11, 21)
TODAY = datetime.datetime(2026, 11, 21, 10, tzinfo=clock.BANGKOK)
ROUNDS = ("q1", "q2", "q3", "q4", "6m", "12m")
CM = 1 / 2.54


def demo_documents():
    """(document, landscape) of every demo agency, year and document, as the downloads print them."""
    documents = [
        (analysis_document_for(assessment), False)
        for assessment in Assessment.objects.select_related("agency", "version").order_by("agency__code", "fiscal_year")
    ]
    for code, year in sorted(set(Measure.objects.values_list("agency__code", "fiscal_year"))):
        agency = Agency.objects.get(code=code)
        documents.append((plan_document_for(agency, year), True))
        documents.append((improvement_document_for(agency, year), True))
        documents.extend((progress_document_for(agency, year, kind), True) for kind in ROUNDS)
    return documents


@pytest.fixture(scope="module")
def demo_rendered(demo_for_module, django_db_blocker):
    """[(document, workbook)] of the demo, each rendered once for the whole module."""
    with django_db_blocker.unblock(), time_machine.travel(TODAY, tick=False):
        rendered = []
        for document, landscape in demo_documents():
            content, _type, _name = render(document, "xlsx", landscape=landscape)
            rendered.append((document, openpyxl.load_workbook(io.BytesIO(content)), landscape))
    return rendered


def text_cells(sheet):
    return [cell for row in sheet.iter_rows() for cell in row if cell.value is not None]


def multi_row_merges(sheet):
    return {
        (row, column)
        for merged in sheet.merged_cells.ranges
        if merged.max_row > merged.min_row
        for row in range(merged.min_row, merged.max_row + 1)
        for column in range(merged.min_col, merged.max_col + 1)
    }


def whole_word_prefixes(text):
    cleaned = re.sub(r"[\[\]:*?/\\]", "", text).split()
    return {" ".join(cleaned[:n]) for n in range(1, len(cleaned) + 1)}


@pytest.fixture
def demo_workbooks(demo, demo_rendered):
    return demo_rendered


def test_the_demo_has_every_kind_of_document(demo_workbooks):
    kinds = {document.filename.split("-")[1] for document, _workbook, _landscape in demo_workbooks}
    assert kinds == {"analysis", "plan", "improvement", "progress"}
    assert len(demo_workbooks) >= 30


def test_every_row_of_every_demo_workbook_is_within_excels_409_points(demo_workbooks):
    heights = [
        (document.filename, sheet.title, number, dimension.height)
        for document, workbook, _landscape in demo_workbooks
        for sheet in workbook
        for number, dimension in sheet.row_dimensions.items()
        if dimension.height is not None
    ]
    assert heights
    assert [h for h in heights if h[3] > 409] == []
    # Every row that holds text has a height of its own: Excel would not size it on opening.
    unsized = [
        (document.filename, sheet.title, cell.row)
        for document, workbook, _landscape in demo_workbooks
        for sheet in workbook
        for cell in text_cells(sheet)
        if sheet.row_dimensions[cell.row].height is None
    ]
    assert unsized == []


def test_multi_line_cells_are_at_least_as_tall_as_their_lines(demo_workbooks):
    face = typeface()
    checked, short = 0, []
    for document, workbook, _landscape in demo_workbooks:
        for sheet in workbook:
            spanning = multi_row_merges(sheet)
            for cell in text_cells(sheet):
                if not isinstance(cell.value, str) or "\n" not in cell.value or (cell.row, cell.column) in spanning:
                    continue
                lines = cell.value.count("\n") + 1
                height = sheet.row_dimensions[cell.row].height
                checked += 1
                if height < lines * face.line_height(cell.font.sz):
                    short.append((document.filename, sheet.title, cell.coordinate, lines, height))
    assert checked > 100
    assert short == []


def test_every_cell_of_every_demo_workbook_is_in_th_sarabunpsk(demo_workbooks):
    fonts = {
        cell.font.name for _document, workbook, _landscape in demo_workbooks for s in workbook for cell in text_cells(s)
    }
    assert fonts == {"TH SarabunPSK"}
    sizes = {
        cell.font.sz
        for _document, workbook, _landscape in demo_workbooks
        for s in workbook
        for cell in text_cells(s)
        if cell.border.left.style == "thin" and not cell.font.b
    }
    assert sizes == {14}  # table cells; body text 16, headings 16 bold, titles 18


def test_sheet_names_are_whole_words_of_a_heading_or_the_sheet_the_section_names(demo_workbooks):
    for document, workbook, _landscape in demo_workbooks:
        allowed = {section.sheet for section in document.sections if section.sheet}
        for section in document.sections:
            allowed |= whole_word_prefixes(section.heading)
        for number, sheet in enumerate(workbook.worksheets, start=1):
            name = re.sub(r" \d+$", "", sheet.title) if sheet.title not in allowed else sheet.title
            assert len(sheet.title) <= 31
            assert name in allowed or name == "ส่วนที่" or sheet.title == f"ส่วนที่ {number}", (
                document.filename,
                sheet.title,
            )
        assert len({s.title.casefold() for s in workbook}) == len(workbook.worksheets)


def test_demo_workbooks_print_on_a4_with_thai_margins_in_the_documents_orientation(demo_workbooks):
    for document, workbook, landscape in demo_workbooks:
        for sheet in workbook:
            margins = sheet.page_margins
            assert (margins.left, margins.right, margins.top, margins.bottom) == pytest.approx(
                (3 * CM, 2 * CM, 2.5 * CM, 2 * CM)
            )
            assert int(sheet.page_setup.paperSize) == 9  # A4
            assert sheet.page_setup.orientation == ("landscape" if landscape else "portrait"), document.filename
            assert sheet.page_setup.fitToWidth == 1 and sheet.sheet_properties.pageSetUpPr.fitToPage


def test_the_analysis_prints_portrait_and_the_plan_landscape(demo_workbooks):
    orientations = {
        document.filename.split("-")[1]: workbook.worksheets[0].page_setup.orientation
        for document, workbook, _landscape in demo_workbooks
    }
    assert orientations == {
        "analysis": "portrait",
        "plan": "landscape",
        "improvement": "landscape",
        "progress": "landscape",
    }


# Hand-built documents: each shape the renderer must print, whatever the document modules send.


def table(rows, widths=(4, 30, 40), **options):
    return Table([["ที่", "มาตรการ", "ผลการดำเนินงาน"]], rows, list(widths), **options)


def document(sections, **options):
    return Document(["รายงานทดสอบ", "ประจำปีงบประมาณ พ.ศ. 2569"], "เทศบาลเมืองทดสอบ", 2569, sections, "t", **options)


def workbook_of(doc, **options):
    return openpyxl.load_workbook(io.BytesIO(render_xlsx(doc, **options)))


def rows_of(sheet):
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


def test_a_row_taller_than_excel_allows_goes_on_with_its_number_and_measure_marked_continued():
    results = "\n".join(f"ผลการดำเนินงานครั้งที่ {i}" for i in range(1, 61))
    doc = document([Section("ผลการดำเนินงาน", table=table([["3", "มาตรการเปิดเผยข้อมูล", results], ["4", "อื่น", "ก"]]))])
    sheet = workbook_of(doc).worksheets[0]

    values = rows_of(sheet)
    first = next(i for i, row in enumerate(values) if row[0] == "3")
    pieces = [row for row in values[first:] if row[0] in ("3", "3 (ต่อ)")]
    header = sheet.row_dimensions[first].height  # the header row sits just above
    per_row = lines_per_row(typeface(), 14, row_limit(False, sheet.row_dimensions[first].height))
    assert header > 0 and per_row < 60
    assert len(pieces) == math.ceil(60 / per_row) and len(pieces) >= 3
    assert [row[0] for row in pieces] == ["3"] + ["3 (ต่อ)"] * (len(pieces) - 1)
    assert [row[1] for row in pieces] == ["มาตรการเปิดเผยข้อมูล"] + ["มาตรการเปิดเผยข้อมูล (ต่อ)"] * (len(pieces) - 1)
    assert "\n".join(row[2] for row in pieces) == results  # every line once, in order
    assert values[first + len(pieces)][:3] == ["4", "อื่น", "ก"]
    assert all((sheet.row_dimensions[r].height or 0) <= 409 for r in range(1, sheet.max_row + 1))


def test_a_long_paragraph_goes_on_in_the_next_rows_whole():
    paragraph = " ".join(f"ข้อเสนอแนะที่ {i} ให้หน่วยงานเผยแพร่ข้อมูลบนเว็บไซต์" for i in range(1, 200))
    sheet = workbook_of(document([Section("ข้อเสนอแนะ", [paragraph])])).worksheets[0]

    texts = [row[0] for row in rows_of(sheet) if row[0] and row[0].startswith("ข้อเสนอแนะที่")]
    assert len(texts) >= 2
    assert "".join(texts) == paragraph
    assert max(d.height for d in sheet.row_dimensions.values() if d.height) <= 409


def test_rows_are_as_tall_as_their_line_breaks_and_wrapped_lines():
    face = typeface()
    doc = document([Section("ผล", table=table([["1", "ก\nข\nค\nง\nจ", "สั้น"], ["2", "มาตรการ " * 40, "x"]]))])
    sheet = workbook_of(doc).worksheets[0]
    by_number = {row[0].value: row[0].row for row in sheet.iter_rows() if row[0].value in ("1", "2")}
    assert sheet.row_dimensions[by_number["1"]].height >= 5 * face.line_height(14)
    assert sheet.row_dimensions[by_number["1"]].height < 6 * face.line_height(14)
    assert sheet.row_dimensions[by_number["2"]].height >= 4 * face.line_height(14)  # 320 characters wrap


def test_sections_naming_one_sheet_share_it_each_table_under_its_heading():
    scores = Table([["ตัวชี้วัด", "คะแนน"]], [["ตัวชี้วัดที่ 1", 95]], [44, 11], number_columns={1: "score"})
    items = Table([[Header("ข้อ"), Header("ประเด็นการประเมิน")]], [["I1", "ประเด็น"]], [6, 50])
    trend = Table([["ปี", "คะแนน"]], [["2568", 90]], [44, 11], number_columns={1: "score"})
    doc = document(
        [
            Section("สรุปผลการประเมิน", table=scores, sheet="ผลคะแนน"),
            Section("ผลการประเมินรายประเด็น", table=items, sheet="ผลรายประเด็น"),
            Section("แนวโน้มผลการประเมิน", ["คะแนนสูงขึ้น"], trend, sheet="ผลคะแนน"),
        ]
    )
    workbook = workbook_of(doc)

    assert workbook.sheetnames == ["ผลคะแนน", "ผลรายประเด็น"]
    column_a = [row[0] for row in rows_of(workbook["ผลคะแนน"]) if row[0]]
    assert column_a == [
        "รายงานทดสอบ",
        "ประจำปีงบประมาณ พ.ศ. 2569",
        "เทศบาลเมืองทดสอบ",
        "สรุปผลการประเมิน",
        "ตัวชี้วัด",
        "ตัวชี้วัดที่ 1",
        "แนวโน้มผลการประเมิน",
        "คะแนนสูงขึ้น",
        "ปี",
        "2568",
    ]
    # Two different headers on one sheet: neither is repeated over the other's rows.
    assert workbook["ผลคะแนน"].print_title_rows is None
    assert workbook["ผลรายประเด็น"].print_title_rows is not None


def test_sheet_names_are_cut_at_whole_words_unique_and_without_forbidden_characters():
    sections = [
        Section("ผลการดำเนินงานตามมาตรการ รอบ 12 เดือน ของหน่วยงาน", table=table([["1", "ก", "ข"]])),
        Section("ผลการดำเนินงานตามมาตรการ รอบ 12 เดือน ของหน่วยงาน", table=table([["1", "ก", "ข"]])),
        Section("ผล: [ไตรมาส/ที่ 1]?", table=table([["1", "ก", "ข"]])),
        Section("ข้อเสนอแนะจากสำนักงานคณะกรรมการป้องกันและปราบปรามการทุจริตแห่งชาติ", table=table([["1", "ก", "ข"]])),
    ]
    assert workbook_of(document(sections)).sheetnames == [
        "ผลการดำเนินงานตามมาตรการ รอบ 12",
        "ผลการดำเนินงานตามมาตรการ รอบ 2",
        "ผล ไตรมาสที่ 1",
        "ส่วนที่ 4",  # one Thai run longer than 31 characters: no word boundary to cut at
    ]


def test_sarabun_is_an_option_by_argument_and_by_setting(settings):
    doc = document([Section("ผล", ["ย่อหน้า"], table([["1", "ก", "ข"]]))])
    fonts = {c.font.name for c in text_cells(workbook_of(doc, font="Sarabun").worksheets[0])}
    assert fonts == {"Sarabun"}
    settings.XLSX_FONT = "Sarabun"
    cells = text_cells(workbook_of(doc).worksheets[0])
    assert {c.font.name for c in cells} == {"Sarabun"}
    assert {c.font.sz for c in cells if c.value == "ก"} == {TYPEFACES["Sarabun"].table}
    settings.XLSX_FONT = "TH SarabunPSK"
    cells = text_cells(workbook_of(doc).worksheets[0])
    assert {(c.value, c.font.sz) for c in cells if c.value in ("ก", "ย่อหน้า")} == {("ก", 14), ("ย่อหน้า", 16)}


def test_the_default_font_of_the_workbook_is_th_sarabunpsk():
    content = render_xlsx(document([Section("ผล", table=table([["1", "ก", "ข"]]))]))
    styles = zipfile.ZipFile(io.BytesIO(content)).read("xl/styles.xml").decode()
    assert re.search(r"<fonts[^>]*><font><name val=\"TH SarabunPSK\"/><sz val=\"14\"/>", styles)
    assert "Calibri" not in styles


def logo_png():
    buffer = io.BytesIO()
    PILImage.new("RGB", (120, 160), "navy").save(buffer, "PNG")
    return buffer.getvalue()


def test_letterhead_signatures_and_acknowledgement_print_on_the_first_and_last_sheets():
    doc = document(
        [
            Section("มาตรการ", table=table([["1", "ก", "ข"]])),
            Section("การติดตาม", table=Table([["มาตรการ", "การรายงานผล"]], [["ก", "ทุกไตรมาส"]], [30, 30])),
        ],
        letterhead=Letterhead(
            "เทศบาลเมืองอ่างทอง จังหวัดอ่างทอง",
            "ถนนเทศบาล 1 ตำบลบางแก้ว อำเภอเมืองอ่างทอง จังหวัดอ่างทอง 14000",
            "035-611-111",
            "www.angthongcity.go.th",
            logo=logo_png(),
            logo_type="image/png",
        ),
        signatures=[
            Signature("ผู้จัดทำ", "นางสาวกานดา ใจดี", "นักวิเคราะห์นโยบายและแผน", datetime.date(2026, 3, 31)),
            Signature("ผู้อนุมัติ", "นายสมชาย รักดี", "ปลัดเทศบาล"),
        ],
        acknowledgement=Acknowledgement("นายวิชัย มั่นคง", "นายกเทศมนตรี", datetime.date(2026, 4, 2), "เห็นชอบ"),
    )
    content = render_xlsx(doc, landscape=True)
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    first, last = workbook.worksheets

    top = [v for row in rows_of(first)[:8] for v in row if v]
    assert top[:5] == [
        "เทศบาลเมืองอ่างทอง จังหวัดอ่างทอง",
        "ถนนเทศบาล 1 ตำบลบางแก้ว อำเภอเมืองอ่างทอง จังหวัดอ่างทอง 14000",
        "โทรศัพท์ 035-611-111 · www.angthongcity.go.th",
        "รายงานทดสอบ",
        "ประจำปีงบประมาณ พ.ศ. 2569",
    ]
    assert len(first._images) == 1 and first._images[0].anchor._from.row == 0  # on the first row
    assert [n for n in zipfile.ZipFile(io.BytesIO(content)).namelist() if n.startswith("xl/media/")] == [
        "xl/media/image1.png"
    ]
    assert first.row_dimensions[1].height == pytest.approx(2.7 / 2.54 * 72 + 6)

    end = [row for row in rows_of(last) if any(row)][-11:]
    blocks = [[v for v in row if v] for row in end]
    assert blocks[:5] == [
        ["ผู้จัดทำ", "ผู้อนุมัติ"],
        ["(ลงชื่อ) ........................................"] * 2,
        ["(นางสาวกานดา ใจดี)", "(นายสมชาย รักดี)"],
        ["ตำแหน่ง นักวิเคราะห์นโยบายและแผน", "ตำแหน่ง ปลัดเทศบาล"],
        ["วันที่ 31 มีนาคม 2569", "วันที่ ........ / ........ / ........"],
    ]
    assert blocks[-6:] == [
        ["ความเห็นของผู้บริหาร"],
        ["เห็นชอบ"],
        ["(ลงชื่อ) ........................................"],
        ["(นายวิชัย มั่นคง)"],
        ["ตำแหน่ง นายกเทศมนตรี"],
        ["วันที่ 2 เมษายน 2569"],
    ]
    assert not any("ผู้จัดทำ" in str(v) for row in rows_of(first) for v in row)  # only at the end


def test_a_document_without_sign_off_ends_with_its_last_table():
    sheet = workbook_of(document([Section("ผล", table=table([["1", "ก", "ข"]]))])).worksheets[0]
    assert [row for row in rows_of(sheet) if any(row)][-1][:3] == ["1", "ก", "ข"]


def test_the_results_and_access_log_downloads_name_th_sarabunpsk_and_whole_words():
    response = xlsx_response(
        "x", [("หน่วยงาน", "text"), ("คะแนน", "score")], [["ก", 90]], title="ผลการประเมิน ITA ประจำปีงบประมาณ 2568"
    )
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = workbook.active
    assert sheet.title == "ผลการประเมิน ITA"  # the next word would make 32 characters
    assert {c.font.name for c in text_cells(sheet)} == {"TH SarabunPSK"}
    assert {c.font.sz for c in text_cells(sheet)} == {14}


def test_signature_blocks_share_the_width_about_evenly_whatever_the_columns():
    assert column_spans([30, 36, 22, 30, 16], 3) == [(1, 1), (2, 3), (4, 5)]
    assert column_spans([10, 10], 2) == [(1, 1), (2, 2)]
    assert column_spans([100], 2) == [(1, 1), (1, 1)]  # one column: the blocks stack


def test_merged_headers_styles_and_column_widths_read_back_from_the_file():
    two_rows = [[Header("ที่", rowspan=2), Header("มาตรการ", rowspan=2), Header("ผลการดำเนินงาน", colspan=2)]]
    two_rows.append(["ไตรมาส 1", "ไตรมาส 2"])
    measures = Table(two_rows, [["หมวด ก"], ["1", "ก", 90, 95]], [4, 30, 12, 12], {2: "score", 3: "score"}, ["heading"])
    sheet = workbook_of(document([Section("ผล", ["ย่อหน้า"], measures)])).worksheets[0]

    # the title lines, the heading, the paragraph, the header's merged cells, the heading row
    assert sorted(str(r) for r in sheet.merged_cells.ranges) == [
        "A1:D1", "A2:D2", "A3:D3", "A5:D5", "A6:D6", "A7:A8", "A9:D9", "B7:B8", "C7:D7"
    ]  # fmt: skip
    assert sheet.freeze_panes == "A9" and sheet.print_title_rows == "$7:$8"
    header = sheet["C7"]
    assert header.value == "ผลการดำเนินงาน"
    assert (header.font.name, header.font.b, header.font.sz) == ("TH SarabunPSK", True, 14)
    assert header.fill.fgColor.rgb == "00E8E8E8" and header.alignment.horizontal == "center"
    assert header.border.left.style == header.border.bottom.style == "thin"
    assert sheet["A8"].border.bottom.style == "thin"  # the outline of "ที่" merged down two rows
    assert (sheet["A1"].font.name, sheet["A1"].font.b, sheet["A6"].font.b) == ("TH SarabunPSK", True, False)
    assert sheet["C10"].value == 90 and sheet["C10"].number_format == "0.00"
    # the columns share the page's width as the table's widths ask, the number column at least a figure wide
    widths = {letter: sheet.column_dimensions[letter].width for letter in "ABCD"}
    assert widths == {"A": 7.21, "B": 42.4, "C": 16.96, "D": 16.96}
