"""The documents an agency publishes: its profile (the letterhead), and the documents page of a
year: each document's downloads, its signature blocks and its acknowledgements."""

from dataclasses import dataclass, field

from django.contrib import messages
from django.db import IntegrityError, transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.audit import Kind, record
from accounts.models import Preferences
from assessments import access
from assessments.models import Assessment
from measures.models import ReportingRound, RoundKind, offered_reports
from measures.plans import check_fiscal_year
from reports.files import FORMATS
from reports.forms import AcknowledgementForm, AgencyProfileForm, DocumentForm, SignOffForm
from reports.models import Acknowledgement, AgencyProfile, DocumentKind, SignOff

FORMAT_LABELS = {"pdf": "PDF", "xlsx": "Excel", "docx": "Word"}


# --- The agency's profile ------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def agency_profile(request, code):
    """The letterhead every document of the agency prints: its administrators and system administrators edit it."""
    agency, _rights = access.agency_for(request.user, code)
    access.require(access.can_edit_profile(request.user, agency))
    profile = AgencyProfile.objects.filter(agency=agency).first() or AgencyProfile(agency=agency)
    if request.method == "POST":
        form = AgencyProfileForm(request.POST, request.FILES, instance=profile)
        if form.is_valid():
            profile = form.save(commit=False)
            profile.updated_by = request.user
            profile.save()
            record(request, Kind.PROFILE_CHANGED, agency=agency, what=profile.full_name)
            messages.success(request, _("The letterhead was saved."))
            return redirect("agency_profile", code=agency.code)
        status = 400
    else:
        form, status = AgencyProfileForm(instance=profile), 200
    context = {"agency": agency, "form": form, "profile": profile}
    return render(request, "reports/agency_profile.html", context, status=status)


@require_GET
def agency_logo(request, code):
    """The agency's logo, for the profile page's preview (the page's policy loads no data: pictures)."""
    agency, _rights = access.agency_for(request.user, code)
    profile = AgencyProfile.objects.filter(agency=agency).exclude(logo=None).only("logo", "logo_type").first()
    if profile is None:
        raise Http404
    response = HttpResponse(bytes(profile.logo), content_type=profile.logo_type or "image/png")
    response["Cache-Control"] = "private, no-cache"
    return response


# --- The documents page --------------------------------------------------------------------------


@dataclass
class PublishedDocument:
    """One document of the year as the documents page lists it."""

    kind: str
    round_kind: str
    title: str
    downloads: list  # [(label, url)]
    sign_off: SignOff | None = None
    sign_off_form: SignOffForm | None = None
    acknowledgements: list = field(default_factory=list)
    acknowledgement_form: AcknowledgementForm | None = None

    @property
    def key(self):
        """The id of its part of the page (the forms come back to it)."""
        return _prefix(self.kind, self.round_kind)


def downloads(url_name, *args):
    return [
        (FORMAT_LABELS.get(file_format, file_format.upper()), reverse(url_name, args=[*args, file_format]))
        for file_format in FORMATS
    ]


def year_documents(agency, year):
    """The documents of the year: the analysis when its results are loaded, the measures plan, the
    improvement plan, the progress reports of the rounds the units report in and, when last year's
    results are loaded, the analysis and plan in one document (three queries)."""
    documents = []
    if Assessment.objects.filter(agency=agency, fiscal_year=year).exists():
        documents.append(
            PublishedDocument(
                DocumentKind.ANALYSIS,
                "",
                _("Analysis of the ITA results"),
                downloads("analysis_report", agency.code, year),
            )
        )
    documents.append(
        PublishedDocument(DocumentKind.PLAN, "", _("Measures plan"), downloads("plan_report", agency.code, year))
    )
    documents.append(
        PublishedDocument(
            DocumentKind.IMPROVEMENT, "", _("Improvement plan"), downloads("improvement_report", agency.code, year)
        )
    )
    # The reports the rounds page offers: a quarter's when units report in it, the 6- and 12-month
    # reports when any round of their period is used (a quarterly agency publishes those too).
    offered = offered_reports(ReportingRound.objects.filter(agency=agency, fiscal_year=year))
    for kind in RoundKind:
        if kind.value in offered:
            documents.append(
                PublishedDocument(
                    DocumentKind.PROGRESS,
                    kind.value,
                    _("Progress report, %(round)s") % {"round": kind.label},
                    downloads("progress_report", agency.code, year, kind.value),
                )
            )
    if Assessment.objects.filter(agency=agency, fiscal_year=year - 1).exists():
        documents.append(
            PublishedDocument(
                DocumentKind.COMBINED,
                "",
                _("Analysis and plan in one document"),
                downloads("combined_report", agency.code, year),
            )
        )
    return documents


def acknowledgement_initial(user, today):
    """The name and position the acknowledgement form starts with: the person's own (one query)."""
    preferences = Preferences.objects.filter(user=user).first()
    return {
        "name": user.get_full_name() or user.get_username(),
        "position": preferences.position if preferences else "",
        "acknowledged_on": today,
        "decision": "รับทราบ",
    }


