"""The PDF renderer: a Document's rows through templates/reports/document.html and WeasyPrint.

Sarabun comes from the fontpkg-sarabun package through @font-face (never the system name
"TH Sarabun New", which Debian aliases to a squashed Laksaman), as derived in memory by
reports.copyable_font so that text copied out of the PDF keeps ำ; Thai line breaking comes from
Pango and libthai-data. Numbers are formatted here (by assessments.thai, as the pages format
them), and Thai digits applied here, so the document's rows stay plain values.
"""

import functools
import math
import re

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from fontTools.ttLib import TTFont
from weasyprint import HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.text.line_break import get_log_attrs
from weasyprint.urls import URLFetcher, URLFetcherResponse

from assessments.thai import change_text, score_text, thai_date, thai_digits as to_thai_digits
from reports.copyable_font import FONT_DIR, copyable_font
from reports.layout import CHANGE

# Where the derived faces are asked for: no such file exists, DocumentFetcher serves them.
FONT_URL = "file:///ita-tracker/copyable-fonts/"
FONT_FACES = [
    {"file": "Sarabun-Regular.ttf", "weight": "normal", "style": "normal"},
    {"file": "Sarabun-Bold.ttf", "weight": "bold", "style": "normal"},
    {"file": "Sarabun-Italic.ttf", "weight": "normal", "style": "italic"},
    {"file": "Sarabun-BoldItalic.ttf", "weight": "bold", "style": "italic"},
]
# Kept for the life of the process: fonts are not looked up again for every document.
FONT_CONFIG = FontConfiguration()


def font_faces():
    return [{**face, "url": mark_safe(FONT_URL + face["file"])} for face in FONT_FACES]


class DocumentFetcher(URLFetcher):
    """Serves the derived fonts from memory; a document needs nothing but local files and data:
    URLs (never the network)."""

    def __init__(self):
        super().__init__(allowed_protocols={"file", "data"})

    def fetch(self, url, headers=None):
        if url.startswith(FONT_URL):
            name = url.removeprefix(FONT_URL)
            if name in {face["file"] for face in FONT_FACES}:
                return URLFetcherResponse(url, copyable_font(name), {"Content-Type": "font/ttf"})
        return super().fetch(url, headers)


def css_string(text):
    """Text safe inside a CSS string in double quotes."""
    return mark_safe(str(text).replace("\\", "\\\\").replace('"', '\\"').replace("\n", " "))


def svg_digits(svg, digits):
    """The chart with `digits` applied to its text only, never to coordinates."""
    return mark_safe(re.sub(r"(<(?:text|title|desc)\b[^>]*>)([^<]*)", lambda m: m.group(1) + digits(m.group(2)), svg))


# Narrow text columns hold codes and levels ("I20", "AA"), centred as official tables print
# them; wider ones hold sentences, which read best left-aligned.
CODE_WIDTH = 9


def cell_class(table, column):
    return "code" if table.widths[column] <= CODE_WIDTH else "text"


def cell_text(value, kind):
    if kind == CHANGE:
        return change_text(value)
    if kind:
        return score_text(value)
    return "" if value is None else str(value)


# Rows that read across pages (issue 12): a row never splits, an item keeps
# its sub-questions and a heading row its first row (base.html's CSS); a row taller than half a page
# is cut here, before WeasyPrint, into pieces of half a page that each repeat the row's
# number with "(ต่อ)" and its measure, so that no page holds cells without them. Widths and
# heights are estimated from Sarabun's advance widths, as base.html sets the page and the
# tables (A4, margins 25/20/20/30 mm, tables 9.5 pt with lines of 1.35).
PT_PER_MM = 72 / 25.4
PAGE = {False: (210 - 50, 297 - 45), True: (297 - 50, 210 - 45)}  # content width, height in mm
TABLE_FONT_PT, TABLE_LINE_PT = 9.5, 9.5 * 1.35
CELL_PADDING_PT = 9  # left and right padding with the borders
HEADER_ROW_PT = 30  # a header row of two lines, repeated on every page
WRAP_SLACK = 1.12  # lines wrap at word boundaries, so they are a little shorter than the column
CONTINUED = "(ต่อ)"


@functools.cache
def advances():
    """Each character's advance in em (combining marks take none)."""
    font = TTFont(FONT_DIR / "Sarabun-Regular.ttf", lazy=True)
    metrics, units = font["hmtx"], font["head"].unitsPerEm
    return {code: metrics[name][0] / units for code, name in font.getBestCmap().items()}


