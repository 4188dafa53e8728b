"""The OIT checklist of an agency's year: the integrity office assigns the o items, units fill in
their evidence, the office reviews it and publishes the agency's public ITA page."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _, ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from assessments import access
from assessments.downloads import csv_response, xlsx_response
from measures.evidence import bounded_uploads
from oit.actions import (
    NEEDS_REASON,
    TRANSITIONS,
    ItemChanged,
    do_add_evidence,
    do_copy_checklist,
    do_remove_evidence,
    do_save_assignment,
    do_save_public_page,
    do_step,
)
from oit.checklist import checklist_groups, file_response, o_items, overdue, rows_of, version_for
from oit.forecast import readiness_forecast
from oit.forms import AssignmentForm, EvidenceForm, PublicPageForm, StepForm
from oit.models import ChecklistEvidence, ChecklistItem, DocumentSnapshot, PublicPage, Status, Step
from oit.tasks import check_agency_links
from oit.views.public import public_items

STEP_BUTTONS = {
    Step.SUBMIT: _("Send for review"),
    Step.RETURN: _("Return for changes"),
    Step.APPROVE: _("Approve"),
    Step.REOPEN: _("Reopen for changes"),
}
STEP_DONE = {
    Step.SUBMIT: _("The item was sent to the integrity office for review."),
    Step.RETURN: _("The item was returned to the unit for changes."),
    Step.APPROVE: _("The item was approved: its links appear on the public page once it is published."),
    Step.REOPEN: _("The item was reopened for changes."),
}


@require_GET
def checklist(request, code, year):
    """Every o item of the year's framework in its groups, with where each stands."""
    agency, rights = access.checklist_for(request.user, code)
    whole = access.reads_checklist_whole(rights)
    version = version_for(agency, year)
    items = o_items(version)
    rows = rows_of(agency, year, request.user)
    groups = checklist_groups(items, rows, whole=whole)
    lines = [line for group, _subs in groups for line in group.lines]
    page = PublicPage.objects.filter(agency=agency, fiscal_year=year).first()
    return render(
        request,
        "oit/checklist.html",
        {
            "agency": agency,
            "year": year,
            "groups": groups,
            "total": len(lines),
            "approved": sum(line.status == Status.APPROVED for line in lines),
            "overdue": overdue(lines, timezone.localdate()),
            "rights": rights,
            "page": page,
            "page_form": PublicPageForm(instance=page) if rights.can_edit else None,
            # Unit staff see their units' items only: a forecast from them would mislead.
            "forecast": readiness_forecast(agency, year, version, items, rows) if whole else None,
            "can_copy": rights.can_edit and ChecklistItem.objects.filter(agency=agency, fiscal_year=year - 1).exists(),
        },
    )


def line_for(request, code, year, item_code):
    """(agency, rights, item, row) of an item the user may see; 404 otherwise. Unit staff see
    only their units' items."""
    agency, rights = access.checklist_for(request.user, code)
    item = next((i for i in o_items(version_for(agency, year)) if i.code == item_code), None)
    if item is None:
        raise Http404
    rows = ChecklistItem.objects.visible_to(request.user).filter(agency=agency, fiscal_year=year, item=item)
    row = (
        rows.select_related("unit")
        .prefetch_related(Prefetch("evidence", ChecklistEvidence.objects.order_by("order", "pk")), "steps__user")
        .first()
    )
    if row is None and not access.reads_checklist_whole(rights):
        raise Http404
    return agency, rights, item, row


@bounded_uploads
@require_http_methods(["GET", "POST"])
def checklist_item(request, code, year, item_code):
    """One o item: the requirement and guidance, who answers it, its evidence and its review."""
    agency, rights, item, row = line_for(request, code, year, item_code)
    assignment = AssignmentForm(instance=row, agency=agency) if rights.can_edit else None
    evidence = EvidenceForm() if rights.can_report else None
    status = 200
    if request.method == "POST":
        if "assign" in request.POST:
            access.require(rights.can_edit)
            assignment = AssignmentForm(request.POST, instance=row, agency=agency)
            if assignment.is_valid():
                do_save_assignment(assignment, agency=agency, year=year, item=item)
                messages.success(request, _("The assignment was saved."))
                return redirect("checklist_item", agency.code, year, item.code)
        else:
            access.require(rights.can_report)
            evidence = EvidenceForm(request.POST, request.FILES)
            if evidence.is_valid():
                try:
                    do_add_evidence(evidence, agency=agency, year=year, item=item, user=request.user)
                except ItemChanged:
                    messages.error(request, _("The item is under review or approved: nothing was added."))
                    return redirect("checklist_item", agency.code, year, item.code)
                messages.success(request, _("The evidence was added."))
                return redirect("checklist_item", agency.code, year, item.code)
        status = 400
    return render(
        request,
        "oit/checklist_item.html",
        item_context(agency, year, item, row, rights, assignment, evidence),
        status=status,
    )


def item_context(agency, year, item, row, rights, assignment, evidence):
    current = row.status if row else Status.NOT_STARTED
    steps = [
        step
        for step, (starts, _leads) in TRANSITIONS.items()
        if current in starts and (rights.can_review if step != Step.SUBMIT else rights.can_report)
    ]
    locked = row is not None and row.locked
    return {
        "agency": agency,
        "year": year,
        "item": item,
        "row": row,
        "status": Status(current).label,
        "rights": rights,
        "assignment": assignment,
        "evidence_form": None if locked else evidence,
        "steps": [(step, STEP_BUTTONS[step], step in NEEDS_REASON) for step in steps],
        "revision": row.revision if row else 0,
        "locked": locked,
        "snapshots": DocumentSnapshot.objects.filter(agency=agency, fiscal_year=year, item=item).order_by(
            "kind", "round_kind", "-version"
        ),
    }


