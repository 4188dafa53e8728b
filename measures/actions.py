"""Writes that touch several rows at once, all or nothing (STYLE §6)."""

import datetime
import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F, Max, Model
from django.forms import BaseInlineFormSet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.utils import bulk_create_with_history

from assessments.models import Agency, FrameworkVersion
from measures.counts import refresh_progress
from measures.evidence import EXTENSIONS
from measures.forms import NO_LEAD_UNIT, EntryForm, MeasureForm
from measures.models import (
    LOCKED_STATES,
    Action,
    Evidence,
    ImprovementHeader,
    Measure,
    ProgressEntry,
    ReportingRound,
    ReviewEvent,
    RoundKind,
    State,
)


@transaction.atomic
def ensure_rounds(*, agency: Agency, fiscal_year: int) -> list[ReportingRound]:
    """The year's rounds, saving the default of each kind not saved yet (ReportingRound.default)."""
    rounds = []
    for kind in RoundKind:  # type: ignore[attr-defined]  # an Enum, but Django ships no type information
        default = ReportingRound.default(agency, fiscal_year, kind)
        round_, _created = ReportingRound.objects.get_or_create(
            agency=agency,
            fiscal_year=fiscal_year,
            kind=kind,
            defaults={"due_date": default.due_date, "active": default.active},
        )
        rounds.append(round_)
    return rounds


@transaction.atomic
def sync_entries(*, measure: Measure) -> None:
    """One entry per active round and responsible unit. Entries of units no longer responsible,
    and of rounds no longer active, are removed only while nothing was reported in them."""
    ensure_rounds(agency=measure.agency, fiscal_year=measure.fiscal_year)
    units = measure.responsible_units()
    rounds = ReportingRound.objects.filter(agency=measure.agency, fiscal_year=measure.fiscal_year, active=True)
    existing = set(measure.entries.values_list("round_id", "unit_id"))
    # With history, so that the audit trail of an entry starts from its empty first version.
    bulk_create_with_history(
        [
            ProgressEntry(measure=measure, round=round_, unit=unit)
            for round_ in rounds
            for unit in units
            if (round_.pk, unit.pk) not in existing
        ],
        ProgressEntry,
    )
    untouched = measure.entries.exclude(unit__in=units, round__active=True).filter(
        state=State.DRAFT,
        result="",
        obstacles="",
        suggestions="",
        percent=0,
        activities__isnull=True,
        evidence__isnull=True,
    )
    untouched.delete()
    refresh_progress([measure.agency_id])


def claim_revision(model: type[Model], pk: int, revision: int) -> bool:
    """Move a row from `revision` to the next one; False when someone saved it in between.

    One conditional UPDATE, so two people saving the same form at once cannot both win.
    """
    return model.objects.filter(pk=pk, revision=revision).update(revision=F("revision") + 1) == 1


TRANSITIONS = {
    Action.SUBMIT: ({State.DRAFT, State.RETURNED}, State.SUBMITTED),
    Action.RETURN: ({State.SUBMITTED}, State.RETURNED),
    Action.APPROVE: ({State.SUBMITTED}, State.APPROVED),
    Action.REOPEN: ({State.APPROVED}, State.RETURNED),
    # The unit takes its report back to change it, until the office has returned or approved it.
    Action.WITHDRAW: ({State.SUBMITTED}, State.DRAFT),
}


class EntryChanged(Exception):
    """The entry was saved, or moved through the review, after the reviewer loaded the version
    they are acting on; `entry` is the current one."""

    def __init__(self, entry: ProgressEntry) -> None:
        super().__init__(entry)
        self.entry = entry


@transaction.atomic
def do_review_step(
    *, entry: ProgressEntry, action: Action, user: User, revision: int | None = None, comment: str = ""
) -> ProgressEntry:
    """Move an entry through the workflow and record the step. Returning and reopening need a reason.

    `revision` is the version of the entry the reviewer saw: when anyone saved it or took a step
    since, nothing is done and EntryChanged is raised. The pages always pass it; None (the demo,
    commands) takes the step on the entry as it is now.
    """
    allowed_from, new_state = TRANSITIONS[action]
    # The check and the write under one row lock (on SQLite, the write lock that an IMMEDIATE
    # transaction takes at its start), so two simultaneous steps are taken one after the other
    # and the second sees the first.
    entry = ProgressEntry.objects.select_for_update().get(pk=entry.pk)
    if entry.state not in allowed_from and action == Action.WITHDRAW:
        raise ValidationError(
            _("This report is %(state)s, no longer waiting for review, so it cannot be withdrawn."),
            params={"state": entry.get_state_display()},
        )
    if entry.state not in allowed_from:
        raise ValidationError(
            _("This entry is %(state)s; it cannot be %(action)s now."),
            params={"state": entry.get_state_display(), "action": Action(action).label.lower()},
        )
    if revision is not None and entry.revision != revision:
        raise EntryChanged(entry)
    if action in (Action.RETURN, Action.REOPEN) and not comment.strip():
        raise ValidationError(_("Give a reason."))
    entry.state = new_state
    entry.revision += 1
    entry.save(update_fields=["state", "revision", "updated"])
    ReviewEvent.objects.create(entry=entry, action=action, user=user, comment=comment.strip())
    refresh_progress([entry.measure.agency_id])
    return entry


