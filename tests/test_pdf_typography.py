"""The PDFs as the integrity office publishes them (issue 12, items 2, 9 and 10): text that copies
back as the Thai it shows, Thai official typography, and rows that read across pages. Every
check reads the PDF files themselves (pdftotext, pdfplumber, pdftoppm)."""

import io
import subprocess

import pdfplumber
import pytest
from fontTools.ttLib import TTFont
from PIL import Image, ImageChops
from weasyprint import HTML

from assessments.models import Agency, Assessment
from measures.models import Measure
from reports import pdf
from reports.analysis_document import analysis_document_for
from reports.copyable_font import FONT_DIR, copyable_font
from reports.improvement_document import improvement_document_for
from reports.layout import Document, Section, Table, header
from reports.pdf import render_pdf
from reports.plan_document import plan_document_for
from reports.progress_document import progress_document_for
from tests import clock

pytestmark = clock.pinned(2026, 11, 21)

# Words whose ำ, with and without a tone mark above it, and whose Thai letters WeasyPrint's
# one-text-per-glyph ToUnicode map used to lose: "ดำเนินงาน" copied as "ดำเนินงำน", "น้ำ" as "นำ".
SARA_AM_WORDS = ["ดำเนินงาน", "น้ำ", "ทำ", "กำหนด", "ค่ำ", "ประชาสัมพันธ์", "ต่ำ", "ซ้ำ", "งาน", "การดำเนินการ"]
LONG_WORDS = ["ประชาสัมพันธ์", "ผู้อำนวยการ", "ยุทธศาสตร์", "งบประมาณ", "คณะกรรมการ"]
HEADER_GREY = 0xE8 / 255  # th's background in base.html


def pdftotext(content, *options):
    return subprocess.run(
        ["pdftotext", *options, "-", "-"], input=content, capture_output=True, check=True
    ).stdout.decode()


def document(sections, title="ทดสอบ"):
    return Document([title], "หน่วยงานทดสอบ", 2569, sections, "test")


def table_section(rows, widths, long_rows=False, header_rows=None):
    headers = header_rows or [[header(f"หัว {i + 1}") for i in range(len(widths))]]
    return Section("ตาราง", [], Table(headers, rows, widths, {}, long_rows=long_rows))


# Text that copies (item 10)


def test_copied_text_gives_back_sara_am_and_the_tone_marks_above_it():
    words = " ".join(SARA_AM_WORDS)
    # The same words first with a tone mark over ำ, then without, then in the other order: each
    # glyph's text is taken from the first cluster that used it, so order matters.
    content = render_pdf(document([Section("คำ", [words, " ".join(reversed(SARA_AM_WORDS))])], title="น้ำ ดำ งาน"))

    copied = " ".join(pdftotext(content).split())

    assert "น้ำ ดำ งาน" in copied
    assert f"{' '.join(SARA_AM_WORDS)} {' '.join(reversed(SARA_AM_WORDS))}" in copied
    assert "งำน" not in copied and "ดาเนิน" not in copied


def test_bold_headings_copy_as_shown_too():
    content = render_pdf(document([Section("ผลการดำเนินงาน น้ำ ค่ำ", ["ย่อหน้า"])]))

    assert "ผลการดำเนินงาน น้ำ ค่ำ" in pdftotext(content)


def pixels(content, tmp_path, name):
    stem = tmp_path / name
    subprocess.run(["pdftoppm", "-r", "150", "-png", "-singlefile", "-", str(stem)], input=content, check=True)
    return Image.open(f"{stem}.png").convert("L")


