from django.http import Http404
from django.views.decorators.http import require_http_methods

from assessments.access import get_assessment_for_user
from assessments.downloads import attachment
from reports.documents import analysis_document_for
from reports.pdf import render_pdf
from reports.xlsx import CONTENT_TYPE as XLSX_CONTENT_TYPE
from reports.xlsx import render_xlsx


@require_http_methods(["GET"])
def analysis_report(request, code, year, file_format):
    """The analysis of one agency's year as a PDF or XLSX file; ?digits=thai prints Thai digits in the PDF."""
    if file_format not in ("pdf", "xlsx"):
        raise Http404
    assessment, _can_edit = get_assessment_for_user(request, code, year)
    document = analysis_document_for(assessment)
    if file_format == "pdf":
        content = render_pdf(document, thai_digits=request.GET.get("digits") == "thai")
        return attachment(content, "application/pdf", f"{document.filename}.pdf")
    return attachment(render_xlsx(document), XLSX_CONTENT_TYPE, f"{document.filename}.xlsx")
