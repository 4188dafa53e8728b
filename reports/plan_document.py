"""The measures plan of a fiscal year (DOMAIN §7 item 2), as the Ang Thong 2569 plan lays it out.

Its rows are the plan page's: both group the measures with `measures.plans.plan_groups`.
"""

from django.utils import translation

from assessments.models import Agency, Indicator
from assessments.thai import FISCAL_MONTHS, FISCAL_MONTHS_SHORT, fiscal_months, score_text, thai_date
from measures.models import Frequency, Measure, Period
from measures.plans import Answered, answered_results, plan_groups, unit_label
from reports.layout import Document, Section, Table, agency_document, header, visible
from reports.signoff import sign_off

PLAN_TITLE = "มาตรการส่งเสริมคุณธรรมและความโปร่งใสภายในหน่วยงาน"
MONTH_MARK = "■"  # in Sarabun


def _runs(positions):
    """Consecutive runs of sorted positions: [0, 1, 2, 5] → [(0, 2), (5, 5)]."""
    runs: list = []
    for position in positions:
        if runs and position == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], position)
        else:
            runs.append((position, position))
    return runs


def plan_period(measure: Measure) -> str:
    """The period as plans print it: "ไตรมาส 1–4", "ต.ค.–ธ.ค.", "1 ต.ค. 68 – 31 มี.ค. 69"."""
    if measure.period == Period.DATES:
        if measure.start_date or measure.end_date:
            return " – ".join(thai_date(d, short=True) for d in (measure.start_date, measure.end_date) if d)
        return ""
    if measure.period == Period.QUARTERS:
        runs = _runs(measure.quarters())
        return ("ไตรมาส " + ", ".join(f"{a}–{b}" if a != b else f"{a}" for a, b in runs)) if runs else ""
    runs = _runs(sorted(FISCAL_MONTHS.index(m) for m in set(measure.months) if m in FISCAL_MONTHS))
    names = FISCAL_MONTHS_SHORT
    return ", ".join(f"{names[a]}–{names[b]}" if a != b else names[a] for a, b in runs)


def measure_month_columns(measure: Measure, fiscal_year: int) -> set[int]:
    """The positions (0 = ต.ค. … 11 = ก.ย.) of the months `measure` runs in during `fiscal_year`."""
    if measure.period == Period.DATES:
        if not (measure.start_date or measure.end_date):
            return set()
        months = fiscal_months(fiscal_year)
        start = (measure.start_date.year, measure.start_date.month) if measure.start_date else months[0]
        end = (measure.end_date.year, measure.end_date.month) if measure.end_date else months[-1]
        return {i for i, month in enumerate(months) if start <= month <= end}
    if measure.period == Period.QUARTERS:
        return {(q - 1) * 3 + i for q in measure.quarters() for i in range(3)}
    return {FISCAL_MONTHS.index(m) for m in measure.months if m in FISCAL_MONTHS}


def _quarter_arrows(quarters):
    """One cell per quarter, an arrow from the first to the last quarter of each run, as TCEB prints."""
    cells = [""] * 4
    for first, last in _runs([q - 1 for q in quarters]):
        if first == last:
            cells[first] = "←→"
        else:
            cells[first], cells[last] = "←", "→"
            for between in range(first + 1, last):
                cells[between] = "―"
    return cells


def _indicator_line(indicator: Indicator, answered: Answered) -> str:
    score = answered.indicator_score(indicator.number)
    text = f"ตัวชี้วัดที่ {indicator.number} {indicator.name_th}"
    return f"{text} (คะแนน {score_text(score)})" if score is not None else text


def plan_rows(measures: list[Measure], answered: Answered, fiscal_year: int, grid: int) -> list[list[str]]:
    """The plan page's groups as table rows: the group's indicator printed once, in its first
    row, and a measure answering more indicators lists the others in its own row."""
    rows = []
    for group in plan_groups(measures, answered):
        for index, measure in enumerate(group.measures):
            if group.indicator is None:
                cell = "มาตรการอื่น ๆ" if index == 0 else ""
            else:
                shown = ([group.indicator] if index == 0 else []) + list(measure.indicators.all())[1:]
                cell = "\n".join(_indicator_line(i, answered) for i in shown)
            steps = "\n".join(f"{n}. {step}" for n, step in enumerate(measure.step_list(), start=1))
            units = "\n".join(unit_label(u) for u in measure.responsible_units())
            if grid == 4:
                period = _quarter_arrows(measure.quarters())
            elif grid == 12:
                columns = measure_month_columns(measure, fiscal_year)
                period = [MONTH_MARK if i in columns else "" for i in range(12)]
            else:
                period = [plan_period(measure)]
            rows.append([cell, measure.name, measure.analysis.strip(), steps, *period, units])
    return rows


