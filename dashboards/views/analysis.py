"""The analysis of one agency's year, with the next year's measures that answer its weak items."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from assessments import access
from assessments.analysis import WEAK_TIERS, build_analysis
from assessments.forms import TierSettingsForm
from assessments.models import Assessment, FrameworkVersion
from assessments.peers import peers_of
from dashboards.whatif import what_if_panel
from measures.models import Measure
from measures.plans import measures_by_indicator, measures_by_item, plan_years


@require_http_methods(["GET", "POST"])
def analysis(request: HttpRequest, code: str, year: int) -> HttpResponse:
    """The analysis of one agency's year; editors may change how items are sorted into tiers. A
    year with a plan but no results yet says so (and where to import them) instead of "not found"."""
    agency, assessment, rights = access.year_for(request.user, code, year)
    if assessment is None:
        if year not in plan_years(agency):
            raise Http404
        return render(
            request,
            "dashboards/results_not_loaded.html",
            {"agency": agency, "year": year, "can_import": rights.can_edit},
        )
    form = TierSettingsForm(instance=assessment)
    if request.method == "POST":
        access.require(rights.can_edit)
        form = TierSettingsForm(request.POST, instance=assessment)
        if form.is_valid():
            form.save()
            messages.success(request, _("The tier settings were saved."))
            return redirect("analysis", code, year)

    # A separate copy of each year, so that a form that failed does not colour the page.
    history = list(Assessment.objects.history_of(assessment.agency))
    current = next(a for a in history if a.pk == assessment.pk)
    current.agency = assessment.agency
    versions = FrameworkVersion.objects.by_id()
    report = build_analysis(current, history, versions)
    sort = request.GET.get("sort")
    # The next year's measures that answer each item (or each indicator, when the tiers list
    # indicators), for the weak tiers; unit staff see their units' only.
    plan = Measure.objects.visible_to(request.user).for_plan(assessment.agency, year + 1).only("pk", "name")
    if report.works_on == "indicators":
        answering = measures_by_indicator(plan.prefetch_related("indicators"))
    else:
        answering = measures_by_item(plan.prefetch_related("items"))
    indicators = report.indicators
    if sort == "score":
        # Highest first, as the documents list them; indicators with no score last.
        indicators = sorted(
            indicators, key=lambda i: i[1].shown if i[1] and i[1].shown is not None else -1, reverse=True
        )
    return render(
        request,
        "dashboards/analysis.html",
        {
            "agency": assessment.agency,
            "report": report,
            "indicators": indicators,
            "sort": sort,
            "can_edit": rights.can_edit,
            "form": form,
            "other_years": [a.fiscal_year for a in history],
            "weak_tiers": WEAK_TIERS,
            "plan_year": year + 1,
            "answering": answering,
            "can_plan": access.can_edit_plan(rights.standing),
            "peers": peers_of(current, report),
            "what_if": what_if_panel(current, versions[current.version_id], request.GET),
        },
    )