def text_lines(text, width_pt):
    """How many lines `text` takes in a column `width_pt` wide."""
    lines = 0
    for paragraph in text.split("\n"):
        em = em_width(paragraph)
        lines += max(1, math.ceil(em * TABLE_FONT_PT * WRAP_SLACK / max(width_pt, 1)))
    return lines


def page_of(landscape):
    """(width, height) of the page's content in pt."""
    width_mm, height_mm = PAGE[bool(landscape)]
    return width_mm * PT_PER_MM, height_mm * PT_PER_MM


def em_width(text):
    widths = advances()
    return sum(widths.get(ord(char), 0.5) for char in text)


def longest_word(text, keep):
    """The width in em of the longest piece of `text` that must not wrap: a word (Pango and
    libthai find where Thai words end) or, for a code, each of its lines whole."""
    if keep:
        return max(em_width(line) for line in text.split("\n"))
    attrs = get_log_attrs(text, "th")
    longest, start = 0.0, 0
    for end in [*(i for i in range(1, len(text)) if attrs[i].is_line_break), len(text)]:
        longest = max(longest, em_width(text[start:end].strip()))
        start = end
    return longest


def column_widths(table_rows, header_rows, widths, content_width):
    """The columns' shares (in %) of the table: the document's widths, each column widened to
    its longest word (taken from the columns that have room to spare) so that no word breaks."""
    total = sum(widths) or 1
    given = [content_width * w / total for w in widths]
    needed = [0.0] * len(widths)
    cells = [(row["cells"], 1.0) for row in table_rows] + [(row, 1.08) for row in header_rows]  # headers are bold
    for row, scale in cells:
        if len(row) != len(widths):
            continue
        for column, cell in enumerate(row):
            if cell["text"]:
                word = longest_word(cell["text"], "keep" in cell.get("css", ""))
                needed[column] = max(needed[column], word * TABLE_FONT_PT * scale + CELL_PADDING_PT)
    short = sum(max(0.0, n - g) for n, g in zip(needed, given, strict=True))
    spare = sum(max(0.0, g - n) for n, g in zip(needed, given, strict=True))
    if short <= 0 or spare <= 0:
        return [round(100 * w / total, 2) for w in widths]
    take = min(1.0, short / spare)
    final = [n if n > g else g - (g - n) * take for n, g in zip(needed, given, strict=True)]
    return [round(100 * w / sum(final), 2) for w in final]


def paragraph_parts(paragraph, width_pt, budget):
    """A paragraph longer than `budget` lines cut between words (at spaces, where Thai puts them)."""
    if text_lines(paragraph, width_pt) <= budget:
        return [paragraph]
    parts, current = [], ""
    for word in paragraph.split(" "):
        candidate = f"{current} {word}" if current else word
        if current and text_lines(candidate, width_pt) > budget:
            parts.append(current)
            candidate = word
        current = candidate
    return [*parts, current]


def text_chunks(text, width_pt, budget):
    """The text in pieces of at most `budget` lines, cut between paragraphs where it can be."""
    chunks: list[str] = []
    current: list[str] = []
    used = 0
    for paragraph in text.split("\n"):
        for part in paragraph_parts(paragraph, width_pt, budget):
            lines = text_lines(part, width_pt)
            if current and used + lines > budget:
                chunks.append("\n".join(current))
                current, used = [], 0
            current.append(part)
            used += lines
    return [*chunks, "\n".join(current)]


def is_code(cell):
    return cell["css"].startswith("code")