def test_the_derived_font_draws_every_word_as_sarabun_does(tmp_path):
    words = " ".join(SARA_AM_WORDS + ["น้ำท่วม", "ป่ำ", "ฟ้ำ", "ล้ำหน้า", "กิ่ง", "ปู่", "ญาติ", "ฐาน"])

    def page(url):
        html = (
            f'<style>@font-face {{ font-family: T; src: url("{url}") }}'
            f"body {{ font-family: T; font-size: 16pt }}</style><p>{words}</p>"
        )
        return HTML(string=html, url_fetcher=pdf.DocumentFetcher()).write_pdf()

    original = pixels(page((FONT_DIR / "Sarabun-Regular.ttf").as_uri()), tmp_path, "original")
    derived = pixels(page(pdf.FONT_URL + "Sarabun-Regular.ttf"), tmp_path, "derived")

    assert ImageChops.difference(original, derived).getbbox() is None  # not one pixel differs
    assert ImageChops.invert(derived).getbbox() is not None  # and the words are there


def test_the_derived_font_is_renamed_and_the_pdf_fetches_nothing_from_the_network():
    content = render_pdf(document([Section("ตัวหนา", ["ธรรมดา"])]))

    with pdfplumber.open(io.BytesIO(content)) as document_pdf:
        fonts = {char["fontname"].split("+")[-1] for char in document_pdf.pages[0].chars}
    assert fonts == {"Sarabun", "Sarabun-Bold"}  # the @font-face family, as WeasyPrint names it
    names = TTFont(io.BytesIO(copyable_font("Sarabun-Bold.ttf")))["name"]
    assert (names.getDebugName(1), names.getDebugName(6)) == ("Sarabun ITA", "SarabunITA-Bold")
    with pytest.raises(ValueError, match="disallowed protocol"):
        pdf.DocumentFetcher().fetch("https://example.org/logo.png")


# Thai official typography (item 9)


def test_pages_have_thai_official_margins_and_body_text_the_size_of_th_sarabun_new_16():
    content = render_pdf(document([Section("หัวข้อ", ["ข้อความ " * 80])]))

    with pdfplumber.open(io.BytesIO(content)) as document_pdf:
        page = document_pdf.pages[0]
        body = [c for c in page.chars if round(c["size"], 1) == 11.0 and c["text"].strip()]
        lines = {}
        for char in body:
            lines.setdefault(round(char["top"], 1), []).append(char)
        left = min(c["x0"] for c in body)
        right = max(c["x1"] for c in body)
    assert len(lines) >= 3
    assert left == pytest.approx(30 * 72 / 25.4, abs=1)  # 3 cm on the left
    # 2 cm on the right, less what the last word of the longest line left (lines end between words)
    assert 20 * 72 / 25.4 - 0.5 <= page.width - right <= 20 * 72 / 25.4 + 40
    tops = sorted(lines)
    assert tops[1] - tops[0] == pytest.approx(11 * 1.5, abs=0.2)  # lines of 1.5


def test_sarabun_at_11_pt_draws_thai_letters_as_tall_as_th_sarabun_new_at_16():
    # TH Sarabun New (version 1.35) draws Thai consonants 0.400 em tall, Sarabun 0.586 em.
    advances = pdf.advances()
    assert advances[ord("ก")] == pytest.approx(0.576, abs=0.001)
    assert 11 * 0.586 == pytest.approx(16 * 0.400, rel=0.01)


def words_in_lines(content):
    return [line.strip() for line in pdftotext(content).splitlines() if line.strip()]


def test_thai_words_never_break_inside_a_word_in_narrow_columns():
    rows = [[str(i + 1), f"{word} {word}", word] for i, word in enumerate(LONG_WORDS)]
    # The third column is far too narrow for its words: it is widened to the longest one.
    content = render_pdf(document([table_section(rows, [4, 60, 3])]))

    lines = words_in_lines(content)
    for word in LONG_WORDS:
        assert lines.count(word) >= 1, (word, lines)
        assert not [line for line in lines if line != word and line in word], (word, lines)


