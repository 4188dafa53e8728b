"""The XLSX renderer: a Document's rows on sheets that print, numbers kept as numbers.

Sections go on the sheet their `Section.sheet` names (sections of the same name share one sheet,
each table under its headings); a section without one goes, with the headings and paragraphs
before it, on a sheet of its own table, named by whole words of its heading. The first sheet
starts with the letterhead and the title; the last ends with the signature blocks and the
executive's acknowledgement.

The workbook names the national font TH SarabunPSK (settings.XLSX_FONT; Sarabun as an option),
16 pt body and 14 pt tables as Thai official documents print. Excel does not size rows to wrapped
text when a file opens, so every row's height is counted here: its line breaks and the lines each
cell wraps into at its column's width. No row may be taller than Excel's 409 pt: a taller table
row goes on as continuation rows, each repeating the row's number with "(ต่อ)" and its measure.

Printing is A4 with Thai margins (3 cm left, 2 cm right, 2.5 cm top, 2 cm bottom), in the
document's orientation (portrait for the analysis, as its PDF), fitted to the width of the page,
with the table's header rows repeated on every page. Every cell goes through `write_cell`, so
text from measures and reports is text, never a formula.
"""

import io
import math
import unicodedata
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from openpyxl import Workbook
from openpyxl.drawing.image import Image
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.page import PageMargins

from assessments.downloads import NUMBER_FORMATS, SHEET_NAME_LENGTH, whole_words, write_cell
from assessments.thai import thai_date
from reports.layout import CHANGE, Header, continuation_columns, continued_number

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
THIN = Side(style="thin", color="000000")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEADER_FILL = PatternFill("solid", fgColor="E8E8E8")
CENTRE = Alignment(wrap_text=True, horizontal="center", vertical="center")
CM = 1 / 2.54  # openpyxl's margins are in inches
MAX_ROW_HEIGHT = 409  # points: Excel refuses a taller row
ROW_PADDING = 3  # points above and below a row's lines


@dataclass(frozen=True)
class Typeface:
    """A font the workbook names and the sizes it prints in. `line` is the height of one line in
    ems as Excel on Windows spaces it (the font's ascent and descent): TH SarabunPSK's marks above
    and below the line make it tall, 27 pt a line at 14 pt."""

    name: str
    title: float
    heading: float
    body: float
    table: float
    line: float

    def line_height(self, size):
        return size * self.line


# TH SarabunPSK draws small for its size: 16 pt body and 14 pt tables read as Sarabun's 12 and 10.5.
TYPEFACES = {
    "TH SarabunPSK": Typeface("TH SarabunPSK", title=18, heading=16, body=16, table=14, line=1.96),
    "TH Sarabun New": Typeface("TH Sarabun New", title=18, heading=16, body=16, table=14, line=1.96),
    "Sarabun": Typeface("Sarabun", title=14, heading=12, body=12, table=10.5, line=1.85),
}

# Average advance widths in ems, measured on the demo's text in the TH SarabunPSK (Laksaman) and
# Sarabun bold faces, which agree within 3 %: Thai vowels and tone marks above and below take none.
EM_WIDTHS = {"thai": 0.58, "mark": 0.0, "space": 0.34, "digit": 0.57, "ascii": 0.43, "other": 0.62}
# Excel breaks Thai lines at dictionary word boundaries, so its lines fall short of full: a line is
# counted as this share of the cell's width.
LINE_FILL = 0.9


def typeface(font=None):
    return TYPEFACES[font or settings.XLSX_FONT]


def char_em(ch):
    if unicodedata.category(ch) in ("Mn", "Me", "Cf"):
        return EM_WIDTHS["mark"]
    if "\u0e00" <= ch <= "\u0e7f":
        return EM_WIDTHS["thai"]
    if ch == " ":
        return EM_WIDTHS["space"]
    if ch.isdigit():
        return EM_WIDTHS["digit"]
    return EM_WIDTHS["ascii"] if ch < "\x80" else EM_WIDTHS["other"]


def text_width(text, size):
    """Points `text` takes on one line at `size`."""
    return sum(char_em(ch) for ch in text) * size


