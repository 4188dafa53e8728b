"""What the results mean: item tiers and the analysis of one agency's year, as plain data.

Two tier schemes are seen in agencies' documents and both are offered, chosen per agency
and year: a target (FIO: below 85 is a weakness, at or above a strength) and three tiers
(TCEB: keep above 97.50, improve from 95.00 up to 97.50, urgent below 95.00). Scores are
compared as published, to two decimals.
"""

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from assessments.scoring import letter_level, round2, sub_question_code, sub_topic_code
from assessments.text import interpolate


class TierScheme(models.TextChoices):
    TARGET = "target", _("Target: weaknesses below it, strengths at or above")
    THREE = "three", _("Three tiers: urgent, improve, keep")


TIER_LABELS = {
    "weakness": _("Weaknesses (below the target)"),
    "strength": _("Strengths (at or above the target)"),
    "urgent": _("Weaknesses to fix urgently"),
    "improve": _("To improve"),
    "keep": _("To keep at this level"),
}
TIERS_OF = {TierScheme.TARGET: ("weakness", "strength"), TierScheme.THREE: ("urgent", "improve", "keep")}
WEAK_TIERS = {"weakness", "urgent"}

DEFAULT_TARGET = Decimal("85")
DEFAULT_LOWER = Decimal("95")
DEFAULT_UPPER = Decimal("97.5")


@dataclass(frozen=True)
class TierRule:
    scheme: str = TierScheme.TARGET
    target: Decimal = DEFAULT_TARGET
    lower: Decimal = DEFAULT_LOWER
    upper: Decimal = DEFAULT_UPPER

    @classmethod
    def from_target(cls, target):
        return cls(TierScheme.TARGET, target=Decimal(str(target)))

    @classmethod
    def from_bounds(cls, text):
        """'95,97.5' → three tiers; ValueError when it is not two increasing numbers."""
        try:
            lower, upper = (Decimal(part.strip()) for part in str(text).split(","))
        except Exception:
            raise ValueError(_("give the tier bounds as two numbers, lower first: 95,97.5")) from None
        if not Decimal(0) <= lower < upper <= Decimal(100):
            raise ValueError(_("the lower bound must be below the upper bound, both within 0–100"))
        return cls(TierScheme.THREE, lower=lower, upper=upper)

    @property
    def tiers(self):
        return TIERS_OF[self.scheme]

    def tier(self, score):
        """The tier of a score, or None when the score is unknown."""
        if score is None:
            return None
        score = round2(score)
        if self.scheme == TierScheme.TARGET:
            return "weakness" if score < self.target else "strength"
        if score < self.lower:
            return "urgent"
        return "improve" if score <= self.upper else "keep"


@dataclass
class FigureRow:
    """One line of an analysis table: a figure with what the officer needs to read it."""

    code: str
    label: str
    shown: Decimal | None
    computed: Decimal | None = None
    mismatch: bool = False
    letter: str | None = None
    tier: str | None = None
    previous: Decimal | None = None
    indent: bool = False
    heading: bool = False
    part: int = 0
    note: str = ""

    @property
    def change(self):
        if self.shown is None or self.previous is None:
            return None
        return self.shown - self.previous


def change(current, previous):
    return None if current is None or previous is None else current - previous


def part_label(version, tool_code, part):
    for tool in version.tools.all():
        if tool.code == tool_code:
            for tool_part in tool.parts.all():
                if tool_part.number == part:
                    return tool_part.name or tool_part.label_th
    return str(part)


def figure_row(result, spec, rule, code, part=0, label="", previous_result=None, **extra):
    figure = result.get(code, part)
    if figure is None:
        return None
    return FigureRow(
        code=code,
        label=label,
        shown=figure.shown,
        computed=round2(figure.computed),
        mismatch=figure.mismatch,
        # A letter published with the figure (AA–F years) is the record, as its score is.
        letter=(figure.level or letter_level(spec, figure.value)) if spec.level_scheme == "letters" else None,
        tier=rule.tier(figure.value) if rule else None,
        previous=previous_result.shown(code, part) if previous_result else None,
        part=part,
        **extra,
    )


