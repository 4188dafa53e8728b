"""The measures plan of a fiscal year (DOMAIN §7 item 2), in two layouts:

- "angthong" (the default), as the Ang Thong 2569 plan lays it out: the plan page's rows, grouped
  by indicator with `measures.plans.plan_groups`, and the monitoring, reporting and KPI in a
  second table;
- "tceb", TCEB 2566's single table: the items a measure answers with their scores, its steps,
  quarters, units, monitoring and reporting, under heading rows for the tool, the tier of the
  items' scores and the indicator.

Columns nobody filled are left out, so a plan without analyses or periods prints no empty column.
"""

from dataclasses import dataclass

from django.db.models import Prefetch
from django.utils import translation

from assessments.models import Agency, Indicator, Item
from assessments.scoring import letter_level
from assessments.thai import FISCAL_MONTHS, FISCAL_MONTHS_SHORT, fiscal_months, score_text, thai_date
from measures.models import Frequency, Measure, Period
from measures.plans import Answered, answered_results, plan_groups, unit_label
from reports.layout import Document, Section, Table, agency_document, header, visible
from reports.signoff import sign_off

PLAN_TITLE = "มาตรการส่งเสริมคุณธรรมและความโปร่งใสภายในหน่วยงาน"
MONTH_MARK = "■"  # in Sarabun
LAYOUTS = ("angthong", "tceb")
DEFAULT_LAYOUT = "angthong"

# The tiers' headings in TCEB's words, with the bounds the year's rule sets.
TIER_HEADINGS = {
    "urgent": "ประเด็นที่เป็นข้อบกพร่องหรือจุดอ่อนที่จะต้องแก้ไขโดยเร่งด่วน (ต่ำกว่า {lower} คะแนน)",
    "improve": "ประเด็นที่จะต้องพัฒนาให้ดีขึ้น ({lower}–{upper} คะแนน)",
    "keep": "ประเด็นที่ควรรักษาระดับผลการดำเนินงานไว้ (สูงกว่า {upper} คะแนน)",
    "weakness": "ประเด็นที่เป็นจุดอ่อน (ต่ำกว่าค่าเป้าหมาย {target} คะแนน)",
    "strength": "ประเด็นที่เป็นจุดแข็ง (ตั้งแต่ค่าเป้าหมาย {target} คะแนนขึ้นไป)",
}


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


@dataclass
class Column:
    """A column of a plan table; columns of one `group` sit under one heading (the quarter grid)."""

    text: str
    width: int
    group: str = ""


def _filled(value) -> bool:
    return bool(str(value or "").strip())


def plan_table(columns: list[Column], rows: list[list[str]], styles: list[str] | None = None) -> Table:
    """The table of `rows` with only the columns someone filled (a grid is kept or left out whole).

    Heading rows (style "heading") are one cell spanning the table and count for no column."""
    styles = styles or [""] * len(rows)
    full = [row for row, style in zip(rows, styles, strict=True) if style != "heading"]
    used = [any(_filled(row[i]) for row in full) for i in range(len(columns))]
    kept = [
        i
        for i, column in enumerate(columns)
        if (any(used[j] for j, other in enumerate(columns) if other.group == column.group) if column.group else used[i])
    ]
    columns = [columns[i] for i in kept]
    rows = [row if style == "heading" else [row[i] for i in kept] for row, style in zip(rows, styles, strict=True)]
    groups = [c.group for c in columns if c.group]
    if groups:
        first_row, seen = [], set()
        for column in columns:
            if not column.group:
                first_row.append(header(column.text, rowspan=2))
            elif column.group not in seen:
                seen.add(column.group)
                first_row.append(header(column.group, colspan=groups.count(column.group)))
        header_rows = [first_row, [header(c.text) for c in columns if c.group]]
    else:
        header_rows = [[header(c.text) for c in columns]]
    return Table(header_rows, rows, [c.width for c in columns], row_styles=list(styles), long_rows=True)


