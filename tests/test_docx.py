"""Every document as Word (issue 12 item 12): the same rows as the PDF and XLSX, TH SarabunPSK in
the styles, header rows repeated, landscape where the PDF is landscape, the letterhead, signatures
and acknowledgement, and text that stays text."""

import datetime
import io
import re
import zipfile
from decimal import Decimal

import docx
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.table import _Cell
from PIL import Image

from assessments.models import Agency, Assessment
from reports.analysis_document import analysis_document_for
from reports.docx import FONT_NAME, clean, render_docx
from reports.improvement_document import improvement_document_for
from reports.layout import (
    CHANGE,
    SCORE,
    Acknowledgement,
    Document,
    Header,
    Letterhead,
    Section,
    Signature,
    Table,
    header,
)
from reports.pdf import cell_text, render_pdf
from reports.plan_document import plan_document_for
from reports.progress_document import progress_document_for
from tests import clock
from tests.test_reports_analysis import compact, pdf_text

pytestmark = clock.pinned(2026, 11, 21)
TODAY = datetime.date(2026, 11, 21)
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def cm(length):
    """A length in centimetres to the tenth: Word stores lengths in twips, not in EMU."""
    return round(length.cm, 1)


def word(content):
    return docx.Document(io.BytesIO(content))


def unique_cells(row):
    """A row's cells as printed: a merged cell once, the continuations of a vertical merge left out."""
    return [_Cell(tc, row.table) for tc in row._tr.tc_lst if tc.vMerge != "continue"]


def table_texts(table):
    return [[cell.text for cell in unique_cells(row)] for row in table.rows]


def expected_texts(source):
    """What the PDF prints in each cell: header texts, then the rows formatted by reports.pdf."""
    headers = [[clean(h.text if isinstance(h, Header) else h) for h in row] for row in source.header_rows]
    rows = [
        [clean(cell_text(value, source.number_columns.get(column))) for column, value in enumerate(values)]
        for values in source.rows
    ]
    return headers + rows


def demo_documents():
    """(name, Document, landscape) of every document the demo has, as the bundles hold them."""
    documents = []
    for assessment in Assessment.objects.select_related("agency").order_by("agency__code", "fiscal_year"):
        documents.append((f"analysis {assessment}", analysis_document_for(assessment), False))
    planned = Agency.objects.filter(measures__isnull=False).values_list("code", "measures__fiscal_year").distinct()
    for code, year in sorted(set(planned)):
        agency = Agency.objects.get(code=code)
        documents.append((f"plan {code} {year}", plan_document_for(agency, year), True))
        documents.append((f"improvement {code} {year}", improvement_document_for(agency, year), True))
        for round_kind in ("6m", "12m"):
            documents.append(
                (f"progress {code} {year} {round_kind}", progress_document_for(agency, year, round_kind), True)
            )
    return documents


def test_every_demo_document_opens_in_word_with_the_rows_of_its_document(demo):
    documents = demo_documents()
    assert len(documents) == 21  # 5 analyses; 4 plans, each with its improvement plan and 2 reports

    for name, document, landscape in documents:
        opened = word(render_docx(document, landscape=landscape, today=TODAY))

        sources = [section.table for section in document.sections if section.table]
        assert [table_texts(t) for t in opened.tables] == [expected_texts(s) for s in sources], name
        headings = [p.text for p in opened.paragraphs if p.style.name in ("Heading 2", "Heading 3")]
        assert headings == [clean(section.heading) for section in document.sections], name
        assert opened.sections[0].orientation == (WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT), name


def test_the_analysis_in_word_holds_the_figures_of_the_pdf(demo):
    document = analysis_document_for(Assessment.objects.get(agency__code="TCEB", fiscal_year=2565))
    pdf = compact("".join(pdf_text(render_pdf(document))))
    opened = word(render_docx(document, today=TODAY))
    rows = [" ".join(row) for table in opened.tables for row in table_texts(table)]

    assert "คะแนนภาพรวม (ITA) 95.01 97.04 2.03" in rows
    assert compact("คะแนนภาพรวม (ITA) 95.01 97.04 2.03") in pdf
    figures = [
        row[column]
        for row in table_texts(opened.tables[1])[2:]
        for column in (1, 2, 3)  # the indicators' scores of 2564 and 2565 and the change
    ]
    assert len(figures) == 30 and all(f.count(".") == 1 and f[-3] == "." for f in figures)
    assert all(compact(figure) in pdf for figure in figures)