def _documents_page(request, agency, rights, year, *, bound=None, status=200, today=None):
    """The page; `bound` is (kind, round kind, form name, bound form) of a post that failed, shown
    with what was typed in its document's part of the page."""
    today = today or timezone.localdate()
    documents = year_documents(agency, year)
    sign_offs = {(s.kind, s.round_kind): s for s in SignOff.objects.filter(agency=agency, fiscal_year=year)}
    acknowledgements = {}
    for acknowledgement in Acknowledgement.objects.filter(agency=agency, fiscal_year=year).select_related("user"):
        acknowledgements.setdefault((acknowledgement.kind, acknowledgement.round_kind), []).append(acknowledgement)
    can_sign_off = access.can_sign_off(rights.standing)
    can_acknowledge = access.can_acknowledge(request.user, agency)
    initial = acknowledgement_initial(request.user, today) if can_acknowledge else {}
    for document in documents:
        key = (document.kind, document.round_kind)
        document.sign_off = sign_offs.get(key)
        document.acknowledgements = acknowledgements.get(key, [])
        if can_sign_off:
            document.sign_off_form = SignOffForm(instance=document.sign_off or SignOff(), prefix=document.key)
        if can_acknowledge:
            document.acknowledgement_form = AcknowledgementForm(initial=initial, prefix=document.key, today=today)
        if bound and bound[:2] == key:
            setattr(document, bound[2], bound[3])
    context = {
        "agency": agency,
        "year": year,
        "documents": documents,
        "can_sign_off": can_sign_off,
        "can_acknowledge": can_acknowledge,
        "failed": bound is not None,
    }
    return render(request, "reports/documents.html", context, status=status)


@require_GET
def documents(request, code, year):
    """Every document of the year with its downloads, signature blocks and acknowledgements;
    whoever may read the plan sees it, editors set the blocks, executives acknowledge."""
    check_fiscal_year(year)
    agency, rights = access.plan_for(request.user, code)
    return _documents_page(request, agency, rights, year)


def _posted_document(request):
    """(kind, round kind) of the document a form was posted for; None for a forged one."""
    form = DocumentForm(request.POST)
    if not form.is_valid():
        return None
    return form.cleaned_data["kind"], form.cleaned_data["round_kind"]


def _prefix(kind, round_kind):
    """The prefix of a document's forms and the id of its part of the page: document-progress-q1."""
    return f"document-{kind}{'-' + round_kind if round_kind else ''}"


def _what(agency, year, kind, round_kind):
    return f"{kind}{' ' + round_kind if round_kind else ''} {agency.code} {year}"


def _no_such_document(request, agency, year):
    messages.error(request, _("There is no such document. Nothing was saved."))
    return redirect("documents", code=agency.code, year=year)


@require_POST
def document_sign_off(request, code, year):
    """Save which signature blocks a document prints and the names typed for them (the plan's editors)."""
    check_fiscal_year(year)
    agency, rights = access.plan_for(request.user, code)
    access.require(access.can_sign_off(rights.standing))
    document = _posted_document(request)
    if document is None:
        return _no_such_document(request, agency, year)
    kind, round_kind = document
    existing = SignOff.objects.filter(agency=agency, fiscal_year=year, kind=kind, round_kind=round_kind).first()
    instance = existing or SignOff(agency=agency, fiscal_year=year, kind=kind, round_kind=round_kind)
    form = SignOffForm(request.POST, instance=instance, prefix=_prefix(kind, round_kind))
    if not form.is_valid():
        return _documents_page(
            request, agency, rights, year, bound=(kind, round_kind, "sign_off_form", form), status=400
        )
    sign_off = form.save(commit=False)
    sign_off.updated_by = request.user
    try:
        with transaction.atomic():
            sign_off.save()
    except IntegrityError:
        # Two editors saved the first sign-off of the same document at once: the other one's stands.
        messages.error(
            request, _("Someone saved this document's signature blocks at the same moment; check them and save again.")
        )
        return redirect(f"{reverse('documents', args=[agency.code, year])}#{_prefix(kind, round_kind)}")
    record(request, Kind.SIGN_OFF_CHANGED, agency=agency, what=_what(agency, year, kind, round_kind))
    messages.success(request, _("The signature blocks were saved."))
    return redirect(f"{reverse('documents', args=[agency.code, year])}#{_prefix(kind, round_kind)}")


@require_POST
def acknowledge(request, code, year):
    """Record an executive's or the agency administrator's acknowledgement of a document."""
    check_fiscal_year(year)
    agency, rights = access.plan_for(request.user, code)
    access.require(access.can_acknowledge(request.user, agency))
    document = _posted_document(request)
    if document is None:
        return _no_such_document(request, agency, year)
    kind, round_kind = document
    form = AcknowledgementForm(request.POST, prefix=_prefix(kind, round_kind))
    if not form.is_valid():
        return _documents_page(
            request, agency, rights, year, bound=(kind, round_kind, "acknowledgement_form", form), status=400
        )
    Acknowledgement.objects.create(
        agency=agency,
        fiscal_year=year,
        kind=kind,
        round_kind=round_kind,
        user=request.user,
        name=form.cleaned_data["name"],
        position=form.cleaned_data["position"].strip(),
        text=form.text(),
        acknowledged_on=form.cleaned_data["acknowledged_on"],
    )
    record(
        request,
        Kind.DOCUMENT_ACKNOWLEDGED,
        agency=agency,
        what=f"{_what(agency, year, kind, round_kind)}: {form.text()}",
    )
    messages.success(request, _("Your acknowledgement was recorded; the document prints it."))
    return redirect(f"{reverse('documents', args=[agency.code, year])}#{_prefix(kind, round_kind)}")
