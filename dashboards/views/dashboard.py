"""The executives' dashboard: every agency the user may see, its latest results and its measures, on one page."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from assessments.analysis import TIER_LABELS, indicator_keys, item_keys, weakest_figures
from assessments.models import PASS_SCORE, Agency, Assessment, FrameworkVersion
from dashboards.views.measure_progress import measure_figures

WEAKEST_SHOWN = 10
CHANGES_SHOWN = 5


def weakest_rows(
    latest: list[Assessment], earlier: list[Assessment], versions: dict[int, FrameworkVersion]
) -> tuple[list[dict], list[dict]]:
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
        (v.pk, tool.code, part.number): part.label_th
        for v in versions.values()
        for tool in v.tools.all()
        for part in tool.parts.all()
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
            {
                "figure": figure,
                "assessment": assessment,
                "indicator": indicator_names.get((assessment.version_id, figure.code)),
            }
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


@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    """The executives' view of every agency the user may see: who needs attention, and where."""
    assessments = Assessment.objects.visible_to(request.user)
    latest = assessments.latest_per_agency().with_previous_year().select_related("agency")
    rows = list(latest.needing_attention_first().prefetch_related("scores"))
    earlier = list(latest.years_before().prefetch_related("scores"))
    versions = FrameworkVersion.objects.by_id()
    weakest_indicators, weakest_items = weakest_rows(rows, earlier, versions)
    return render(
        request,
        "dashboards/dashboard.html",
        {
            "agency_count": Agency.objects.visible_to(request.user).count(),
            "summary": assessments.latest_year_summary(),
            "pass_score": PASS_SCORE,
            "rows": rows,
            "weakest_indicators": weakest_indicators,
            "weakest_items": weakest_items,
            "falls": list(latest.biggest_falls()[:CHANGES_SHOWN]),
            "rises": list(latest.biggest_rises()[:CHANGES_SHOWN]),
            **measure_figures(request.user, timezone.localdate(), request.GET.get("plans_page")),
        },
    )
