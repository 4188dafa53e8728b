"""The agency page's trends: each figure of its results across the years, as charts and tables."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from assessments import charts
from assessments.models import FrameworkVersion
from assessments.scoring import TOOLS, indicator_code


@dataclass
class Trend:
    """One figure across the agency's years: the line a chart draws and the row its table lists."""

    label: str
    values: list  # the figure of record per year, None where the year has none

    @property
    def cells(self):
        """(score, change against the year before) for each year."""
        before = [None, *self.values[:-1]]
        return [(v, None if v is None or b is None else v - b) for v, b in zip(self.values, before, strict=False)]


def trends(results, figures):
    """A Trend for each (label, code, part) that at least one year has."""
    rows = [Trend(label, [result.shown(code, part) for result in results]) for label, code, part in figures]
    return [row for row in rows if any(v is not None for v in row.values)]


def tool_figures(versions):
    """IIT, EIT, each EIT part that some framework scores separately, OIT: (label, code, part)."""
    figures = []
    for code in TOOLS:
        figures.append((code, code, 0))
        parts = {
            part.number: f"{code} {part.label_th}"
            for version in versions
            for tool in version.tools.all()
            if tool.code == code
            for part in tool.parts.all()
        }
        figures.extend((label, code, number) for number, label in sorted(parts.items()))
    return figures


def indicator_figures(version, tool):
    """The tool's indicators as `version` names them: (label, code, part)."""
    return [
        (f"{i.number} {i.name_th}", indicator_code(i.number), 0)
        for i in version.indicators.all()
        if i.tool_id == tool.pk
    ]


def line(title, years, rows, **size):
    return charts.line_chart(title, years, [(row.label, row.values) for row in rows], **size)


def year_level(result):
    """A year's level as the trend table prints it: the published one where there is one, flagged
    where the published tool scores give another."""
    return {
        "name": result.level.name if result.level else "",
        "mismatch": result.level_mismatch,
        "computed": result.computed_level.name if result.computed_level else "",
    }


def trend_context(assessments):
    """What the agency page draws of the agency's years of results (`history_of`, oldest first):
    the overall score, the tools and the indicators across the years, as charts and tables."""
    if not assessments:
        return {}
    versions = FrameworkVersion.objects.by_id()
    results = [a.result(versions[a.version_id].spec) for a in assessments]
    years = [a.fiscal_year for a in assessments]
    latest = versions[assessments[-1].version_id]  # names and groups as the latest framework has them

    overall = trends(results, [("ITA", "ITA", 0)])
    tools = trends(results, tool_figures(versions.values()))
    indicators = {tool: trends(results, indicator_figures(latest, tool)) for tool in latest.tools.all()}
    # Small multiples share one scale, so that a low indicator looks low next to the others.
    known = [v for rows in indicators.values() for row in rows for v in row.values if v is not None]
    floor, _top = charts.y_range(known, None, 100)
    return {
        "years": years,
        "columns": 2 * len(years),  # the label, a score per year, a change per year after the first
        "levels": [year_level(result) for result in results],
        "overall_chart": line(_("ITA score"), years, overall, width=440, height=250),
        "overall_table": [(None, overall)],
        "tools_chart": line(_("Scores by assessment tool"), years, tools, width=440, height=250),
        "tools_table": [(None, tools)],
        "indicator_charts": [
            (tool, [line(row.label, years, [row], y_min=floor, width=300, height=180) for row in rows])
            for tool, rows in indicators.items()
        ],
        "indicators_table": list(indicators.items()),
    }
