"""The improvement plan of a fiscal year (DOMAIN §7 item 4): a header block and a month grid.

It lists the plan page's measures (`Measure.objects.plan_table()`) in plan order.
"""

from collections import Counter

from django.utils import translation

from assessments.models import Agency
from assessments.thai import FISCAL_MONTHS_SHORT
from measures.models import Confidence, Measure, ProgressEntry, State
from measures.plans import Answered, answered_results, unit_label
from reports.layout import Document, Section, Table, agency_document, header, visible
from reports.plan_document import MONTH_MARK, measure_month_columns
from reports.signoff import sign_off

IMPROVEMENT_TITLE = "แผนพัฒนาการส่งเสริมคุณธรรมและความโปร่งใส"
TICKED, UNTICKED = "[X]", "[ ]"  # Sarabun has no ballot-box glyphs (☑ ☐)


def plan_block(fiscal_year: int, measures: list[Measure], answered: Answered) -> list[list[str]]:
    """The header block (label | value): what the plan is for, who leads it, how sure it is."""
    indicators = {i.number: i for m in measures for i in m.indicators.all()}
    scored = sorted((score, n) for n in indicators if (score := answered.indicator_score(n)) is not None)
    weakest = [indicators[n] for _s, n in scored[:3]]
    objective = "ยกระดับผลการประเมิน ITA"
    if weakest:
        objective += " โดยพัฒนาตัวชี้วัดที่ได้คะแนนต่ำ ได้แก่ " + ", ".join(f"ตัวชี้วัดที่ {i.number} {i.name_th}" for i in weakest)
    leads = Counter(m.lead_unit for m in measures if m.lead_unit)
    lead = unit_label(leads.most_common(1)[0][0]) if leads else ""
    strategies = list(dict.fromkeys(m.strategy.strip() for m in measures if m.strategy.strip()))
    confidences = Counter(m.confidence for m in measures if m.confidence)
    chosen = confidences.most_common(1)[0][0] if confidences else None
    confidence = "\n".join(f"{TICKED if key == chosen else UNTICKED} {label}" for key, label in Confidence.choices)
    risks = "\n".join(f"{m.name}: {m.risks.strip()}" for m in measures if m.risks.strip())
    return [
        ["ชื่อแผน", f"{IMPROVEMENT_TITLE} ประจำปีงบประมาณ พ.ศ. {fiscal_year}"],
        ["วัตถุประสงค์", objective],
        ["เป้าหมาย", "ระดับดีเยี่ยม"],
        ["หน่วยงานหลัก", lead],
        ["ยุทธศาสตร์ที่สนับสนุน", ", ".join(strategies)],
        ["ระยะเวลา", f"ต.ค. {(fiscal_year - 1) % 100:02d} – ก.ย. {fiscal_year % 100:02d}"],
        ["ประเภทแผน", "แผนปฏิบัติการ"],
        ["ความมั่นใจในความสำเร็จ", confidence],
        ["ความเสี่ยง", risks or "-"],
    ]


def improvement_rows(fiscal_year: int, measures: list[Measure], results: dict[int, list[str]]) -> list[list[str]]:
    """One row a measure: its steps, a mark in each month it runs, KPI and target, units, results."""
    rows = []
    for number, measure in enumerate(measures, start=1):
        steps = [f"{n}. {step}" for n, step in enumerate(measure.step_list(), start=1)]
        columns = measure_month_columns(measure, fiscal_year)
        marks = [MONTH_MARK if i in columns else "" for i in range(12)]
        kpi = "\n".join(
            t
            for t in (measure.kpi.strip(), f"ค่าเป้าหมาย: {measure.target.strip()}" if measure.target.strip() else "")
            if t
        )
        units = "\n".join(unit_label(u) for u in measure.responsible_units())
        rows.append(
            [str(number), "\n".join([measure.name, *steps]), *marks, kpi, units, "\n".join(results.get(measure.pk, []))]
        )
    return rows


def improvement_document(
    agency: Agency, fiscal_year: int, measures: list[Measure], answered: Answered, results: dict[int, list[str]]
) -> Document:
    """The improvement plan of a fiscal year: a header block and a table of the measures with
    their steps, a month grid ต.ค.–ก.ย., KPI and target, units and results.

    `measures` come from `Measure.objects.plan_table()`; `answered` is the results of
    fiscal_year − 1; `results` is {measure id: [text]}, one line a unit from its latest
    approved progress entry."""
    sections = [
        Section(
            "ข้อมูลแผน",
            [],
            Table([[header("หัวข้อ"), header("รายละเอียด")]], plan_block(fiscal_year, measures, answered), [24, 96]),
        )
    ]
    rows = improvement_rows(fiscal_year, measures, results)
    header_rows = [
        [header("ที่", rowspan=2), header("กิจกรรม/ขั้นตอน", rowspan=2), header("ระยะเวลาดำเนินการ", colspan=12)]
        + [header(text, rowspan=2) for text in ("ตัวชี้วัดและค่าเป้าหมาย", "ผู้รับผิดชอบ", "ผลการดำเนินงาน")],
        [header(name) for name in FISCAL_MONTHS_SHORT],
    ]
    table = Table(header_rows, rows, [4, 40] + [6] * 12 + [14, 17, 22], long_rows=True) if rows else None
    sections.append(Section("กิจกรรมและระยะเวลาดำเนินการ", [] if rows else ["ยังไม่มีมาตรการในแผนของปีนี้"], table))
    return agency_document(agency, fiscal_year, IMPROVEMENT_TITLE, sections, "improvement")


def latest_results(entries: list[ProgressEntry]) -> dict[int, list[str]]:
    """{measure id: [line]}: each unit's latest entry as a summary, units at the same point named
    once; the narratives are in the progress report. `entries` are in the order they were made."""
    latest = {}
    for entry in entries:
        latest[(entry.measure_id, entry.unit_id)] = entry  # the later overwrites the earlier
    summaries: dict = {}
    for (measure_id, _unit), entry in sorted(latest.items(), key=lambda item: (item[0][0], unit_label(item[1].unit))):
        summary = f"ร้อยละ {entry.percent} ({entry.get_status_display()})"
        summaries.setdefault(measure_id, {}).setdefault(summary, []).append(unit_label(entry.unit))
    return {
        measure_id: [f"{', '.join(units)}: {summary}" for summary, units in by_summary.items()]
        for measure_id, by_summary in summaries.items()
    }


def improvement_document_for(agency: Agency, year: int, user=None) -> Document:
    """Load the plan of `year` (only the measures `user` may see, when given), the results it
    answers and each unit's latest approved entry, and build the improvement plan."""
    measures = list(visible(Measure.objects.for_plan(agency, year), user).plan_table())
    entries = (
        visible(ProgressEntry.objects.filter(measure__in=[m.pk for m in measures], state=State.APPROVED), user)
        .select_related("unit")
        .order_by("round__due_date", "updated", "pk")
    )
    with translation.override("th"):
        document = improvement_document(
            agency, year, measures, answered_results(agency, year), latest_results(list(entries))
        )
    return sign_off(document, agency, year, "improvement")
