"""A document as a PDF or XLSX file, as the downloads, the export command and the bundles write it."""

from reports.pdf import render_pdf
from reports.xlsx import CONTENT_TYPE as XLSX_CONTENT_TYPE, render_xlsx

FORMATS = ("pdf", "xlsx")
CONTENT_TYPES = {"pdf": "application/pdf", "xlsx": XLSX_CONTENT_TYPE}


def render(document, file_format, *, landscape=False, thai_digits=False):
    """(content, content type, file name); `landscape` sets both formats' pages, `thai_digits` the PDF's."""
    if file_format == "pdf":
        content = render_pdf(document, landscape=landscape, thai_digits=thai_digits)
    else:
        content = render_xlsx(document, landscape=landscape)
    return content, CONTENT_TYPES[file_format], f"{document.filename}.{file_format}"
