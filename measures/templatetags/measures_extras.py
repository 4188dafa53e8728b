"""Presentation helpers of the measures plan: the period grids and lookups templates cannot write."""

from django import template
from django.db.models import Sum
from django.db.models.functions import Coalesce

from assessments import access
from assessments.models import Agency
from assessments.thai import MONTHS_SHORT
from measures.models import FISCAL_MONTHS, UnitRoundCount, whole_percent

register = template.Library()


@register.filter
def month_cells(measure):
    """[(month abbreviation, runs then)] for ต.ค. … ก.ย., as the plan's month grid draws them."""
    months = set(measure.months or [])
    return [(MONTHS_SHORT[month - 1], month in months) for month in FISCAL_MONTHS]


@register.filter
def quarter_cells(measure):
    """[(quarter number, runs then)] for the four quarters of the fiscal year."""
    quarters = set(measure.quarters())
    return [(quarter, quarter in quarters) for quarter in (1, 2, 3, 4)]


@register.filter
def lookup(mapping, key):
    """mapping[key], or an empty list when the key is missing."""
    return mapping.get(key, []) if mapping else []


@register.filter
def reports_waiting(user):
    """How many reports wait for the user's review (the menu's badge); None for those who review
    nothing, who are not asked. One query over the stored counts (`measures.counts`), read once per
    request: a national administrator's badge would otherwise count 330,000 entries on every page."""
    if not access.reviews_any_agency(user):
        return None
    if not hasattr(user, "_reports_waiting"):
        counts = UnitRoundCount.objects.filter(waiting__gt=0)
        if not access.administers_all(user):
            counts = counts.filter(round__agency__in=Agency.objects.editable_by(user))
        # An administrator's is the country's: no join to the agencies (17 ms at 8,323 of them).
        user._reports_waiting = counts.aggregate(waiting=Coalesce(Sum("waiting"), 0))["waiting"]
    return user._reports_waiting


@register.filter
def lookup_count(mapping, key):
    """mapping[key], or 0 when the key is missing."""
    return mapping.get(key, 0) if mapping else 0


@register.filter
def percent(value):
    """A measure's or an indicator's percent complete as every page shows it (`whole_percent`)."""
    shown = whole_percent(value)
    return "" if shown is None else shown
