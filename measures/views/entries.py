"""Progress entries: a unit's report for a measure and round, its evidence, its review and its audit trail."""

import copy

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import DatabaseError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.audit import Kind, record
from assessments import access
from ita_tracker.database import BUSY_MESSAGE, is_transient
from measures.actions import TRANSITIONS, EntryChanged, do_remove_evidence, do_review_step, do_save_entry
from measures.audit import changes_since, entry_trail
from measures.checks import activity_warnings
from measures.evidence import bounded_uploads, refused_uploads
from measures.forms import ActivityFormSet, EntryForm, EvidenceForm, ReviewForm, read_only
from measures.models import Action, Measure, ProgressEntry, State
from measures.queue import next_in_queue, queue_of
from measures.views.review import after_step, queue_token

ACTIVITIES = "activities"  # the formset's prefix
SHOWN_WITH = ("measure__agency", "round", "unit")  # what an entry's pages show of it

# What each button says, and what the page says once the step is taken.
STEP_BUTTONS = {
    Action.SUBMIT: _("Submit the report"),
    Action.RETURN: _("Return for changes"),
    Action.APPROVE: _("Approve"),
    Action.REOPEN: _("Reopen for changes"),
    Action.WITHDRAW: _("Withdraw the submission"),
}
STEP_DONE = {
    Action.SUBMIT: _("The report was sent to the integrity office."),
    Action.RETURN: _("The report was returned to the unit for changes."),
    Action.APPROVE: _("The report was approved; it is now locked."),
    Action.REOPEN: _("The report was reopened for changes."),
    Action.WITHDRAW: _("The submission was withdrawn: the report is a draft again. Send it again once it is changed."),
}
# The unit's own steps, taken from the report's page rather than the review panel.
REPORTERS_STEPS = (Action.SUBMIT, Action.WITHDRAW)


def entry_for(request, pk):
    """(entry, rights) for an entry the user may see; 404 otherwise."""
    return access.entry_for(request.user, ProgressEntry.objects.select_related(*SHOWN_WITH), pk)


@bounded_uploads
@require_http_methods(["GET", "POST"])
def entry(request, pk):
    """A unit's report for one round: the form for those who may edit it, the report for everyone else.
    A report sent or approved since the form was opened saves nothing and shows what was typed (409)."""
    entry, rights = entry_for(request, pk)
    if request.method == "GET":
        return render_entry(request, entry, rights)

    access.require(rights.can_report)
    if not rights.can_edit:
        return render_locked(request, entry, rights)
    # The form fills a copy, so that a failed form does not show its rejected values (links, say)
    # as if they were saved.
    form = EntryForm(request.POST, instance=copy.copy(entry))
    activities = ActivityFormSet(request.POST, instance=entry, prefix=ACTIVITIES)
    evidence = EvidenceForm(request.POST, request.FILES, entry=entry, too_large=refused_uploads(request))
    valid = [form.is_valid(), activities.is_valid(), evidence.is_valid()]
    if not all(valid):
        return render_entry(
            request,
            entry,
            rights,
            form=form,
            activities=activities,
            evidence=evidence,
            files_dropped=bool(request.FILES),
        )
    try:
        saved = do_save_entry(
            form=form,
            activities=activities,
            files=evidence.cleaned_data["files"],
            description=evidence.cleaned_data["description"],
            revision=form.cleaned_data["revision"],
            user=request.user,
        )
    except DatabaseError as exc:
        if not is_transient(exc):
            raise
        # Nothing was saved: the form again with what the user typed (files must be chosen again).
        messages.error(request, BUSY_MESSAGE)
        return render_entry(
            request,
            entry,
            rights,
            form=form,
            activities=activities,
            evidence=EvidenceForm(),
            files_dropped=bool(request.FILES),
            status=503,
        )
    if not saved:
        entry, rights = entry_for(request, pk)
        if not rights.can_edit:
            return render_locked(request, entry, rights)
        # Someone saved first. Show their version beside this user's text, which is kept, with
        # the new revision so that saving again (after comparing) goes through.
        data = request.POST.copy()
        data["revision"] = entry.revision
        return render_entry(
            request,
            entry,
            rights,
            form=EntryForm(data, instance=entry),
            activities=ActivityFormSet(data, instance=entry, prefix=ACTIVITIES),
            evidence=EvidenceForm(),
            conflict=True,
            files_dropped=bool(request.FILES),
            status=409,
        )
    messages.success(request, _("The report was saved."))
    if "and_submit" in request.POST:
        # Sent as just saved: the revision this save made.
        take_step(
            request, ProgressEntry.objects.get(pk=pk), Action.SUBMIT, {"revision": form.cleaned_data["revision"] + 1}
        )
    return redirect("entry", pk)