def test_row_numbers_and_codes_never_wrap():
    rows = [[str(number), "ข้อความ", "I20", "AA"] for number in (9, 10, 11, 100)]
    content = render_pdf(document([table_section(rows, [1, 80, 1, 1])]))

    with pdfplumber.open(io.BytesIO(content)) as document_pdf:
        cells = body_rows(document_pdf.pages[0])
    assert cells == [[str(number), "ข้อความ", "I20", "AA"] for number in (9, 10, 11, 100)]  # each on one line


def test_a_narrow_column_takes_its_width_from_the_columns_with_room_to_spare():
    rows = [
        {"cells": [{"text": "ประชาสัมพันธ์", "css": "text", "colspan": 1}, {"text": "ก", "css": "text", "colspan": 1}]}
    ]

    shares = pdf.column_widths(rows, [], [1, 99], 453.5)

    word = pdf.longest_word("ประชาสัมพันธ์", False) * pdf.TABLE_FONT_PT + pdf.CELL_PADDING_PT
    assert shares[0] == pytest.approx(100 * word / 453.5, abs=0.01)
    assert sum(shares) == pytest.approx(100, abs=0.02)
    assert pdf.column_widths(rows, [], [50, 50], 453.5) == [50.0, 50.0]  # wide enough: unchanged


# Rows that read across pages (item 2)


def body_rows(page):
    """The page's first table's rows under its (grey) header rows, as pdfplumber reads them."""
    tables = sorted(page.find_tables(), key=lambda t: t.bbox[1])
    if not tables:
        return []
    greys = [
        r
        for r in page.rects
        if r.get("fill")
        and r.get("non_stroking_color")
        and all(abs(c - HEADER_GREY) < 0.01 for c in r["non_stroking_color"])
    ]

    def is_header(bbox):
        middle = (bbox[1] + bbox[3]) / 2
        return any(r["top"] <= middle <= r["bottom"] and r["x0"] < bbox[2] and r["x1"] > bbox[0] for r in greys)

    return [cells for row, cells in zip(tables[0].rows, tables[0].extract(), strict=True) if not is_header(row.bbox)]


THAI_MARKS = set("\u0e31\u0e34\u0e35\u0e36\u0e37\u0e38\u0e39\u0e3a\u0e47\u0e48\u0e49\u0e4a\u0e4b\u0e4c\u0e4d\u0e4e ")


def plain(text):
    """Text without Thai marks and spaces: pdfplumber orders a cluster's marks by position."""
    return "".join(char for char in text if char not in THAI_MARKS)


def first_rows(content):
    with pdfplumber.open(io.BytesIO(content)) as document_pdf:
        return [(number, rows[0]) for number, page in enumerate(document_pdf.pages, 1) if (rows := body_rows(page))]


def test_a_row_taller_than_a_page_continues_with_its_number_and_measure():
    steps = "\n".join(f"ขั้นตอนที่ {i}: ประชุมชี้แจงและเผยแพร่แนวทางการปฏิบัติงานแก่บุคลากรทุกระดับ" for i in range(1, 91))
    rows = [
        ["1", f"มาตรการเปิดเผยข้อมูล\n{steps}", "■", "งานประชาสัมพันธ์"],
        ["2", "มาตรการป้องกันการทุจริต", "■", "งานพัสดุ"],
    ]
    content = render_pdf(document([table_section(rows, [4, 60, 4, 20], long_rows=True)]), landscape=True)

    starts = first_rows(content)
    # 90 steps of one line each, in pieces of at most half a page (about 15 lines): six or seven
    # pieces on three or four pages, each page starting with a piece naming measure 1.
    assert len(starts) in (3, 4) and all(cells[0] != "2" for _page, cells in starts)
    assert starts[0][1][0] == "1" and plain(starts[0][1][1]).startswith(plain("มาตรการเปิดเผยข้อมูล\nขั้นตอนที่ 1:"))
    for _page, cells in starts[1:]:
        assert cells[0] == "1\n(ต่อ)"
        assert plain(cells[1]).startswith(plain("มาตรการเปิดเผยข้อมูล (ต่อ)\nขั้นตอนที่ "))
        assert cells[2] == "■"  # its months hold on every piece
        assert cells[3] == ""  # its unit is printed once
    copied = pdftotext(content)
    positions = [copied.index(f"ขั้นตอนที่ {i}:") for i in range(1, 91)]
    assert positions == sorted(positions)  # every step, once, in order


