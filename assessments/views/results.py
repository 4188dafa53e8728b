import datetime
import uuid

from django.contrib import messages
from django.core import signing
from django.core.files.storage import default_storage
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
    check_results_file,
    figure_changes,
    problems_to_show,
    save_results,
    save_results_file,
    spooled_figures,
    stream_rows,
)
from assessments.models import Agency, FrameworkVersion
from assessments.text import interpolate
from assessments.thai import fiscal_year_of

PREVIEW_SALT = "assessments.import-results"
PREVIEW_MAX_AGE = 60 * 60
PREVIEW_ROWS = 500  # a 100,000-row preview would be a page of 30 MB; the counts cover the rest
# Up to this many figures the checked rows go into the preview page, signed, and come back with the
# confirmation (about 25 bytes a figure, compressed); a larger file, a ministry's or the whole
# country's, waits in storage under STORED_UPLOADS and the page carries only its signed name.
PAYLOAD_FIGURES = 20_000
STORED_UPLOADS = "imports"


@require_http_methods(["GET", "POST"])
def import_results(request):
    """Upload the results template, preview what changes, then save all rows or none."""
    access.require(access.edits_any_agency(request.user))
    form = ResultsFileForm()
    context = {"form": form, "template_form": template_form(request.user)}
    if request.method == "POST" and "payload" in request.POST:
        try:
            payload = signing.loads(request.POST["payload"], salt=PREVIEW_SALT, max_age=PREVIEW_MAX_AGE)
        except signing.BadSignature:
            messages.error(request, _("The preview has expired; upload the file again."))
            return redirect("import_results")
        # Checked again on saving, with the user's rights of now: the preview may be an hour old.
        if isinstance(payload, dict):
            try:
                counts, total, problems = save_stored_upload(payload, request.user)
            except (OSError, TemplateError):
                messages.error(request, _("The preview has expired; upload the file again."))
                return redirect("import_results")
        else:
            figures, problems = check_results([tuple(row) for row in payload], request.user)
            counts, total = (save_results(figures), len(figures)) if not problems else (None, 0)
        if not problems:
            messages.success(
                request,
                interpolate(
                    _("Saved %(total)s figures: %(created)s new, %(updated)s changed, %(unchanged)s unchanged."),
                    {"total": total, **counts},
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
                # Read as a stream: an upload above FILE_UPLOAD_MAX_MEMORY_SIZE is a temporary file.
                check = check_results_file(UploadedRows(upload), request.user)
            except TemplateError as exc:
                form.add_error("file", exc.args[0])
            else:
                context.update(problem_context(check.problems))
                if check.problems:
                    check.spool.close()
                else:
                    context.update(preview_context(check, upload))
    return render(request, "assessments/import_results.html", context)


class UploadedRows:
    """The rows of an uploaded file, read from its start each time (in memory or a temporary file)."""

    def __init__(self, file, name=None):
        self.file, self.name = file, name or file.name

    def __iter__(self):
        self.file.seek(0)
        yield from stream_rows(self.file, self.name, RESULT_COLUMNS, RESULT_OPTIONAL)


def preview_context(check, upload):
    """What is new, changed or unchanged, the first figures, and what the confirmation sends back."""
    try:
        preview, counts, small = [], dict.fromkeys(("new", "changed", "unchanged"), 0), []
        levels = indicators = False
        for chunk in chunks(spooled_figures(check.spool), 5_000):
            changes = figure_changes(chunk)
            for figure in chunk:
                counts[changes[figure.key()]] += 1
                if len(preview) < PREVIEW_ROWS:
                    preview.append((figure, changes[figure.key()]))
                levels = levels or figure.level is not None
                indicators = indicators or bool(figure.indicator)
            if check.figures <= PAYLOAD_FIGURES:
                small.extend(chunk)
    finally:
        check.spool.close()
    payload = checked_rows(small) if check.figures <= PAYLOAD_FIGURES else store_upload(upload)
    return {
        "preview": preview,
        "preview_more": check.figures - len(preview),
        "preview_levels": levels,
        "preview_indicators": indicators,
        "counts": counts,
        "payload": signing.dumps(payload, salt=PREVIEW_SALT, compress=True),
        "filename": upload.name,
    }


def chunks(items, size):
    chunk = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def store_upload(upload):
    """Keep a large upload until it is confirmed: {"stored": its name in storage, "name": the
    file's own name}. Uploads kept longer than a preview lasts are removed first."""
    remove_expired_uploads()
    extension = ".xlsx" if upload.name.lower().endswith(".xlsx") else ".csv"
    upload.seek(0)
    stored = default_storage.save(f"{STORED_UPLOADS}/results-{uuid.uuid4().hex}{extension}", upload)
    return {"stored": stored, "name": upload.name}


def remove_expired_uploads():
    try:
        _folders, names = default_storage.listdir(STORED_UPLOADS)
    except (FileNotFoundError, NotImplementedError):
        # No upload stored yet, or a storage that cannot list (its own expiry rule clears it).
        return
    oldest = timezone.now() - datetime.timedelta(seconds=PREVIEW_MAX_AGE)
    for name in names:
        path = f"{STORED_UPLOADS}/{name}"
        if default_storage.get_modified_time(path) < oldest:
            default_storage.delete(path)


def save_stored_upload(payload, user):
    """Check the kept upload again and save it; remove it once saved. (counts, figures, problems)."""
    name = payload["stored"]
    if not name.startswith(f"{STORED_UPLOADS}/"):  # signed by us, but never anything else
        raise TemplateError(_("The preview has expired; upload the file again."))
    with default_storage.open(name, "rb") as file:
        check = check_results_file(UploadedRows(file, payload["name"]), user)
        if check.problems:
            check.spool.close()
            return None, 0, check.problems
        counts = save_results_file(check)
    default_storage.delete(name)
    return counts, check.figures, []


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
