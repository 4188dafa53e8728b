"""Documents as plain data: each document module builds its rows, thin renderers (HTML preview,
WeasyPrint PDF, openpyxl XLSX) output the same rows (STYLE §13).

Cells are plain values: text, a Decimal score, or None for an unknown figure. A table says
which columns hold numbers and how they print ("score" 97.04, "change" (4.72) for falls);
the renderers format them, so the spreadsheet keeps numbers as numbers.
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import QuerySet

SCORE, CHANGE = "score", "change"


@dataclass
class Header:
    """A header cell; colspan/rowspan merge it over the cells of the header rows below or beside."""

    text: str
    colspan: int = 1
    rowspan: int = 1


@dataclass
class Table:
    header_rows: list  # [[Header | str]]
    rows: list  # [[value]]; a row shorter than the table spans its last cell over the rest
    widths: list  # relative widths of the columns, in characters (XLSX) and proportions (PDF)
    number_columns: dict = field(default_factory=dict)  # column index → SCORE | CHANGE
    row_styles: list = field(default_factory=list)  # per row: "" | "heading" | "indent" | "total"
    long_rows: bool = False  # rows may run longer than a page: let them break between lines

    @property
    def columns(self):
        return len(self.widths)

    @property
    def label_column(self):
        """The widest text column: where an indented row is indented."""
        text_columns = [i for i in range(self.columns) if i not in self.number_columns]
        return max(text_columns, key=lambda i: self.widths[i]) if text_columns else 0

    def style(self, index):
        return self.row_styles[index] if index < len(self.row_styles) else ""


@dataclass
class Section:
    heading: str
    paragraphs: list = field(default_factory=list)
    table: Table | None = None
    charts: list = field(default_factory=list)  # SVG strings
    level: int = 2  # 2 for a section, 3 for a part within the section before it
    sheet: str = ""  # the XLSX sheet it goes on: sections with the same name share one sheet (whole words, ≤ 31)
    new_page: bool = False  # starts a new page (a part of a combined document, an annex)
    landscape: bool | None = None  # None: the document's orientation; else this section's own pages


@dataclass
class Letterhead:
    """The agency's own heading, printed on the first page in the style of Thai official documents."""

    full_name: str
    address: str = ""
    telephone: str = ""
    website: str = ""
    logo: bytes | None = None  # PNG or JPEG content, checked when uploaded
    logo_type: str = ""  # "image/png" | "image/jpeg"


@dataclass
class Signature:
    """A signature block at the end of a document: (ลงชื่อ) ... (name) position, date."""

    role: str  # what the signer did, printed above the line: "ผู้จัดทำ", "ผู้ตรวจสอบ", "ผู้อนุมัติ"
    name: str
    position: str = ""
    date: datetime.date | None = None  # printed in the Buddhist Era; None leaves a blank to fill by hand


@dataclass
class Acknowledgement:
    """The executive's acknowledgement recorded in the app, which the NACC asks to see as evidence."""

    name: str
    position: str
    date: datetime.date
    text: str = "รับทราบ"  # what the executive wrote ("รับทราบ", "เห็นชอบ", a short instruction)


@dataclass
class Document:
    title_lines: list
    agency_name: str
    fiscal_year: int
    sections: list
    filename: str  # without the extension: ita-analysis-TCEB-2565
    letterhead: Letterhead | None = None
    signatures: list = field(default_factory=list)  # [Signature], printed side by side at the end
    acknowledgement: Acknowledgement | None = None


def agency_document(
    agency, fiscal_year: int, title: str, sections: list, kind: str, round_label: str = "", round_kind: str = ""
) -> Document:
    """A document of one agency's fiscal year, titled "<title> / ประจำปีงบประมาณ พ.ศ. <year>" and
    named ita-<kind>-<agency code>-<year>[-<round>]."""
    return Document(
        title_lines=[title, f"ประจำปีงบประมาณ พ.ศ. {fiscal_year}" + (f" {round_label}" if round_label else "")],
        agency_name=agency.name_th,
        fiscal_year=fiscal_year,
        sections=sections,
        filename=f"ita-{kind}-{agency.code}-{fiscal_year}" + (f"-{round_kind}" if round_kind else ""),
    )


def header(text: object, colspan: int = 1, rowspan: int = 1) -> Header:
    return Header(str(text), colspan, rowspan)


def visible(queryset: QuerySet, user) -> QuerySet:
    """What `user` may see of measures or progress entries, by the pages' rules; everything when
    no user is given (the export command, and bundles, which check the user themselves)."""
    return queryset if user is None else queryset.visible_to(user)


CONTINUED = "(ต่อ)"
NUMBER_WIDTH = 9  # a text column this narrow holds a row's number or code ("1", "I20"), never a sentence


def continuation_columns(table: Table) -> tuple:
    """(number column, label column) that a row continued on another page or row repeats, so the
    reader knows whose cells these are: its number ("3 (ต่อ)") and its measure or label. Either
    may be None. The label is the column headed มาตรการ when there is one (plans and reports are
    read by measure), else the first text column after the number."""
    number = 0 if table.columns > 1 and table.widths[0] <= NUMBER_WIDTH and 0 not in table.number_columns else None
    text_columns = [c for c in range(table.columns) if c != number and c not in table.number_columns]
    headed_measure: set[int] = set()
    column = 0
    for cell in (table.header_rows or [[]])[0]:
        cell = cell if isinstance(cell, Header) else Header(str(cell))
        if cell.text.startswith("มาตรการ"):
            headed_measure.update(range(column, column + cell.colspan))
        column += cell.colspan
    headed = [c for c in text_columns if c in headed_measure]
    label = headed[0] if headed else text_columns[0] if text_columns else None
    return number, label


def continued_number(value: object) -> str:
    return f"{value} {CONTINUED}".strip() if value not in (None, "") else CONTINUED
