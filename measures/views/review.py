"""The review queue (ตรวจรายงาน): the reports waiting for the integrity office, and approving several at once."""

from dataclasses import dataclass
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import DatabaseError
from django.http import QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _, ngettext
from django.views.decorators.http import require_GET, require_POST

from assessments import access
from ita_tracker.database import BUSY_MESSAGE, is_transient
from measures.actions import EntryChanged, do_review_step
from measures.models import Action, ProgressEntry, State
from measures.queue import (
    PAGE_SIZE,
    QUEUE_PARAMETER,
    ApproveSelectedForm,
    named,
    queue_data,
    queue_filter,
    waiting_by_agency,
)


@dataclass
class QueueGroup:
    round: object
    entries: list


def round_groups(entries):
    """The page's entries grouped by round (agency, fiscal year and round), in queue order."""
    groups = []
    for entry in entries:
        if not groups or groups[-1].round.pk != entry.round_id:
            groups.append(QueueGroup(entry.round, []))
        groups[-1].entries.append(entry)
    return groups


@require_GET
def review_queue(request):
    """The reports of the agencies the user reviews, oldest round first, filterable; a page of
    PAGE_SIZE at a time, in the same number of queries however long the queue is."""
    access.require(access.reviews_any_agency(request.user))
    data = queue_data(request.GET)
    filterset = queue_filter(request.user, data)
    if filterset.agency_typed and not data.get("agency"):
        return agencies_waiting(request, filterset)
    page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    entries = list(page.object_list)
    # Who sent each report, in one query.
    senders = get_user_model().objects.in_bulk({e.submitted_by_id for e in entries if e.submitted_by_id})
    for entry in entries:
        entry.submitted_by = senders.get(entry.submitted_by_id)
    return render(
        request,
        "measures/review_queue.html",
        {
            "filter": filterset,
            "page": page,
            "groups": round_groups(entries),
            "queue": data.urlencode(),
            "several_agencies": "agency" in filterset.filters,
            "can_approve": filterset.form.is_valid() and data["state"] == State.SUBMITTED,
        },
    )


def agencies_waiting(request, filterset):
    """The queue of a reviewer of more agencies than a drop-down lists (a system administrator
    reviews the whole country): the agencies with reports waiting, a page at a time, each leading
    to its own queue with the filters already chosen. One queue of every agency's reports would
    sort the country's hundred thousand on every request."""
    page = Paginator(waiting_by_agency(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = named(page.object_list)
    return render(
        request,
        "measures/review_agencies.html",
        {"filter": filterset, "page": page, "several_agencies": True},
    )


@require_POST
def review_approve(request):
    """Approve the ticked reports, each as its own review step on the version the queue showed.
    Reports changed since (saved, or reviewed by someone else) are left as they are and named;
    ids of reports the user does not review are refused and nothing is done to them."""
    access.require(access.reviews_any_agency(request.user))
    form = ApproveSelectedForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, errors[0])
        return redirect(queue_url(queue_data(QueryDict(request.POST.get("queue", "")))))
    chosen = form.cleaned_data["entries"]
    reviewable = ProgressEntry.objects.reviewable_by(request.user).filter(pk__in=chosen)
    entries = list(reviewable.select_related("measure", "unit").order_by("pk"))
    approved, changed = 0, []
    for entry in entries:
        try:
            do_review_step(entry=entry, action=Action.APPROVE, user=request.user, revision=chosen[entry.pk])
        except (EntryChanged, ValidationError):  # changed, or no longer waiting for review
            changed.append(entry)
        except DatabaseError as exc:
            if not is_transient(exc):
                raise
            messages.error(request, BUSY_MESSAGE)
            break
        else:
            approved += 1
    refused = len(chosen) - len(entries)
    report_approvals(request, approved, changed, refused)
    return redirect(queue_url(form.cleaned_data["queue"]))


def report_approvals(request, approved, changed, refused):
    if approved:
        messages.success(
            request,
            ngettext("%(count)d report approved.", "%(count)d reports approved.", approved) % {"count": approved},
        )
    if changed:
        messages.warning(
            request,
            ngettext(
                "%(count)d report changed since you loaded the page, so it was not approved; "
                "open it to check: %(names)s",
                "%(count)d reports changed since you loaded the page, so they were not approved; "
                "open them to check: %(names)s",
                len(changed),
            )
            % {"count": len(changed), "names": "; ".join(f"{e.measure} – {e.unit}" for e in changed)},
        )
    if refused:
        messages.error(
            request,
            ngettext(
                "%(count)d report is not among those you review; nothing was done to it.",
                "%(count)d reports are not among those you review; nothing was done to them.",
                refused,
            )
            % {"count": refused},
        )


def queue_url(queue):
    """The queue page with the filter `queue` (a QueryDict)."""
    return f"{reverse('review_queue')}?{queue.urlencode()}" if queue else reverse("review_queue")


def after_step(request, queue, following):
    """Where a review step taken on an entry opened from the queue leads: the queue's next report,
    or the queue itself when none is left."""
    if following is None:
        messages.info(request, _("No more reports after this one in the queue."))
        return redirect(queue_url(queue))
    return redirect(f"{reverse('entry', args=[following])}?{QUEUE_PARAMETER}={queue_token(queue)}")


def queue_token(queue):
    """The queue's filter as the entry page's `queue` parameter carries it (URL-encoded)."""
    return quote(queue.urlencode(), safe="")