def plan_grid(measures: list[Measure]) -> int:
    """4 (a column per quarter, TCEB 2566) when every measure runs by quarters and one runs in
    some, 12 (a month grid) when every one runs by months, else 0 (the period as text)."""
    periods = {m.period for m in measures}
    grid = {Period.QUARTERS: 4, Period.MONTHS: 12}.get(periods.pop(), 0) if len(periods) == 1 else 0
    if grid == 4 and not any(m.quarters() for m in measures):
        return 0  # no quarter to mark: no empty quarter columns
    return grid


def period_cells(measure: Measure, fiscal_year: int, grid: int) -> list[str]:
    if grid == 4:
        return _quarter_arrows(measure.quarters())
    if grid == 12:
        columns = measure_month_columns(measure, fiscal_year)
        return [MONTH_MARK if i in columns else "" for i in range(12)]
    return [plan_period(measure)]


def period_columns(grid: int) -> list[Column]:
    if grid == 4:
        return [Column(f"ไตรมาส ที่ {q}", 10, "ช่วงระยะเวลา") for q in range(1, 5)]
    if grid == 12:
        return [Column(name, 6, "ช่วงระยะเวลา") for name in FISCAL_MONTHS_SHORT]
    return [Column("ช่วงระยะเวลา", 15)]


def units_text(measure: Measure) -> str:
    """The measure's lead and supporting units, each once."""
    return "\n".join(dict.fromkeys(unit_label(u) for u in measure.responsible_units()))


def steps_text(measure: Measure) -> str:
    return "\n".join(f"{n}. {step}" for n, step in enumerate(measure.step_list(), start=1))


def report_text(measure: Measure) -> str:
    """ "รายงานผลต่อ <whom> <how often>", as the plans word their reporting."""
    frequency = str(Frequency(measure.report_frequency).label) if measure.report_frequency else ""
    if measure.report_to.strip():
        return f"รายงานผลต่อ {measure.report_to.strip()} {frequency}".strip()
    return frequency


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
            period = period_cells(measure, fiscal_year, grid)
            rows.append(
                [cell, measure.name, measure.analysis.strip(), steps_text(measure), *period, units_text(measure)]
            )
    return rows


def angthong_sections(fiscal_year: int, measures: list[Measure], answered: Answered) -> list[Section]:
    """The plan by indicator (Ang Thong 2569) and, when any measure has them, the monitoring,
    reporting and KPI in a second table (TCEB 2566 prints them too)."""
    grid = plan_grid(measures)
    rows = plan_rows(measures, answered, fiscal_year, grid)
    paragraphs = (
        [f"มาตรการตามผลการประเมิน ITA ประจำปีงบประมาณ พ.ศ. {fiscal_year - 1}"] if rows else ["ยังไม่มีมาตรการในแผนของปีนี้"]
    )
    wide = grid == 12
    columns = [
        Column(f"ตัวชี้วัด (คะแนนปี {fiscal_year - 1})", 22 if wide else 26),
        Column("มาตรการ", 20 if wide else 22),
        Column("ผลการวิเคราะห์", 24 if wide else 28),
        Column("ขั้นตอนการดำเนินงาน", 34 if grid else 38),
        *period_columns(grid),
        Column("ผู้รับผิดชอบ", 18 if wide else 20),
    ]
    table = plan_table(columns, rows) if rows else None
    sections = [Section("มาตรการและขั้นตอนการดำเนินงาน", paragraphs, table, sheet="มาตรการ")]

    follow_up = [
        m for m in measures if m.monitoring.strip() or m.report_to.strip() or m.kpi.strip() or m.target.strip()
    ]
    if follow_up:
        rows = [[m.name, m.monitoring.strip(), report_text(m), m.kpi.strip(), m.target.strip()] for m in follow_up]
        columns = [
            Column("มาตรการ", 30),
            Column("แนวทางการกำกับติดตาม", 36),
            Column("การรายงานผล", 22),
            Column("ตัวชี้วัดความสำเร็จ", 30, "ตัวชี้วัดความสำเร็จและค่าเป้าหมาย"),
            Column("ค่าเป้าหมาย", 16, "ตัวชี้วัดความสำเร็จและค่าเป้าหมาย"),
        ]
        sections.append(Section("การกำกับติดตามและการรายงานผล", [], plan_table(columns, rows), sheet="การติดตาม"))
    return sections