@require_POST
def entry_action(request, pk, action):
    """Send or withdraw an entry (those who report for it), return, approve or reopen it (the
    integrity office). Returning and reopening need a reason. The step is taken only on the version
    the person saw: a report changed since is shown again, as it was and as it is now (409), with
    buttons that act on the current version. A step the report's state no longer allows is a message."""
    if action not in Action.values:
        raise Http404
    entry, rights = entry_for(request, pk)
    access.require(rights.can_report if action in REPORTERS_STEPS else rights.can_review)
    # Opened from the review queue: after the step, on to the queue's next report (read before
    # the step, while this one still holds its place in the queue).
    queue = queue_of(request) if action not in REPORTERS_STEPS else None
    following = next_in_queue(request.user, queue, entry) if queue is not None else None
    review = take_step(request, entry, action, request.POST)
    if review is None:
        return after_step(request, queue, following) if queue is not None else redirect("entry", pk)
    # Another step may have been taken meanwhile: show the entry as it is now.
    entry, rights = entry_for(request, pk)
    if not review.changed:
        return render_entry(request, entry, rights, review=review)
    seen, differences = changes_since(entry, review.cleaned_data["revision"])
    return render_entry(request, entry, rights, review=review, seen=seen, differences=differences, status=409)


def take_step(request, entry, action, data):
    """Take a review step; None when taken, otherwise the form with the reason it was not.
    `form.changed` says the entry changed after the person loaded the version they acted on."""
    review = ReviewForm(data, entry=entry, action=action)
    review.changed = False
    if review.is_valid():
        try:
            do_review_step(
                entry=entry,
                action=action,
                user=request.user,
                revision=review.cleaned_data["revision"],
                comment=review.cleaned_data["comment"],
            )
        except EntryChanged:
            review.changed = True
            messages.error(request, _("The report changed after you opened it, so nothing was done."))
            return review
        except ValidationError as exc:
            review.add_error(None, exc)
        else:
            messages.success(request, STEP_DONE[action])
            return None
    for error in [*review.non_field_errors(), *review.errors.get("revision", [])]:
        messages.error(request, error)
    return review


def render_locked(request, entry, rights):
    """The report was sent or approved while the user typed into its form: nothing is saved, and
    everything typed is shown, read-only, to copy, with what happened and what to do (409)."""
    form = read_only(EntryForm(request.POST, instance=copy.copy(entry)))
    activities = ActivityFormSet(request.POST, instance=entry, prefix=ACTIVITIES)
    for row in activities.forms:
        read_only(row)
    return render_entry(
        request,
        entry,
        rights,
        form=form,
        activities=activities,
        evidence=read_only(EvidenceForm(request.POST)),
        locked_meanwhile=True,
        files_dropped=bool(request.FILES),
        status=409,
    )


