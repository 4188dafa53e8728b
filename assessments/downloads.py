"""Thin renderers that turn plain rows into downloadable files.

Rows come with their columns as (label, kind); the kind ("text", "integer", "score", "change")
decides how a spreadsheet shows the number. Scores stay numbers in both formats.
"""

import csv
import io

from django.http import HttpResponse
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, NamedStyle
from openpyxl.utils import get_column_letter

# Sarabun has full Thai and Latin; where it is not installed the spreadsheet program substitutes a Thai font.
FONT_NAME = "Sarabun"
NUMBER_FORMATS = {"text": "General", "integer": "0", "score": "0.00", "change": "0.00;(0.00)"}
NUMBER_WIDTH = 11
MAX_TEXT_WIDTH = 60


def attachment(content, content_type, filename):
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def csv_response(filename, columns, rows):
    """UTF-8 with a byte order mark, so that Excel opens Thai text correctly."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    writer.writerow([str(label) for label, _kind in columns])
    writer.writerows(["" if value is None else value for value in row] for row in rows)
    return attachment(buffer.getvalue().encode("utf-8"), "text/csv; charset=utf-8", f"{filename}.csv")


def xlsx_response(filename, columns, rows, *, title):
    """One sheet: a bold, frozen header row, numbers stored as numbers with two decimals."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title[:31]
    styles = {
        kind: NamedStyle(name=f"ita-{kind}", font=Font(name=FONT_NAME, size=11), number_format=number_format)
        for kind, number_format in NUMBER_FORMATS.items()
    }
    header_style = NamedStyle(
        name="ita-header", font=Font(name=FONT_NAME, size=11, bold=True), alignment=Alignment(wrap_text=True, vertical="top")
    )
    sheet.append([str(label) for label, _kind in columns])
    for row in rows:
        sheet.append(row)
    for cell in sheet[1]:
        cell.style = header_style
    for row in sheet.iter_rows(min_row=2):
        for cell, (_label, kind) in zip(row, columns):
            cell.style = styles[kind]

    for index, (label, kind) in enumerate(columns, start=1):
        if kind == "text":
            longest = max((len(str(row[index - 1] or "")) for row in rows), default=0)
            width = min(max(longest, len(str(label))) + 2, MAX_TEXT_WIDTH)
        else:
            width = NUMBER_WIDTH
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.row_dimensions[1].height = 36  # room for a header label wrapped onto two lines
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions

    buffer = io.BytesIO()
    workbook.save(buffer)
    return attachment(
        buffer.getvalue(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", f"{filename}.xlsx"
    )
