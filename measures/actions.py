"""Writes that touch several rows at once, all or nothing (STYLE §6)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from assessments.models import FrameworkVersion

from measures.models import (
    Action,
    Measure,
    ProgressEntry,
    ReportingRound,
    ReviewEvent,
    RoundKind,
    State,
    round_period,
)

QUARTERS = (RoundKind.Q1, RoundKind.Q2, RoundKind.Q3, RoundKind.Q4)


@transaction.atomic
def ensure_rounds(*, agency, fiscal_year):
    """The year's rounds: the four quarters reporting by default, the 6- and 12-month rounds
    ready to switch on. Each is due on the last day of its period."""
    rounds = []
    for kind in RoundKind:
        round_, _created = ReportingRound.objects.get_or_create(
            agency=agency,
            fiscal_year=fiscal_year,
            kind=kind,
            defaults={"due_date": round_period(kind, fiscal_year)[1], "active": kind in QUARTERS},
        )
        rounds.append(round_)
    return rounds


@transaction.atomic
def sync_entries(*, measure):
    """One entry per active round and responsible unit. Entries of units no longer responsible
    are removed only while nothing was reported in them."""
    ensure_rounds(agency=measure.agency, fiscal_year=measure.fiscal_year)
    units = measure.responsible_units()
    rounds = ReportingRound.objects.filter(agency=measure.agency, fiscal_year=measure.fiscal_year, active=True)
    existing = set(measure.entries.values_list("round_id", "unit_id"))
    ProgressEntry.objects.bulk_create(
        [
            ProgressEntry(measure=measure, round=round_, unit=unit)
            for round_ in rounds
            for unit in units
            if (round_.pk, unit.pk) not in existing
        ]
    )
    untouched = measure.entries.exclude(unit__in=units).filter(
        state=State.DRAFT, result="", obstacles="", suggestions="", percent=0, activities__isnull=True, evidence__isnull=True
    )
    untouched.delete()


def claim_revision(model, pk, revision):
    """Move a row from `revision` to the next one; False when someone saved it in between.

    One conditional UPDATE, so two people saving the same form at once cannot both win.
    """
    return model.objects.filter(pk=pk, revision=revision).update(revision=F("revision") + 1) == 1


TRANSITIONS = {
    Action.SUBMIT: ({State.DRAFT, State.RETURNED}, State.SUBMITTED),
    Action.RETURN: ({State.SUBMITTED}, State.RETURNED),
    Action.APPROVE: ({State.SUBMITTED}, State.APPROVED),
    Action.REOPEN: ({State.APPROVED}, State.RETURNED),
}


@transaction.atomic
def do_review_step(*, entry, action, user, comment=""):
    """Move an entry through the workflow and record the step. Returning and reopening need a reason."""
    allowed_from, new_state = TRANSITIONS[action]
    entry = ProgressEntry.objects.select_for_update().get(pk=entry.pk)
    if entry.state not in allowed_from:
        raise ValidationError(_("This entry is %(state)s; it cannot be %(action)s now."), params={
            "state": entry.get_state_display(), "action": Action(action).label.lower()})
    if action in (Action.RETURN, Action.REOPEN) and not comment.strip():
        raise ValidationError(_("Give a reason."))
    entry.state = new_state
    entry.revision += 1
    entry.save(update_fields=["state", "revision", "updated"])
    ReviewEvent.objects.create(entry=entry, action=action, user=user, comment=comment.strip())
    return entry


@transaction.atomic
def do_copy_plan(*, agency, from_year, to_year):
    """Copy last year's measures into this year's plan, as drafts to adapt; returns the copies."""
    copies = []
    for measure in Measure.objects.filter(agency=agency, fiscal_year=from_year).prefetch_related(
        "indicators", "items", "supporting_units"
    ):
        numbers = [i.number for i in measure.indicators.all()]
        codes = [i.code for i in measure.items.all()]
        supporting = list(measure.supporting_units.all())
        source_pk = measure.pk
        measure.pk = None
        measure._state.adding = True
        measure.fiscal_year = to_year
        measure.copied_from_id = source_pk
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


def shift_year(date):
    try:
        return date.replace(year=date.year + 1)
    except ValueError:  # 29 February
        return date.replace(year=date.year + 1, day=28)


def overdue_days(entry, today=None):
    return ((today or timezone.localdate()) - entry.round.due_date).days