# --- TCEB's single table --------------------------------------------------------------------


def item_scores_text(item: Item, answered: Answered) -> str:
    """ "ได้รับผลประเมิน 96.67 คะแนน ระดับ AA", or per EIT part for items scored in parts."""
    scores = [(label, score) for label, score in answered.item_scores(item) if score is not None]
    if not scores:
        return ""
    if len(scores) == 1:
        text = f"ได้รับผลประเมิน {score_text(scores[0][1])} คะแนน"
        letter = letter_level(answered.version.spec, scores[0][1]) if answered.version else None
        return f"{text} ระดับ {letter}" if letter else text
    return "ได้รับผลประเมิน " + " ".join(f"{label} {score_text(score)}" for label, score in scores) + " คะแนน"


def item_line(item: Item, answered: Answered) -> str:
    scores = item_scores_text(item, answered)
    return f"{item.code} {item.text_th}" + (f" {scores}" if scores else "")


def _lowest(scores):
    known = [score for score in scores if score is not None]
    return min(known) if known else None


def answered_place(measure: Measure, answered: Answered, rule):
    """(tool, tier, indicator) the measure goes under: that of the item (else indicator) it
    answers that comes first by tool, then weakest tier, then indicator and item order."""
    tiers = rule.tiers if rule else ()
    places = []
    for item in measure.items.all():
        score = _lowest(score for _label, score in answered.item_scores(item))
        tier = rule.tier(score) if rule else None
        indicator = item.indicator
        places.append(
            (
                (indicator.tool.order, tiers.index(tier) if tier in tiers else 9, indicator.number, item.order),
                (indicator.tool, tier, indicator),
            )
        )
    if not places:
        for indicator in measure.indicators.all():
            tier = rule.tier(answered.indicator_score(indicator.number)) if rule else None
            places.append(
                (
                    (indicator.tool.order, tiers.index(tier) if tier in tiers else 9, indicator.number, 0),
                    (indicator.tool, tier, indicator),
                )
            )
    return min(places, key=lambda place: place[0])[1] if places else (None, None, None)


def tier_heading(tier: str, rule) -> str:
    return TIER_HEADINGS[tier].format(
        lower=score_text(rule.lower), upper=score_text(rule.upper), target=score_text(rule.target)
    )


def tceb_rows(measures: list[Measure], answered: Answered, fiscal_year: int, grid: int):
    """(rows, styles): heading rows for each tool ("1) แบบวัด… (IIT)"), tier ("1.1) ประเด็นที่…")
    and indicator, then a row a measure: the items it answers (each printed once in its
    indicator), its name and steps, period, units, monitoring (with the KPI) and reporting."""
    rule = answered.assessment.tier_rule if answered.assessment else None
    placed = [(answered_place(m, answered, rule), m) for m in measures]
    tiers = rule.tiers if rule else ()

    def order(entry):
        (tool, tier, indicator), measure = entry
        if tool is None:
            return (1, 0, 0, 0, measure.order, measure.pk)
        return (0, tool.order, tiers.index(tier) if tier in tiers else 9, indicator.number, measure.order, measure.pk)

    rows, styles = [], []
    tool_number = tier_number = 0
    last_tool = last_tier = last_indicator = None
    printed: set = set()
    for (tool, tier, indicator), measure in sorted(placed, key=order):
        if tool is None and last_tool != "other":
            rows.append(["มาตรการอื่น ๆ"])
            styles.append("heading")
            last_tool = "other"
        if tool is not None and tool != last_tool:
            tool_number, tier_number, last_tier, last_indicator = tool_number + 1, 0, None, None
            rows.append([f"{tool_number}) {tool.name_th} ({tool.code})"])
            styles.append("heading")
            last_tool = tool
        if tier and tier != last_tier:
            tier_number += 1
            rows.append([f"{tool_number}.{tier_number}) {tier_heading(tier, rule)}"])
            styles.append("heading")
            last_tier, last_indicator = tier, None
        if indicator is not None and indicator != last_indicator:
            rows.append([_indicator_line(indicator, answered)])
            styles.append("heading")
            last_indicator, printed = indicator, set()
        items = [i for i in measure.items.all() if i.code not in printed]
        printed.update(i.code for i in items)
        answers = "\n".join(item_line(i, answered) for i in items)
        steps = "\n".join([measure.name, *(f"{n}) {step}" for n, step in enumerate(measure.step_list(), start=1))])
        monitoring = measure.monitoring.strip()
        kpi = " ".join(part for part in (measure.kpi.strip(), measure.target.strip()) if part)
        if kpi:
            monitoring = "\n".join(part for part in (monitoring, f"ตัวชี้วัดความสำเร็จ: {kpi}") if part)
        period = period_cells(measure, fiscal_year, grid)
        rows.append([answers, steps, *period, units_text(measure), monitoring, report_text(measure)])
        styles.append("")
    return rows, styles