def item_rows(version, spec, result, rule, previous_result=None):
    """{indicator number: [rows]}: items in framework order, each EIT part on its own row,
    sub-questions under their item, and a heading row with the mean where a sub-topic starts.
    Items the results placed themselves (a version without an item list; `spec` from
    Assessment.placed_spec) follow, labelled "ข้อ o1": their text is not known."""
    tables = {}
    current_topic = None
    for item in version.items.all():
        rows = tables.setdefault(item.indicator.number, [])
        if item.sub_topic_id and item.sub_topic_id != current_topic:
            topic = item.sub_topic
            heading = figure_row(result, spec, None, sub_topic_code(topic.code), label=topic.name_th, heading=True)
            if heading:
                rows.append(heading)
        current_topic = item.sub_topic_id
        parts = spec.tool_parts.get(item.indicator.tool.code, ()) if item.scored_in_parts else (0,)
        for part in parts:
            note = part_label(version, "EIT", part) if part else ""
            label = f"{item.text_th} ({note})" if note else item.text_th
            row = figure_row(result, spec, rule, item.code, part, label, previous_result, note=note)
            if row:
                rows.append(row)
        for question in item.sub_questions.all():
            code = sub_question_code(item.code, question.number)
            row = figure_row(result, spec, None, code, label=question.text_th, indent=True)
            if row:
                rows.append(row)
    listed = {item.code for item in version.items.all()}
    for item in spec.items.values():
        if item.code in listed:
            continue
        parts = spec.tool_parts.get(spec.indicators[item.indicator].tool, ()) if item.in_parts else (0,)
        for part in parts:
            note = part_label(version, "EIT", part) if part else ""
            label = str(interpolate(_("item %(code)s"), {"code": item.code})) + (f" ({note})" if note else "")
            row = figure_row(result, spec, rule, item.code, part, label, previous_result, note=note)
            if row:
                tables.setdefault(item.indicator, []).append(row)
    return tables


def tier_groups(rule, indicators, tables):
    """[(tier, label, [(tool, [(indicator, [item rows])])])] for every tier of the rule, as the
    TCEB document lists them: per tool, then per indicator, items only (not sub-questions)."""
    groups = []
    for tier in rule.tiers:
        by_tool = []
        for tool in ("IIT", "EIT", "OIT"):
            by_indicator = []
            for indicator in indicators:
                if indicator.tool.code != tool:
                    continue
                rows = [
                    r for r in tables.get(indicator.number, []) if r.tier == tier and not r.indent and not r.heading
                ]
                if rows:
                    by_indicator.append((indicator, rows))
            if by_indicator:
                by_tool.append((tool, by_indicator))
        groups.append((tier, TIER_LABELS[tier], by_tool))
    return groups


def has_item_results(tables):
    """Whether any item of the year has a figure, official or computed from its sub-questions;
    sub-topic means and sub-questions alone are not item results."""
    return any(not row.indent and not row.heading for rows in tables.values() for row in rows)


def indicator_tier_groups(rule, indicator_rows):
    """tier_groups for a year with indicator results only (every 2566–2567 year, and older years
    copied from the NACC's national reports): each indicator's own row stands where its items
    would, so the page and the documents list weak indicators as they list weak items."""
    tables = {indicator.number: [row] for indicator, row, _history in indicator_rows if row}
    return tier_groups(rule, [indicator for indicator, _row, _history in indicator_rows], tables)


YEARS_SIDE_BY_SIDE = 5


@dataclass
class Analysis:
    """Everything the analysis page and the analysis report show for one agency's year."""

    assessment: Any
    rule: TierRule
    overall: FigureRow | None
    level: str
    previous_year: int | None
    tools: list
    years: list
    indicators: list
    highest: list
    lowest: list
    tables: list
    tiers: list
    mismatches: int
    previous_items: bool
    works_on: str = "items"  # "indicators" when the year has no item results: the tiers list indicators
    computed_level: str = ""  # beside a published level that differs from it