def plan_document(agency: Agency, fiscal_year: int, measures: list[Measure], answered: Answered) -> Document:
    """The measures plan of a fiscal year.

    `measures` come from `Measure.objects.plan_table()`; `answered` is what the plan answers, the
    results of fiscal_year − 1. The period is a column per quarter with arrows when every
    measure runs by quarters (TCEB 2566), a month grid when every one runs by months, else text.
    A second table holds monitoring, reporting and KPI when any measure has them (TCEB 2566)."""
    periods = {m.period for m in measures}
    grid = {Period.QUARTERS: 4, Period.MONTHS: 12}.get(periods.pop(), 0) if len(periods) == 1 else 0
    rows = plan_rows(measures, answered, fiscal_year, grid)
    heading = "มาตรการและขั้นตอนการดำเนินงาน"
    paragraphs = (
        [f"มาตรการตามผลการประเมิน ITA ประจำปีงบประมาณ พ.ศ. {fiscal_year - 1}"] if rows else ["ยังไม่มีมาตรการในแผนของปีนี้"]
    )
    texts = [f"ตัวชี้วัด (คะแนนปี {fiscal_year - 1})", "มาตรการ", "ผลการวิเคราะห์", "ขั้นตอนการดำเนินงาน"]
    if grid:
        names = [f"ไตรมาส ที่ {q}" for q in range(1, 5)] if grid == 4 else FISCAL_MONTHS_SHORT
        header_rows = [
            [header(text, rowspan=2) for text in texts]
            + [header("ช่วงระยะเวลา", colspan=grid), header("ผู้รับผิดชอบ", rowspan=2)],
            [header(name) for name in names],
        ]
        widths = [26, 22, 28, 34] + [9] * 4 + [20] if grid == 4 else [22, 20, 24, 34] + [6] * 12 + [18]
    else:
        header_rows = [[header(text) for text in [*texts, "ช่วงระยะเวลา", "ผู้รับผิดชอบ"]]]
        widths = [26, 22, 28, 38, 15, 20]
    sections = [Section(heading, paragraphs, Table(header_rows, rows, widths, long_rows=True) if rows else None)]

    follow_up = [
        m for m in measures if m.monitoring.strip() or m.report_to.strip() or m.kpi.strip() or m.target.strip()
    ]
    if follow_up:
        rows = []
        for measure in follow_up:
            frequency = str(Frequency(measure.report_frequency).label) if measure.report_frequency else ""
            report = (
                f"รายงานผลต่อ {measure.report_to.strip()} {frequency}".strip()
                if measure.report_to.strip()
                else frequency
            )
            rows.append([measure.name, measure.monitoring.strip(), report, measure.kpi.strip(), measure.target.strip()])
        header_rows = [
            [header(text, rowspan=2) for text in ("มาตรการ", "แนวทางการกำกับติดตาม", "การรายงานผล")]
            + [header("ตัวชี้วัดความสำเร็จและค่าเป้าหมาย", colspan=2)],
            [header("ตัวชี้วัดความสำเร็จ"), header("ค่าเป้าหมาย")],
        ]
        sections.append(Section("การกำกับติดตามและการรายงานผล", [], Table(header_rows, rows, [30, 36, 22, 30, 16])))
    return agency_document(agency, fiscal_year, PLAN_TITLE, sections, "plan")


def plan_document_for(agency: Agency, year: int, user=None) -> Document:
    """Load the plan of `year` (only the measures `user` may see, when given) and the results it
    answers in a fixed number of queries, and build the document."""
    measures = list(visible(Measure.objects.for_plan(agency, year), user).plan_table())
    with translation.override("th"):
        document = plan_document(agency, year, measures, answered_results(agency, year))
    return sign_off(document, agency, year, "plan")