def test_the_plan_in_word_holds_the_text_and_marks_of_the_pdf(demo):
    document = plan_document_for(Agency.objects.get(code="TCEB"), 2566)
    pdf = compact("".join(pdf_text(render_pdf(document, landscape=True))))
    opened = word(render_docx(document, landscape=True, today=TODAY))
    first = table_texts(opened.tables[0])[2]  # after the two header rows

    assert first == expected_texts(document.sections[0].table)[2]
    assert all(compact(line) in pdf for cell in first for line in cell.split("\n") if line)


def test_the_styles_name_th_sarabunpsk_for_every_script_with_the_thai_size_and_language(db):
    opened = word(render_docx(small_document(), today=TODAY))
    styles = opened.styles

    for name, size in (("Normal", 16), ("Heading 1", 18), ("Heading 2", 16), ("Heading 3", 16), ("ITA Table", 14)):
        rpr = styles[name].element.rPr
        fonts = rpr.find(qn("w:rFonts"))
        assert {a: fonts.get(qn(f"w:{a}")) for a in ("ascii", "hAnsi", "cs", "eastAsia")} == dict.fromkeys(
            ("ascii", "hAnsi", "cs", "eastAsia"), FONT_NAME
        ), name
        assert not any("Theme" in key or "theme" in key for key in fonts.attrib), name
        assert rpr.find(qn("w:sz")).get(qn("w:val")) == str(size * 2), name
        assert rpr.find(qn("w:szCs")).get(qn("w:val")) == str(size * 2), name
        assert rpr.find(qn("w:lang")).get(qn("w:bidi")) == "th-TH", name
    defaults = opened.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    assert defaults.find(qn("w:rFonts")).get(qn("w:cs")) == FONT_NAME
    assert defaults.find(qn("w:szCs")).get(qn("w:val")) == "32"
    assert opened.tables[0].rows[2].cells[1].paragraphs[0].style.name == "ITA Table"


def small_document(**options):
    table = Table(
        [
            [
                header("ข้อ", rowspan=2),
                header("ประเด็น", rowspan=2),
                header("คะแนน", colspan=2),
                header("ผลต่าง", rowspan=2),
            ],
            [header("ปี 2564"), header("ปี 2565")],
        ],
        [
            ["ตัวชี้วัดที่ 1"],
            ["I1", "บุคลากรปฏิบัติงาน\nตามมาตรฐาน", Decimal("99.205"), Decimal("94.485"), Decimal("-4.72")],
            ["", "ปฏิบัติงานตรงเวลา", None, Decimal("100"), Decimal("2.5")],
            ["", "รวม", Decimal("95"), Decimal("96"), Decimal("1")],
        ],
        [5, 40, 10, 10, 10],
        {2: SCORE, 3: SCORE, 4: CHANGE},
        ["heading", "", "indent", "total"],
    )
    return Document(
        ["รายงานทดสอบ", "ประจำปีงบประมาณ พ.ศ. 2565"],
        "หน่วยงานทดสอบ",
        2565,
        [Section("ตาราง", ["ย่อหน้า"], table)],
        "test",
        **options,
    )


def test_header_rows_repeat_on_every_page_and_merge_as_the_document_says(db):
    table = word(render_docx(small_document(), today=TODAY)).tables[0]

    repeated = [row._tr.trPr is not None and row._tr.trPr.find(qn("w:tblHeader")) is not None for row in table.rows]
    assert repeated == [True, True, False, False, False, False]
    top = table.rows[0]._tr.tc_lst
    assert [(tc.grid_span, tc.vMerge) for tc in top] == [(1, "restart"), (1, "restart"), (2, None), (1, "restart")]
    below = table.rows[1]._tr.tc_lst
    assert [(tc.grid_span, tc.vMerge) for tc in below] == [
        (1, "continue"),
        (1, "continue"),
        (1, None),
        (1, None),
        (1, "continue"),
    ]
    assert table_texts(table)[:2] == [["ข้อ", "ประเด็น", "คะแนน", "ผลต่าง"], ["ปี 2564", "ปี 2565"]]


def test_figures_print_as_the_pdf_prints_them_right_aligned(db):
    table = word(render_docx(small_document(), today=TODAY)).tables[0]
    rows = table_texts(table)

    assert rows[3] == ["I1", "บุคลากรปฏิบัติงาน\nตามมาตรฐาน", "99.21", "94.49", "(4.72)"]
    assert rows[4] == ["", "ปฏิบัติงานตรงเวลา", "–", "100.00", "2.50"]
    figures = unique_cells(table.rows[3])[2:]
    assert [cell.paragraphs[0].alignment for cell in figures] == [WD_ALIGN_PARAGRAPH.RIGHT] * 3
    assert all(cell._tc.tcPr.find(qn("w:noWrap")) is not None for cell in figures)
    assert unique_cells(table.rows[3])[0].paragraphs[0].alignment == WD_ALIGN_PARAGRAPH.CENTER  # a code


