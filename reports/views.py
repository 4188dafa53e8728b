from django.http import Http404
from django.views.decorators.http import require_http_methods

from assessments.access import get_assessment_for_user
from assessments.downloads import attachment
from reports.documents import ROUND_LABELS, analysis_document_for, progress_document_for
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


@require_http_methods(["GET"])
def progress_report(request, code, year, round_kind, file_format):
    """The progress report of one reporting round as a PDF (A4 landscape) or XLSX file, with the
    plan page's access rule: unit staff get only their units' measures."""
    from measures.access import get_plan_for_user

    if file_format not in ("pdf", "xlsx") or round_kind not in ROUND_LABELS:
        raise Http404
    agency, role = get_plan_for_user(request, code)
    if role is None:
        raise Http404
    document = progress_document_for(agency, year, round_kind, user=request.user)
    if file_format == "pdf":
        content = render_pdf(document, landscape=True, thai_digits=request.GET.get("digits") == "thai")
        return attachment(content, "application/pdf", f"{document.filename}.pdf")
    return attachment(render_xlsx(document), XLSX_CONTENT_TYPE, f"{document.filename}.xlsx")


@require_http_methods(["GET"])
def plan_report(request, code, year, file_format):
    """The measures plan of a fiscal year as a PDF (A4 landscape) or XLSX file, with the plan
    page's access rule: unit staff get only their units' measures."""
    from measures.access import get_plan_for_user
    from measures.plans import check_fiscal_year
    from reports.documents import plan_document_for

    if file_format not in ("pdf", "xlsx"):
        raise Http404
    check_fiscal_year(year)
    agency, role = get_plan_for_user(request, code)
    if role is None:
        raise Http404
    document = plan_document_for(agency, year, user=request.user)
    if file_format == "pdf":
        content = render_pdf(document, landscape=True, thai_digits=request.GET.get("digits") == "thai")
        return attachment(content, "application/pdf", f"{document.filename}.pdf")
    return attachment(render_xlsx(document), XLSX_CONTENT_TYPE, f"{document.filename}.xlsx")


@require_http_methods(["GET"])
def improvement_report(request, code, year, file_format):
    """The improvement plan (month grid) of a fiscal year as a PDF (A4 landscape) or XLSX file,
    with the plan page's access rule: unit staff get only their units' measures."""
    from measures.access import get_plan_for_user
    from measures.plans import check_fiscal_year
    from reports.documents import improvement_document_for

    if file_format not in ("pdf", "xlsx"):
        raise Http404
    check_fiscal_year(year)
    agency, role = get_plan_for_user(request, code)
    if role is None:
        raise Http404
    document = improvement_document_for(agency, year, user=request.user)
    if file_format == "pdf":
        content = render_pdf(document, landscape=True, thai_digits=request.GET.get("digits") == "thai")
        return attachment(content, "application/pdf", f"{document.filename}.pdf")
    return attachment(render_xlsx(document), XLSX_CONTENT_TYPE, f"{document.filename}.xlsx")