def column_points(width):
    """A column's width in points: Excel counts widths in digits of the default font (7 px for
    Calibri 11) plus 5 px of padding, at 96 px to the inch."""
    return (width * 7 + 5) * 0.75


def wrapped_lines(text, width, size, indent=0):
    """The lines `text` prints as in a cell `width` points wide: each line break starts a line,
    and a line wraps at a space, or inside a word longer than the whole line. Each line keeps
    what ends it (the space, the line break), so that "".join(lines) gives back `text`."""
    room = max(width * LINE_FILL - 2 * ROW_PADDING - indent, size)
    space = text_width(" ", size)
    lines = []
    paragraphs = str(text).split("\n")
    for number, paragraph in enumerate(paragraphs):
        line, used = "", 0.0
        words = paragraph.split(" ")
        for position, word in enumerate(words):
            word_width = text_width(word, size)
            if line and used + word_width > room:
                lines.append(line)
                line, used = "", 0.0
            if used + word_width > room:
                for ch in word:  # a word wider than the line breaks before a letter that would not fit
                    ch_width = char_em(ch) * size
                    if line and ch_width and used + ch_width > room:
                        lines.append(line)
                        line, used = "", 0.0
                    line, used = line + ch, used + ch_width
            else:
                line, used = line + word, used + word_width
            if position < len(words) - 1:
                line, used = line + " ", used + space
        lines.append(line + ("\n" if number < len(paragraphs) - 1 else ""))
    return lines


def joined(lines):
    """The text of some of a cell's wrapped lines, without the break that ended the last."""
    return "".join(lines).rstrip("\n")


def row_height(lines, face, size):
    return lines * face.line_height(size) + 2 * ROW_PADDING


