"""The home page: per agency the user may see, its latest results, this fiscal year's plan and
where its current reporting round stands. Fifty agencies a page: a national overseer sees 8,323."""

import datetime
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from assessments import access
from assessments.models import Agency, Assessment, FrameworkVersion, Score
from assessments.thai import fiscal_year_of
from measures.models import Measure, ProgressEntry, ReportingRound, current_round

PER_PAGE = 50


@dataclass
class AgencyRow:
    """One agency on the home page."""

    agency: Agency
    assessment: Assessment | None  # its latest results, if any, with their stored headline figures
    computed_level: str  # where the published level differs from the computed one, the computed one
    measures: int  # this fiscal year's measures the user sees
    can_plan: bool  # the user may write the plan (so is offered to create or copy it)
    round: ReportingRound | None  # the current round of this fiscal year
    due: int = 0  # reports open in the current round, not yet late
    overdue: int = 0
    waiting: int = 0  # reports sent, waiting for review
    review_url: str = ""
    todo_url: str = ""  # where the due and overdue reports are worked through


def review_url(agency: Agency, year: int, *, reviews: bool) -> str:
    """Where the agency's reports waiting for review are read: the review queue for those who
    review them (the editors), the plan for everyone else."""
    if reviews:
        return reverse("review_queue") + f"?agency={agency.code}&year={year}"
    return reverse("plan", args=[agency.code, year])


def agency_rows(
    user: AbstractBaseUser | AnonymousUser, agencies: list[Agency], today: datetime.date
) -> list[AgencyRow]:
    """An AgencyRow for each of `agencies` (with `latest` prefetched, see `home`), counting only the
    measures and reports the user may see. A fixed number of queries, the counts grouped in SQL."""
    year = fiscal_year_of(today)
    specs = FrameworkVersion.objects.specs()
    measures = dict(
        Measure.objects.visible_to(user)
        .filter(agency__in=agencies, fiscal_year=year)
        .values_list("agency")
        .annotate(count=Count("pk"))
        .order_by()
    )
    editable = set(
        Agency.objects.editable_by(user).filter(pk__in=[a.pk for a in agencies]).values_list("pk", flat=True)
    )
    rounds = {pk: current_round(of_year, today) for pk, of_year in ReportingRound.of_years(agencies, year).items()}
    counts = {
        row["round__agency"]: row
        for row in ProgressEntry.objects.visible_to(user)
        .filter(round__agency__in=agencies)
        .counts_by_agency(today, [r.pk for r in rounds.values() if r and r.pk])
    }
    # Unit staff work through their reports on My updates; others read them on the plan.
    my_updates = reverse("my_updates") if access.has_units(user) else None
    rows = []
    for agency in agencies:
        assessment = agency.latest[0] if agency.latest else None
        count = counts.get(agency.pk, {})
        rows.append(
            AgencyRow(
                agency=agency,
                assessment=assessment,
                computed_level=computed_level(assessment, specs),
                measures=measures.get(agency.pk, 0),
                can_plan=agency.pk in editable,
                round=rounds[agency.pk],
                due=count.get("due", 0),
                overdue=count.get("overdue", 0),
                waiting=count.get("waiting", 0),
                review_url=review_url(agency, year, reviews=agency.pk in editable),
                todo_url=my_updates or reverse("plan", args=[agency.code, year]),
            )
        )
    return rows


def computed_level(assessment: Assessment | None, specs: dict) -> str:
    """The level the tool scores give, for an assessment whose published level differs from it
    (its scores prefetched, see `home`); the headline figures themselves are stored."""
    if assessment is None or not assessment.level_mismatch:
        return ""
    level = assessment.result(specs[assessment.version_id]).computed_level
    return level.name if level else ""


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """Where each of the user's agencies stands: results, this year's plan, the current round."""
    today = timezone.localdate()
    agencies = (
        Agency.objects.visible_to(request.user)
        .select_related("parent")
        .prefetch_related(
            Prefetch(
                "assessments",
                # Only a mismatched level needs the scores, to name the computed one.
                queryset=Assessment.objects.latest().prefetch_related(
                    Prefetch("scores", queryset=Score.objects.filter(assessment__level_mismatch=True))
                ),
                to_attr="latest",
            )
        )
        .order_by("name_th", "pk")
    )
    page = Paginator(agencies, PER_PAGE).get_page(request.GET.get("page"))  # a bad number: the nearest page
    return render(
        request,
        "dashboards/home.html",
        {
            "page": page,
            "page_range": page.paginator.get_elided_page_range(page.number),
            "rows": agency_rows(request.user, list(page.object_list), today),
            "fiscal_year": fiscal_year_of(today),
            "today": today,
        },
    )
