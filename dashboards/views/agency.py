"""The agency page: who the agency is, its years (results and plans) and how its scores moved."""

from dataclasses import dataclass

from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from assessments import access
from assessments.models import Assessment
from assessments.views.agencies import trend_context
from measures.models import Measure
from measures.plans import plan_years


@dataclass
class Year:
    """One fiscal year of the agency: its results, if loaded, and its plan."""

    fiscal_year: int
    has_results: bool
    has_plan: bool  # measures or reporting rounds saved
    measures: int  # of the plan, those the user sees


def agency_years(agency, assessments, user):
    """Newest first, every year with results, with a plan, or after a year with results (the plan
    that answers them, written or not)."""
    results = {a.fiscal_year for a in assessments}
    plans = plan_years(agency)
    measures = dict(
        Measure.objects.visible_to(user)
        .filter(agency=agency)
        .values_list("fiscal_year")
        .annotate(count=Count("pk"))
        .order_by()
    )
    years = results | plans | {year + 1 for year in results}
    return [Year(year, year in results, year in plans, measures.get(year, 0)) for year in sorted(years, reverse=True)]


@require_GET
def agency(request: HttpRequest, code: str) -> HttpResponse:
    """Who the agency is, its years, and how its ITA scores moved over every year it has results for."""
    agency, rights = access.agency_for(request.user, code)
    assessments = list(Assessment.objects.history_of(agency))
    context = {
        "agency": agency,
        "assessments": assessments,
        "years_of_agency": agency_years(agency, assessments, request.user),
        "can_import": rights.can_edit,
        **trend_context(assessments),
    }
    return render(request, "dashboards/agency.html", context)
