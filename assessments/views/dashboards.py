"""Views across many agencies, for users who oversee them: ministries, provinces, national administrators."""

from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from assessments import access, charts
from assessments.analysis import TIER_LABELS, indicator_keys, item_keys, weakest_figures
from assessments.downloads import csv_response, xlsx_response
from assessments.filters import OverviewFilter, level_names
from assessments.models import PASS_SCORE, Agency, Assessment, FrameworkVersion
from assessments.tables import OverviewTable, overview_rows
from assessments.thai import fiscal_year_of
from measures.models import Measure, ProgressEntry

PER_PAGE = 50


def current_fiscal_year():
    """The Buddhist-Era fiscal year running today (it starts on 1 October)."""
    today = timezone.localdate()
    return today.year + 543 + (1 if today.month >= 10 else 0)


def filtered_overview(request, year, levels):
    """(filterset, assessments): the user's agencies' assessments of the year as filtered; none while a filter is invalid."""
    assessments = Assessment.objects.visible_to(request.user).for_overview(year)
    parents = Agency.objects.filter(pk__in=assessments.values("agency__parent")).order_by("name_th")
    filterset = OverviewFilter(request.GET, assessments, parents=parents, levels=levels)
    return filterset, filterset.qs if filterset.is_valid() else assessments.none()


def level_distribution(counts, levels):
    """[(label, count)] in the framework's level order, levels without agencies included; then any others."""
    counts = dict(counts)
    bars = [(name, counts.pop(name, 0)) for name in levels]
    missing = counts.pop("", 0)
    bars += sorted(counts.items())
    if missing:
        bars.append((_("No level"), missing))
    return bars


WEAKEST_SHOWN = 10
CHANGES_SHOWN = 5


def weakest_rows(latest, earlier, versions):
    """(indicators, items): the weakest figures across the agencies' latest assessments, as rows.

    `latest` and `earlier` are assessments with their scores prefetched (`earlier` holds the one
    before each latest, if any), `versions` {id: version} from `with_spec_data()`, so that no
    row costs a query. Indicators are compared with the year before; item lists differ between
    framework versions, so items are not.
    """
    before = {a.agency_id: a for a in earlier}
    results = {a.pk: a.result(versions[a.version_id].spec) for a in [*latest, *earlier]}
    indicator_names = {(v.pk, f"IND{i.number}"): i for v in versions.values() for i in v.indicators.all()}
    item_texts = {(v.pk, item.code): item for v in versions.values() for item in v.items.all()}
    part_labels = {
        (v.pk, tool.code, part.number): part.label_th for v in versions.values() for tool in v.tools.all() for part in tool.parts.all()
    }

    def previous(assessment):
        prior = before.get(assessment.agency_id)
        return results[prior.pk] if prior else None

    indicators = []
    for figure in weakest_figures(
        ((a, results[a.pk], indicator_keys(versions[a.version_id].spec), previous(a)) for a in latest), WEAKEST_SHOWN
    ):
        assessment = figure.subject
        indicators.append(
            {"figure": figure, "assessment": assessment, "indicator": indicator_names.get((assessment.version_id, figure.code))}
        )
    items = []
    for figure in weakest_figures(
        ((a, results[a.pk], item_keys(versions[a.version_id].spec), None) for a in latest), WEAKEST_SHOWN
    ):
        assessment = figure.subject
        spec = versions[assessment.version_id].spec
        tool = spec.indicators[spec.items[figure.code].indicator].tool
        tier = assessment.tier_rule.tier(figure.shown)
        items.append(
            {
                "figure": figure,
                "assessment": assessment,
                "item": item_texts.get((assessment.version_id, figure.code)),
                "part_label": part_labels.get((assessment.version_id, tool, figure.part), "") if figure.part else "",
                "tier": tier,
                "tier_label": TIER_LABELS.get(tier, ""),
            }
        )
    return indicators, items


def measure_figures(user, today):
    """The measures part of the dashboard, over the measures and entries the user may see: each
    agency's current plan (the year closest to today's fiscal year), how much of it is done,
    progress per indicator, the units with overdue reports and the measures whose KPI is off
    target. A fixed number of queries."""
    current = Measure.objects.visible_to(user).of_current_plans(fiscal_year_of(today))
    plans = list(current.completion_by_agency())
    for plan in plans:
        plan["percent"] = round(100 * plan["done_count"] / plan["total"])
    return {
        "plans": plans,
        "indicator_progress": list(current.progress_by_indicator()),
        "overdue_units": list(
            ProgressEntry.objects.visible_to(user).overdue(today).filter(round__active=True).count_by_unit()
        ),
        "off_target": list(
            current.with_completion().filter(off_target=True).select_related("agency").order_by("agency__name_th", "order", "pk")
        ),
    }


@require_GET
def dashboard(request):
    """The executives' view of every agency the user may see: who needs attention, and where."""
    assessments = Assessment.objects.visible_to(request.user)
    latest = assessments.latest_per_agency().with_previous_year().select_related("agency")
    rows = list(latest.needing_attention_first().prefetch_related("scores"))
    earlier = list(latest.years_before().prefetch_related("scores"))
    versions = {version.pk: version for version in FrameworkVersion.objects.with_spec_data()}
    weakest_indicators, weakest_items = weakest_rows(rows, earlier, versions)
    return render(
        request,
        "assessments/dashboard.html",
        {
            "agency_count": Agency.objects.visible_to(request.user).count(),
            "summary": assessments.latest_year_summary(),
            "pass_score": PASS_SCORE,
            "rows": rows,
            "weakest_indicators": weakest_indicators,
            "weakest_items": weakest_items,
            "falls": list(latest.biggest_falls()[:CHANGES_SHOWN]),
            "rises": list(latest.biggest_rises()[:CHANGES_SHOWN]),
            **measure_figures(request.user, timezone.localdate()),
        },
    )


@require_GET
def overview_latest(request):
    access.require_oversight(request.user)
    year = Assessment.objects.visible_to(request.user).fiscal_years().first()
    return redirect("overview", year or current_fiscal_year())


@require_GET
def overview(request, year):
    access.require_oversight(request.user)
    levels = level_names(year)
    filterset, assessments = filtered_overview(request, year, levels)
    table = OverviewTable(assessments, order_by=request.GET.get("sort"))
    table.paginate(per_page=PER_PAGE)
    table.page = table.paginator.get_page(request.GET.get("page"))  # not a number or out of range: the nearest page
    distribution = level_distribution(assessments.count_by_level(), levels)
    return render(
        request,
        "assessments/overview.html",
        {
            "year": year,
            "years": Assessment.objects.visible_to(request.user).fiscal_years(),
            "filter": filterset,
            "table": table,
            "distribution": distribution,
            "chart": charts.bar_chart(_("Agencies by level"), distribution, height=200),
        },
    )


@require_GET
def overview_download(request, year, file_format):
    """Exactly the rows the overview shows with the same filters and sort, every page, as CSV or XLSX."""
    access.require_oversight(request.user)
    if file_format not in ("csv", "xlsx"):
        raise Http404
    filterset, assessments = filtered_overview(request, year, level_names(year))
    if not filterset.is_valid():
        return redirect(f"{reverse('overview', args=[year])}?{request.GET.urlencode()}")
    table = OverviewTable(assessments, order_by=request.GET.get("sort"))
    columns, rows = overview_rows(table.data)
    filename = f"ita-overview-{year}"
    if file_format == "csv":
        return csv_response(filename, columns, rows)
    return xlsx_response(filename, columns, rows, title=f"ITA {year}")
