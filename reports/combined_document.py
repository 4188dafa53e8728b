"""The combined document TCEB and Ang Thong publish: an introduction, the analysis of year N − 1's
results and the measures plan of year N that answers them, as one document.

The analysis part is `analysis_document`'s sections (portrait) and the plan part
`plan_document`'s (landscape), each starting on a new page, so the two never drift apart from
the documents published on their own.
"""

import dataclasses

from django.utils import translation

from assessments.analysis import WEAK_TIERS
from assessments.models import Agency, Assessment, FrameworkVersion
from assessments.thai import score_text
from measures.plans import Answered, answered_results
from reports.analysis_document import analysis_document
from reports.layout import Document, Section
from reports.plan_document import DEFAULT_LAYOUT, plan_document, plan_measures
from reports.signoff import sign_off

ANALYSIS_PART = "ส่วนที่ 1 การวิเคราะห์ผลการประเมินคุณธรรมและความโปร่งใสในการดำเนินงาน ประจำปีงบประมาณ พ.ศ. {year}"
PLAN_PART = "ส่วนที่ 2 มาตรการส่งเสริมคุณธรรมและความโปร่งใสภายในหน่วยงาน ประจำปีงบประมาณ พ.ศ. {year}"
# How many of the lowest indicators the introduction names as what the measures answer.
NAMED_INDICATORS = 3


def answered_indicators(measures, answered: Answered):
    """[(indicator, score)] the measures answer, lowest score first (unscored ones left out)."""
    indicators = {i.number: i for m in measures for i in m.indicators.all()}
    scored = [(i, answered.indicator_score(n)) for n, i in indicators.items()]
    return sorted(((i, s) for i, s in scored if s is not None), key=lambda pair: (pair[1], pair[0].number))


def introduction(agency: Agency, fiscal_year: int, measures, answered: Answered) -> list[str]:
    """The introduction's paragraphs: the results of N − 1 and their level, and why the measures."""
    year = answered.fiscal_year
    result = answered.result
    first = (
        f"{agency.name_th} ได้รับการประเมินคุณธรรมและความโปร่งใสในการดำเนินงานของหน่วยงานภาครัฐ (ITA) "
        f"ประจำปีงบประมาณ พ.ศ. {year}"
    )
    overall = result.shown("ITA") if result else None
    if overall is not None:
        first += f" ได้คะแนน {score_text(overall)} คะแนน"
        if result.level:
            first += f" อยู่ในระดับ {result.level.name}"
    tools = [
        f"{tool.code} {score_text(result.shown(tool.code))} คะแนน"
        for tool in (answered.version.tools.all() if answered.version and result else [])
        if result.shown(tool.code) is not None
    ]
    if tools:
        first += " โดยได้คะแนนจากแต่ละเครื่องมือ ได้แก่ " + " ".join(tools)
    paragraphs = [first]

    rule = answered.assessment.tier_rule if answered.assessment else None
    indicators = answered_indicators(measures, answered)
    weak = [(i, s) for i, s in indicators if rule and rule.tier(s) in WEAK_TIERS]
    named = (weak or indicators)[:NAMED_INDICATORS]
    second = (
        f"หน่วยงานได้นำผลการประเมินดังกล่าวมาวิเคราะห์จุดอ่อนและจุดแข็งในแต่ละตัวชี้วัด "
        f"และกำหนดมาตรการส่งเสริมคุณธรรมและความโปร่งใสภายในหน่วยงาน ประจำปีงบประมาณ พ.ศ. {fiscal_year} "
        f"จำนวน {len(measures)} มาตรการ"
    )
    if named:
        which = "ที่ต่ำกว่าเกณฑ์" if weak else "ที่ยังต่ำที่สุด"
        second += f" เพื่อยกระดับผลการประเมินในตัวชี้วัด{which} ได้แก่ " + " ".join(
            f"ตัวชี้วัดที่ {i.number} {i.name_th} ({score_text(s)} คะแนน)" for i, s in named
        )
    paragraphs.append(second)
    paragraphs.append(f"เอกสารนี้ประกอบด้วย{ANALYSIS_PART.format(year=year)} และ{PLAN_PART.format(year=fiscal_year)}")
    return paragraphs


def part(heading: str, sections: list[Section], *, landscape: bool, sheet: str) -> list[Section]:
    """A part of the document: its heading on a new page, then `sections` in its orientation
    (on `sheet` when they name none)."""
    opening = Section(
        heading, new_page=True, landscape=landscape, sheet=(sections[0].sheet if sections else "") or sheet
    )
    return [opening] + [dataclasses.replace(s, landscape=landscape, sheet=s.sheet or sheet) for s in sections]


def combined_document(
    agency: Agency,
    fiscal_year: int,
    analysis: Document,
    plan: Document,
    measures,
    answered: Answered,
) -> Document:
    """One document of the introduction, `analysis` (of fiscal_year − 1) and `plan` (of fiscal_year)."""
    year = fiscal_year - 1
    sections = [
        # On the title's page, in its orientation: a named page of its own would start a new page.
        Section("บทนำ", introduction(agency, fiscal_year, measures, answered), sheet="บทนำ"),
        *part(ANALYSIS_PART.format(year=year), analysis.sections, landscape=False, sheet="การวิเคราะห์"),
        *part(PLAN_PART.format(year=fiscal_year), plan.sections, landscape=True, sheet="มาตรการ"),
    ]
    return Document(
        title_lines=[
            "รายงานการวิเคราะห์ผลการประเมินคุณธรรมและความโปร่งใส",
            f"ประจำปีงบประมาณ พ.ศ. {year}",
            "และมาตรการส่งเสริมคุณธรรมและความโปร่งใสภายในหน่วยงาน",
            f"ประจำปีงบประมาณ พ.ศ. {fiscal_year}",
        ],
        agency_name=agency.name_th,
        fiscal_year=fiscal_year,
        sections=sections,
        filename=f"ita-combined-{agency.code}-{fiscal_year}",
    )


def combined_document_for(agency: Agency, year: int, user=None, layout: str = DEFAULT_LAYOUT) -> Document | None:
    """The combined document of the plan of `year` (the measures `user` may see, when given) and
    the analysis of `year` − 1; None when the agency has no results of `year` − 1 or no plan of `year`."""
    measures = plan_measures(agency, year, user)
    if not measures:
        return None
    history = list(Assessment.objects.history_of(agency))
    assessment = next((a for a in history if a.fiscal_year == year - 1), None)
    if assessment is None:
        return None
    assessment.agency = agency
    answered = answered_results(agency, year)
    with translation.override("th"):
        analysis = analysis_document(assessment, history, FrameworkVersion.objects.by_id())
        plan = plan_document(agency, year, measures, answered, layout)
        document = combined_document(agency, year, analysis, plan, measures, answered)
    return sign_off(document, agency, year, "combined")
