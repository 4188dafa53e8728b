"""The analysis of one agency's year, with the next year's measures that answer its weak items."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from assessments.access import get_assessment_for_user
from assessments.analysis import WEAK_TIERS, build_analysis
from assessments.forms import TierSettingsForm
from assessments.models import Assessment, FrameworkVersion
from measures.access import can_edit_plan, measures_for, role_in
from measures.plans import measures_by_item


@require_http_methods(["GET", "POST"])
def analysis(request: HttpRequest, code: str, year: int) -> HttpResponse:
    """The analysis of one agency's year; editors may change how items are sorted into tiers."""
    assessment, can_edit = get_assessment_for_user(request, code, year)
    form = TierSettingsForm(instance=assessment)
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied
        form = TierSettingsForm(request.POST, instance=assessment)
        if form.is_valid():
            form.save()
            messages.success(request, _("The tier settings were saved."))
            return redirect("analysis", code, year)

    # A separate copy of each year, so that a form that failed does not colour the page.
    history = list(Assessment.objects.history_of(assessment.agency))
    current = next(a for a in history if a.pk == assessment.pk)
    current.agency = assessment.agency
    report = build_analysis(current, history, FrameworkVersion.objects.by_id())
    sort = request.GET.get("sort")
    # The next year's measures that answer each item, for the weak tiers; unit staff see their units' only.
    role = role_in(request.user, assessment.agency)
    plan = measures_for(request.user, assessment.agency).filter(fiscal_year=year + 1)
    indicators = report.indicators
    if sort == "score":
        # Highest first, as the documents list them; indicators with no score last.
        indicators = sorted(indicators, key=lambda i: i[1].shown if i[1] and i[1].shown is not None else -1, reverse=True)
    return render(
        request,
        "dashboards/analysis.html",
        {
            "agency": assessment.agency,
            "report": report,
            "indicators": indicators,
            "sort": sort,
            "can_edit": can_edit,
            "form": form,
            "other_years": [a.fiscal_year for a in history],
            "weak_tiers": WEAK_TIERS,
            "plan_year": year + 1,
            "answering": measures_by_item(plan.prefetch_related("items").only("pk", "name")),
            "can_plan": can_edit_plan(role),
        },
    )