def lines_per_row(face, size):
    """The most lines one row holds within Excel's limit."""
    return int((MAX_ROW_HEIGHT - 2 * ROW_PADDING) // face.line_height(size))


def cell_value(value):
    if isinstance(value, Decimal):
        return float(value)
    return value


def sheet_groups(sections):
    """[(Section.sheet or "", [section])]: sections naming the same sheet share it; the others go
    one table a sheet, with the sections without a table before it."""
    groups, named, pending = [], {}, []
    for section in sections:
        if section.sheet:
            if section.sheet not in named:
                named[section.sheet] = (section.sheet, [])
                groups.append(named[section.sheet])
            named[section.sheet][1].extend(pending + [section])
            pending = []
            continue
        pending.append(section)
        if section.table:
            groups.append(("", pending))
            pending = []
    if pending:
        groups.append(("", pending))
    return groups


def sheet_name(wanted, heading, number, used):
    """A sheet name Excel accepts, unique in the workbook (Excel ignores case): `wanted`
    (Section.sheet) or whole words of `heading`; "ส่วนที่ N" when no word fits."""
    title = whole_words(wanted or heading) or f"ส่วนที่ {number}"
    candidate, count = title, 2
    while candidate.casefold() in used:
        suffix = f" {count}"
        candidate = (whole_words(title, SHEET_NAME_LENGTH - len(suffix)) or f"ส่วนที่ {number}") + suffix
        count += 1
    used.add(candidate.casefold())
    return candidate


def render_xlsx(document, *, landscape=False, font=None):
    """The document's sheets, printed in `landscape` or portrait (as the PDF), in `font`
    (settings.XLSX_FONT when not given)."""
    face = typeface(font)
    workbook = Workbook()
    workbook.remove(workbook.active)
    used = set()
    groups = sheet_groups(document.sections)
    for index, (wanted, group) in enumerate(groups):
        titled = next((s for s in group if s.table), group[0])
        sheet = workbook.create_sheet(sheet_name(wanted, titled.heading, index + 1, used))
        writer = SheetWriter(sheet, document, group, face)
        if index == 0:
            writer.write_front()
        writer.write_sections()
        if index == len(groups) - 1:
            writer.write_sign_off()
        writer.set_up_printing(landscape)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


class SheetWriter:
    """Writes one sheet row by row, setting each row's height as it goes."""

    def __init__(self, sheet, document, sections, face):
        self.sheet, self.document, self.sections, self.face = sheet, document, sections, face
        self.row = 1
        self.header_rows = None  # (first, last) of the sheet's first table's header
        tables = [s.table for s in sections if s.table]
        # Tables sharing a sheet share its columns: each column as wide as the widest table needs.
        self.widths = [
            max((max(t.widths[i], 8) for t in tables if i < t.columns), default=8)
            for i in range(max((t.columns for t in tables), default=1))
        ] or [8]
        if not tables:
            self.widths = [100]
        for index, width in enumerate(self.widths, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = width
        self.points = [column_points(w) for w in self.widths]

    @property
    def columns(self):
        return len(self.widths)

    def font(self, size, bold=False):
        return Font(name=self.face.name, size=size, bold=bold)

    def merged_text(self, text, size, *, bold=False, centre=False, columns=None):
        """A line of text across the sheet (or its first `columns`), as many rows as it needs."""
        span = columns or self.columns
        lines = wrapped_lines(text, sum(self.points[:span]), size)
        per_row = lines_per_row(self.face, size)
        for start in range(0, len(lines), per_row):
            chunk = lines[start : start + per_row]
            # A paragraph longer than a row goes on in the next row, cut between its wrapped lines.
            value = text if len(lines) <= per_row else joined(chunk)
            cell = write_cell(self.sheet, self.row, 1, value)
            cell.font = self.font(size, bold)
            cell.alignment = Alignment(wrap_text=True, vertical="top", horizontal="center" if centre else None)
            if span > 1:
                self.sheet.merge_cells(start_row=self.row, start_column=1, end_row=self.row, end_column=span)
            self.sheet.row_dimensions[self.row].height = row_height(len(chunk), self.face, size)
            self.row += 1

    def write_front(self):
        """The letterhead (logo, full name, address, contacts), then the title and the agency."""
        face, head = self.face, self.document.letterhead
        if head:
            if head.logo:
                self.write_logo(head.logo)
            self.merged_text(head.full_name, face.heading, bold=True, centre=True)
            if head.address:
                self.merged_text(head.address, face.body, centre=True)
            contacts = " · ".join(
                part for part in (f"โทรศัพท์ {head.telephone}" if head.telephone else "", head.website) if part
            )
            if contacts:
                self.merged_text(contacts, face.body, centre=True)
            for column in range(1, self.columns + 1):
                self.sheet.cell(row=self.row - 1, column=column).border = Border(bottom=THIN)
            self.row += 1
        for line in self.document.title_lines:
            self.merged_text(line, face.title, bold=True, centre=True)
        self.merged_text(self.document.agency_name, face.heading, bold=True, centre=True)
        self.row += 1

    def write_logo(self, content):
        """The emblem centred above the name, 2.7 cm high as the PDF prints it."""
        image = Image(io.BytesIO(content))
        height = 2.7 * 96 / 2.54  # pixels
        image.width, image.height = image.width * height / image.height, height
        middle, left, column = sum(self.points) / 2 - image.width * 0.75 / 2, 0, 0
        while column < self.columns - 1 and left + self.points[column] <= middle:
            left += self.points[column]
            column += 1
        self.sheet.add_image(image, f"{get_column_letter(column + 1)}{self.row}")
        self.sheet.row_dimensions[self.row].height = height * 0.75 + 6
        self.row += 1

    def write_sections(self):
        face = self.face
        for section in self.sections:
            self.merged_text(section.heading, face.heading, bold=True)
            for paragraph in section.paragraphs:
                self.merged_text(paragraph, face.body)
            if section.table:
                self.write_table(section.table)
            self.row += 1

    def write_table(self, table):
        start = self.row
        self.row = write_header(self.sheet, table, self.row, self.font(self.face.table, True), self)
        if self.header_rows is None:
            # Frozen and repeated on every printed page: one header a sheet, the first table's.
            self.header_rows = (start, self.row - 1)
            self.sheet.freeze_panes = self.sheet.cell(row=self.row, column=1)
        write_rows(self, table)

    def write_sign_off(self):
        """Signature blocks side by side (stacked when the sheet is too narrow), then the
        executive's acknowledgement, as the PDF ends."""
        document = self.document
        signatures, acknowledgement = document.signatures, document.acknowledgement
        if not signatures and not acknowledgement:
            return
        self.row += 1
        if signatures:
            per_line = max(1, min(len(signatures), self.columns))
            for start in range(0, len(signatures), per_line):
                self.write_blocks([signature_lines(s) for s in signatures[start : start + per_line]])
                self.row += 1
        if acknowledgement:
            lines = ["ความเห็นของผู้บริหาร", acknowledgement.text, "(ลงชื่อ) ........................................"]
            lines += [f"({acknowledgement.name})"]
            lines += [f"ตำแหน่ง {acknowledgement.position}"] if acknowledgement.position else []
            lines += [f"วันที่ {thai_date(acknowledgement.date)}"]
            self.write_blocks([lines], bold_first=True)

    def write_blocks(self, blocks, bold_first=False):
        """Blocks of centred lines side by side, each over its share of the sheet's columns."""
        spans = column_spans(self.columns, len(blocks))
        size = self.face.body
        for line in range(max(len(b) for b in blocks)):
            height = 1
            for block, (first, last) in zip(blocks, spans, strict=True):
                if line >= len(block):
                    continue
                cell = write_cell(self.sheet, self.row, first, block[line])
                cell.font = self.font(size, bold=bold_first and line == 0)
                cell.alignment = CENTRE
                if last > first:
                    self.sheet.merge_cells(start_row=self.row, start_column=first, end_row=self.row, end_column=last)
                width = sum(self.points[first - 1 : last])
                height = max(height, len(wrapped_lines(block[line], width, size)))
            self.sheet.row_dimensions[self.row].height = row_height(
                min(height, lines_per_row(self.face, size)), self.face, size
            )
            self.row += 1

    def set_up_printing(self, landscape):
        sheet = self.sheet
        if self.header_rows:
            sheet.print_title_rows = f"{self.header_rows[0]}:{self.header_rows[1]}"
        sheet.page_setup.orientation = "landscape" if landscape else "portrait"
        sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
        sheet.page_setup.fitToWidth = 1
        sheet.page_setup.fitToHeight = 0
        sheet.sheet_properties.pageSetUpPr.fitToPage = True
        sheet.page_margins = PageMargins(
            left=3 * CM, right=2 * CM, top=2.5 * CM, bottom=2 * CM, header=1.2 * CM, footer=1 * CM
        )
        # "&" starts a code in a printed header ("&P" is the page number); "&&" prints one "&".
        agency_name = self.document.agency_name.replace("&", "&&")
        sheet.oddHeader.center.text = f"{agency_name} · ปีงบประมาณ พ.ศ. {self.document.fiscal_year}"
        sheet.oddFooter.center.text = "หน้า &P / &N"
        for part in (sheet.oddHeader.center, sheet.oddFooter.center):
            part.font, part.size = self.face.name, 12


def signature_lines(signature):
    return [
        signature.role,
        "(ลงชื่อ) ........................................",
        f"({signature.name})" if signature.name else "(........................................)",
        f"ตำแหน่ง {signature.position}" if signature.position else "ตำแหน่ง ..............................",
        f"วันที่ {thai_date(signature.date)}" if signature.date else "วันที่ ........ / ........ / ........",
    ]


def column_spans(columns, blocks):
    """[(first, last)] columns (1-based) of `blocks` blocks sharing `columns` columns about evenly."""
    if blocks <= 1 or columns < blocks:
        return [(1, columns)] * max(blocks, 1)
    bounds = [round(columns * i / blocks) for i in range(blocks + 1)]
    return [(bounds[i] + 1, bounds[i + 1]) for i in range(blocks)]


def write_rows(writer, table):
    """The table's rows; a row taller than Excel allows goes on in continuation rows."""
    sheet, face = writer.sheet, writer.face
    size = face.table
    font, bold = writer.font(size), writer.font(size, True)
    number_column, label_column = continuation_columns(table)
    per_row = lines_per_row(face, size)
    for index, values in enumerate(table.rows):
        style = table.style(index)
        row_font = bold if style in ("heading", "total") else font
        spans = [1] * len(values)
        if values and len(values) < table.columns:
            spans[-1] = table.columns - len(values) + 1  # a heading row's last cell spans the rest
        cells, column = [], 0
        for position, value in enumerate(values):
            kind = table.number_columns.get(column) if len(values) == table.columns else None
            indent = 1 if style == "indent" and column == table.label_column else 0
            if isinstance(value, str) and not kind:
                width = sum(writer.points[column : column + spans[position]])
                lines = wrapped_lines(value, width, size, indent=9 * indent)
            else:
                lines = None  # a number: one line, never cut
            cells.append((column, value, kind, indent, lines))
            column += spans[position]
        tallest = max((len(lines) for *_, lines in cells if lines), default=1)
        pieces = max(1, math.ceil(tallest / per_row))
        for piece in range(pieces):
            row = writer.row
            for position, (column, value, kind, indent, lines) in enumerate(cells):
                if pieces > 1:
                    value = continued_value(value, lines, piece, per_row, column, number_column, label_column)
                cell = write_cell(sheet, row, column + 1, cell_value(value))
                cell.font = row_font
                cell.border = BORDER
                if kind:
                    cell.number_format = NUMBER_FORMATS["change" if kind == CHANGE else "score"]
                    cell.alignment = Alignment(horizontal="right", vertical="top")
                else:
                    cell.alignment = Alignment(wrap_text=True, vertical="top", indent=indent)
                if spans[position] > 1:
                    sheet.merge_cells(
                        start_row=row, start_column=column + 1, end_row=row, end_column=column + spans[position]
                    )
            for column in range(1, table.columns + 1):
                sheet.cell(row=row, column=column).border = BORDER
            lines_here = max(
                (len(lines[piece * per_row : (piece + 1) * per_row]) for *_, lines in cells if lines), default=1
            )
            if pieces > 1 and piece:
                lines_here = max(lines_here, 1 + (label_column is not None))
            sheet.row_dimensions[row].height = row_height(max(1, min(lines_here, per_row)), face, size)
            writer.row += 1


def continued_value(value, lines, piece, per_row, column, number_column, label_column):
    """What a cell of a row cut into pieces holds in piece `piece`: its own lines of that piece;
    in a continuation piece, the number with "(ต่อ)" and the measure's first line, so a printed
    page never shows cells without whose they are."""
    if piece and column == number_column:
        return continued_number(value)
    if lines is None:
        return value if piece == 0 else None
    own = lines[piece * per_row : (piece + 1) * per_row]
    if piece and column == label_column and not own:
        return joined(lines[:1]).strip()
    return joined(own).strip() if piece else joined(own)


def write_header(sheet, table, row, font, writer):
    """The header rows with their merged cells, each row as tall as its text; returns the first
    row after them."""
    taken = set()  # (row, column) covered by a merge from above
    heights = [1] * len(table.header_rows)
    size = font.size
    for offset, header_row in enumerate(table.header_rows):
        column = 1
        for cell in header_row:
            cell = cell if isinstance(cell, Header) else Header(str(cell))
            while (row + offset, column) in taken:
                column += 1
            target = write_cell(sheet, row + offset, column, cell.text)
            target.font = font
            target.alignment = CENTRE
            target.fill = HEADER_FILL
            last_row, last_column = row + offset + cell.rowspan - 1, column + cell.colspan - 1
            for r in range(row + offset, last_row + 1):
                for c in range(column, last_column + 1):
                    taken.add((r, c))
                    sheet.cell(row=r, column=c).border = BORDER
            if cell.rowspan > 1 or cell.colspan > 1:
                sheet.merge_cells(start_row=row + offset, start_column=column, end_row=last_row, end_column=last_column)
            width = sum(writer.points[column - 1 : last_column])
            lines = len(wrapped_lines(cell.text, width, size))
            heights[offset] = max(heights[offset], math.ceil(lines / cell.rowspan))
            column = last_column + 1
    per_row = lines_per_row(writer.face, size)
    for offset, lines in enumerate(heights):
        sheet.row_dimensions[row + offset].height = row_height(min(lines, per_row), writer.face, size)
    return row + len(table.header_rows)
