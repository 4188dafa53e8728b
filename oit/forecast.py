"""The readiness forecast: the OIT the agency would score if the NACC gave 100 to every item the
integrity office has approved and 0 to the rest, and the overall score and level that would
follow with the agency's latest IIT and EIT results. The same scoring engine as the results."""

from dataclasses import dataclass
from decimal import Decimal

from assessments.models import Assessment, FrameworkVersion
from assessments.scoring import OVERALL, compute, indicator_code
from oit.models import Status

# The figures of the latest results that the forecast keeps: IIT, and EIT whole and in its parts.
KEPT = (("IIT", 0), ("EIT", 0), ("EIT", 1), ("EIT", 2))


@dataclass(frozen=True)
class Forecast:
    indicators: list  # [(number, score)] of the OIT's indicators
    oit: Decimal | None
    overall: Decimal | None
    level: str
    based_on: int | None  # the fiscal year of the IIT and EIT results used


def readiness_forecast(agency, year, version, items, rows):
    """The forecast of the agency's checklist of `year` (items: the version's o items; rows: {item
    id: checklist row}); None without a framework."""
    if version is None or not items:
        return None
    spec = FrameworkVersion.objects.with_spec_data().get(pk=version.pk).spec
    figures = {
        (item.code, 0): Decimal(100 if (row := rows.get(item.pk)) and row.status == Status.APPROVED else 0)
        for item in items
    }
    latest = (
        Assessment.objects.filter(agency=agency, fiscal_year__lt=year)
        .select_related("version")
        .prefetch_related("scores")
        .order_by("-fiscal_year")
        .first()
    )
    if latest:
        earlier = latest.result(FrameworkVersion.objects.with_spec_data().get(pk=latest.version_id).spec)
        figures.update({key: value for key in KEPT if (value := earlier.shown(*key)) is not None})
    result = compute(spec, figures)
    numbers = sorted({item.indicator.number for item in items})
    level = result.level
    return Forecast(
        indicators=[(number, result.shown(indicator_code(number))) for number in numbers],
        oit=result.shown("OIT"),
        overall=result.shown(OVERALL),
        level=level.name if level else "",
        based_on=latest.fiscal_year if latest else None,
    )