def test_row_styles_and_a_short_row_spanning_the_rest(db):
    table = word(render_docx(small_document(), today=TODAY)).tables[0]

    heading = table.rows[2]._tr.tc_lst
    assert [tc.grid_span for tc in heading] == [5]  # "ตัวชี้วัดที่ 1" spans the whole row
    assert heading[0].tcPr.find(qn("w:shd")).get(qn("w:fill")) == "F3F3F3"
    assert all(run.bold for run in unique_cells(table.rows[2])[0].paragraphs[0].runs)
    assert all(run.bold for cell in unique_cells(table.rows[5]) for run in cell.paragraphs[0].runs)  # total
    assert not any(run.bold for cell in unique_cells(table.rows[3]) for run in cell.paragraphs[0].runs)
    assert cm(unique_cells(table.rows[4])[1].paragraphs[0].paragraph_format.left_indent) == 0.5  # indent


def test_a4_with_thai_margins_and_a_landscape_section_of_its_own(db):
    document = small_document()
    document.sections += [
        Section("ภาคผนวก แผน", [], None, landscape=True),
        Section("ภาคผนวก ต่อ", ["ในหน้าเดียวกัน"], landscape=True),
        Section("ภาคผนวก หลักฐาน", ["หน้าใหม่"], new_page=True, landscape=True),
    ]
    opened = word(render_docx(document, today=TODAY))

    assert [s.orientation for s in opened.sections] == [WD_ORIENT.PORTRAIT, WD_ORIENT.LANDSCAPE]
    portrait, landscape = opened.sections
    assert (cm(portrait.page_width), cm(portrait.page_height)) == (21, 29.7)
    assert (cm(landscape.page_width), cm(landscape.page_height)) == (29.7, 21)
    assert all((cm(s.left_margin), cm(s.right_margin)) == (3, 2) for s in opened.sections)
    body = opened.element.body
    breaks = body.findall(f".//{W}br[@{W}type='page']")
    assert len(breaks) == 1  # the new_page section in the same orientation: a page break


def test_plan_improvement_and_progress_are_landscape_in_word(demo):
    tceb = Agency.objects.get(code="TCEB")
    for document in (
        plan_document_for(tceb, 2566),
        improvement_document_for(tceb, 2566),
        progress_document_for(tceb, 2566, "q2"),
    ):
        opened = word(render_docx(document, landscape=True, today=TODAY))
        assert [s.orientation for s in opened.sections] == [WD_ORIENT.LANDSCAPE]
        assert cm(opened.sections[0].page_width) == 29.7