@transaction.atomic
def do_remove_evidence(*, evidence: Evidence, user: User) -> None:
    """Take a file off its entry, unless the entry was approved meanwhile. The entry moves to a
    new revision first, so that a reviewer who saw the file cannot approve the entry without it
    unawares, and the trail dates the removal after that revision. The stored file stays for the
    audit trail."""
    entry = ProgressEntry.objects.select_for_update().get(pk=evidence.entry_id)
    if entry.state == State.SUBMITTED:
        raise ValidationError(
            _("This report is with the integrity office for review; withdraw the submission to remove its files.")
        )
    if entry.measure.withdrawn is not None:
        raise ValidationError(_("This measure was withdrawn from the plan; its reports can no longer be changed."))
    if entry.locked:
        raise ValidationError(_("This report was approved meanwhile; its files can no longer be removed."))
    entry.revision += 1
    entry.updated_by = user
    entry.save(update_fields=["revision", "updated_by", "updated"])
    evidence.delete()


@transaction.atomic
def do_copy_plan(*, agency: Agency, from_year: int, to_year: int, seen: int) -> list[Measure] | None:
    """Copy last year's measures into this year's plan, as drafts to adapt (each marked to review
    until an editor saves or confirms it); returns the copies.

    Copies only while this year's plan still has the `seen` measures the editor was shown;
    otherwise (a second click, or someone else copied or added a measure meanwhile) copies
    nothing and returns None. A measure without a lead unit (saved before one was required) is
    left out rather than given a guessed one: `leaderless` names them for the editor.
    """
    # A second copy of the same agency's plan waits here for the first to commit, then counts
    # its measures (PostgreSQL). SQLite's IMMEDIATE transaction has already serialised writers.
    Agency.objects.select_for_update().get(pk=agency.pk)
    if Measure.objects.for_plan(agency, to_year).count() != seen:
        return None
    copies = []
    # Withdrawn measures stay behind: they were dropped from last year's plan.
    sources = Measure.objects.for_plan(agency, from_year).filter(lead_unit__isnull=False)
    for measure in sources.prefetch_related("indicators", "items", "supporting_units"):
        numbers = [i.number for i in measure.indicators.all()]
        codes = [i.code for i in measure.items.all()]
        supporting = list(measure.supporting_units.all())
        source_pk = measure.pk
        measure.pk = None
        measure._state.adding = True
        measure.fiscal_year = to_year
        measure.copied_from_id = source_pk
        measure.to_review = True
        measure.revision = 0
        if measure.start_date and measure.end_date:
            measure.start_date = shift_year(measure.start_date)
            measure.end_date = shift_year(measure.end_date)
        measure.save()
        # Indicators and items belong to the framework of the results the plan answers (the
        # year before the plan): carry them over by number and code where that framework has them.
        version = FrameworkVersion.objects.for_year(to_year - 1)
        if version:
            measure.indicators.set(version.indicators.filter(number__in=numbers))
            measure.items.set(version.items.filter(code__in=codes))
        measure.supporting_units.set(supporting)
        sync_entries(measure=measure)
        copies.append(measure)
    return copies


def leaderless(agency: Agency, fiscal_year: int) -> list[str]:
    """The names of the plan's measures that have no lead unit, which do_copy_plan leaves out."""
    return list(
        Measure.objects.for_plan(agency, fiscal_year).filter(lead_unit__isnull=True).values_list("name", flat=True)
    )


def shift_year(date: datetime.date) -> datetime.date:
    try:
        return date.replace(year=date.year + 1)
    except ValueError:  # 29 February
        return date.replace(year=date.year + 1, day=28)


def overdue_days(entry: ProgressEntry, today: datetime.date | None = None) -> int:
    return ((today or timezone.localdate()) - entry.round.due_date).days


