"""Presentation helpers of the measures plan: the period grids and lookups templates cannot write."""

from django import template

from assessments.thai import MONTHS_SHORT
from measures.models import FISCAL_MONTHS, whole_percent

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
def percent(value):
    """A measure's or an indicator's percent complete as every page shows it (`whole_percent`)."""
    shown = whole_percent(value)
    return "" if shown is None else shown
