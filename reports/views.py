from django.http import Http404
from django.views.decorators.http import require_http_methods

from accounts.audit import Kind, record
from assessments import access
from assessments.downloads import attachment
from measures.models import RoundKind
from measures.plans import check_fiscal_year
from reports.analysis_document import analysis_document_for
from reports.combined_document import combined_document_for
from reports.files import FORMATS, render
from reports.improvement_document import improvement_document_for
from reports.plan_document import DEFAULT_LAYOUT, LAYOUTS, plan_document_for
from reports.progress_document import progress_document_for, progress_options


def _download(request, agency, document, file_format, landscape=True):
    """?digits=thai prints Thai digits in the PDF. The download is recorded in the audit of access."""
    thai_digits = request.GET.get("digits") == "thai"
    content, content_type, filename = render(document, file_format, landscape=landscape, thai_digits=thai_digits)
    record(request, Kind.REPORT_DOWNLOAD, agency=agency, what=filename)
    return attachment(content, content_type, filename)


def _plan_agency(request, code, file_format):
    """The agency whose plan the user may read, with the plan page's rule (404 otherwise)."""
    if file_format not in FORMATS:
        raise Http404
    agency, _rights = access.plan_for(request.user, code)
    return agency


@require_http_methods(["GET"])
def analysis_report(request, code, year, file_format):
    """The analysis of one agency's year as a PDF (A4 portrait) or XLSX file."""
    if file_format not in FORMATS:
        raise Http404
    assessment, _rights = access.assessment_for(request.user, code, year)
    return _download(request, assessment.agency, analysis_document_for(assessment), file_format, landscape=False)


@require_http_methods(["GET"])
def progress_report(request, code, year, round_kind, file_format):
    """The progress report of one reporting round as a PDF (A4 landscape) or XLSX file;
    unit staff get only their units' measures."""
    if round_kind not in RoundKind.values:
        raise Http404
    agency = _plan_agency(request, code, file_format)
    document = progress_document_for(agency, year, round_kind, user=request.user, **progress_options(request.GET))
    return _download(request, agency, document, file_format)


def _plan_download(request, code, year, file_format, document_for):
    check_fiscal_year(year)
    agency = _plan_agency(request, code, file_format)
    return _download(request, agency, document_for(agency, year, user=request.user), file_format)


def _plan_layout(request):
    """?layout=tceb prints the plan as TCEB's single table; a layout we do not have is a 404."""
    layout = request.GET.get("layout", DEFAULT_LAYOUT)
    if layout not in LAYOUTS:
        raise Http404
    return layout


@require_http_methods(["GET"])
def plan_report(request, code, year, file_format):
    """The measures plan of a fiscal year as a PDF (A4 landscape) or XLSX file, in the layout
    `?layout=` names; unit staff get only their units' measures."""
    layout = _plan_layout(request)
    return _plan_download(
        request, code, year, file_format, lambda agency, year, user: plan_document_for(agency, year, user, layout)
    )


@require_http_methods(["GET"])
def combined_report(request, code, year, file_format):
    """The analysis of year − 1 (portrait) and the measures plan of the year (landscape) as one
    document, read with the plan's rule; 404 when either is missing."""
    layout = _plan_layout(request)
    check_fiscal_year(year)
    agency = _plan_agency(request, code, file_format)
    document = combined_document_for(agency, year, user=request.user, layout=layout)
    if document is None:
        raise Http404
    return _download(request, agency, document, file_format, landscape=False)


@require_http_methods(["GET"])
def improvement_report(request, code, year, file_format):
    """The improvement plan (month grid) of a fiscal year as a PDF (A4 landscape) or XLSX file;
    unit staff get only their units' measures."""
    return _plan_download(request, code, year, file_format, improvement_document_for)