@transaction.atomic
def do_save_entry(
    *,
    form: EntryForm,
    activities: BaseInlineFormSet,
    files: Iterable[tuple[UploadedFile, str]],
    description: str = "",
    revision: int,
    user: User,
) -> bool:
    """Save a unit's report as one change: its fields (`form`), dated activities (`activities`,
    an inline formset) and new evidence (`files`: (upload, content type) pairs, already checked).

    Saves nothing and returns False when someone saved the entry, or moved it through the
    review, after the user loaded `revision`, or when it is locked (under review, approved, or its
    measure withdrawn);
    the caller shows the user's text again.
    """
    entry = form.instance
    unlocked = ProgressEntry.objects.exclude(state__in=LOCKED_STATES).filter(measure__withdrawn__isnull=True)
    if not unlocked.filter(pk=entry.pk, revision=revision).update(revision=F("revision") + 1):
        return False
    entry = form.save(commit=False)
    entry.revision = revision + 1
    entry.updated_by = user
    # Never the review state: only do_review_step moves it.
    entry.save(update_fields=[*form._meta.fields, "revision", "updated_by", "updated"])
    activities.instance = entry
    activities.save()
    for upload, content_type in files:
        Evidence.objects.create(
            entry=entry,
            file=File(upload, name=f"{uuid.uuid4().hex}{EXTENSIONS[content_type]}"),
            name=upload.name[-255:],
            content_type=content_type,
            size=upload.size,
            description=description,
            uploaded_by=user,
        )
    refresh_progress([entry.measure.agency_id])
    return True


@transaction.atomic
def do_save_measure(*, form: MeasureForm) -> Measure | None:
    """Save a measure from its valid form (a MeasureForm) with its indicators, items and units, and
    bring its progress entries in line: one per active round and responsible unit.

    A new measure goes last in its plan. An existing one is saved only if nobody saved it after
    the editor loaded the form's `revision`: otherwise nothing is saved and None is returned.
    """
    measure = form.save(commit=False)
    if measure.lead_unit_id is None:
        # The form refuses this (MeasureForm); a caller that skipped it must not save the measure.
        raise ValidationError(NO_LEAD_UNIT)
    if measure.pk is None:
        last = Measure.objects.for_plan(measure.agency, measure.fiscal_year).aggregate(Max("order"))["order__max"]
        measure.order = 0 if last is None else last + 1
    else:
        revision = form.cleaned_data["revision"]
        if not claim_revision(Measure, measure.pk, revision):
            return None
        measure.revision = revision + 1
    # Saving the form is the editor's review of a measure copied from last year.
    measure.to_review = False
    measure.save()
    measure.indicators.set(form.cleaned_data["indicators"])
    measure.items.set(form.cleaned_data["items"])
    measure.supporting_units.set(form.cleaned_data["supporting_units"])
    sync_entries(measure=measure)
    return measure


@transaction.atomic
def do_save_rounds(*, agency: Agency, fiscal_year: int, values: Mapping[str, dict[str, Any]]) -> None:
    """Save the year's reporting rounds, `values` {kind: {"due_date": …, "active": …}}, creating
    those not saved yet, and bring the entries of every measure of the plan in line with them."""
    for kind, fields in values.items():
        # get_or_create: two editors saving a new year at once make one set of rounds.
        round_, created = ReportingRound.objects.get_or_create(
            agency=agency, fiscal_year=fiscal_year, kind=kind, defaults=fields
        )
        if not created and any(getattr(round_, name) != value for name, value in fields.items()):
            for name, value in fields.items():
                setattr(round_, name, value)
            round_.save(update_fields=list(fields))
    measures = Measure.objects.for_plan(agency, fiscal_year).select_related("agency", "lead_unit")
    for measure in measures.prefetch_related("supporting_units"):
        sync_entries(measure=measure)


@transaction.atomic
def do_save_improvement_header(*, agency: Agency, fiscal_year: int, values: Mapping[str, Any], user: User) -> None:
    """Store what the office chose for the header of the year's improvement plan (`values`, from
    `ImprovementHeaderForm.chosen`). A plan with nothing chosen and nothing saved before gets no
    row: its document keeps printing the computed values."""
    header = ImprovementHeader.objects.select_for_update().filter(agency=agency, fiscal_year=fiscal_year).first()
    if header is None:
        if not any(values.values()):
            return
        # get_or_create: two editors saving a plan's first header at once make one row.
        header, _created = ImprovementHeader.objects.get_or_create(agency=agency, fiscal_year=fiscal_year)
    elif all(getattr(header, name) == value for name, value in values.items()):
        return  # nothing changed: no new line in the history
    for name, value in values.items():
        setattr(header, name, value)
    header.updated_by = user
    header.save()


@transaction.atomic
def do_withdraw_measure(*, measure: Measure, user: User, reason: str) -> None:
    """Withdraw a measure from its plan (Measure.withdraw) and take it out of the stored counts."""
    measure.withdraw(user=user, reason=reason)
    refresh_progress([measure.agency_id])


@transaction.atomic
def do_restore_measure(*, measure: Measure) -> None:
    """Put a withdrawn measure back into its plan (Measure.restore) and into the stored counts."""
    measure.restore()
    refresh_progress([measure.agency_id])
