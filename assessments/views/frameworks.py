"""Framework versions for system administrators: the list, and a new fiscal year's version
drafted from the latest one, previewed against it and saved as `load_frameworks` saves a file.

The draft travels in the page, signed with the version it was copied from, between the steps
(edit, add a row, preview, save): nothing is written before "Save", and a draft changed outside
the page is refused whole.
"""

from django.contrib import messages
from django.core import signing
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods

from assessments import access
from assessments.drafts import draft_changes, draft_problems, next_year_draft
from assessments.framework_forms import draft_forms, draft_from_forms, forms_valid
from assessments.frameworks import FrameworkFileError, load_versions
from assessments.models import FrameworkVersion
from assessments.text import interpolate

DRAFT_SALT = "assessments.framework-draft"
DRAFT_MAX_AGE = 24 * 60 * 60  # a day: going through a hundred items takes a while


def versions_context() -> dict:
    return {"versions": FrameworkVersion.objects.annotate(item_count=Count("items")).order_by("first_year")}


@require_GET
def framework_list(request: HttpRequest) -> HttpResponse:
    """Every framework version: code, years, level scheme and number of items."""
    access.require(access.can_edit_frameworks(request.user))
    return render(request, "assessments/frameworks/list.html", versions_context())


@require_http_methods(["GET", "POST"])
def new_framework(request: HttpRequest) -> HttpResponse:
    """A draft of the next fiscal year's version, copied from the latest: edit, preview, save."""
    access.require(access.can_edit_frameworks(request.user))
    if request.method == "GET":
        copied = next_year_draft(timezone.localdate())
        if copied is None:
            messages.error(request, _("No framework version is loaded yet: load one from a file first."))
            return redirect("framework_list")
        base, draft = copied
        return editor(request, base, draft, draft_forms(draft))
    try:
        carried = signing.loads(request.POST.get("draft", ""), salt=DRAFT_SALT, max_age=DRAFT_MAX_AGE)
        base, draft = carried["base"], carried["draft"]
    except (signing.BadSignature, KeyError, TypeError):
        context = versions_context() | {
            "refused": _(
                "The draft was changed outside this page or is more than a day old, so nothing was saved. "
                "Start again from the latest version."
            )
        }
        return render(request, "assessments/frameworks/list.html", context, status=400)
    action = request.POST.get("action")
    if action == "save":
        return save_draft(request, base, draft)
    if action == "edit":
        return editor(request, base, draft, draft_forms(draft))
    forms_ = draft_forms(draft, request.POST)
    if not forms_valid(forms_):
        return editor(request, base, draft, forms_)
    typed = draft_from_forms(forms_, draft)
    if action != "preview":  # "add a row": the draft as it stands, with a blank row in each list
        return editor(request, base, typed, draft_forms(typed))
    problems = draft_problems(typed)
    if problems:
        # The forms stay as typed; they still refer to the rows of the draft they were posted with.
        return editor(request, base, draft, forms_, problems=problems, changes=draft_changes(base, typed))
    context = {"draft": typed, "signed": sign(base, typed), "changes": draft_changes(base, typed), "base": base}
    return render(request, "assessments/frameworks/preview.html", context)


def save_draft(request: HttpRequest, base: dict, draft: dict) -> HttpResponse:
    """Write the previewed draft with the command's checks, in one transaction, or show why not."""
    problems = draft_problems(draft)
    if not problems:
        try:
            (version,) = load_versions([draft])
        except FrameworkFileError as exc:
            problems = exc.problems
        else:
            messages.success(
                request,
                interpolate(
                    _("Saved framework version %(version)s for fiscal years %(first)s–%(last)s."),
                    {"version": version.code, "first": version.first_year, "last": version.last_year},
                ),
            )
            return redirect("framework_list")
    return editor(request, base, draft, draft_forms(draft), problems=problems, changes=draft_changes(base, draft))


def sign(base: dict, draft: dict) -> str:
    return signing.dumps({"base": base, "draft": draft}, salt=DRAFT_SALT, compress=True)


def editor(request, base, draft, forms_, *, problems=(), changes=None) -> HttpResponse:
    """The editing page: `draft` is the one the forms were filled from, carried to the next step."""
    context = {
        **forms_,
        "all_forms": list(forms_.values()),
        "base": base,
        "draft": draft,
        "signed": sign(base, draft),
        "problems": problems,
        "changes": changes,
    }
    return render(request, "assessments/frameworks/new.html", context)
