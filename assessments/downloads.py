"""Thin renderers that turn plain rows into downloadable files.

Rows come with their columns as (label, kind); the kind ("text", "integer", "score", "change")
decides how a spreadsheet shows the number. Scores stay numbers in both formats.

Text is never something a spreadsheet runs: a measure named `=HYPERLINK(...)` must open as those
words, not as a link to wherever it points. XLSX cells holding text are typed as text; CSV cells
that a spreadsheet would read as a formula get a leading apostrophe.
"""

import csv
import io
import re
from copy import copy

from django.conf import settings
from django.dispatch import Signal
from django.http import HttpResponse, StreamingHttpResponse
from openpyxl import Workbook
from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE, WriteOnlyCell
from openpyxl.styles import Alignment, Font, NamedStyle
from openpyxl.utils import get_column_letter
from openpyxl.utils.indexed_list import IndexedList

# The national font government PCs have (settings.XLSX_FONT may name Sarabun instead); it draws
# small for its size, so tables print at 14 pt, Sarabun's 11.
FONT_NAME = "TH SarabunPSK"
TABLE_FONT_SIZES = {"Sarabun": 11}
TABLE_FONT_SIZE = 14


# Excel's limit on a sheet's name, and the characters it refuses in one.
SHEET_NAME_LENGTH = 31
SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def whole_words(text, limit=SHEET_NAME_LENGTH):
    """The longest run of `text`'s first space-separated words within `limit` characters, for a
    sheet's name ("" when the first word alone is longer: Thai runs words together, and a name
    cut inside one misleads)."""
    name = ""
    for word in SHEET_NAME_FORBIDDEN.sub("", str(text)).split():
        candidate = f"{name} {word}" if name else word
        if len(candidate) > limit:
            break
        name = candidate
    return name.strip("'")


def font_name():
    return settings.XLSX_FONT


def national_workbook(name, size, write_only=False):
    """A workbook whose default font (its Normal style) is `name`: every cell, empty ones too,
    is in it, and Excel measures column widths in its digits. openpyxl has no public setting for
    the default font, so the Normal style's font is replaced where the workbook keeps it."""
    workbook = Workbook(write_only=write_only)
    font = Font(name=name, size=size)
    workbook._fonts = IndexedList([font])
    workbook._named_styles["Normal"].font = font
    return workbook


NUMBER_FORMATS = {"text": "General", "integer": "0", "score": "0.00", "change": "0.00;(0.00)"}
NUMBER_WIDTH = 11
MAX_TEXT_WIDTH = 60

# Sent by this app's views when they hand a file over (request, agency, what): the audit of access
# records it (accounts.recording), which the apps above call directly but this one may not import.
file_downloaded = Signal()

# What Excel, LibreOffice and Google Sheets start a formula (or a DDE call) with.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value):
    """A CSV cell that no spreadsheet evaluates: text starting like a formula gets a leading "'"
    (which spreadsheets hide). Numbers (a fall of 4.72 points is Decimal("-4.72")) stay numbers."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def write_cell(sheet, row, column, value):
    """Put `value` in a cell; text stays text. openpyxl would store a str starting with "=" as a
    formula and "#N/A" as an error, and refuses control characters (pasted from Word) outright."""
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    cell = sheet.cell(row=row, column=column, value=value)
    if isinstance(value, str):
        cell.data_type = "s"
    return cell


def attachment(content, content_type, filename):
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def csv_response(filename, columns, rows):
    """UTF-8 with a byte order mark, so that Excel opens Thai text correctly."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    writer.writerow([csv_safe(str(label)) for label, _kind in columns])
    writer.writerows(["" if value is None else csv_safe(value) for value in row] for row in rows)
    return attachment(buffer.getvalue().encode("utf-8"), "text/csv; charset=utf-8", f"{filename}.csv")


class Echo:
    """A file whose write() hands the line back: csv.writer's output, one line at a time."""

    def write(self, value):
        return value


