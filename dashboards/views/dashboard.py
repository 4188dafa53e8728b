"""The executives' dashboard: every agency the user may see, its latest results (fifty a page) and its measures."""

import hashlib
from decimal import Decimal

from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET

from assessments import access
from assessments.analysis import TIER_LABELS, WeakFigure
from assessments.models import PASS_SCORE, Agency, Assessment, Figure, FigureKind, Indicator, Item, ToolPart
from assessments.stamp import kept
from dashboards.views.measure_progress import measure_figures
from oit.checklist import checklist_figures

WEAKEST_SHOWN = 10
CHANGES_SHOWN = 5
PER_PAGE = 50
# Up to this many agencies, the weakest figures are found from each agency's own (see
# FigureQuerySet.weakest); a province's hundred took 22 ms so, a country's 8,323 over 100 ms.
FEW = 1000
# Matches no row, yet the query runs (an empty `pk__in` would skip it): the page's queries stay
# the same in number whether or not there is a figure to look up.
NONE = Q(pk__isnull=True)
# How long a dashboard is kept at most. The figures' stamp drops it as soon as results or progress
# change; what the stamp does not follow (an agency renamed, a framework's wording edited) shows
# within this time.
KEPT_FOR = 300


def weakest_rows(latest: QuerySet[Assessment], *, few: bool = False) -> tuple[list[dict], list[dict]]:
    """(indicators, items): the weakest figures across the `latest` assessments, as rows.

    Read from the figures each assessment keeps (Figure, refreshed with its summary), not scored
    per request: a fixed number of queries and work that does not grow with the agencies.
    Indicators are compared with the agency's year before; item lists differ between framework
    versions, so items are not. `few`: see FigureQuerySet.weakest.
    """
    weakest = list(Figure.objects.weakest(FigureKind.INDICATOR, latest, WEAKEST_SHOWN, few=few))
    previous = previous_figures(FigureKind.INDICATOR, [f.assessment for f in weakest])
    names = {(i.version_id, f"IND{i.number}"): i for i in Indicator.objects.all()}
    indicators = [
        {
            "figure": WeakFigure(
                f.assessment, f.code, f.part, f.shown, previous.get((f.assessment.agency_id, f.code, f.part))
            ),
            "assessment": f.assessment,
            "indicator": names.get((f.assessment.version_id, f.code)),
        }
        for f in weakest
    ]
    weakest = list(Figure.objects.weakest(FigureKind.ITEM, latest, WEAKEST_SHOWN, few=few))
    shown_items = NONE
    for f in weakest:
        shown_items |= Q(version=f.assessment.version_id, code=f.code)
    texts = {(i.version_id, i.code): i for i in Item.objects.filter(shown_items).select_related("indicator__tool")}
    part_labels = {
        (p.tool.version_id, p.tool_id, p.number): p.label_th for p in ToolPart.objects.select_related("tool")
    }
    items = []
    for f in weakest:
        assessment = f.assessment
        item = texts.get((assessment.version_id, f.code))
        tier = assessment.tier_rule.tier(f.shown)
        items.append(
            {
                "figure": WeakFigure(assessment, f.code, f.part, f.shown),
                "assessment": assessment,
                "item": item,
                "part_label": part_labels.get((assessment.version_id, item.indicator.tool_id, f.part), "")
                if item and f.part
                else "",
                "tier": tier,
                "tier_label": TIER_LABELS.get(tier, ""),
            }
        )
    return indicators, items


def previous_figures(kind: str, assessments: list[Assessment]) -> dict[tuple, Decimal]:
    """{(agency id, code, part): shown} of the figures of `kind` of each assessment's year before, in one query."""
    years_before = NONE
    for assessment in assessments:
        if assessment.previous_year:
            years_before |= Q(agency=assessment.agency_id, fiscal_year=assessment.previous_year)
    # Found by (agency, year) first, then their figures by assessment: each step on its own index.
    rows = Figure.objects.filter(kind=kind, assessment__in=Assessment.objects.filter(years_before).values("pk"))
    rows = rows.values_list("assessment__agency", "code", "part", "shown")
    return {(agency, code, part): shown for agency, code, part, shown in rows}


@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    """The executives' view of every agency the user may see: who needs attention, and where.

    Those who see the same agencies see the same figures: the page's body is kept in the shared
    cache under the figures' stamp (assessments.stamp), one read for a dashboard a national
    overseer's 25 queries over 8,323 agencies would make again."""
    today = timezone.localdate()
    key = body_key(request, today)
    if key is None:
        return render_dashboard(request, render_body(request, today))
    return render_dashboard(request, kept(key, lambda: render_body(request, today), KEPT_FOR))


def body_key(request: HttpRequest, today) -> str | None:
    """The cache key of the dashboard's body for this user and request, None when it is theirs alone."""
    scope = access.dashboard_scope(request.user)
    if scope is None:
        return None
    asked = f"{scope}|{translation.get_language()}|{today.isoformat()}|{request.GET.urlencode()}"
    return f"dashboard:{hashlib.sha256(asked.encode()).hexdigest()}"


def render_dashboard(request: HttpRequest, body: str) -> HttpResponse:
    return render(request, "dashboards/dashboard.html", {"body": mark_safe(body)})  # noqa: S308 (our own page)


def render_body(request: HttpRequest, today) -> str:
    assessments = Assessment.objects.visible_to(request.user)
    latest = assessments.latest()
    # Fifty a page: a national overseer sees 8,323 agencies. A bad number: the nearest page.
    page = Paginator(latest.needing_attention_first().select_related("agency"), PER_PAGE).get_page(
        request.GET.get("page")
    )
    # A few agencies' assessments are looked up by id: given the visibility subquery instead,
    # PostgreSQL's planner can pick a nested loop over every figure once a table has grown with
    # rolled-back rows (minutes for 60 agencies). One query however many agencies there are.
    # Unordered: whether there are more than FEW is all that matters, and up to FEW they are all
    # of them (ordered by agency name, the query joined and sorted the whole country: 11 ms).
    first = list(latest.order_by().values_list("pk", flat=True)[: FEW + 1])
    few = len(first) <= FEW
    weakest_indicators, weakest_items = weakest_rows(
        Assessment.objects.filter(pk__in=first) if few else latest, few=few
    )
    return render_to_string(
        "dashboards/_dashboard_body.html",
        {
            "agency_count": Agency.objects.visible_to(request.user).count(),
            "summary": assessments.latest_year_summary(),
            "pass_score": PASS_SCORE,
            "page": page,
            "page_range": page.paginator.get_elided_page_range(page.number),
            "rows": page.object_list,
            "weakest_indicators": weakest_indicators,
            "weakest_items": weakest_items,
            "falls": list(latest.biggest_falls().select_related("agency")[:CHANGES_SHOWN]),
            "rises": list(latest.biggest_rises().select_related("agency")[:CHANGES_SHOWN]),
            **measure_figures(request.user, today, request.GET.get("plans_page")),
            "oit": checklist_figures(request.user, today),
        },
        request=request,
    )
