"""A document as a PDF, XLSX or DOCX file, as the downloads, the export command and the bundles write it."""

from reports.docx import CONTENT_TYPE as DOCX_CONTENT_TYPE, render_docx
from reports.pdf import render_pdf
from reports.xlsx import CONTENT_TYPE as XLSX_CONTENT_TYPE, render_xlsx

FORMATS = ("pdf", "xlsx", "docx")
CONTENT_TYPES = {"pdf": "application/pdf", "xlsx": XLSX_CONTENT_TYPE, "docx": DOCX_CONTENT_TYPE}


def render(document, file_format, *, landscape=False, thai_digits=False):
    """(content, content type, file name); `landscape` sets every format's pages, `thai_digits` the PDF's digits."""
    if file_format == "pdf":
        content = render_pdf(document, landscape=landscape, thai_digits=thai_digits)
    elif file_format == "docx":
        content = render_docx(document, landscape=landscape)
    else:
        content = render_xlsx(document, landscape=landscape)
    return content, CONTENT_TYPES[file_format], f"{document.filename}.{file_format}"