def logo_png():
    out = io.BytesIO()
    Image.new("RGB", (40, 40), (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


def test_letterhead_signatures_and_acknowledgement(db):
    document = small_document(
        letterhead=Letterhead(
            "สำนักงานทดสอบ", "ถนนทดสอบ กรุงเทพฯ 10400", "0 2123 4567", "www.test.go.th", logo_png(), "image/png"
        ),
        signatures=[
            Signature("ผู้จัดทำ", "นางสาวหนึ่ง ทดสอบ", "นักวิเคราะห์", datetime.date(2026, 10, 1)),
            Signature("ผู้ตรวจสอบ", "นายสอง ทดสอบ", "ผู้อำนวยการกอง"),
            Signature("ผู้อนุมัติ", "นายสาม ทดสอบ", "เลขาธิการ", datetime.date(2026, 10, 5)),
        ],
        acknowledgement=Acknowledgement("นายสี่ ทดสอบ", "ผู้บริหารสูงสุด", datetime.date(2026, 10, 6), "รับทราบ ดำเนินการต่อ"),
    )
    content = render_docx(document, today=TODAY)
    opened = word(content)

    paragraphs = [p.text for p in opened.paragraphs]
    assert paragraphs[1:4] == ["สำนักงานทดสอบ", "ถนนทดสอบ กรุงเทพฯ 10400", "โทร. 0 2123 4567 www.test.go.th"]
    assert paragraphs[4] == "รายงานทดสอบ"  # the title comes after the letterhead
    [logo] = [part for part in opened.part.package.parts if part.partname.startswith("/word/media/")]
    assert logo.blob == logo_png()
    signatures = opened.tables[-1]
    assert [cell.text.split("\n") for cell in signatures.rows[0].cells] == [
        [
            "ผู้จัดทำ",
            "ลงชื่อ ........................................",
            "(นางสาวหนึ่ง ทดสอบ)",
            "นักวิเคราะห์",
            "วันที่ 1 ตุลาคม 2569",
        ],
        [
            "ผู้ตรวจสอบ",
            "ลงชื่อ ........................................",
            "(นายสอง ทดสอบ)",
            "ผู้อำนวยการกอง",
            "วันที่ ............/............/............",
        ],
        ["ผู้อนุมัติ", "ลงชื่อ ........................................", "(นายสาม ทดสอบ)", "เลขาธิการ", "วันที่ 5 ตุลาคม 2569"],
    ]
    assert paragraphs[-3:] == ["ความเห็นของผู้บริหาร", "รับทราบ ดำเนินการต่อ", "(นายสี่ ทดสอบ)\nผู้บริหารสูงสุด\nวันที่ 6 ตุลาคม 2569"]


def test_a_document_without_letterhead_or_signatures_starts_with_its_title(db):
    opened = word(render_docx(small_document(), today=TODAY))

    assert [p.text for p in opened.paragraphs[:4]] == [
        "รายงานทดสอบ",
        "ประจำปีงบประมาณ พ.ศ. 2565",
        "หน่วยงานทดสอบ",
        "พิมพ์เมื่อ 21 พฤศจิกายน 2569",
    ]
    assert len(opened.tables) == 1
    assert not [p for p in opened.part.package.parts if p.partname.startswith("/word/media/")]


def test_the_analysis_trend_chart_is_a_picture_with_its_title_as_alternative_text(demo):
    document = analysis_document_for(Assessment.objects.get(agency__code="TCEB", fiscal_year=2565))
    content = render_docx(document, today=TODAY)
    opened = word(content)

    [chart] = [part for part in opened.part.package.parts if part.partname.startswith("/word/media/")]
    assert Image.open(io.BytesIO(chart.blob)).size[0] > 1000  # 200 dpi, sharp in print
    [described] = opened.element.body.findall(
        ".//{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}docPr"
    )
    assert described.get("descr") == "คะแนน ITA และเครื่องมือการประเมิน"


HOSTILE = ['=HYPERLINK("http://x","y")', "+1", "-ขั้นตอนแรก", "@SUM(A1)"]


def test_hostile_text_is_written_as_text_and_control_characters_are_dropped(db):
    table = Table(
        [["ข้อ", "ข้อความ"]], [[text, text] for text in HOSTILE] + [["\x0b", "มาตรการ\x0bที่หนึ่ง\x08\x00"]], [5, 40]
    )
    document = Document(["ชื่อ\x0c"], HOSTILE[0], 2566, [Section("=1+1", ["@ย่อหน้า\x1f"], table)], "test")
    content = render_docx(document, today=TODAY)
    opened = word(content)

    assert table_texts(opened.tables[0])[1:] == [[text, text] for text in HOSTILE] + [["", "มาตรการที่หนึ่ง"]]
    assert [p.text for p in opened.paragraphs[:3]] == ["ชื่อ", HOSTILE[0], "พิมพ์เมื่อ 21 พฤศจิกายน 2569"]
    assert "@ย่อหน้า" in [p.text for p in opened.paragraphs]
    # No field but the page numbers: Word runs nothing the measures wrote.
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        xml = "".join(archive.read(name).decode() for name in archive.namelist() if name.endswith(".xml"))
    assert "instrText" not in xml and "w:fldChar" not in xml
    assert sorted(set(re.findall(r'w:instr="([^"]*)"', xml))) == ["NUMPAGES", "PAGE"]


def test_a_logo_that_cannot_be_read_leaves_the_name_and_address(db):
    document = small_document(
        letterhead=Letterhead("สำนักงานทดสอบ", "ถนนทดสอบ", logo=b"not a picture", logo_type="image/png")
    )
    opened = word(render_docx(document, today=TODAY))

    assert [p.text for p in opened.paragraphs[:3]] == ["สำนักงานทดสอบ", "ถนนทดสอบ", "รายงานทดสอบ"]
    assert not [p for p in opened.part.package.parts if p.partname.startswith("/word/media/")]


def test_the_file_is_the_agencys_not_python_docxs(db):
    properties = word(render_docx(small_document(), today=TODAY)).core_properties

    assert (properties.title, properties.author, properties.comments) == ("รายงานทดสอบ", "หน่วยงานทดสอบ", "")
    assert properties.language == "th-TH"
    assert properties.created.date() == datetime.date(2026, 11, 21)
