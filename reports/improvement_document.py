"""The improvement plan of a fiscal year (DOMAIN §7 item 4), as MWA prints it: a header block
(the office's own values, else those computed from the measures), the five-level confidence table
with the chosen level ticked, the risks, and a month grid whose results column carries the units'
dated activities and results.

It lists the plan page's measures (`Measure.objects.plan_table()`) in plan order.
"""

from django.utils import translation

from assessments.models import Agency
from assessments.thai import FISCAL_MONTHS_SHORT, thai_date
from measures.improvement import IMPROVEMENT_TITLE, computed_header, printed_header
from measures.models import Confidence, ImprovementHeader, Measure, ProgressEntry, State
from measures.plans import answered_results, unit_label
from reports.layout import Document, Section, Table, agency_document, header, visible
from reports.plan_document import MONTH_MARK, Column, measure_month_columns, plan_table
from reports.signoff import sign_off

# Sarabun has no ✓ (U+2713), ✔ or ballot boxes (☑ ☐); its √ draws the same tick, so the chosen
# level is ticked in Sarabun rather than in a fallback font.
TICK = "√"
SHEET = "ข้อมูลแผน"  # the header block, the confidence table and the risks share one sheet


def plan_block(printed: dict) -> list[list[str]]:
    """The header block (label | value), numbered as MWA prints it; 8 (risk management) follows
    in its own sections."""
    lead = printed["lead_unit"]
    return [
        ["1. ชื่อแผน", printed["plan_name"]],
        ["2. วัตถุประสงค์", printed["objective"]],
        ["3. เป้าหมาย", printed["target"]],
        ["4. ผู้รับผิดชอบหลัก", unit_label(lead) if lead else "-"],
        ["5. สนับสนุนกลยุทธ์", printed["strategy"] or "-"],
        ["6. ระยะเวลาดำเนินการ", printed["period"]],
        ["7. ประเภทของแผน", printed["plan_type"]],
    ]


def confidence_table(chosen: str) -> Table:
    """The five levels (Confidence's labels, "มากที่สุด >90%" … "น้อยที่สุด <60%") side by side
    with the chosen one ticked beneath, as MWA prints it."""
    marks = [TICK if key == chosen else "" for key, _label in Confidence.choices]
    return Table(
        [[header("ระดับความมั่นใจ"), *(header(label) for _key, label in Confidence.choices)]],
        [["ระดับที่เลือก", *marks]],
        [20] + [9] * len(Confidence.choices),
    )


def header_sections(printed: dict) -> list[Section]:
    """The header block, then 8. risk management: 8.1 the confidence table, 8.2 the risks."""
    risks = [line for line in printed["risks"].splitlines() if line.strip()]
    return [
        Section(
            "ข้อมูลแผน", [], Table([[header("หัวข้อ"), header("รายละเอียด")]], plan_block(printed), [24, 96]), sheet=SHEET
        ),
        Section(
            "8. การบริหารความเสี่ยง",
            ["8.1 ระดับความมั่นใจในความสำเร็จของแผน"],
            confidence_table(printed["confidence"]),
            sheet=SHEET,
        ),
        Section(
            "8.2 ความเสี่ยงที่อาจส่งผลกระทบต่อความสำเร็จของแผน",
            [],
            Table([[header("ความเสี่ยง")]], [[line] for line in risks] or [["-"]], [120]),
            level=3,
            sheet=SHEET,
        ),
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
    agency: Agency, fiscal_year: int, measures: list[Measure], printed: dict, results: dict[int, list[str]]
) -> Document:
    """The improvement plan of a fiscal year: the header block with its confidence table and
    risks, and a table of the measures with their steps, a month grid ต.ค.–ก.ย., KPI and target,
    units and results.

    `measures` come from `Measure.objects.plan_table()`; `printed` is the header as it prints
    (`measures.improvement.printed_header`); `results` is {measure id: [text]}, the units'
    approved reports (`results_narrative`)."""
    sections = header_sections(printed)
    rows = improvement_rows(fiscal_year, measures, results)
    # A month needs only its short name ("ต.ค."); the text columns take the rest. Columns nobody
    # filled (KPIs not yet written, no results yet) are left out, the month grid kept whole.
    columns = [
        Column("ที่", 4),
        Column("กิจกรรม/ขั้นตอน", 36),
        *(Column(name, 4, "ระยะเวลาดำเนินการ") for name in FISCAL_MONTHS_SHORT),
        Column("ตัวชี้วัดและค่าเป้าหมาย", 16),
        Column("ผู้รับผิดชอบ", 18),
        Column("ผลการดำเนินงาน", 46),
    ]
    table = plan_table(columns, rows) if rows else None
    sections.append(
        Section("กิจกรรมและระยะเวลาดำเนินการ", [] if rows else ["ยังไม่มีมาตรการในแผนของปีนี้"], table, sheet="กิจกรรม")
    )
    return agency_document(agency, fiscal_year, IMPROVEMENT_TITLE, sections, "improvement")


def unit_narrative(entries: list[ProgressEntry]) -> list[str]:
    """One unit's approved reports on a measure, `entries` in round order: where the latest one
    stands, every dated activity of the year in date order ("- 12 ม.ค. 69 …", each once: a report
    carried into the next round repeats them), then the latest results reported. Units write
    their results to date in each round, so the latest holds the earlier ones."""
    latest = entries[-1]
    activities = sorted({(a.date, a.text.strip()) for e in entries for a in e.activities.all()})
    results = [e.result.strip() for e in entries if e.result.strip()][-1:]
    return [
        f"ร้อยละ {latest.percent} ({latest.get_status_display()})",
        *(f"- {thai_date(date, short=True)} {text}" for date, text in activities),
        *results,
    ]


def results_narrative(entries: list[ProgressEntry]) -> dict[int, list[str]]:
    """{measure id: [line]}: each unit's approved reports (`unit_narrative`) after its name, units
    whose reports read the same named once. `entries` are in round order, then as they were made."""
    by_unit: dict = {}
    for entry in entries:
        by_unit.setdefault((entry.measure_id, entry.unit_id), []).append(entry)
    narratives: dict = {}
    for (measure_id, _unit), unit_entries in sorted(
        by_unit.items(), key=lambda item: (item[0][0], unit_label(item[1][0].unit))
    ):
        lines = tuple(unit_narrative(unit_entries))
        narratives.setdefault(measure_id, {}).setdefault(lines, []).append(unit_label(unit_entries[0].unit))
    return {
        measure_id: [
            line for lines, units in by_text.items() for line in (f"{', '.join(units)}: {lines[0]}", *lines[1:])
        ]
        for measure_id, by_text in narratives.items()
    }


def improvement_document_for(agency: Agency, year: int, user=None) -> Document:
    """Load the plan of `year` (only the measures `user` may see, when given), the results it
    answers, the header the office saved and each unit's approved reports, and build the
    improvement plan."""
    measures = list(visible(Measure.objects.for_plan(agency, year), user).plan_table())
    entries = (
        visible(ProgressEntry.objects.filter(measure__in=[m.pk for m in measures], state=State.APPROVED), user)
        .select_related("unit", "round")
        .prefetch_related("activities")
        .order_by("round__due_date", "updated", "pk")
    )
    saved = ImprovementHeader.objects.filter(agency=agency, fiscal_year=year).select_related("lead_unit").first()
    with translation.override("th"):
        printed = printed_header(computed_header(year, measures, answered_results(agency, year)), saved)
        document = improvement_document(agency, year, measures, printed, results_narrative(list(entries)))
    return sign_off(document, agency, year, "improvement")
