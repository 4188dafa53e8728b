"""My updates: what the user's units still have to report, most pressing first, and what they sent."""

from dataclasses import dataclass

from django.db.models import BooleanField, ExpressionWrapper
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from assessments.thai import fiscal_year_of
from measures.actions import overdue_days
from measures.models import ProgressEntry, State, Unit, chased_years


@dataclass
class RoundGroup:
    round: object
    entries: list
    kind: str  # "current" (running today), "next" (the next to fall due) or "overdue"


@dataclass
class OlderYear:
    """Open reports of a year no longer chased, folded away so that the page stays short."""

    fiscal_year: int
    entries: list


def older_years(entries):
    """The entries grouped by fiscal year, newest year first."""
    by_year = {}
    for entry in entries:
        by_year.setdefault(entry.round.fiscal_year, []).append(entry)
    return [OlderYear(year, by_year[year]) for year in sorted(by_year, reverse=True)]


def due_groups(entries, today):
    """Open entries grouped by round, in the order a unit works through them: the rounds running
    today (or, when none is, the next to fall due), then the overdue rounds, oldest first.
    Rounds due later are left out until their turn comes."""
    by_round = {}
    for entry in entries:
        by_round.setdefault(entry.round_id, (entry.round, []))[1].append(entry)
    rounds = sorted((round_ for round_, _entries in by_round.values()), key=lambda r: (r.due_date, r.agency_id, r.pk))
    current, kind = [r for r in rounds if r.period[0] <= today <= r.due_date], "current"
    if not current:
        upcoming = [r for r in rounds if r.due_date >= today]
        current, kind = [r for r in upcoming if r.due_date == upcoming[0].due_date] if upcoming else [], "next"
    overdue = [r for r in rounds if r.due_date < today]
    return [RoundGroup(r, by_round[r.pk][1], kind) for r in current] + [
        RoundGroup(r, by_round[r.pk][1], "overdue") for r in overdue
    ]


@require_GET
def my_updates(request):
    """A unit member's to-do list: the reports their units owe, with a link to each form."""
    today = timezone.localdate()
    units = list(Unit.objects.of_member(request.user).select_related("agency").order_by("agency__code", "name"))
    mine = (
        ProgressEntry.objects.for_unit_member(request.user)
        .filter(round__active=True)
        .select_related("measure", "round", "unit__agency")
    )
    open_entries = list(
        mine.open()
        .with_return_comment()
        .annotate(chased=ExpressionWrapper(chased_years(today), output_field=BooleanField()))
        .order_by("round__due_date", "measure__order", "measure__pk", "unit__name")
    )
    for entry in open_entries:
        entry.days_late = overdue_days(entry, today)
        entry.days_left = -entry.days_late
    groups = due_groups([e for e in open_entries if e.chased], today) if units else []
    older = older_years([e for e in open_entries if not e.chased]) if units else []
    years = {group.round.fiscal_year for group in groups} | {fiscal_year_of(today)}
    sent = list(
        mine.exclude(state__in=[State.DRAFT, State.RETURNED])
        .filter(round__fiscal_year__in=years)
        .order_by("-round__fiscal_year", "-round__due_date", "measure__order", "measure__pk", "unit__name")
    )
    return render(
        request,
        "measures/my_updates.html",
        {
            "units": units,
            "groups": groups,
            "older_years": older,
            "sent": sent,
            "several_agencies": len({unit.agency_id for unit in units}) > 1,
            "later": len(open_entries)
            - sum(len(group.entries) for group in groups)
            - sum(len(year.entries) for year in older),
            "today": today,
        },
    )
