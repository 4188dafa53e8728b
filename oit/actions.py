"""Writes of the OIT checklist, each all or nothing (STYLE §6). An item's row is made by the
first write that needs it; every write moves the row to its next revision, so that two people
acting on the same version cannot both win (`measures.actions.claim_revision`)."""

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from assessments.stamp import figures_changed
from measures.actions import claim_revision
from oit.models import ChecklistEvidence, ChecklistItem, ChecklistStepEvent, PublicPage, Status, Step

# step: (the statuses it starts from, the status it leads to)
TRANSITIONS = {
    Step.SUBMIT: ({Status.NOT_STARTED, Status.IN_PROGRESS}, Status.READY),
    Step.RETURN: ({Status.READY}, Status.IN_PROGRESS),
    Step.APPROVE: ({Status.READY}, Status.APPROVED),
    Step.REOPEN: ({Status.APPROVED}, Status.IN_PROGRESS),
}
NEEDS_REASON = {Step.RETURN, Step.REOPEN}


class ItemChanged(Exception):
    """Someone changed the item after the version the user acted on was loaded."""


def row_for(agency, year, item):
    """The item's row of the agency's year, made (not started) when there is none yet."""
    row, _created = ChecklistItem.objects.get_or_create(agency=agency, fiscal_year=year, item=item)
    return row


@transaction.atomic
def do_save_assignment(form, *, agency, year, item):
    row = row_for(agency, year, item)
    row.unit = form.cleaned_data["unit"]
    row.person = form.cleaned_data["person"]
    row.due_date = form.cleaned_data["due_date"]
    row.revision += 1
    row.save()
    figures_changed()  # the dashboards count items by status and due date
    return row


@transaction.atomic
def do_add_evidence(form, *, agency, year, item, user):
    row = row_for(agency, year, item)
    if row.locked:
        raise ItemChanged
    data = form.cleaned_data
    evidence = ChecklistEvidence(
        checklist_item=row,
        label=data["label"],
        url=data["url"],
        public=data["public"],
        order=row.evidence.count(),
    )
    if data["file"]:
        upload, content_type = data["file"]
        evidence.file.save(upload.name, File(upload), save=False)
        evidence.file_name, evidence.content_type = upload.name, content_type
    evidence.save()
    # Work on the item has begun; the copy from last year has been looked at.
    ChecklistItem.objects.filter(pk=row.pk, status=Status.NOT_STARTED).update(status=Status.IN_PROGRESS)
    ChecklistItem.objects.filter(pk=row.pk).update(to_check=False, revision=row.revision + 1)
    figures_changed()
    return evidence


@transaction.atomic
def do_remove_evidence(evidence):
    row = evidence.checklist_item
    if row.locked:
        raise ItemChanged
    evidence.delete()  # the stored file stays, as a progress report's do, for the audit trail
    ChecklistItem.objects.filter(pk=row.pk).update(revision=row.revision + 1)


@transaction.atomic
def do_step(*, agency, year, item, step, user, revision, comment=""):
    """Take a review step on the item; ItemChanged when it moved on since `revision`, and
    ValidationError when the step cannot be taken from where it stands."""
    row = row_for(agency, year, item)
    starts, leads_to = TRANSITIONS[step]
    if not claim_revision(ChecklistItem, row.pk, revision):
        raise ItemChanged
    if row.status not in starts:
        raise ValidationError(
            _("This step cannot be taken now: the item is “%(status)s”."), params={"status": row.get_status_display()}
        )
    if step == Step.SUBMIT and not row.evidence.exists():
        raise ValidationError(_("Add a link or a file before sending the item for review."))
    ChecklistItem.objects.filter(pk=row.pk).update(status=leads_to)
    figures_changed()
    return ChecklistStepEvent.objects.create(checklist_item=row, step=step, user=user, comment=comment)


@transaction.atomic
def do_save_public_page(form, *, agency, year):
    page, _created = PublicPage.objects.get_or_create(agency=agency, fiscal_year=year)
    page.frame_ancestors = form.cleaned_data["frame_ancestors"]
    if form.cleaned_data["publish"]:
        page.published = page.published or timezone.now()
    else:
        page.published = None
    page.save()
    return page


@transaction.atomic
def do_copy_checklist(*, agency, year, items):
    """Last year's assignments and evidence into `year` for the items of its framework (`items`)
    with the same code, each marked "to check": the NACC renames and moves items between years, and
    links move. Items already on this year's checklist are left as they are. Returns how many were copied."""
    by_code = {item.code.lower(): item for item in items}
    taken = set(ChecklistItem.objects.filter(agency=agency, fiscal_year=year).values_list("item__code", flat=True))
    taken = {code.lower() for code in taken}
    last_year = ChecklistItem.objects.filter(agency=agency, fiscal_year=year - 1).select_related("item")
    copied = 0
    for old in last_year.prefetch_related("evidence"):
        code = old.item.code.lower()
        if code not in by_code or code in taken:
            continue
        row = ChecklistItem.objects.create(
            agency=agency, fiscal_year=year, item=by_code[code], unit=old.unit, person=old.person, to_check=True
        )
        ChecklistEvidence.objects.bulk_create(
            ChecklistEvidence(
                checklist_item=row,
                label=piece.label,
                url=piece.url,
                file=piece.file.name,  # the same stored file: evidence files are never deleted
                file_name=piece.file_name,
                content_type=piece.content_type,
                public=piece.public,
                order=piece.order,
            )
            for piece in old.evidence.all()
        )
        copied += 1
    figures_changed()
    return copied