def test_a_row_that_fits_on_a_page_never_splits():
    filler = [[str(i), "แถว"] for i in range(1, 30)]
    tall = [["30", "\n".join(f"บรรทัดที่ {i}" for i in range(1, 21))]]
    content = render_pdf(document([table_section(filler + tall, [4, 60], long_rows=True)]))

    starts = first_rows(content)
    assert [cells[0] for _page, cells in starts] == ["1", "30"]
    assert "(ต่อ)" not in pdftotext(content)


def test_sub_questions_stay_on_the_page_of_their_item():
    rows, styles = [], []
    for item in range(1, 16):
        rows.append([f"I{item}", f"ข้อคำถามที่ {item}"])
        styles.append("")
        for sub in range(1, 5):
            rows.append(["", f"ข้อย่อยที่ {sub}"])
            styles.append("indent")
    section = table_section(rows, [6, 60])
    section.table.row_styles = styles
    content = render_pdf(document([section]))

    starts = first_rows(content)
    assert len(starts) >= 2
    assert all(cells[0].startswith("I") for _page, cells in starts)


# Every demo document


def demo_documents():
    """(name, document, landscape) of every document the demo publishes, as the bundles list them."""
    documents = [
        (f"analysis {a.agency.code} {a.fiscal_year}", analysis_document_for(a), False)
        for a in Assessment.objects.select_related("agency").order_by("agency__code", "fiscal_year")
    ]
    plans = Measure.objects.current().values_list("agency", "fiscal_year").distinct().order_by("agency", "fiscal_year")
    for agency_id, year in plans:
        agency = Agency.objects.get(pk=agency_id)
        documents += [
            (f"plan {agency.code} {year}", plan_document_for(agency, year), True),
            (f"improvement {agency.code} {year}", improvement_document_for(agency, year), True),
        ]
        documents += [
            (f"progress {agency.code} {year} {kind}", progress_document_for(agency, year, kind), True)
            for kind in ("q2", "6m", "12m")
        ]
    return documents


@pytest.fixture
def demo_pdfs(demo):
    return [
        (name, render_pdf(document, landscape=landscape), heading_texts(document))
        for name, document, landscape in demo_documents()
    ]


def heading_texts(document):
    """The text of the document's heading rows (a group's name over its rows, which has no number)."""
    return {
        plain("".join(str(cell or "") for cell in row)).replace(" ", "").replace("\n", "")
        for section in document.sections
        if section.table
        for index, row in enumerate(section.table.rows)
        if section.table.style(index) == "heading"
    }


def test_every_demo_pdf_copies_its_thai_and_starts_no_page_with_a_row_lacking_its_number(demo_pdfs):
    assert len(demo_pdfs) >= 20
    lacking, misspelt = [], []
    for name, content, headings in demo_pdfs:
        copied = pdftotext(content)
        if "ดำเนินงาน" not in copied or "งำน" in copied or "ดาเนิน" in copied:
            misspelt.append(name)
        # The plan prints each indicator once over its measures (its first column), and its
        # follow-up table names the measure first: a plan's row is named by either column.
        name_columns = 2 if name.startswith("plan") else 1
        for page, cells in first_rows(content):
            heading = plain("".join(cell or "" for cell in cells)).replace(" ", "").replace("\n", "") in headings
            if not heading and not any((cell or "").strip() for cell in cells[:name_columns]):
                lacking.append((name, page, cells[:3]))
    assert misspelt == []
    assert lacking == []
