"""The stored counts of plans and reports that pages showing many agencies read (the dashboard):
`PlanSummary`, `MeasureStanding` and `UnitRoundCount`.

They are kept up to date by the actions that change measures and entries (measures.actions, the
withdraw and restore of a measure), inside the action's transaction: each recounts the whole of
the agency it touched, a few dozen rows, with the same rules the plan page applies
(`MeasureQuerySet.with_completion`), so a stored figure never differs from a recount.
"""

from collections.abc import Iterable

from django.db import transaction
from django.db.models import Count, Q

from assessments.stamp import figures_changed
from measures.models import (
    OPEN,
    Measure,
    MeasureStanding,
    PlanIndicatorCount,
    PlanSummary,
    ProgressEntry,
    State,
    UnitRoundCount,
)

# Agencies recounted per set of queries when every agency is (the migration, the demo data).
CHUNK = 500


@transaction.atomic
def refresh_progress(agency_ids: Iterable[int]) -> None:
    """Recount the plans, measures and reports of these agencies (every fiscal year)."""
    agencies = sorted(set(agency_ids))
    if not agencies:
        return
    refresh_plans(agencies)
    refresh_unit_counts(agencies)
    figures_changed()


def refresh_all() -> None:
    """Recount every agency's figures, CHUNK agencies at a time (after bulk loads)."""
    agencies = sorted(set(Measure.objects.values_list("agency", flat=True).distinct()))
    PlanSummary.objects.exclude(agency__in=agencies).delete()
    UnitRoundCount.objects.exclude(round__agency__in=agencies).delete()
    for start in range(0, len(agencies), CHUNK):
        refresh_progress(agencies[start : start + CHUNK])


def refresh_plans(agencies: list[int]) -> None:
    rows = list(
        Measure.objects.filter(agency__in=agencies)
        .with_completion()
        .order_by()
        .values("pk", "agency", "fiscal_year", "withdrawn", "latest_round", "done", "latest_percent", "kpi_result")
    )
    targets = dict(Measure.objects.filter(agency__in=agencies).values_list("pk", "target_percent"))
    counted: dict[tuple[int, int], dict[str, int]] = {}
    for row in rows:
        plan = counted.setdefault((row["agency"], row["fiscal_year"]), {"measures": 0, "done": 0, "reported": 0})
        if row["withdrawn"] is None:
            plan["measures"] += 1
            plan["done"] += bool(row["done"])
            plan["reported"] += row["latest_round"] is not None
    PlanSummary.objects.filter(agency__in=agencies).delete()  # its standings go with it
    summaries = PlanSummary.objects.bulk_create(
        PlanSummary(agency_id=agency, fiscal_year=year, **figures) for (agency, year), figures in counted.items()
    )
    plan_ids = {(s.agency_id, s.fiscal_year): s.pk for s in summaries}
    if None in plan_ids.values():  # a database that does not return ids from bulk_create
        plan_ids = {(s.agency_id, s.fiscal_year): s.pk for s in PlanSummary.objects.filter(agency__in=agencies)}
    MeasureStanding.objects.bulk_create(
        MeasureStanding(
            measure_id=row["pk"],
            plan_id=plan_ids[(row["agency"], row["fiscal_year"])],
            current=row["withdrawn"] is None,
            latest_round_id=row["latest_round"],
            done=bool(row["done"]),
            latest_percent=row["latest_percent"],
            kpi_result=row["kpi_result"],
            off_target=(
                row["kpi_result"] is not None
                and targets[row["pk"]] is not None
                and row["kpi_result"] < targets[row["pk"]]
            ),
        )
        for row in rows
    )
    refresh_indicator_counts({row["pk"]: row for row in rows if row["withdrawn"] is None}, plan_ids)


def refresh_indicator_counts(current: dict[int, dict], plan_ids: dict[tuple[int, int], int]) -> None:
    """PlanIndicatorCount of the plans, from their `current` measures' rows ({measure id: row})."""
    Answers = Measure.indicators.through
    answers = Answers.objects.filter(measure__in=list(current)).values_list(
        "measure", "indicator__number", "indicator__name_th"
    )
    counted: dict[tuple[int, int], PlanIndicatorCount] = {}
    seen = set()
    for measure, number, name in answers.order_by("measure", "indicator__number", "indicator"):
        if (measure, number) in seen:  # each measure counts once per indicator number
            continue
        seen.add((measure, number))
        row = current[measure]
        plan = plan_ids[(row["agency"], row["fiscal_year"])]
        count = counted.setdefault((plan, number), PlanIndicatorCount(plan_id=plan, number=number, name=name))
        count.name = min(count.name, name)
        count.measures += 1
        if row["latest_round"] is not None:
            count.reported += 1
        if row["latest_percent"] is not None:
            count.percent_total += row["latest_percent"]
    PlanIndicatorCount.objects.bulk_create(counted.values())


def refresh_unit_counts(agencies: list[int]) -> None:
    counts = (
        ProgressEntry.objects.current()
        .filter(round__agency__in=agencies)
        .order_by()
        .values("round", "unit")
        .annotate(open=Count("pk", filter=OPEN), waiting=Count("pk", filter=Q(state=State.SUBMITTED)))
    )
    UnitRoundCount.objects.filter(round__agency__in=agencies).delete()
    UnitRoundCount.objects.bulk_create(
        UnitRoundCount(round_id=row["round"], unit_id=row["unit"], open=row["open"], waiting=row["waiting"])
        for row in counts
    )
