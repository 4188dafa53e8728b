from django.contrib import messages
from django.core import signing
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods

from assessments import access
from assessments.downloads import csv_response, xlsx_response
from assessments.exporting import BLANK_COLUMNS, blank_rows
from assessments.forms import ResultsFileForm, ResultsTemplateForm
from assessments.importing import (
    RESULT_COLUMNS,
    RESULT_OPTIONAL,
    TemplateError,
    check_results,
    figure_changes,
    problems_to_show,
    read_rows,
    save_results,
)
from assessments.models import Agency, FrameworkVersion
from assessments.text import interpolate
from assessments.thai import fiscal_year_of

PREVIEW_SALT = "assessments.import-results"
PREVIEW_MAX_AGE = 60 * 60
PREVIEW_ROWS = 500  # a 100,000-row preview would be a page of 30 MB; the counts cover the rest


@require_http_methods(["GET", "POST"])
def import_results(request):
    """Upload the results template, preview what changes, then save all rows or none."""
    access.require(access.edits_any_agency(request.user))
    form = ResultsFileForm()
    context = {"form": form, "template_form": template_form(request.user)}
    if request.method == "POST" and "payload" in request.POST:
        try:
            rows = signing.loads(request.POST["payload"], salt=PREVIEW_SALT, max_age=PREVIEW_MAX_AGE)
        except signing.BadSignature:
            messages.error(request, _("The preview has expired; upload the file again."))
            return redirect("import_results")
        figures, problems = check_results([tuple(row) for row in rows], request.user)
        if not problems:
            counts = save_results(figures)
            messages.success(
                request,
                interpolate(
                    _("Saved %(total)s figures: %(created)s new, %(updated)s changed, %(unchanged)s unchanged."),
                    {"total": len(figures), **counts},
                ),
            )
            return redirect("home")
        context.update(problem_context(problems))
    elif request.method == "POST":
        form = ResultsFileForm(request.POST, request.FILES)
        context["form"] = form
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                rows = read_rows(upload.read(), upload.name, RESULT_COLUMNS, optional=RESULT_OPTIONAL)
            except TemplateError as exc:
                form.add_error("file", exc.args[0])
            else:
                figures, problems = check_results(rows, request.user)
                context.update(problem_context(problems))
                if not problems:
                    changes = figure_changes(figures)
                    context["preview"] = [(figure, changes[figure.key()]) for figure in figures[:PREVIEW_ROWS]]
                    context["preview_more"] = len(figures) - len(context["preview"])
                    context["preview_levels"] = any(figure.level is not None for figure in figures)
                    context["preview_indicators"] = any(figure.indicator for figure in figures)
                    context["counts"] = {
                        label: sum(1 for c in changes.values() if c == label)
                        for label in ("new", "changed", "unchanged")
                    }
                    context["payload"] = signing.dumps(checked_rows(figures), salt=PREVIEW_SALT, compress=True)
                    context["filename"] = upload.name
    return render(request, "assessments/import_results.html", context)


def problem_context(problems):
    shown, more = problems_to_show(problems)
    return {"problems": shown, "problems_total": len(problems), "problems_more": more}


def checked_rows(figures):
    """The figures as rows of the template, to be checked again on saving. Only the checked
    values go into the page: a file's raw cells could be a thousand characters each."""
    parts = {0: "", 1: "public", 2: "survey"}
    return [
        (
            f.row,
            {
                "agency": f.agency,
                "fiscal_year": str(f.fiscal_year),
                "code": f.code,
                "part": parts[f.part],
                "score": str(f.score),
                "indicator": str(f.indicator or ""),
                # Without a level column the saved levels stay as they are: no key, as in the file.
                **({"level": f.level} if f.level is not None else {}),
            },
        )
        for f in figures
    ]


def template_form(user, data=None):
    """The choice of the blank template: an agency whose results the user may import, and a year
    some framework covers (by default the latest up to this fiscal year)."""
    years = FrameworkVersion.objects.fiscal_years()
    this_year = fiscal_year_of(timezone.localdate())
    initial = max((year for year in years if year <= this_year), default=years[-1] if years else None)
    return ResultsTemplateForm(
        data,
        agencies=Agency.objects.editable_by(user).order_by("name_th"),
        years=years,
        initial={"fiscal_year": initial},
    )


# What the columns hold, for the spreadsheet's number formats.
BLANK_KINDS = {"fiscal_year": "integer", "score": "score"}


@require_GET
def results_template(request):
    """The results template of an agency's year, every figure of its framework with the score left
    empty, as CSV or XLSX: typed in, it imports as it is."""
    agency, rights = access.agency_for(request.user, request.GET.get("agency", ""))
    access.require(rights.can_edit)
    form = template_form(request.user, request.GET)
    if not form.is_valid():
        context = {"form": ResultsFileForm(), "template_form": form}
        return render(request, "assessments/import_results.html", context, status=400)
    year = form.cleaned_data["fiscal_year"]
    rows = blank_rows(agency, year, FrameworkVersion.objects.for_year(year))
    columns = [(name, BLANK_KINDS.get(name, "text")) for name in BLANK_COLUMNS]
    filename = f"results-template-{agency.code}-{year}"
    if form.cleaned_data["format"] == "csv":
        return csv_response(filename, columns, rows)
    return xlsx_response(filename, columns, rows, title=f"{agency.code} {year}")