def tceb_sections(fiscal_year: int, measures: list[Measure], answered: Answered) -> list[Section]:
    """TCEB 2566's one table, with its monitoring and reporting columns."""
    if not measures:
        return [Section("มาตรการและขั้นตอนการดำเนินงาน", ["ยังไม่มีมาตรการในแผนของปีนี้"], sheet="มาตรการ")]
    grid = plan_grid(measures)
    rows, styles = tceb_rows(measures, answered, fiscal_year, grid)
    columns = [
        Column(f"ประเด็นการประเมิน (ผลปี {fiscal_year - 1})", 30),
        Column("มาตรการและขั้นตอนดำเนินการ", 40),
        *(
            [Column(c.text, c.width, "ระยะเวลาดำเนินการ") for c in period_columns(grid)]
            if grid
            else period_columns(grid)
        ),
        Column("หน่วยงานที่รับผิดชอบ", 18),
        Column("แนวทางการกำกับติดตาม", 30),
        Column("การรายงานผล", 18),
    ]
    paragraphs = [
        f"มาตรการตามผลการประเมิน ITA ประจำปีงบประมาณ พ.ศ. {fiscal_year - 1} แบ่งตามกลุ่มผู้มีส่วนได้ส่วนเสียและกลุ่มประเด็นที่ต้องแก้ไข"
    ]
    return [Section("มาตรการและขั้นตอนการดำเนินงาน", paragraphs, plan_table(columns, rows, styles), sheet="มาตรการ")]


def plan_document(
    agency: Agency, fiscal_year: int, measures: list[Measure], answered: Answered, layout: str = DEFAULT_LAYOUT
) -> Document:
    """The measures plan of a fiscal year in `layout` (LAYOUTS).

    `measures` come from `plan_measures`; `answered` is what the plan answers, the results of
    fiscal_year − 1. The period is a column per quarter with arrows when every measure runs by
    quarters (TCEB 2566), a month grid when every one runs by months, else text."""
    if layout == "tceb":
        sections = tceb_sections(fiscal_year, measures, answered)
    else:
        sections = angthong_sections(fiscal_year, measures, answered)
    return agency_document(agency, fiscal_year, PLAN_TITLE, sections, "plan")


def plan_measures(agency: Agency, year: int, user=None) -> list[Measure]:
    """The plan's measures `user` may see (all when None), with their units, indicators and
    items (with the items' indicator and tool), in a fixed number of queries."""
    items = Item.objects.select_related("indicator__tool").order_by("order", "pk")
    return list(
        visible(Measure.objects.for_plan(agency, year), user).plan_table().prefetch_related(Prefetch("items", items))
    )


def plan_document_for(agency: Agency, year: int, user=None, layout: str = DEFAULT_LAYOUT) -> Document:
    """Load the plan of `year` (only the measures `user` may see, when given) and the results it
    answers in a fixed number of queries, and build the document."""
    measures = plan_measures(agency, year, user)
    with translation.override("th"):
        document = plan_document(agency, year, measures, answered_results(agency, year), layout)
    return sign_off(document, agency, year, "plan")
