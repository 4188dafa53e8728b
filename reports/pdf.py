"""The PDF renderer: a Document's rows through templates/reports/document.html and WeasyPrint.

Sarabun comes from the fontpkg-sarabun package through @font-face (never the system name
"TH Sarabun New", which Debian aliases to a squashed Laksaman), as derived in memory by
reports.copyable_font so that text copied out of the PDF keeps ำ; Thai line breaking comes from
Pango and libthai-data. Numbers are formatted here (by assessments.thai, as the pages format
them), and Thai digits applied here, so the document's rows stay plain values.
"""

import re

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from weasyprint import HTML
from weasyprint.text.fonts import FontConfiguration
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


def prepared_sections(document, digits):
    """The sections with every cell formatted as text and given its CSS class."""
    sections = []
    for section in document.sections:
        table = None
        if section.table:
            source = section.table
            total = sum(source.widths) or 1
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
            table = {
                "widths": [round(100 * w / total, 2) for w in source.widths],
                "header_rows": [
                    [{"text": digits(cell.text), "colspan": cell.colspan, "rowspan": cell.rowspan} for cell in row]
                    for row in source.header_rows
                ],
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
            "sections": prepared_sections(document, digits),
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