def streamed_csv_response(filename, columns, rows):
    """As `csv_response`, sent while `rows` (an iterator) are read: a whole country's year starts
    downloading at once, and the server never holds the file."""
    writer = csv.writer(Echo())
    header = "\ufeff" + writer.writerow([csv_safe(str(label)) for label, _kind in columns])

    def lines():
        yield header.encode("utf-8")
        for row in rows:
            yield writer.writerow(["" if value is None else csv_safe(value) for value in row]).encode("utf-8")

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def text_widths(columns, rows):
    """Per text column, the characters of its longest value (None for the others)."""
    return [
        max((len(str(row[index] or "")) for row in rows), default=0) if kind == "text" else None
        for index, (_label, kind) in enumerate(columns)
    ]


def xlsx_response(filename, columns, rows, *, title, longest=None):
    """One sheet: a bold, frozen header row, numbers stored as numbers with two decimals.

    Written in one pass by openpyxl's write-only workbook, each row as it is read, so `rows` may
    be an iterator; `longest` then gives each text column's longest value in characters (see
    `text_widths`), as the columns' widths come before the rows in the file."""
    if longest is None:
        rows = list(rows)
        longest = text_widths(columns, rows)
    name = font_name()
    size = TABLE_FONT_SIZES.get(name, TABLE_FONT_SIZE)
    workbook = national_workbook(name, size, write_only=True)
    sheet = workbook.create_sheet(whole_words(title) or "ITA")
    for index, ((label, kind), chars) in enumerate(zip(columns, longest, strict=True), start=1):
        width = min(max(chars or 0, len(str(label))) + 2, MAX_TEXT_WIDTH) if kind == "text" else NUMBER_WIDTH
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.row_dimensions[1].height = 2 * size * 1.96  # room for a header label wrapped onto two lines
    sheet.freeze_panes = "A2"
    header = styled(
        sheet,
        NamedStyle(
            name="ita-header",
            font=Font(name=name, size=size, bold=True),
            alignment=Alignment(wrap_text=True, vertical="top"),
        ),
    )
    sheet.append([text_cell(sheet, str(label), header._style) for label, _kind in columns])
    # Text is in the workbook's default font and format (as the text style was): a plain value,
    # typed as text where openpyxl would take it for a formula or an error. Each number column
    # has one cell wearing its format, refilled row after row: the sheet writes a row as it is
    # appended, and a style given to a cell is looked up in the workbook's lists every time.
    formats = {
        kind: NamedStyle(name=f"ita-{kind}", font=Font(name=name, size=size), number_format=number_format)
        for kind, number_format in NUMBER_FORMATS.items()
    }
    number_cells = {index: styled(sheet, formats[kind]) for index, (_l, kind) in enumerate(columns) if kind != "text"}
    last_row = 1
    for row in rows:
        values = []
        for index, value in enumerate(row):
            cell = number_cells.get(index)
            if isinstance(value, str):
                value = text_value(sheet, value, cell._style if cell else None)
            elif cell is not None:
                cell.value, value = value, cell
            values.append(value)
        sheet.append(values)
        last_row += 1
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{last_row}"

    buffer = io.BytesIO()
    workbook.save(buffer)
    return attachment(
        buffer.getvalue(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", f"{filename}.xlsx"
    )


def styled(sheet, style):
    """A cell wearing `style`, whose style the cells of its kind copy."""
    cell = WriteOnlyCell(sheet)
    cell.style = style
    return cell


def text_cell(sheet, text, style=None):
    """A write-only cell of `text`, typed as text as `write_cell` types it, in `style` (a cell's style array)."""
    cell = WriteOnlyCell(sheet, ILLEGAL_CHARACTERS_RE.sub("", text))
    cell.data_type = "s"
    if style is not None:
        cell._style = copy(style)
    return cell


def text_value(sheet, text, style=None):
    """`text` as a write-only sheet takes it: the plain string, unless openpyxl would store it as
    a formula ("=…") or an error ("#N/A"), or it holds characters a sheet refuses; then a cell."""
    if (
        style is None
        and not text.startswith("=")
        and text not in ERROR_CODES
        and not ILLEGAL_CHARACTERS_RE.search(text)
    ):
        return text
    return text_cell(sheet, text, style)
