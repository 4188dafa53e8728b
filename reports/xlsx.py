"""The XLSX renderer: a Document's rows, one sheet a table, numbers kept as numbers.

Each sheet holds one table with the headings and paragraphs that lead to it (the first sheet
also the title): a bold heading, paragraphs merged across the columns and wrapped, then the
table with its merged header cells. The header rows are frozen and repeated on every printed
page; printing is landscape, fitted to the width of the page. Every cell goes through
`write_cell`, so text from measures and reports is text, never a formula.
"""

import io
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from assessments.downloads import FONT_NAME, NUMBER_FORMATS, write_cell
from reports.layout import CHANGE, Header

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
THIN = Side(style="thin", color="000000")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEADER_FILL = PatternFill("solid", fgColor="E8E8E8")
WRAP = Alignment(wrap_text=True, vertical="top")
CENTRE = Alignment(wrap_text=True, horizontal="center", vertical="center")
CHARS_PER_LINE = 1.1  # Thai text is narrower per character than the column width unit


def cell_value(value):
    if isinstance(value, Decimal):
        return float(value)
    return value


def sheet_groups(sections):
    """Sections grouped one table a sheet: sections without a table go with the next table."""
    groups, pending = [], []
    for section in sections:
        pending.append(section)
        if section.table:
            groups.append(pending)
            pending = []
    if pending:
        groups.append(pending)
    return groups


def sheet_title(section, used):
    title = "".join(ch for ch in section.heading if ch not in "[]:*?/\\")[:28].strip() or "ITA"
    candidate, number = title, 2
    while candidate in used:
        candidate, number = f"{title[:26]} {number}", number + 1
    used.add(candidate)
    return candidate


def render_xlsx(document):
    """One sheet a table (with the headings and paragraphs before it), the title on the first."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    used = set()
    for index, group in enumerate(sheet_groups(document.sections)):
        titled = next((s for s in group if s.table), group[0])
        sheet = workbook.create_sheet(sheet_title(titled, used))
        write_sheet(sheet, document, group, with_title=index == 0)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def write_sheet(sheet, document, sections, *, with_title):
    table = next((s.table for s in sections if s.table), None)
    columns = table.columns if table else 1
    widths = [max(w, 8) for w in table.widths] if table else [100]
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    total_width = sum(widths)

    font = Font(name=FONT_NAME, size=11)
    bold = Font(name=FONT_NAME, size=11, bold=True)
    row = 1

    def merged_text(text, cell_font):
        nonlocal row
        cell = write_cell(sheet, row, 1, text)
        cell.font = cell_font
        cell.alignment = WRAP
        if columns > 1:
            sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=columns)
        lines = max(1, -(-len(text) // int(total_width * CHARS_PER_LINE)))
        sheet.row_dimensions[row].height = 17 * lines
        row += 1

    if with_title:
        for line in document.title_lines:
            merged_text(line, Font(name=FONT_NAME, size=14, bold=True))
        merged_text(document.agency_name, Font(name=FONT_NAME, size=13, bold=True))
        row += 1

    for section in sections:
        merged_text(section.heading, Font(name=FONT_NAME, size=13 if section.level == 2 else 12, bold=True))
        for paragraph in section.paragraphs:
            merged_text(paragraph, font)
        if section.table:
            header_start = row
            row = write_header(sheet, table, row, bold)
            sheet.freeze_panes = sheet.cell(row=row, column=1)
            sheet.print_title_rows = f"{header_start}:{row - 1}"
            row = write_rows(sheet, table, row, font, bold)
        row += 1

    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    # "&" starts a code in a printed header ("&P" is the page number); "&&" prints one "&".
    agency_name = document.agency_name.replace("&", "&&")
    sheet.oddHeader.center.text = f"{agency_name} · ปีงบประมาณ พ.ศ. {document.fiscal_year}"
    sheet.oddFooter.center.text = "หน้า &P / &N"


def write_rows(sheet, table, row, font, bold):
    for index, values in enumerate(table.rows):
        style = table.style(index)
        row_font = bold if style in ("heading", "total") else font
        for column, value in enumerate(values, start=1):
            cell = write_cell(sheet, row, column, cell_value(value))
            cell.font = row_font
            cell.border = BORDER
            kind = table.number_columns.get(column - 1)
            if kind and len(values) == table.columns:
                cell.number_format = NUMBER_FORMATS["change" if kind == CHANGE else "score"]
                cell.alignment = Alignment(horizontal="right", vertical="top")
            else:
                indent = 1 if style == "indent" and column == table.label_column + 1 else 0
                cell.alignment = Alignment(wrap_text=True, vertical="top", indent=indent)
        for column in range(len(values) + 1, table.columns + 1):
            sheet.cell(row=row, column=column).border = BORDER
        if len(values) < table.columns:
            # A heading row: its last cell spans the rest of the table, as in the PDF.
            sheet.merge_cells(start_row=row, start_column=len(values), end_row=row, end_column=table.columns)
            lines = 1
        else:
            lines = max(
                (
                    -(-len(v) // max(int(table.widths[c] * CHARS_PER_LINE), 1))
                    for c, v in enumerate(values)
                    if isinstance(v, str)
                ),
                default=1,
            )
        sheet.row_dimensions[row].height = 17 * max(1, lines)
        row += 1
    return row


def write_header(sheet, table, row, font):
    """The header rows with their merged cells; returns the first row after them."""
    taken = set()  # (row, column) covered by a merge from above
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
            column = last_column + 1
    return row + len(table.header_rows)
