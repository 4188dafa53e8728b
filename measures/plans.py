"""Reading a measures plan against the results it answers.

The plan of fiscal year N answers the ITA results of year N − 1: its indicators and items are
those of the framework of N − 1, and the scores shown beside them are that year's.
"""

import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.http import Http404

from assessments.analysis import part_label
from assessments.models import Assessment, FrameworkVersion
from assessments.scoring import round2
from measures.models import FISCAL_MONTHS, Measure, MeasureTemplate, ReportingRound, round_period

# Plans are kept for the Buddhist-Era years the ITA has run in and a good while after; a year
# outside this range in an address is a typing error, not a plan.
FIRST_YEAR, LAST_YEAR = 2500, 2700


def unit_label(unit):
    """A unit as lists name it: "สำนักงานบริหารกลาง (ส.บก.)"."""
    return f"{unit.name} ({unit.abbreviation})" if unit.abbreviation else unit.name


def plan_years(agency):
    """The fiscal years the agency has a plan for, results loaded or not: years with measures or
    with reporting rounds saved. One query."""
    measures = Measure.objects.filter(agency=agency).order_by().values_list("fiscal_year")
    rounds = ReportingRound.objects.filter(agency=agency).order_by().values_list("fiscal_year")
    return {year for (year,) in measures.union(rounds).order_by()}


def check_fiscal_year(year):
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise Http404


def fiscal_year_bounds(fiscal_year):
    """(1 October, 30 September) of a fiscal year."""
    return round_period("12m", fiscal_year)


def quarter_months(quarters):
    """Calendar months of fiscal quarters, in fiscal order: [1] → [10, 11, 12]."""
    return [month for quarter in sorted(set(quarters)) for month in FISCAL_MONTHS[(quarter - 1) * 3 : quarter * 3]]


def months_between(start, end):
    """Calendar months from `start` to `end` (within one fiscal year), in fiscal order."""
    months, year, month = [], start.year, start.month
    while (year, month) <= (end.year, end.month):
        months.append(month)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return [m for m in FISCAL_MONTHS if m in months]


@dataclass
class Answered:
    """The results a plan answers: the assessment of the year before, its framework and figures.
    Each is None when that year has no results (the framework may still be known)."""

    fiscal_year: int
    assessment: Assessment | None
    version: FrameworkVersion | None
    result: Any

    def indicator_score(self, number):
        return self.result.shown(f"IND{number}") if self.result else None

    def item_scores(self, item):
        """[(part label, score)] of an item: one row, or one per EIT part for items scored in parts."""
        if not self.result:
            return []
        if item.scored_in_parts and self.version:
            parts = [p.number for tool in self.version.tools.all() for p in tool.parts.all() if tool.code == "EIT"]
            return [(part_label(self.version, "EIT", p), self.result.shown(item.code, p)) for p in parts]
        return [("", self.result.shown(item.code))]


def answered_results(agency, fiscal_year):
    """What the plan of `fiscal_year` answers, in a fixed number of queries."""
    year = fiscal_year - 1
    assessment = Assessment.objects.filter(agency=agency, fiscal_year=year).prefetch_related("scores").first()
    version = FrameworkVersion.objects.for_year(year)
    if assessment and (version is None or version.pk != assessment.version_id):
        version = FrameworkVersion.objects.with_spec_data().get(pk=assessment.version_id)
    result = assessment.result(version.spec) if assessment else None
    return Answered(year, assessment, version, result)


@dataclass
class IndicatorGroup:
    """The measures of a plan under one indicator, as the plan document lists them."""

    indicator: object | None  # None: measures not tied to an indicator
    score: Decimal | None
    measures: list = field(default_factory=list)


def plan_groups(measures, answered):
    """Measures grouped under their first indicator, in indicator order; those without one last.

    `measures` must have their indicators prefetched."""
    groups = {}
    for measure in measures:
        indicators = sorted(measure.indicators.all(), key=lambda i: i.number)
        first = indicators[0] if indicators else None
        key = first.number if first else None
        if key not in groups:
            groups[key] = IndicatorGroup(first, answered.indicator_score(key) if first else None)
        groups[key].measures.append(measure)
    return [groups[key] for key in sorted(groups, key=lambda k: (k is None, k or 0))]


def measures_by_item(measures):
    """{item code: [measures answering it]} for measures with their items prefetched."""
    answering: dict = {}
    for measure in measures:
        for item in measure.items.all():
            answering.setdefault(item.code, []).append(measure)
    return answering


def measures_by_indicator(measures):
    """{"IND<n>": [measures answering indicator n]} for measures with their indicators prefetched,
    keyed as the analysis's indicator rows are, beside `measures_by_item`'s item codes."""
    answering: dict = {}
    for measure in measures:
        for indicator in measure.indicators.all():
            answering.setdefault(f"IND{indicator.number}", []).append(measure)
    return answering


# --- Pre-filling a new measure -----------------------------------------------------------

NUMBERING = re.compile(r"^\s*(?:[-•*]\s*|\(?[0-9๐-๙]{1,2}\s*[.)]\s*)")


def clean_steps(text):
    """One step per line, without the numbers or bullets people type or paste (the plan numbers them)."""
    lines = (NUMBERING.sub("", line).strip() for line in text.splitlines())
    return "\n".join(line for line in lines if line)


def plain(number):
    """A threshold as documents write it: 85, 97.5."""
    return format(Decimal(number).normalize(), "f")


