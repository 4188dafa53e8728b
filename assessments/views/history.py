"""The official results' history: every change to a year's scores, with who made it."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from assessments import access
from assessments.audit import results_trail


@require_GET
def results_history(request: HttpRequest, code: str, year: int) -> HttpResponse:
    """Changes to a year's official scores, with who made them; read only."""
    assessment, _rights = access.assessment_for(request.user, code, year)
    return render(
        request,
        "assessments/results_history.html",
        {"assessment": assessment, "agency": assessment.agency, "rows": results_trail(assessment)},
    )