def row_pieces(rows, shares, page, header_rows):
    """The rows, each row taller than a page cut into pieces that fit on one (see above)."""
    content_width, content_height = page
    # Pieces of at most half a page: a piece that does not fit at the foot of a page moves whole to
    # the next, so a page-long piece would leave the page before it (the title's) nearly empty.
    page_lines = int((content_height - HEADER_ROW_PT * header_rows - 2 * TABLE_LINE_PT) / TABLE_LINE_PT)
    budget = max(page_lines // 2, 8)
    column_widths = [content_width * share / 100 - CELL_PADDING_PT for share in shares]
    pieces = []
    for row in rows:
        cells = row["cells"]
        if len(cells) != len(shares):  # a row spanning columns holds a heading, never a page of text
            pieces.append(row)
            continue
        lines = [text_lines(cell["text"], width) for cell, width in zip(cells, column_widths, strict=True)]
        if max(lines) <= budget:
            pieces.append(row)
            continue
        long = [i for i, count in enumerate(lines) if count > budget]
        chunks = {i: text_chunks(cells[i]["text"], column_widths[i], budget - 1) for i in long}
        first_long = long[0]
        # Short text left of the first long cell names the row (indicator, measure, unit);
        # codes (the row number, month marks, levels) hold on every piece too.
        repeated = {
            i
            for i, cell in enumerate(cells)
            if i not in chunks and (is_code(cell) or (i < first_long and cell["css"] != "num" and lines[i] <= 3))
        }
        named_by_long = not any(not is_code(cells[i]) and cells[i]["css"] != "num" for i in range(first_long))
        for k in range(max(len(parts) for parts in chunks.values())):
            piece = []
            for i, cell in enumerate(cells):
                if i in chunks:
                    text = chunks[i][k] if k < len(chunks[i]) else ""
                    if k and i == first_long and named_by_long:
                        # The measure is the first line of the long cell (an activity under its measure).
                        text = f"{cell['text'].split(chr(10))[0]} {CONTINUED}\n{text}"
                elif k == 0 or i in repeated:
                    text = cell["text"]
                else:
                    text = ""
                piece.append({**cell, "text": text})
            if k:
                marked = next((i for i in sorted(repeated) if piece[i]["text"]), None)
                if marked is not None and not (named_by_long and marked > first_long):
                    separator = "\n" if is_code(piece[marked]) else " "
                    piece[marked]["text"] += separator + CONTINUED
            pieces.append({"cells": piece, "style": row["style"], "continued": bool(k)})
    return pieces


def prepared_sections(document, digits, landscape=False):
    """The sections with every cell formatted as text and given its CSS class, the rows grouped
    as they must stay together on a page, and rows taller than a page cut into pieces."""
    sections = []
    for section in document.sections:
        table = None
        if section.table:
            source = section.table
            rows = []
            for index, values in enumerate(source.rows):
                cells = []
                for column, value in enumerate(values):
                    kind = source.number_columns.get(column)
                    text = cell_text(value, kind)
                    css = "num" if kind else "label" if column == source.label_column else cell_class(source, column)
                    cells.append({"text": digits(text), "css": css, "colspan": 1})
                cells[-1]["colspan"] = source.columns - len(values) + 1
                for cell in cells:
                    # A row number or a code in its own column never wraps ("10", not "1" over "0").
                    if cell["css"] == "code" and cell["colspan"] == 1:
                        cell["css"] = "code keep"
                rows.append({"cells": cells, "style": source.style(index)})
            header_rows = [
                [{"text": digits(cell.text), "colspan": cell.colspan, "rowspan": cell.rowspan} for cell in row]
                for row in source.header_rows
            ]
            page = page_of(landscape if section.landscape is None else section.landscape)
            shares = column_widths(rows, header_rows, source.widths, page[0])
            if source.long_rows:
                rows = row_pieces(rows, shares, page, len(source.header_rows))
            table = {
                "widths": shares,
                "header_rows": header_rows,
                "rows": rows,
                "long_rows": source.long_rows,
            }
        sections.append(
            {
                "heading": digits(section.heading),
                "paragraphs": [digits(p) for p in section.paragraphs],
                "table": table,
                "charts": [svg_digits(chart, digits) for chart in section.charts],
                "level": section.level,
                "new_page": section.new_page,
                "page": "" if section.landscape is None else "landscape" if section.landscape else "portrait",
            }
        )
    return sections


def render_html(document, *, landscape=False, thai_digits=False, today=None):
    digits = to_thai_digits if thai_digits else str
    printed = f"พิมพ์เมื่อ {thai_date(today or timezone.localdate())}"
    return render_to_string(
        "reports/document.html",
        {
            "document": document,
            "sections": prepared_sections(document, digits, landscape),
            "title_lines": [digits(line) for line in document.title_lines],
            "printed": digits(printed),
            "agency_name": digits(document.agency_name),
            "running_header": css_string(digits(f"{document.agency_name} · ปีงบประมาณ พ.ศ. {document.fiscal_year}")),
            "font_faces": font_faces(),
            "landscape": landscape,
            "thai_digits": thai_digits,
        },
    )


def render_pdf(document, *, landscape=False, thai_digits=False):
    html = render_html(document, landscape=landscape, thai_digits=thai_digits)
    return HTML(string=html, base_url=str(FONT_DIR), url_fetcher=DocumentFetcher()).write_pdf(font_config=FONT_CONFIG)