def render_entry(
    request,
    entry,
    rights,
    *,
    form=None,
    activities=None,
    evidence=None,
    review=None,
    conflict=False,
    locked_meanwhile=False,
    files_dropped=False,
    seen=None,
    differences=None,
    status=200,
):
    """The entry page, in the same number of queries however many activities, files, steps and units."""
    measure = entry.measure
    can_edit, can_review = rights.can_edit, rights.can_review
    if can_edit and form is None:
        form = EntryForm(instance=entry)
        activities = ActivityFormSet(instance=entry, prefix=ACTIVITIES)
        evidence = EvidenceForm()
    # Those who edit send the report with "Save and submit" under the form, so that nothing
    # typed is left behind; the panel holds the officers' steps.
    steps = [
        (action, STEP_BUTTONS[action], action in (Action.RETURN, Action.REOPEN))
        for action, (allowed_from, _new) in TRANSITIONS.items()
        if entry.state in allowed_from and action not in REPORTERS_STEPS and can_review
    ]
    # Each unit's row as the measure page's grid shows them to this user; the overall figure is the measure's.
    units = (
        ProgressEntry.objects.visible_to(request.user)
        .filter(measure=measure, round=entry.round)
        .select_related("unit")
        .order_by("unit__name")
    )
    events = list(entry.events.select_related("user"))
    # The formset's own rows when there is a form, so that the warnings cost no query.
    saved_activities = list(activities.get_queryset() if activities is not None else entry.activities.all())
    context = {
        "entry": entry,
        "measure": measure,
        "items": measure.items.select_related("indicator").order_by("indicator__number", "order", "code"),
        "can_edit": can_edit,
        "can_review": can_review,
        # Unit staff take their report back from review here; the office returns it instead.
        "can_withdraw": rights.can_report and not can_review and entry.state == State.SUBMITTED,
        "form": form,
        "activities": activities,
        "evidence_form": evidence,
        "saved_activities": saved_activities,
        "round_first": entry.round.period[0],
        "round_last": entry.round.period[1],
        "activity_warnings": activity_warnings(saved_activities, entry.round, timezone.localdate()),
        "evidence": entry.evidence.select_related("uploaded_by"),
        "events": events,
        "last_return": next((e for e in reversed(events) if e.action in (Action.RETURN, Action.REOPEN)), None),
        "steps": steps,
        "review": review,
        "units": units,
        "progress": Measure.objects.with_progress(entry.round).values_list("progress", flat=True).get(pk=measure.pk),
        "conflict": conflict,
        "locked_meanwhile": locked_meanwhile,
        "files_dropped": files_dropped,
        "returned": entry.state == State.RETURNED,
        "seen": seen,
        "differences": differences,
        **queue_links(request, entry, can_review),
    }
    return render(request, "measures/entry.html", context, status=status)


def queue_links(request, entry, can_review):
    """For an entry opened from the review queue: the queue's filter, as the entry page's links
    and step buttons carry it on, and the queue's next report ("Next report")."""
    queue = queue_of(request) if can_review else None
    if queue is None:
        return {}
    return {
        "queue": queue_token(queue),
        "queue_query": queue.urlencode(),
        "queue_next": next_in_queue(request.user, queue, entry),
    }


@require_GET
def evidence(request, pk, evidence_pk):
    """An evidence file, for those who may see its entry; always as a download."""
    item, _rights = access.evidence_for(
        request.user, ProgressEntry.objects.select_related(*SHOWN_WITH), pk, evidence_pk
    )
    try:
        stored = item.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    record(request, Kind.EVIDENCE_VIEW, agency=item.entry.measure.agency, what=item.name)
    response = FileResponse(stored, as_attachment=True, filename=item.name, content_type=item.content_type)
    # Never run as a page, whatever the file holds and whatever a browser would guess from it.
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    return response


@require_POST
def evidence_delete(request, pk, evidence_pk):
    """Remove a file from an entry that may still be edited; a locked one says why not. The stored
    file stays for the audit trail."""
    item, rights = access.evidence_for(request.user, ProgressEntry.objects.select_related(*SHOWN_WITH), pk, evidence_pk)
    access.require(rights.can_report)
    try:
        do_remove_evidence(evidence=item, user=request.user)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(request, _("“%(name)s” was removed from the report.") % {"name": item.name})
    return redirect("entry", pk)


@require_GET
def entry_history(request, pk):
    """Who changed the entry, its activities and evidence, and who reviewed it: newest first."""
    entry, _rights = entry_for(request, pk)
    return render(request, "measures/entry_history.html", {"entry": entry, "changes": entry_trail(entry)})