@require_POST
def checklist_step(request, code, year, item_code, step):
    agency, rights, item, row = line_for(request, code, year, item_code)
    step = Step(step)
    access.require(rights.can_report if step == Step.SUBMIT else rights.can_review)
    form = StepForm(request.POST, needs_reason=step in NEEDS_REASON)
    if form.is_valid():
        try:
            do_step(
                agency=agency,
                year=year,
                item=item,
                step=step,
                user=request.user,
                revision=form.cleaned_data["revision"],
                comment=form.cleaned_data["comment"],
            )
        except ItemChanged:
            messages.error(request, _("Someone changed the item meanwhile: look at it again before taking the step."))
            return redirect("checklist_item", agency.code, year, item.code)
        except ValidationError as error:
            messages.error(request, error.messages[0])
            return redirect("checklist_item", agency.code, year, item.code)
        messages.success(request, STEP_DONE[step])
        return redirect("checklist_item", agency.code, year, item.code)
    for message in form.errors.get("comment", []):
        messages.error(request, message)
    return redirect("checklist_item", agency.code, year, item.code)


@require_POST
def checklist_evidence_remove(request, code, year, item_code, pk):
    agency, rights, item, row = line_for(request, code, year, item_code)
    access.require(rights.can_report)
    if row is None:
        raise Http404
    evidence = get_object_or_404(row.evidence, pk=pk)
    try:
        do_remove_evidence(evidence)
    except ItemChanged:
        messages.error(request, _("The item is under review or approved: nothing was removed."))
    else:
        messages.success(request, _("The evidence was removed."))
    return redirect("checklist_item", agency.code, year, item.code)


@require_GET
def checklist_evidence_file(request, code, year, item_code, pk):
    """An uploaded file, to those who see its item."""
    _agency, _rights, _item, row = line_for(request, code, year, item_code)
    if row is None:
        raise Http404
    evidence = get_object_or_404(row.evidence.exclude(file=""), pk=pk)
    return file_response(
        evidence.file, filename=evidence.file_name, content_type=evidence.content_type, as_attachment=True
    )


@require_POST
def checklist_copy(request, code, year):
    """Last year's assignments and links into this year's checklist, marked "to check" (editors)."""
    agency, rights = access.checklist_for(request.user, code)
    access.require(rights.can_edit)
    copied = do_copy_checklist(agency=agency, year=year, items=o_items(version_for(agency, year)))
    if copied:
        messages.success(
            request,
            ngettext(
                "%(count)s item was copied from last year: check its links.",
                "%(count)s items were copied from last year: check their links.",
                copied,
            )
            % {"count": copied},
        )
    else:
        messages.info(request, _("Nothing to copy: last year's checklist is empty or its items are already here."))
    return redirect("checklist", agency.code, year)


@require_POST
def checklist_check_links(request, code, year):
    """Check the year's links now, in the background (editors); the daily run checks them anyway."""
    agency, rights = access.checklist_for(request.user, code)
    access.require(rights.can_edit)
    check_agency_links.enqueue(agency.pk, year)
    messages.success(request, _("The links are being checked: each one's answer shows on its item within minutes."))
    return redirect("checklist", agency.code, year)


@require_POST
def public_page_settings(request, code, year):
    agency, rights = access.checklist_for(request.user, code)
    access.require(rights.can_edit)
    page = PublicPage.objects.filter(agency=agency, fiscal_year=year).first()
    form = PublicPageForm(request.POST, instance=page)
    if form.is_valid():
        page = do_save_public_page(form, agency=agency, year=year)
        messages.success(
            request,
            _("The public ITA page is published.") if page.published else _("The public ITA page is not published."),
        )
    else:
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
    return redirect("checklist", agency.code, year)


NACC_COLUMNS = [(_("Item"), "text"), (_("Requirement"), "text"), (_("Label"), "text"), (_("Link"), "text")]


def nacc_rows(agency, year, items, public, published):
    """[code, item, label, link] of each approved link in the framework's order; once the public
    page is published, also the public files' and the published documents' addresses on it."""
    site = settings.SITE_URL
    table = []
    for item in items:
        shown = public.get(item.pk)
        if shown is None:
            continue
        for piece in shown.shown:
            if piece.url:
                table.append([item.code, item.text_th, piece.label, piece.url])
            if published and piece.public and piece.file:
                link = site + reverse("public_file", args=[agency.code, year, piece.pk])
                table.append([item.code, item.text_th, piece.label, link])
        for snapshot in shown.documents if published else []:
            link = site + reverse("public_document", args=[agency.code, year, snapshot.pk])
            table.append([item.code, item.text_th, snapshot.title_th, link])
    return table


@require_GET
def nacc_download(request, code, year, file_format):
    """What the NACC's system asks for, one link a row, in the order of its o items."""
    agency, rights = access.checklist_for(request.user, code)
    access.require(access.reads_checklist_whole(rights))
    if file_format not in ("csv", "xlsx"):
        raise Http404
    published = PublicPage.objects.filter(agency=agency, fiscal_year=year, published__isnull=False).exists()
    table = nacc_rows(agency, year, o_items(version_for(agency, year)), public_items(agency, year), published)
    filename = f"ita-oit-{agency.code}-{year}"
    if file_format == "xlsx":
        return xlsx_response(filename, NACC_COLUMNS, table, title=f"OIT {year}")
    return csv_response(filename, NACC_COLUMNS, table)
