"""The measures part of the dashboard: how far each agency's current plan is done, progress per
indicator, the units with overdue reports and the measures whose KPI is off target.

A national overseer sees 8,323 agencies, 83,000 measures and 330,000 reports: the figures are read
from the counts the actions keep (`measures.counts`), the plans shown 50 a page, least done first,
and the longer lists cut to their first rows with their full count."""

import datetime

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.paginator import Paginator
from django.db.models import Count, F, FloatField, Min, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Abs, Cast

from assessments import access
from assessments.models import Agency
from assessments.thai import fiscal_year_of
from measures.models import (
    Measure,
    MeasureStanding,
    PlanIndicatorCount,
    PlanSummary,
    ReportingRound,
    Unit,
    UnitRoundCount,
    whole_percent,
)

PLANS_PER_PAGE = 50
UNITS_SHOWN = 20
OFF_TARGET_SHOWN = 20


def current_plan_summaries(agencies: QuerySet, fiscal_year: int) -> QuerySet:
    """The stored summary of each agency's current plan: of the plan years with measures, the one
    closest to `fiscal_year`, on a tie the earlier (as `MeasureQuerySet.of_current_plans` picks)."""
    closest = (
        PlanSummary.objects.filter(agency=OuterRef("agency"), measures__gt=0)
        .annotate(distance=Abs(F("fiscal_year") - fiscal_year))
        .order_by("distance", "fiscal_year")
        .values("pk")[:1]
    )
    return PlanSummary.objects.filter(agency__in=agencies, measures__gt=0, pk=Subquery(closest))


def measure_figures(user: AbstractBaseUser | AnonymousUser, today: datetime.date, page: str | None = None) -> dict:
    """The measures part of the dashboard over the measures and entries the user may see, in a
    fixed number of queries; `page` is the page of plans asked for (?plans_page=)."""
    if access.sees_plans_whole(user):
        return stored_figures(Agency.objects.visible_to(user), today, page)
    return recounted_figures(user, today, page)


def stored_figures(agencies: QuerySet, today: datetime.date, page: str | None) -> dict:
    """The figures from the stored counts, for a user who sees whole plans of `agencies`."""
    plans = current_plan_summaries(agencies, fiscal_year_of(today))
    totals = plans.aggregate(agencies=Count("pk"), measures=Sum("measures"), done=Sum("done"))
    least_done_first = (
        plans.annotate(percent=Cast(F("done"), FloatField()) / F("measures"))
        .order_by("percent", "agency__name_th", "agency_id")
        .values("agency__code", "agency__name_th", "agency__short_name", "fiscal_year")
        .annotate(total=F("measures"), done_count=F("done"))
    )
    standings = MeasureStanding.objects.filter(current=True, plan__in=plans.values("pk"))
    off_target = standings.filter(off_target=True)
    shown = list(
        off_target.select_related("measure__agency").order_by("measure__agency__name_th", "measure__order", "pk")[
            :OFF_TARGET_SHOWN
        ]
    )
    for standing in shown:
        standing.measure.kpi_result = standing.kpi_result
    return {
        **plan_page(least_done_first, totals, page),
        "indicator_progress": indicator_progress(plans),
        **overdue_units(Q(unit__agency__in=agencies), today),
        "off_target": [standing.measure for standing in shown],
        "off_target_count": off_target.count(),
    }


def indicator_progress(plans: QuerySet) -> list[dict]:
    """Progress per indicator over the `plans` (PlanSummary): as `MeasureQuerySet.progress_by_indicator`
    gives it, from the stored counts of each plan."""
    rows = (
        PlanIndicatorCount.objects.filter(plan__in=plans.values("pk"))
        .values("number")
        .annotate(
            name=Min("name"), measures=Sum("measures"), reported=Sum("reported"), percent_total=Sum("percent_total")
        )
        .order_by("number")
    )
    return [
        {
            "indicators__number": row["number"],
            "name": row["name"],
            "measures": row["measures"],
            "reported": row["reported"],
            "percent": row["percent_total"] / row["reported"] if row["reported"] else None,
        }
        for row in rows
    ]


def overdue_units(visible: Q, today: datetime.date) -> dict:
    """The units with reports overdue (open, past due, in a round units report in, of a year still
    chased: `ProgressEntryQuerySet.overdue`) among the `visible` rows of UnitRoundCount, longest
    overdue first: the first UNITS_SHOWN and how many in all."""
    # The rounds first: most of a country's counts have entries open, few rounds are past due.
    # Joined from the units instead, SQLite read every open count (37 ms at 8,323 agencies, 2 ms so).
    rounds = ReportingRound.objects.filter(
        active=True, due_date__lt=today, fiscal_year__gte=fiscal_year_of(today) - 1
    ).values("pk")
    overdue = (
        UnitRoundCount.objects.filter(visible, open__gt=0, round__in=rounds)
        .values(
            "unit",
            "unit__name",
            "unit__abbreviation",
            "unit__agency__code",
            "unit__agency__short_name",
            "unit__agency__name_th",
        )
        .annotate(count=Sum("open"), oldest=Min("round__due_date"))
        .order_by("oldest", "unit__agency__code", "unit__name")
    )
    return {"overdue_units": list(overdue[:UNITS_SHOWN]), "overdue_unit_count": overdue.count()}


def recounted_figures(user: AbstractBaseUser | AnonymousUser, today: datetime.date, page: str | None) -> dict:
    """The figures counted from the measures and entries the user may see (unit staff: a few
    units' measures, so counting them is cheap), in the same shape as `stored_figures`."""
    current = Measure.objects.visible_to(user).of_current_plans(fiscal_year_of(today))
    plans = sorted(
        current.completion_by_agency(),
        key=lambda plan: (plan["done_count"] / plan["total"], plan["agency__name_th"], plan["agency"]),
    )
    totals = {
        "agencies": len(plans),
        "measures": sum(plan["total"] for plan in plans),
        "done": sum(plan["done_count"] for plan in plans),
    }
    off_target = list(
        current.with_completion()
        .filter(off_target=True)
        .select_related("agency")
        .order_by("agency__name_th", "order", "pk")
    )
    return {
        **plan_page(plans, totals, page),
        "indicator_progress": list(current.progress_by_indicator()),
        # The entries unit staff see are their units' (and all of agencies they read whole).
        **overdue_units(
            Q(unit__agency__in=Agency.objects.read_whole_by(user)) | Q(unit__in=Unit.objects.of_member(user)), today
        ),
        "off_target": off_target[:OFF_TARGET_SHOWN],
        "off_target_count": len(off_target),
    }


def plan_page(plans, totals: dict, page: str | None) -> dict:
    """The page of plans asked for (a bad number gives the nearest page), each with its percent
    done, and the totals over every plan."""
    totals = {key: value or 0 for key, value in totals.items()}
    totals["percent"] = whole_percent(100 * totals["done"] / totals["measures"]) if totals["measures"] else None
    paginator = Paginator(plans, PLANS_PER_PAGE)
    paginator.count = totals["agencies"]  # already counted with the totals
    plans_page = paginator.get_page(page)
    rows = list(plans_page.object_list)
    for plan in rows:
        plan["percent"] = whole_percent(100 * plan["done_count"] / plan["total"])
    return {
        "plan_totals": totals,
        "plans_page": plans_page,
        "plans_page_range": paginator.get_elided_page_range(plans_page.number),
        "plans": rows,
    }