def analysis_sentence(subject, score, rule, tier, plan_year):
    """A first draft of the analysis (ผลการวิเคราะห์) of a figure, in the documents' words.

    The text is part of the plan document itself, which is written in Thai whatever the language
    of the screen, so it is not translated."""
    text = f"ผลคะแนน{subject} ได้ {round2(score):.2f} คะแนน"
    if tier == "weakness":
        return (
            f"{text} ต่ำกว่าค่าเป้าหมาย ({plain(rule.target)} คะแนน) ถือเป็นจุดอ่อนที่ต้องแก้ไข "
            f"จึงควรกำหนดมาตรการเพื่อปรับปรุงผลการดำเนินงานในปีงบประมาณ พ.ศ. {plan_year}"
        )
    if tier == "urgent":
        return (
            f"{text} ต่ำกว่า {plain(rule.lower)} คะแนน ถือเป็นข้อบกพร่องหรือจุดอ่อนที่ต้องแก้ไขโดยเร่งด่วน "
            f"จึงควรกำหนดมาตรการเพื่อแก้ไขในปีงบประมาณ พ.ศ. {plan_year}"
        )
    if tier == "improve":
        return (
            f"{text} อยู่ระหว่าง {plain(rule.lower)}–{plain(rule.upper)} คะแนน เป็นประเด็นที่ต้องพัฒนาให้ดีขึ้น "
            f"จึงควรกำหนดมาตรการเพื่อยกระดับผลการดำเนินงานในปีงบประมาณ พ.ศ. {plan_year}"
        )
    if tier == "keep":
        return f"{text} สูงกว่า {plain(rule.upper)} คะแนน จึงควรรักษาระดับผลการดำเนินงานไว้อย่างต่อเนื่อง"
    return f"{text} ไม่ต่ำกว่าค่าเป้าหมาย ({plain(rule.target)} คะแนน) เป็นจุดแข็ง จึงควรรักษาระดับผลการดำเนินงานไว้"


def indicator_goal(indicator, score, rule):
    """A first draft of the name, KPI and target of a measure for a whole indicator (a year whose
    results have no items), in the plan document's Thai: the target is the score that leaves the
    indicator's tier, the agency's target (or, with three tiers, the next bound up)."""
    tier = rule.tier(score)
    bound = {"urgent": rule.lower, "improve": rule.upper, "keep": rule.upper}.get(tier, rule.target)
    subject = f"ตัวชี้วัดที่ {indicator.number} {indicator.name_th}"
    return {
        "name": f"มาตรการยกระดับผลการประเมิน{subject}",
        "kpi": f"คะแนน{subject}",
        "target": f"ไม่น้อยกว่า {plain(bound)} คะแนน",
    }


def to_int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def template_for(indicator_number, item_code=""):
    """The library's starting point for an item, else for its whole indicator; None when there is none."""
    if item_code:
        found = MeasureTemplate.objects.filter(item_code=item_code).first()
        if found:
            return found
    if indicator_number:
        return MeasureTemplate.objects.filter(indicator_number=indicator_number, item_code="").first()
    return None


def prefill(answered, plan_year, params):
    """(initial values, template used) for a new measure from the address: `?item=<code>&part=<n>`
    (a weak item of the analysis page), `?indicator=<n>`, `?template=<pk>`. Values that name
    nothing in the framework are ignored."""
    version = answered.version
    initial, template = {}, None
    indicators = {i.number: i for i in version.indicators.all()} if version else {}
    items = {i.code: i for i in version.items.all()} if version else {}
    rule = answered.assessment.tier_rule if answered.assessment else None

    item = items.get(params.get("item", ""))
    # An item placed by the results (a version without an item list) has no Item to link; its
    # indicator and score are known.
    placed = answered.assessment.placed_items() if answered.assessment and not item else {}
    placed_code = params.get("item", "") if params.get("item", "") in placed else ""
    number = placed[placed_code] if placed_code else to_int(params.get("indicator"))
    indicator = item.indicator if item else indicators.get(number)
    if placed_code and indicator:
        part = to_int(params.get("part")) or 0
        note = part_label(version, "EIT", part) if part else ""
        score = answered.result.shown(placed_code, part) if answered.result else None
        if score is not None and rule:
            subject = f" {placed_code}" + (f" ({note})" if note else "")
            initial["analysis"] = analysis_sentence(subject, score, rule, rule.tier(score), plan_year)
    elif item:
        initial["items"] = [item.pk]
        part = to_int(params.get("part")) or 0
        note = part_label(version, "EIT", part) if part else ""
        score = answered.result.shown(item.code, part) if answered.result else None
        if score is not None and rule:
            subject = f" {item.code} {item.text_th}" + (f" ({note})" if note else "")
            initial["analysis"] = analysis_sentence(subject, score, rule, rule.tier(score), plan_year)
    elif indicator:
        score = answered.indicator_score(indicator.number)
        if score is not None and rule:
            subject = f"ตัวชี้วัดที่ {indicator.number} {indicator.name_th}"
            initial["analysis"] = analysis_sentence(subject, score, rule, rule.tier(score), plan_year)
            initial.update(indicator_goal(indicator, score, rule))  # a template, if any, overrides these

    if "template" in params:
        template = MeasureTemplate.objects.filter(pk=to_int(params["template"]) or 0).first()
        if template and not indicator:
            indicator = indicators.get(template.indicator_number)
            if template.item_code in items and "items" not in initial:
                initial["items"] = [items[template.item_code].pk]
    elif indicator:
        template = template_for(indicator.number, item.code if item else placed_code)
    if indicator:
        initial["indicators"] = [indicator.pk]
    if template:
        initial.update(name=template.name, steps=template.steps, kpi=template.kpi, target=template.target)
        if template.analysis and "analysis" not in initial:
            initial["analysis"] = template.analysis
    return initial, template
