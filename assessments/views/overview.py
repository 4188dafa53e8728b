"""The overview of many agencies' results, for users who oversee them: ministries, provinces and
national administrators."""

from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from assessments import access, charts
from assessments.downloads import file_downloaded, streamed_csv_response, xlsx_response
from assessments.filters import OverviewFilter, level_names
from assessments.models import Agency, Assessment
from assessments.tables import OVERVIEW_COLUMNS, OverviewTable, overview_text_widths, streamed_overview_rows
from assessments.thai import fiscal_year_of

PER_PAGE = 50


def filtered_overview(
    request: HttpRequest, year: int, levels: list[str]
) -> tuple[OverviewFilter, QuerySet[Assessment]]:
    """(filterset, assessments): the user's agencies' assessments of the year as filtered; none while
    a filter is invalid."""
    assessments = Assessment.objects.visible_to(request.user).for_overview(year)
    parents = Agency.objects.filter(pk__in=assessments.values("agency__parent")).order_by("name_th")
    filterset = OverviewFilter(request.GET, assessments, parents=parents, levels=levels)
    return filterset, filterset.qs if filterset.is_valid() else assessments.none()


def level_distribution(counts: dict[str, int], levels: list[str]) -> list[tuple[str, int]]:
    """[(label, count)] in the framework's level order, levels without agencies included; then any others."""
    counts = dict(counts)
    bars = [(name, counts.pop(name, 0)) for name in levels]
    missing = counts.pop("", 0)
    bars += sorted(counts.items())
    if missing:
        bars.append((_("No level"), missing))
    return bars


@require_GET
def overview_latest(request: HttpRequest) -> HttpResponse:
    access.require_oversight(request.user)
    year = Assessment.objects.visible_to(request.user).fiscal_years().first()
    return redirect("overview", year or fiscal_year_of(timezone.localdate()))


@require_GET
def overview(request: HttpRequest, year: int) -> HttpResponse:
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
def overview_download(request: HttpRequest, year: int, file_format: str) -> HttpResponse:
    """Exactly the rows the overview shows with the same filters and sort, every page, as CSV or XLSX."""
    access.require_oversight(request.user)
    if file_format not in ("csv", "xlsx"):
        raise Http404
    filterset, assessments = filtered_overview(request, year, level_names(year))
    if not filterset.is_valid():
        return redirect(f"{reverse('overview', args=[year])}?{request.GET.urlencode()}")
    # The table sorts the queryset as the page does; its rows are then read a chunk at a time.
    ordered = OverviewTable(assessments, order_by=request.GET.get("sort")).data.data
    rows = streamed_overview_rows(ordered)
    filename = f"ita-overview-{year}"
    if file_format == "csv":
        response = streamed_csv_response(filename, OVERVIEW_COLUMNS, rows)
    else:
        longest = overview_text_widths(assessments)
        response = xlsx_response(filename, OVERVIEW_COLUMNS, rows, title=f"ITA {year}", longest=longest)
    file_downloaded.send(overview_download, request=request, agency=None, what=f"{filename}.{file_format}")
    return response
