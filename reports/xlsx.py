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
with the table's header rows repeated on every page. Every cell is made by `SheetWriter.write`,
so text from measures and reports is text, never a formula.

The workbook is openpyxl's write-only one, which writes a sheet's columns, frozen panes and page
setup before its first row and each row as it is appended: a sheet's cells are gathered as it is
laid out, and appended when it is complete.
"""

import io
import math
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import accumulate

from django.conf import settings
from openpyxl.cell import WriteOnlyCell
from openpyxl.drawing.image import Image
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.cell_range import CellRange
from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.worksheet import Worksheet

from assessments.downloads import NUMBER_FORMATS, SHEET_NAME_LENGTH, national_workbook, text_cell, whole_words
from assessments.thai import thai_date
from reports.layout import CHANGE, CONTINUED, Header, continuation_columns, continued_number

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
THIN = Side(style="thin", color="000000")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEADER_FILL = PatternFill("solid", fgColor="E8E8E8")
CENTRE = Alignment(wrap_text=True, horizontal="center", vertical="center")
CM = 1 / 2.54  # openpyxl's margins are in inches
# Thai official documents' margins, in cm.
LEFT_MARGIN, RIGHT_MARGIN, TOP_MARGIN, BOTTOM_MARGIN = 3, 2, 2.5, 2
MAX_ROW_HEIGHT = 409  # points: Excel refuses a taller row
ROW_PADDING = 3  # points above and below a row's lines


@dataclass(frozen=True)
class Typeface:
    """A font the workbook names and the sizes it prints in. `ems` are its average advance widths
    by kind of character, in ems; `line` is the height of one line in ems as Excel on Windows
    spaces it (the font's Windows ascent and descent)."""

    name: str
    title: float
    heading: float
    body: float
    table: float
    line: float
    ems: dict
    # Each character's advance in ems, worked out the first time it is met: measuring the text
    # of every cell character by character was a third of a workbook's time.
    advances: dict = field(default_factory=dict, compare=False, repr=False)

    def line_height(self, size):
        return size * self.line

    def em(self, ch):
        if unicodedata.category(ch) in ("Mn", "Me", "Cf"):
            return 0.0  # Thai vowels and tone marks above and below the line take no width
        if "\u0e00" <= ch <= "\u0e7f":
            return self.ems["thai"]
        if ch == " ":
            return self.ems["space"]
        if ch.isdigit():
            return self.ems["digit"]
        return self.ems["ascii"] if ch < "\x80" else self.ems["other"]

    def text_width(self, text, size, bold=False):
        """Points `text` takes on one line at `size`."""
        advances = self.advances
        try:
            ems = sum(map(advances.__getitem__, text))
        except KeyError:
            advances.update((ch, self.em(ch)) for ch in text)
            ems = sum(map(advances.__getitem__, text))
        return ems * size * (BOLD_WIDER if bold else 1)


# TH SarabunPSK draws small for its size (its letters are two thirds of Sarabun's): 16 pt body and
# 14 pt tables, as Thai official documents print, read as Sarabun's 12 and 10.5. Widths are the
# regular faces' averages over the demo's text (TH SarabunPSK's as TCPDF's font file lists them,
# the same as TLWG Laksaman's scaled by 0.66), bold ones BOLD_WIDER; lines 1.3 em (TH SarabunPSK)
# and 1.85 em (Sarabun).
PSK_EMS = {"thai": 0.361, "space": 0.216, "digit": 0.362, "ascii": 0.257, "other": 0.4}
SARABUN_EMS = {"thai": 0.556, "space": 0.243, "digit": 0.55, "ascii": 0.391, "other": 0.613}
BOLD_WIDER = 1.05
TYPEFACES = {
    "TH SarabunPSK": Typeface("TH SarabunPSK", title=18, heading=16, body=16, table=14, line=1.3, ems=PSK_EMS),
    "TH Sarabun New": Typeface("TH Sarabun New", title=18, heading=16, body=16, table=14, line=1.3, ems=PSK_EMS),
    "Sarabun": Typeface("Sarabun", title=14, heading=12, body=12, table=10.5, line=1.85, ems=SARABUN_EMS),
}
# Excel breaks Thai lines at dictionary word boundaries, so its lines fall short of full: a line is
# counted as this share of the cell's width.
LINE_FILL = 0.93


def typeface(font=None):
    return TYPEFACES[font or settings.XLSX_FONT]


def digit_pixels(face):
    """Excel's unit of column width: the width of a digit of the workbook's default font (here
    the font every cell uses, at the table size) in whole pixels at 96 dpi."""
    return round(face.ems["digit"] * round(face.table * 96 / 72))


def column_padding(face):
    return 2 * math.ceil(digit_pixels(face) / 4) + 1  # pixels


def column_points(width, face):
    """A column `width` digits wide in points, with Excel's padding."""
    return (width * digit_pixels(face) + column_padding(face)) * 0.75


def sheet_widths(widths, face, landscape, least=None):
    """The columns' widths in digits, scaled from the table's relative widths so that the sheet
    fills the width of an A4 page within the Thai margins: it prints at its own size, 14 pt as
    14 pt, rather than shrunk to fit. A column is never narrower than `least` (digits) asks,
    so that no word of its header, no figure and no "(ต่อ)" breaks; the others give way."""
    page = (29.7 if landscape else 21.0) - LEFT_MARGIN - RIGHT_MARGIN  # cm
    room = (page / 2.54 * 96 - len(widths) * column_padding(face)) / digit_pixels(face)
    least = least or [0] * len(widths)
    fixed = set()
    while True:
        free = room - sum(least[i] for i in fixed)
        flexible = sum(w for i, w in enumerate(widths) if i not in fixed) or 1
        scaled = [least[i] if i in fixed else w * free / flexible for i, w in enumerate(widths)]
        narrow = {i for i, w in enumerate(scaled) if i not in fixed and w < least[i]}
        if not narrow or len(fixed | narrow) == len(widths):
            return [round(max(w, least[i]), 2) for i, w in enumerate(scaled)]
        fixed |= narrow


SHORT_WORD = 8  # characters


def least_widths(tables, columns, face):
    """Per column, the digits its longest unbreakable text needs: a word of a header cell of its
    own, a figure ("100.00"), or the continued number ("1 (ต่อ)")."""
    size, pixels = face.table, digit_pixels(face)
    needed = [0.0] * columns
    for table in tables:
        number_column, _label = continuation_columns(table)
        for row in table.header_rows:
            column = 0
            for cell in row:
                cell = cell if isinstance(cell, Header) else Header(str(cell))
                if cell.colspan == 1 and column < columns:
                    # Short words only ("ระดับ", "(ลดลง)", "ต.ค."): a longer Thai run is a phrase
                    # ("ตัวชี้วัดและค่าเป้าหมาย") that Excel wraps between its words.
                    words = [w for w in cell.text.split() if len(w) <= SHORT_WORD] or [""]
                    needed[column] = max(needed[column], max(face.text_width(w, size, True) for w in words))
                column += cell.colspan
        for column in table.number_columns:
            if column < columns:
                needed[column] = max(needed[column], face.text_width("(100.00)", size, True))
        if number_column is not None:
            needed[number_column] = max(needed[number_column], face.text_width(CONTINUED, size, True))
    # points of text, plus the cell's own padding, in digits
    return [(w / 0.75 + 2 * ROW_PADDING / 0.75) / pixels if w else 0 for w in needed]


def wrapped_lines(text, width, size, face, indent=0, bold=False):
    """The lines `text` prints as in a cell `width` points wide: each line break starts a line,
    and a line wraps at a space, or inside a word longer than the whole line. Each line keeps
    what ends it (the space, the line break), so that "".join(lines) gives back `text`."""
    room = max(width * LINE_FILL - 2 * ROW_PADDING - indent, size)
    space = face.text_width(" ", size, bold)
    lines = []
    paragraphs = str(text).split("\n")
    for number, paragraph in enumerate(paragraphs):
        end = "\n" if number < len(paragraphs) - 1 else ""
        words = paragraph.split(" ")
        widths = [face.text_width(word, size, bold) for word in words]
        if sum(widths) + space * (len(words) - 1) <= room:
            lines.append(paragraph + end)  # most cells' paragraphs fit: no need to place each word
            continue
        line, used = "", 0.0
        for position, (word, word_width) in enumerate(zip(words, widths, strict=True)):
            if line and used + word_width > room:
                lines.append(line)
                line, used = "", 0.0
            if used + word_width > room:
                pieces, used = broken_word(word, room, size, face, bold)
                lines += pieces[:-1]
                line = pieces[-1]
            else:
                line, used = line + word, used + word_width
            if position < len(words) - 1:
                line, used = line + " ", used + space
        lines.append(line + end)
    return lines


def broken_word(word, room, size, face, bold):
    """The lines a word wider than the line breaks into, each before a letter that would not fit
    (a mark above or below a letter stays with it), and the width of the last in points."""
    scale = size * (BOLD_WIDER if bold else 1)
    ends = list(accumulate(map(face.advances.__getitem__, word)))  # ems, measured with the word
    pieces, start, base = [], 0, 0.0
    while True:
        # every line holds at least a letter, however narrow the column
        stop = bisect_right(ends, base + room / scale, lo=start + 1)
        pieces.append(word[start:stop])
        if stop == len(word):
            return pieces, (ends[-1] - base) * scale
        start, base = stop, ends[stop - 1]


def joined(lines):
    """The text of some of a cell's wrapped lines, without the break that ended the last."""
    return "".join(lines).rstrip("\n")


def row_height(lines, face, size):
    return lines * face.line_height(size) + 2 * ROW_PADDING


def row_limit(landscape, header=0):
    """The tallest a row may be: within Excel's limit, and at most half of what a printed page
    holds under the repeated `header` (points), so that two pieces of a long row fill a page and
    a row that does not fit at the foot of a page leaves at most half of one empty."""
    page = (21.0 if landscape else 29.7) - TOP_MARGIN - BOTTOM_MARGIN  # cm
    return min(MAX_ROW_HEIGHT, (page / 2.54 * 72 - header) / 2 - ROW_PADDING)


def lines_per_row(face, size, limit=MAX_ROW_HEIGHT):
    """The most lines one row holds within `limit` points."""
    return max(1, int((limit - 2 * ROW_PADDING) // face.line_height(size)))


class Styles:
    """The cell styles of one workbook, each made once. openpyxl hashes every font, border and
    alignment a cell is given, which took most of a workbook's time; a style made once is copied
    (its indexes into the workbook's lists) to the next cell that wears it."""

    def __init__(self, face):
        self.face, self.made = face, {}

    def apply(self, cell, key, make):
        made = self.made.get(key)
        if made is None:
            for name, value in make().items():
                setattr(cell, name, value)
            self.made[key] = StyleArray(cell._style)
        else:
            cell._style = StyleArray(made)

    def font(self, size, bold=False):
        return Font(name=self.face.name, size=size, bold=bold)

    def text(self, cell, size, bold=False, centre=False):
        self.apply(
            cell,
            ("text", size, bold, centre),
            lambda: {
                "font": self.font(size, bold),
                "alignment": Alignment(wrap_text=True, vertical="top", horizontal="center" if centre else None),
            },
        )

    def table(self, cell, size, bold, kind, indent):
        def make():
            style = {"font": self.font(size, bold), "border": BORDER}
            if kind:
                style["number_format"] = NUMBER_FORMATS["change" if kind == CHANGE else "score"]
                style["alignment"] = Alignment(horizontal="right", vertical="top")
            else:
                style["alignment"] = Alignment(wrap_text=True, vertical="top", indent=indent)
            return style

        self.apply(cell, ("table", size, bold, kind, indent), make)

    def header(self, cell, size):
        self.apply(
            cell,
            ("header", size),
            lambda: {"font": self.font(size, True), "alignment": CENTRE, "fill": HEADER_FILL, "border": BORDER},
        )

    def border(self, cell):
        self.apply(cell, ("border",), lambda: {"border": BORDER})

    def edges(self, cell, sides):
        """Thin lines on `sides` ("top", "left"...) of a cell under a bordered merge: Excel draws
        a merged cell's outline from the borders of the cells along its edges."""

        def make():
            # as openpyxl's merge writes them: the sides without a line empty rather than absent
            lines = {side: THIN if side in sides else Side() for side in ("left", "right", "top", "bottom")}
            return {"border": Border(**lines, diagonal=Side())}

        self.apply(cell, ("edges", sides), make)


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
    workbook = national_workbook(face.name, face.table, write_only=True)
    used, styles = set(), Styles(face)
    groups = sheet_groups(document.sections)
    for index, (wanted, group) in enumerate(groups):
        titled = next((s for s in group if s.table), group[0])
        sheet = workbook.create_sheet(sheet_name(wanted, titled.heading, index + 1, used))
        writer = SheetWriter(sheet, document, group, styles, landscape)
        if index == 0:
            writer.write_front()
        writer.write_sections()
        if index == len(groups) - 1:
            writer.write_sign_off()
        writer.set_up_printing(landscape)
        writer.append_rows()
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


class SheetWriter:
    """Lays one sheet out row by row, setting each row's height as it goes; `append_rows` then
    writes its cells."""

    def __init__(self, sheet, document, sections, styles, landscape):
        self.sheet, self.document, self.sections = sheet, document, sections
        self.styles, self.face = styles, styles.face
        face = self.face
        self.cells = {}  # (row, column): WriteOnlyCell
        self.row = 1
        self.header_rows = None  # (first, last) of the sheet's first table's header
        self.headers = []  # each table's header texts
        self.landscape = landscape
        self.limit = row_limit(landscape)
        tables = [s.table for s in sections if s.table]
        # Tables sharing a sheet share its columns: each column as wide as the widest table needs.
        relative = [
            max((t.widths[i] for t in tables if i < t.columns), default=1) or 1
            for i in range(max((t.columns for t in tables), default=1))
        ]
        least = least_widths(tables, len(relative), face)
        self.widths = sheet_widths(relative, face, landscape, least)
        for index, width in enumerate(self.widths, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = width
        self.points = [column_points(w, face) for w in self.widths]

    @property
    def columns(self):
        return len(self.widths)

    def write(self, row, column, value):
        """A cell of `value` at (row, column), replacing what was there; text stays text (see
        `text_cell`: openpyxl would take "=..." for a formula)."""
        if isinstance(value, str):
            cell = text_cell(self.sheet, value)
        else:
            cell = WriteOnlyCell(self.sheet, value)
        self.cells[row, column] = cell
        return cell

    def cell(self, row, column):
        """The cell at (row, column), an empty one when nothing is written there."""
        cell = self.cells.get((row, column))
        return cell if cell is not None else self.write(row, column, None)

    def merge(self, first_row, first_column, last_row, last_column, bordered=False):
        """Merge the range, its first cell written. The cells it covers are left empty; those
        along the edges of a `bordered` one carry its outline, as openpyxl's merge_cells (not in
        a write-only sheet) gives them."""
        self.sheet.merged_cells.add(
            CellRange(min_row=first_row, min_col=first_column, max_row=last_row, max_col=last_column)
        )
        for row in range(first_row, last_row + 1):
            for column in range(first_column, last_column + 1):
                if (row, column) == (first_row, first_column):
                    continue
                if bordered:
                    sides = (
                        ("top",) * (row == first_row)
                        + ("left",) * (column == first_column)
                        + ("right",) * (column == last_column)
                        + ("bottom",) * (row == last_row)
                    )
                    self.styles.edges(self.write(row, column, None), sides)
                else:
                    self.cells.pop((row, column), None)

    def append_rows(self):
        """The sheet's cells, row after row; a row without cells is appended empty, keeping its
        height."""
        last_row = max([row for row, _column in self.cells] + list(self.sheet.row_dimensions), default=0)
        last_column = max((column for _row, column in self.cells), default=0)
        get = self.cells.get
        for row in range(1, last_row + 1):
            self.sheet.append([get((row, column)) for column in range(1, last_column + 1)])

    def merged_text(self, text, size, *, bold=False, centre=False, columns=None):
        """A line of text across the sheet (or its first `columns`), as many rows as it needs."""
        span = columns or self.columns
        lines = wrapped_lines(text, sum(self.points[:span]), size, self.face, bold=bold)
        per_row = lines_per_row(self.face, size, self.limit)
        for start in range(0, len(lines), per_row):
            chunk = lines[start : start + per_row]
            # A paragraph longer than a row goes on in the next row, cut between its wrapped lines.
            value = text if len(lines) <= per_row else joined(chunk)
            cell = self.write(self.row, 1, value)
            self.styles.text(cell, size, bold, centre)
            if span > 1:
                self.merge(self.row, 1, self.row, span)
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
                self.cell(self.row - 1, column).border = Border(bottom=THIN)
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
        self.row = write_header(table, self.row, self.face.table, self)
        self.headers.append(header_texts(table))
        if self.header_rows is None:
            # Frozen on screen: the first table's header.
            self.header_rows = (start, self.row - 1)
            self.sheet.freeze_panes = f"A{self.row}"
        header = sum(self.sheet.row_dimensions[r].height or 0 for r in range(start, self.row))
        self.limit = row_limit(self.landscape, header)
        write_rows(self, table)
        self.limit = row_limit(self.landscape)

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
        spans = column_spans(self.points, len(blocks))
        size = self.face.body
        for line in range(max(len(b) for b in blocks)):
            height = 1
            for block, (first, last) in zip(blocks, spans, strict=True):
                if line >= len(block):
                    continue
                cell = self.write(self.row, first, block[line])
                self.styles.text(cell, size, bold_first and line == 0, centre=True)
                if last > first:
                    self.merge(self.row, first, self.row, last)
                width = sum(self.points[first - 1 : last])
                height = max(
                    height, len(wrapped_lines(block[line], width, size, self.face, bold=bold_first and not line))
                )
            self.sheet.row_dimensions[self.row].height = row_height(
                min(height, lines_per_row(self.face, size, self.limit)), self.face, size
            )
            self.row += 1

    def set_up_printing(self, landscape):
        sheet = self.sheet
        # A sheet repeats one range of rows on every printed page: the header, when every table on
        # the sheet has the same one (the items of each indicator); another table's header over
        # a page of rows would mislabel them.
        if self.header_rows and all(h == self.headers[0] for h in self.headers):
            sheet.print_title_rows = f"{self.header_rows[0]}:{self.header_rows[1]}"
        sheet.page_setup.orientation = "landscape" if landscape else "portrait"
        sheet.page_setup.paperSize = Worksheet.PAPERSIZE_A4
        sheet.page_setup.fitToWidth = 1
        sheet.page_setup.fitToHeight = 0
        sheet.sheet_properties.pageSetUpPr.fitToPage = True
        sheet.page_margins = PageMargins(
            left=LEFT_MARGIN * CM,
            right=RIGHT_MARGIN * CM,
            top=TOP_MARGIN * CM,
            bottom=BOTTOM_MARGIN * CM,
            header=1.2 * CM,
            footer=1 * CM,
        )
        # "&" starts a code in a printed header ("&P" is the page number); "&&" prints one "&".
        agency_name = self.document.agency_name.replace("&", "&&")
        sheet.oddHeader.center.text = f"{agency_name} · ปีงบประมาณ พ.ศ. {self.document.fiscal_year}"
        sheet.oddFooter.center.text = "หน้า &P / &N"
        for part in (sheet.oddHeader.center, sheet.oddFooter.center):
            part.font, part.size = self.face.name, 12


def header_texts(table):
    return [[cell.text if isinstance(cell, Header) else str(cell) for cell in row] for row in table.header_rows]


def signature_lines(signature):
    return [
        signature.role,
        "(ลงชื่อ) ........................................",
        f"({signature.name})" if signature.name else "(........................................)",
        f"ตำแหน่ง {signature.position}" if signature.position else "ตำแหน่ง ..............................",
        f"วันที่ {thai_date(signature.date)}" if signature.date else "วันที่ ........ / ........ / ........",
    ]


def column_spans(points, blocks):
    """[(first, last)] columns (1-based) of `blocks` blocks side by side over columns `points`
    wide, each about as wide as the others: a block ends at the column edge nearest its share."""
    columns = len(points)
    if blocks <= 1 or columns < blocks:
        return [(1, columns)] * max(blocks, 1)
    edges = [sum(points[:i]) for i in range(columns + 1)]
    bounds = [0]
    for i in range(1, blocks):
        share = edges[-1] * i / blocks
        # the nearest edge that leaves every block at least one column
        choices = range(bounds[-1] + 1, columns - (blocks - i) + 1)
        bounds.append(min(choices, key=lambda e: abs(edges[e] - share)))
    bounds.append(columns)
    return [(bounds[i] + 1, bounds[i + 1]) for i in range(blocks)]


def write_rows(writer, table):
    """The table's rows; a row taller than Excel allows goes on in continuation rows."""
    face = writer.face
    size = face.table
    number_column, label_column = continuation_columns(table)
    per_row = lines_per_row(face, size, writer.limit)
    for index, values in enumerate(table.rows):
        style = table.style(index)
        row_bold = style in ("heading", "total")
        spans = [1] * len(values)
        if values and len(values) < table.columns:
            spans[-1] = table.columns - len(values) + 1  # a heading row's last cell spans the rest
        cells, column = [], 0
        for position, value in enumerate(values):
            kind = table.number_columns.get(column) if len(values) == table.columns else None
            indent = 1 if style == "indent" and column == table.label_column else 0
            if isinstance(value, str) and not kind:
                width = sum(writer.points[column : column + spans[position]])
                lines = wrapped_lines(value, width, size, face, indent=9 * indent, bold=row_bold)
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
                cell = writer.write(row, column + 1, cell_value(value))
                writer.styles.table(cell, size, row_bold, kind, indent)
                if spans[position] > 1:
                    writer.merge(row, column + 1, row, column + spans[position])
            written = {column + 1 for column, *_ in cells}
            for column in range(1, table.columns + 1):
                if column not in written:  # under a merge, or a row shorter than the table
                    writer.styles.border(writer.cell(row, column))
            lines_here = max(
                (len(lines[piece * per_row : (piece + 1) * per_row]) for *_, lines in cells if lines), default=1
            )
            if pieces > 1 and piece:
                lines_here = max(lines_here, 1 + (label_column is not None))
            writer.sheet.row_dimensions[row].height = row_height(max(1, min(lines_here, per_row)), face, size)
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
        # The measure's first line as typed, not as wrapped: "1." alone would name nothing.
        return f"{str(value).split(chr(10))[0]} {CONTINUED}"
    return joined(own).strip() if piece else joined(own)


def write_header(table, row, size, writer):
    """The header rows with their merged cells, each row as tall as its text; returns the first
    row after them."""
    taken = set()  # (row, column) covered by a merge from above
    heights = [1] * len(table.header_rows)
    for offset, header_row in enumerate(table.header_rows):
        column = 1
        for cell in header_row:
            cell = cell if isinstance(cell, Header) else Header(str(cell))
            while (row + offset, column) in taken:
                column += 1
            target = writer.write(row + offset, column, cell.text)
            writer.styles.header(target, size)
            last_row, last_column = row + offset + cell.rowspan - 1, column + cell.colspan - 1
            for r in range(row + offset, last_row + 1):
                taken.update((r, c) for c in range(column, last_column + 1))
            if cell.rowspan > 1 or cell.colspan > 1:
                writer.merge(row + offset, column, last_row, last_column, bordered=True)
            width = sum(writer.points[column - 1 : last_column])
            lines = len(wrapped_lines(cell.text, width, size, writer.face, bold=True))
            heights[offset] = max(heights[offset], math.ceil(lines / cell.rowspan))
            column = last_column + 1
    per_row = lines_per_row(writer.face, size, writer.limit)
    for offset, lines in enumerate(heights):
        writer.sheet.row_dimensions[row + offset].height = row_height(min(lines, per_row), writer.face, size)
    return row + len(table.header_rows)