def build_analysis(assessment, history, versions):
    """The analysis of `assessment`, given the agency's assessments up to that year (scores
    prefetched) and {version id: version} loaded with `FrameworkVersion.objects.with_spec_data()`."""
    history = [a for a in history if a.fiscal_year <= assessment.fiscal_year]
    results = {a.fiscal_year: a.result(versions[a.version_id].spec) for a in history}
    earlier = [a for a in history if a.fiscal_year < assessment.fiscal_year]
    previous_year = earlier[-1].fiscal_year if earlier else None
    previous = results.get(previous_year)
    version = versions[assessment.version_id]
    spec = assessment.placed_spec(version.spec)
    result = results[assessment.fiscal_year]
    rule = assessment.tier_rule

    tools = []
    for tool in version.tools.all():
        row = figure_row(result, spec, None, tool.code, label=tool.name_th, previous_result=previous)
        parts = [
            figure_row(result, spec, None, tool.code, p.number, label=p.name or p.label_th, previous_result=previous)
            for p in tool.parts.all()
        ]
        tools.append((tool, row, [p for p in parts if p]))

    years = [a.fiscal_year for a in history][-YEARS_SIDE_BY_SIDE:]
    indicators = []
    for indicator in version.indicators.all():
        code = f"IND{indicator.number}"
        row = figure_row(result, spec, rule, code, label=indicator.name_th, previous_result=previous)
        history_scores = [results[year].shown(code) for year in years]
        indicators.append((indicator, row, history_scores))
    shown = [row.shown for _indicator, row, _h in indicators if row and row.shown is not None]
    highest = [i for i, row, _h in indicators if shown and row and row.shown == max(shown)]
    lowest = [i for i, row, _h in indicators if shown and row and row.shown == min(shown)]

    tables = item_rows(version, spec, result, rule, previous)
    works_on = "items" if has_item_results(tables) else "indicators"
    if works_on == "items":
        tiers = tier_groups(rule, list(version.indicators.all()), tables)
    else:
        tiers = indicator_tier_groups(rule, indicators)
    return Analysis(
        assessment=assessment,
        rule=rule,
        overall=figure_row(result, spec, None, "ITA", label="ITA", previous_result=previous),
        level=result.level.name if result.level else "",
        computed_level=result.computed_level.name if result.computed_level else "",
        previous_year=previous_year,
        tools=tools,
        years=years,
        indicators=indicators,
        highest=highest,
        lowest=lowest,
        tables=[(indicator, tables.get(indicator.number, [])) for indicator in version.indicators.all()],
        tiers=tiers,
        mismatches=len(result.mismatches),
        previous_items=any(row.previous is not None for rows in tables.values() for row in rows),
        works_on=works_on,
    )


@dataclass(frozen=True)
class WeakFigure:
    """One figure in a ranking of the weakest across several agencies' results."""

    subject: object  # what the figure belongs to, e.g. the Assessment
    code: str
    part: int
    shown: Decimal
    previous: Decimal | None = None

    @property
    def change(self):
        return None if self.previous is None else self.shown - self.previous


def indicator_keys(spec):
    """(code, part) of the indicators of a framework spec: IND1…IND10, whole figures only."""
    return [(f"IND{number}", 0) for number in sorted(spec.indicators)]


def item_keys(spec):
    """(code, part) of every item of a framework spec in framework order, once per tool part
    for items scored in parts (EIT ส่วนที่ 1 and 2); sub-questions are not items."""
    keys = []
    for item in spec.items.values():
        parts = spec.tool_parts.get(spec.indicators[item.indicator].tool, ()) if item.in_parts else (0,)
        keys.extend((item.code, part) for part in parts)
    return keys


def weakest_figures(entries, limit=10):
    """The `limit` lowest figures across several results, lowest first.

    `entries` yields (subject, result, keys, previous): a scoring result, the (code, part) keys
    of the figures in it to rank, and the result to compare each figure with (the year before)
    or None. Figures are ranked by the figure of record as shown (official, else computed, to
    two decimals); figures that are not known are left out. Equal scores keep the order of
    `entries`, then of `keys`.
    """
    ranked = []
    for subject, result, keys, previous in entries:
        for code, part in keys:
            shown = result.shown(code, part)
            if shown is not None:
                ranked.append(WeakFigure(subject, code, part, shown, previous.shown(code, part) if previous else None))
    ranked.sort(key=lambda figure: figure.shown)
    return ranked[:limit]


# How many of each assessment's weakest items are kept for the dashboard: the weakest across many
# agencies are always among the union of each one's weakest that many.
ITEMS_KEPT = 10


def dashboard_figures(spec, result):
    """[(kind, code, part, shown, position)] of one result that the dashboard ranks across agencies:
    every indicator, and the ITEMS_KEPT weakest items (kind "indicator" or "item").

    `position` is the figure's place in `indicator_keys` or `item_keys` of `spec` (the version's
    spec, as the dashboard ranks them), so that equal scores keep the framework's order, as
    `weakest_figures` keeps it.
    """
    figures = []
    for kind, keys, kept in (("indicator", indicator_keys(spec), None), ("item", item_keys(spec), ITEMS_KEPT)):
        position = {key: place for place, key in enumerate(keys)}
        ranked = weakest_figures([(None, result, keys, None)], limit=kept if kept else len(keys))
        figures.extend(
            (kind, figure.code, figure.part, figure.shown, position[(figure.code, figure.part)]) for figure in ranked
        )
    return figures
