"""Documents as plain data: one function builds the rows of a document, thin renderers
(HTML preview, WeasyPrint PDF, openpyxl XLSX) output the same rows (STYLE §13).

Cells are plain values: text, a Decimal score, or None for an unknown figure. A table says
which columns hold numbers and how they print ("score" 97.04, "change" (4.72) for falls);
the renderers format them, so the spreadsheet keeps numbers as numbers.
"""

from dataclasses import dataclass, field

from django.utils import translation

from assessments import charts
from assessments.analysis import build_analysis

SCORE, CHANGE = "score", "change"


@dataclass
class Header:
    """A header cell; colspan/rowspan merge it over the cells of the header rows below or beside."""

    text: str
    colspan: int = 1
    rowspan: int = 1


@dataclass
class Table:
    header_rows: list  # [[Header | str]]
    rows: list  # [[value]]; a row shorter than the table spans its last cell over the rest
    widths: list  # relative widths of the columns, in characters (XLSX) and proportions (PDF)
    number_columns: dict = field(default_factory=dict)  # column index → SCORE | CHANGE
    row_styles: list = field(default_factory=list)  # per row: "" | "heading" | "indent" | "total"
    long_rows: bool = False  # rows may run longer than a page: let them break between lines

    @property
    def columns(self):
        return len(self.widths)

    @property
    def label_column(self):
        """The widest text column: where an indented row is indented."""
        text_columns = [i for i in range(self.columns) if i not in self.number_columns]
        return max(text_columns, key=lambda i: self.widths[i]) if text_columns else 0

    def style(self, index):
        return self.row_styles[index] if index < len(self.row_styles) else ""


@dataclass
class Section:
    heading: str
    paragraphs: list = field(default_factory=list)
    table: Table | None = None
    charts: list = field(default_factory=list)  # SVG strings
    level: int = 2  # 2 for a section, 3 for a part within the section before it


@dataclass
class Document:
    title_lines: list
    agency_name: str
    fiscal_year: int
    sections: list
    filename: str  # without the extension: ita-analysis-TCEB-2565


def header(text, colspan=1, rowspan=1):
    return Header(str(text), colspan, rowspan)


def score_text(value):
    from assessments.templatetags.assessments_extras import score

    return score(value)


def change_text(value):
    from assessments.templatetags.assessments_extras import change

    return change(value)


def analysis_document(assessment, history, versions):
    """The analysis of one agency's year as an integrity office publishes it, from `build_analysis`."""
    with translation.override("th"):
        return _analysis_document(build_analysis(assessment, history, versions), history, versions)


def _analysis_document(report, history, versions):
    assessment = report.assessment
    agency = assessment.agency
    year = assessment.fiscal_year
    previous_year = report.previous_year
    sections = []

    # 1. Overall score and level against last year.
    overall = report.overall
    summary = f"ผลการประเมินคุณธรรมและความโปร่งใสในการดำเนินงาน (ITA) ของ{agency.name_th} ประจำปีงบประมาณ พ.ศ. {year}"
    if overall and overall.shown is not None:
        summary += f" ได้คะแนน {score_text(overall.shown)} คะแนน"
        if report.level:
            summary += f" อยู่ในระดับ {report.level}"
    if previous_year and overall and overall.previous is not None:
        summary += f" เทียบกับปี {previous_year} ได้คะแนน {score_text(overall.previous)} คะแนน ผลต่าง {change_text(overall.change)}"
    rows = []
    styles = []
    for tool, row, parts in report.tools:
        if row is None:
            continue
        rows.append([f"{tool.code} {tool.name_th}", row.previous, row.shown, row.change])
        styles.append("")
        names = {tool_part.number: str(tool_part) for tool_part in tool.parts.all()}  # "EIT ส่วนที่ 1 (EIT Public)"
        for part in parts:
            rows.append([names.get(part.part, f"{tool.code} {part.label}"), part.previous, part.shown, part.change])
            styles.append("indent")
    if overall:
        rows.append(["คะแนนภาพรวม (ITA)", overall.previous, overall.shown, overall.change])
        styles.append("total")
    sections.append(
        Section(
            f"สรุปผลการประเมิน ITA ประจำปีงบประมาณ พ.ศ. {year}",
            [summary],
            _year_table("เครื่องมือการประเมิน", previous_year, year, rows, styles),
        )
    )

    # 2. Indicators with the earlier years side by side.
    years = report.years
    with_change = bool(previous_year)
    with_letters = any(row and row.letter for _i, row, _h in report.indicators)  # AA–F in 2562–2565 only
    header_rows = [
        [header("ตัวชี้วัด", rowspan=2), header("คะแนน", colspan=len(years))]
        + ([header("ผลต่าง", rowspan=2)] if with_change else [])
        + ([header("ระดับ", rowspan=2)] if with_letters else []),
        [header(f"ปี {y}") for y in years],
    ]
    rows = []
    for indicator, row, history_scores in report.indicators:
        line = [f"ตัวชี้วัดที่ {indicator.number} {indicator.name_th}", *history_scores]
        if with_change:
            line.append(row.change if row else None)
        if with_letters:
            line.append(row.letter if row and row.letter else "")
        rows.append(line)
    number_columns = {1 + i: SCORE for i in range(len(years))}
    if with_change:
        number_columns[1 + len(years)] = CHANGE
    highlights = []
    if report.highest:
        highlights.append("ตัวชี้วัดที่ได้คะแนนสูงสุด: " + ", ".join(f"ตัวชี้วัดที่ {i.number} {i.name_th}" for i in report.highest))
    if report.lowest:
        highlights.append("ตัวชี้วัดที่ได้คะแนนต่ำสุด: " + ", ".join(f"ตัวชี้วัดที่ {i.number} {i.name_th}" for i in report.lowest))
    sections.append(
        Section(
            "ผลการประเมินรายตัวชี้วัด",
            highlights,
            Table(header_rows, rows, [44] + [11] * len(years) + ([11] if with_change else []) + ([8] if with_letters else []), number_columns),
        )
    )

    # 3. Items of each indicator, with sub-questions and letter levels.
    tier_names = {tier: str(label) for tier, label, _tools in report.tiers}
    first = True
    for indicator, item_rows in report.tables:
        if not item_rows:
            continue
        with_previous = report.previous_items
        with_letters = any(row.letter for row in item_rows)
        header_rows = [
            [header("ข้อ"), header("ประเด็นการประเมิน")]
            + ([header(f"ปี {previous_year}")] if with_previous else [])
            + [header(f"ปี {year}")]
            + ([header("ผลต่าง")] if with_previous else [])
            + ([header("ระดับ")] if with_letters else [])
            + [header("กลุ่ม")]
        ]
        rows, styles = [], []
        for row in item_rows:
            code = "" if row.indent or row.heading else row.code
            line = [code, row.label] + ([row.previous] if with_previous else []) + [row.shown]
            if with_previous:
                line.append(row.change)
            line += ([row.letter or ""] if with_letters else []) + [tier_names.get(row.tier, "")]
            rows.append(line)
            styles.append("heading" if row.heading else "indent" if row.indent else "")
        number_columns = {2: SCORE, 3: SCORE, 4: CHANGE} if with_previous else {2: SCORE}
        widths = [6, 50] + ([10] if with_previous else []) + [10] + ([10] if with_previous else []) + ([7] if with_letters else []) + [16]
        sections.append(
            Section(
                f"ตัวชี้วัดที่ {indicator.number} {indicator.name_th} ({indicator.tool.code})",
                [],
                Table(header_rows, rows, widths, number_columns, styles),
                level=3,
            )
        )
        if first:
            sections[-1:] = [Section("ผลการประเมินรายประเด็น"), sections[-1]]
            first = False

    # 4. Items by tier, grouped by tool and indicator.
    bounds = (
        f"เป้าหมาย {score_text(report.rule.target)} คะแนน"
        if report.rule.scheme == "target"
        else f"ต่ำกว่า {score_text(report.rule.lower)} ต้องแก้ไขโดยเร่งด่วน, {score_text(report.rule.lower)}–{score_text(report.rule.upper)} ต้องพัฒนาให้ดีขึ้น, สูงกว่า {score_text(report.rule.upper)} ควรรักษาระดับไว้"
    )
    sections.append(Section("การจัดกลุ่มประเด็นการประเมินตามผลคะแนน", [f"เกณฑ์การจัดกลุ่ม: {bounds}"]))
    for _tier, label, tools in report.tiers:
        rows, styles = [], []
        for tool, indicators in tools:
            for indicator, tier_rows in indicators:
                rows.append([f"{tool} ตัวชี้วัดที่ {indicator.number} {indicator.name_th}"])
                styles.append("heading")
                for row in tier_rows:
                    rows.append([row.code, row.label, row.shown, row.letter or ""])
                    styles.append("")
        if not rows:
            sections.append(Section(str(label), ["ไม่มีประเด็นในกลุ่มนี้"], level=3))
            continue
        sections.append(
            Section(
                str(label),
                [],
                Table([[header("ข้อ"), header("ประเด็นการประเมิน"), header("คะแนน"), header("ระดับ")]], rows, [8, 62, 10, 8], {2: SCORE}, styles),
                level=3,
            )
        )

    # 5. The NACC's suggestions.
    suggestions = [p.strip() for p in (assessment.suggestions or "").split("\n") if p.strip()]
    sections.append(
        Section(
            "ข้อเสนอแนะจากสำนักงานคณะกรรมการป้องกันและปราบปรามการทุจริตแห่งชาติ (สำนักงาน ป.ป.ช.)",
            suggestions or ["ไม่มีการบันทึกข้อเสนอแนะสำหรับปีนี้"],
        )
    )

    # 6. The trend of the overall score and the tools.
    trend = _trend_chart(report, history, versions)
    if trend:
        sections.append(Section("แนวโน้มผลการประเมิน", [], charts=[trend]))

    return Document(
        title_lines=["รายงานการวิเคราะห์ผลการประเมินคุณธรรมและความโปร่งใสในการดำเนินงานของหน่วยงานภาครัฐ (ITA)", f"ประจำปีงบประมาณ พ.ศ. {year}"],
        agency_name=agency.name_th,
        fiscal_year=year,
        sections=sections,
        filename=f"ita-analysis-{agency.code}-{year}",
    )


def _year_table(first_column, previous_year, year, rows, styles):
    if previous_year:
        header_rows = [
            [header(first_column, rowspan=2), header("คะแนน", colspan=2), header("ผลต่าง", rowspan=2)],
            [header(f"ปี {previous_year}"), header(f"ปี {year}")],
        ]
        return Table(header_rows, rows, [44, 11, 11, 11], {1: SCORE, 2: SCORE, 3: CHANGE}, styles)
    return Table([[header(first_column), header(f"ปี {year}")]], [[r[0], r[2]] for r in rows], [44, 11], {1: SCORE}, styles)


def _trend_chart(report, history, versions):
    """The overall score and the tools over the years up to this one (a line chart in SVG)."""
    history = [a for a in history if a.fiscal_year <= report.assessment.fiscal_year]
    if len(history) < 2:
        return ""
    results = [a.result(versions[a.version_id].spec) for a in history]
    years = [a.fiscal_year for a in history]
    series = [("ITA", [r.shown("ITA") for r in results])]
    for tool, _row, _parts in report.tools:
        values = [r.shown(tool.code) for r in results]
        if any(v is not None for v in values):
            series.append((tool.code, values))
    return charts.line_chart("คะแนน ITA และเครื่องมือการประเมิน", years, series, y_min=None)


def visible(queryset, user):
    """What `user` may see of measures or progress entries, by the pages' rules; everything when
    no user is given (the export command, and bundles, which check the user themselves)."""
    return queryset if user is None else queryset.visible_to(user)


def analysis_document_for(assessment):
    """Load the agency's years and the frameworks (as the analysis page does) and build the document."""
    from assessments.models import Assessment, FrameworkVersion

    history = list(Assessment.objects.filter(agency=assessment.agency).order_by("fiscal_year").prefetch_related("scores"))
    versions = {version.pk: version for version in FrameworkVersion.objects.with_spec_data()}
    current = next(a for a in history if a.pk == assessment.pk)
    current.agency = assessment.agency
    return analysis_document(current, history, versions)


# --- The progress report of a reporting round (DOMAIN §7 item 3, after the FIO's report) ------

ROUND_LABELS = {
    "q1": "ไตรมาสที่ 1",
    "q2": "ไตรมาสที่ 2",
    "q3": "ไตรมาสที่ 3",
    "q4": "ไตรมาสที่ 4",
    "6m": "รอบ 6 เดือน",
    "12m": "รอบ 12 เดือน",
}
# The 6- and 12-month reports are the second and fourth quarters' when units report quarterly.
ROUND_STANDS_IN = {"6m": "q2", "12m": "q4"}
NOT_REVIEWED = "(ยังไม่ผ่านการตรวจสอบ)"


def progress_document(agency, year, round_kind, measures, rounds, entries, assessments, versions, items):
    """The progress report of `round_kind` of `agency`'s plan for `year` as plain rows.

    `measures` in plan order (units and indicators loaded); `rounds` {kind: ReportingRound};
    `entries` the entries of the round used, activities loaded; `assessments` {year: Assessment}
    for year−2 and year−1 with scores loaded; `versions` {id: FrameworkVersion with spec data};
    `items` {indicator number: [Item]} of year−1's framework.
    """
    from assessments.analysis import TierRule, WEAK_TIERS
    from assessments.thai import thai_date
    from measures.models import State, Status

    with translation.override("th"):
        label = ROUND_LABELS[round_kind]
        used = round_kind
        notes = []
        chosen = rounds.get(round_kind)
        if round_kind in ROUND_STANDS_IN and (chosen is None or not chosen.active):
            used = ROUND_STANDS_IN[round_kind]
            notes.append(
                f"หน่วยงานไม่ได้รายงาน{label}แยกต่างหาก รายงานนี้ใช้ผลการดำเนินงาน{ROUND_LABELS[used]} แทน"
            )
        first_day, last_day = rounds[used].period if used in rounds else (None, None)
        if used in rounds:
            notes.append(f"ผลการดำเนินงานระหว่างวันที่ {thai_date(first_day)} ถึงวันที่ {thai_date(last_day)}")

        before, last = year - 2, year - 1
        results = {y: a.result(versions[a.version_id].spec) for y, a in assessments.items()}
        rule = assessments[last].tier_rule if last in assessments else TierRule()

        by_measure = {}
        for entry in entries:
            by_measure.setdefault(entry.measure_id, []).append(entry)

        rows = []
        done = 0
        for number, measure in enumerate(measures, start=1):
            indicators = sorted(measure.indicators.all(), key=lambda i: i.number)
            indicator_text = " ".join(f"ตัวชี้วัดที่ {i.number} {i.name_th}" for i in indicators)
            scores = [None, None, None]
            if len(indicators) == 1:
                code = f"IND{indicators[0].number}"
                old = results[before].shown(code) if before in results else None
                new = results[last].shown(code) if last in results else None
                scores = [old, new, new - old if old is not None and new is not None else None]
            elif indicators:  # several indicators: each one's scores after its name
                parts = []
                for i in indicators:
                    code = f"IND{i.number}"
                    old = results[before].shown(code) if before in results else None
                    new = results[last].shown(code) if last in results else None
                    parts.append(f"ตัวชี้วัดที่ {i.number} {i.name_th} ({score_text(old)} → {score_text(new)})")
                indicator_text = " ".join(parts)
            weak, strong = [], []
            if last in results:
                for i in indicators:
                    for item in items.get(i.number, []):
                        value = results[last].shown(item.code)
                        if value is None:
                            continue
                        text = f"{item.code}={score_text(value)}"
                        (weak if rule.tier(value) in WEAK_TIERS or rule.tier(value) == "improve" else strong).append(text)
            units = measure.responsible_units()
            measure_entries = sorted(
                by_measure.get(measure.pk, []), key=lambda e: (e.unit_id != measure.lead_unit_id, str(e.unit))
            )
            if measure_entries and all(e.state == State.APPROVED and e.status == Status.DONE for e in measure_entries):
                done += 1
            # Units that report the same words (common when one office writes for all) are printed once.
            reports = {}
            for entry in measure_entries:
                lines = [f"{thai_date(a.date, short=True)} {a.text}" for a in entry.activities.all()]
                if entry.result:
                    lines.append(entry.result)
                if entry.obstacles:
                    lines.append(f"ปัญหาอุปสรรค: {entry.obstacles}")
                if entry.suggestions:
                    lines.append(f"ข้อเสนอแนะ: {entry.suggestions}")
                lines.append(f"ความคืบหน้า ร้อยละ {entry.percent}")
                reports.setdefault((entry.state == State.APPROVED, "\n".join(lines)), []).append(str(entry.unit))
            reports = [
                f"{', '.join(names)}:" + ("" if approved else f" {NOT_REVIEWED}") + "\n" + body
                for (approved, body), names in reports.items()
            ]
            rows.append(
                [
                    str(number),
                    indicator_text,
                    *scores,
                    " ".join(weak),
                    " ".join(strong),
                    measure.name,
                    ", ".join(str(u) for u in units),
                    "\n\n".join(reports) or "ยังไม่มีการรายงานผล",
                ]
            )

        total = len(measures)
        percent = f"{100 * done / total:.2f}" if total else "0.00"
        summary = f"มาตรการทั้งหมด {total} มาตรการ ดำเนินการแล้วเสร็จ {done} มาตรการ คิดเป็นร้อยละ {percent}"
        header_rows = [
            [
                header("ที่", rowspan=2),
                header("ตัวชี้วัด", rowspan=2),
                header("ผลคะแนนการประเมิน", colspan=2),
                header("เพิ่มขึ้น (ลดลง)", rowspan=2),
                header(f"ผลการวิเคราะห์ผลการประเมิน ปี {last}", colspan=2),
                header(f"มาตรการ ปี {year}", rowspan=2),
                header("ผู้รับผิดชอบ", rowspan=2),
                header(f"ผลการดำเนินการ ({label})", rowspan=2),
            ],
            [header(f"ปี {before}"), header(f"ปี {last}"), header("จุดอ่อน"), header("จุดแข็ง")],
        ]
        table = Table(
            header_rows, rows, [3, 12, 8, 8, 8, 12, 12, 15, 10, 31], {2: SCORE, 3: SCORE, 4: CHANGE}, long_rows=True
        )
        sections = [
            Section(f"ผลการดำเนินงานตามมาตรการ {label}", notes, table),
            Section("สรุปผลการดำเนินงาน", [summary, "ผลการดำเนินการที่ระบุว่า " + NOT_REVIEWED + " ยังไม่ได้รับการตรวจสอบจากผู้รับผิดชอบด้านคุณธรรมและความโปร่งใส จึงยังไม่นับเป็นผลที่เผยแพร่"]),
        ]
        return Document(
            title_lines=[
                "รายงานผลการดำเนินงานตามมาตรการส่งเสริมคุณธรรมและความโปร่งใสภายในหน่วยงาน",
                f"ประจำปีงบประมาณ พ.ศ. {year} {label}",
            ],
            agency_name=agency.name_th,
            fiscal_year=year,
            sections=sections,
            filename=f"ita-progress-{agency.code}-{year}-{round_kind}",
        )


def progress_document_for(agency, year, round_kind, user=None):
    """Load the plan, the round's entries and the two earlier years' results in a fixed number of
    queries and build the progress report; with `user`, unit staff get only their units' measures and entries."""
    from django.db.models import Prefetch

    from assessments.models import Assessment, FrameworkVersion, Item
    from measures.models import Activity, Measure, ProgressEntry, ReportingRound, Unit

    measures = visible(Measure.objects.filter(agency=agency), user)
    measures = list(
        measures.filter(fiscal_year=year)
        .select_related("lead_unit")
        .prefetch_related(Prefetch("supporting_units", Unit.objects.order_by("name")), "indicators")
        .order_by("order", "pk")
    )
    rounds = {r.kind: r for r in ReportingRound.objects.filter(agency=agency, fiscal_year=year)}
    used = round_kind
    if round_kind in ROUND_STANDS_IN and (rounds.get(round_kind) is None or not rounds[round_kind].active):
        used = ROUND_STANDS_IN[round_kind]
    entries = []
    if used in rounds:
        entries = list(
            visible(ProgressEntry.objects.filter(round=rounds[used], measure__in=[m.pk for m in measures]), user)
            .select_related("unit")
            .prefetch_related(Prefetch("activities", Activity.objects.order_by("date", "pk")))
        )
    assessments = {
        a.fiscal_year: a
        for a in Assessment.objects.filter(agency=agency, fiscal_year__in=(year - 2, year - 1)).prefetch_related("scores")
    }
    versions = {version.pk: version for version in FrameworkVersion.objects.with_spec_data()}
    items = {}
    if year - 1 in assessments:
        for item in Item.objects.filter(version_id=assessments[year - 1].version_id).select_related("indicator"):
            items.setdefault(item.indicator.number, []).append(item)
    return progress_document(agency, year, round_kind, measures, rounds, entries, assessments, versions, items)


# --- The measures plan (DOMAIN §7 item 2) ---------------------------------------------------

PLAN_TITLE = "มาตรการส่งเสริมคุณธรรมและความโปร่งใสภายในหน่วยงาน"
FREQUENCY_TH = {"monthly": "ทุกเดือน", "quarterly": "ทุกไตรมาส", "six_monthly": "ทุก 6 เดือน", "yearly": "ปีละครั้ง"}


def _runs(positions):
    """Consecutive runs of sorted positions: [0, 1, 2, 5] → [(0, 2), (5, 5)]."""
    runs = []
    for position in positions:
        if runs and position == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], position)
        else:
            runs.append((position, position))
    return runs


def plan_period(measure):
    """The period as plans print it: "ไตรมาส 1–4", "ต.ค.–ธ.ค.", "1 ต.ค. 68 – 31 มี.ค. 69"."""
    from assessments.thai import MONTHS_SHORT, thai_date
    from measures.models import FISCAL_MONTHS, Period

    if measure.period == Period.DATES:
        if measure.start_date or measure.end_date:
            return " – ".join(thai_date(d, short=True) for d in (measure.start_date, measure.end_date) if d)
        return ""
    if measure.period == Period.QUARTERS:
        runs = _runs(measure.quarters())
        return ("ไตรมาส " + ", ".join(f"{a}–{b}" if a != b else f"{a}" for a, b in runs)) if runs else ""
    runs = _runs(sorted(FISCAL_MONTHS.index(m) for m in set(measure.months) if m in FISCAL_MONTHS))
    names = [MONTHS_SHORT[month - 1] for month in FISCAL_MONTHS]  # ต.ค. … ก.ย.
    return ", ".join(f"{names[a]}–{names[b]}" if a != b else names[a] for a, b in runs)


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


def _indicator_line(indicator, indicator_scores):
    score = indicator_scores.get(indicator.number)
    text = f"ตัวชี้วัดที่ {indicator.number} {indicator.name_th}"
    return f"{text} (คะแนน {score_text(score)})" if score is not None else text


def plan_document(agency, fiscal_year, measures, indicator_scores):
    """The measures plan of a fiscal year as the Ang Thong 2569 plan lays it out.

    `measures` have their lead unit, supporting units and indicators loaded; `indicator_scores`
    is {indicator number: score} from the results of fiscal_year − 1, which the plan answers.
    Rows are grouped by a measure's first indicator; the group's indicator is printed once, and
    a measure answering more indicators lists the others in its own row. The period is a
    column per quarter with arrows when every measure runs by quarters (TCEB 2566), a month
    grid when every one runs by months, else text. A second table holds monitoring, reporting
    and KPI when any measure has them (TCEB 2566)."""
    from measures.models import Period
    from measures.plans import unit_label

    periods = {m.period for m in measures}
    grid = {Period.QUARTERS: 4, Period.MONTHS: 12}.get(periods.pop(), 0) if len(periods) == 1 else 0
    groups = {}
    for measure in measures:
        indicators = sorted(measure.indicators.all(), key=lambda i: i.number)
        groups.setdefault(indicators[0].number if indicators else None, []).append((measure, indicators))
    rows = []
    for key in sorted(groups, key=lambda k: (k is None, k or 0)):
        for index, (measure, indicators) in enumerate(groups[key]):
            shown = indicators if index == 0 else indicators[1:]
            cell = "\n".join(_indicator_line(i, indicator_scores) for i in shown)
            if key is None and index == 0:
                cell = "มาตรการอื่น ๆ"
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
    heading = "มาตรการและขั้นตอนการดำเนินงาน"
    paragraphs = [f"มาตรการตามผลการประเมิน ITA ประจำปีงบประมาณ พ.ศ. {fiscal_year - 1}"] if rows else ["ยังไม่มีมาตรการในแผนของปีนี้"]
    texts = [f"ตัวชี้วัด (คะแนนปี {fiscal_year - 1})", "มาตรการ", "ผลการวิเคราะห์", "ขั้นตอนการดำเนินงาน"]
    if grid:
        from assessments.thai import MONTHS_SHORT
        from measures.models import FISCAL_MONTHS

        names = [f"ไตรมาส ที่ {q}" for q in range(1, 5)] if grid == 4 else [MONTHS_SHORT[m - 1] for m in FISCAL_MONTHS]
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

    follow_up = [m for m in measures if m.monitoring.strip() or m.report_to.strip() or m.kpi.strip() or m.target.strip()]
    if follow_up:
        rows = []
        for measure in follow_up:
            frequency = FREQUENCY_TH.get(measure.report_frequency, "")
            report = f"รายงานผลต่อ {measure.report_to.strip()} {frequency}".strip() if measure.report_to.strip() else frequency
            rows.append([measure.name, measure.monitoring.strip(), report, measure.kpi.strip(), measure.target.strip()])
        header_rows = [
            [header(text, rowspan=2) for text in ("มาตรการ", "แนวทางการกำกับติดตาม", "การรายงานผล")]
            + [header("ตัวชี้วัดความสำเร็จและค่าเป้าหมาย", colspan=2)],
            [header("ตัวชี้วัดความสำเร็จ"), header("ค่าเป้าหมาย")],
        ]
        sections.append(Section("การกำกับติดตามและการรายงานผล", [], Table(header_rows, rows, [30, 36, 22, 30, 16])))
    return Document(
        title_lines=[PLAN_TITLE, f"ประจำปีงบประมาณ พ.ศ. {fiscal_year}"],
        agency_name=agency.name_th,
        fiscal_year=fiscal_year,
        sections=sections,
        filename=f"ita-plan-{agency.code}-{fiscal_year}",
    )


def plan_document_for(agency, year, user=None):
    """Load the plan of `year` (only the measures `user` may see, when given) and the indicator
    scores of year − 1 in a fixed number of queries, and build the document."""
    from django.db.models import Prefetch

    from assessments.models import Indicator
    from measures.models import Measure
    from measures.plans import answered_results

    measures = visible(Measure.objects.filter(agency=agency), user)
    measures = list(
        measures.filter(fiscal_year=year)
        .select_related("lead_unit")
        .prefetch_related("supporting_units", Prefetch("indicators", queryset=Indicator.objects.order_by("number")))
        .order_by("order", "pk")
    )
    answered = answered_results(agency, year)
    numbers = {i.number for m in measures for i in m.indicators.all()}
    scores = {n: answered.indicator_score(n) for n in numbers}
    with translation.override("th"):
        return plan_document(agency, year, measures, scores)


# --- The improvement plan (DOMAIN §7 item 4): a header block and a month grid ----------------

IMPROVEMENT_TITLE = "แผนพัฒนาการส่งเสริมคุณธรรมและความโปร่งใส"
CONFIDENCE_TH = (
    ("highest", "มากที่สุด (>90%)"),
    ("high", "มาก (>80%)"),
    ("medium", "ปานกลาง (≥70%)"),
    ("low", "น้อย (<70%)"),
    ("lowest", "น้อยที่สุด (<60%)"),
)
TICKED, UNTICKED = "[X]", "[ ]"  # Sarabun has no ballot-box glyphs (☑ ☐)
MONTH_MARK = "■"  # in Sarabun


def measure_month_columns(measure, fiscal_year):
    """The positions (0 = ต.ค. … 11 = ก.ย.) of the months `measure` runs in during `fiscal_year`."""
    from measures.models import FISCAL_MONTHS, Period

    if measure.period == Period.DATES:
        if not (measure.start_date or measure.end_date):
            return set()
        first_year = fiscal_year - 543 - 1  # October of the fiscal year, in AD
        months = [(first_year if m >= 10 else first_year + 1, m) for m in FISCAL_MONTHS]
        start = (measure.start_date.year, measure.start_date.month) if measure.start_date else months[0]
        end = (measure.end_date.year, measure.end_date.month) if measure.end_date else months[-1]
        return {i for i, month in enumerate(months) if start <= month <= end}
    if measure.period == Period.QUARTERS:
        return {(q - 1) * 3 + i for q in measure.quarters() for i in range(3)}
    return {FISCAL_MONTHS.index(m) for m in measure.months if m in FISCAL_MONTHS}


def improvement_document(agency, fiscal_year, measures, indicator_scores, results):
    """The improvement plan of a fiscal year: a header block (label | value) and a table of the
    measures with their steps, a month grid ต.ค.–ก.ย., KPI and target, units and results.

    `measures` have their lead unit, supporting units and indicators loaded; `indicator_scores`
    is {indicator number: score} of fiscal_year − 1; `results` is {measure id: [text]}, one line
    a unit from its latest approved progress entry."""
    from collections import Counter

    from assessments.thai import MONTHS_SHORT
    from measures.models import FISCAL_MONTHS
    from measures.plans import unit_label

    plan_name = f"{IMPROVEMENT_TITLE} ประจำปีงบประมาณ พ.ศ. {fiscal_year}"
    indicators = {i.number: i for m in measures for i in m.indicators.all()}
    scored = sorted((s, n) for n, s in indicator_scores.items() if s is not None and n in indicators)
    weakest = [indicators[n] for _s, n in scored[:3]]
    objective = "ยกระดับผลการประเมิน ITA"
    if weakest:
        objective += " โดยพัฒนาตัวชี้วัดที่ได้คะแนนต่ำ ได้แก่ " + ", ".join(f"ตัวชี้วัดที่ {i.number} {i.name_th}" for i in weakest)
    leads = Counter(m.lead_unit for m in measures if m.lead_unit)
    lead = unit_label(leads.most_common(1)[0][0]) if leads else ""
    strategies = list(dict.fromkeys(m.strategy.strip() for m in measures if m.strategy.strip()))
    confidences = Counter(m.confidence for m in measures if m.confidence)
    chosen = confidences.most_common(1)[0][0] if confidences else None
    confidence = "\n".join(f"{TICKED if key == chosen else UNTICKED} {label}" for key, label in CONFIDENCE_TH)
    risks = "\n".join(f"{m.name}: {m.risks.strip()}" for m in measures if m.risks.strip())
    period = f"ต.ค. {(fiscal_year - 1) % 100:02d} – ก.ย. {fiscal_year % 100:02d}"
    block = [
        ["ชื่อแผน", plan_name],
        ["วัตถุประสงค์", objective],
        ["เป้าหมาย", "ระดับดีเยี่ยม"],
        ["หน่วยงานหลัก", lead],
        ["ยุทธศาสตร์ที่สนับสนุน", ", ".join(strategies)],
        ["ระยะเวลา", period],
        ["ประเภทแผน", "แผนปฏิบัติการ"],
        ["ความมั่นใจในความสำเร็จ", confidence],
        ["ความเสี่ยง", risks or "-"],
    ]
    sections = [Section("ข้อมูลแผน", [], Table([[header("หัวข้อ"), header("รายละเอียด")]], block, [24, 96]))]

    rows = []
    for number, measure in enumerate(measures, start=1):
        steps = [f"{n}. {step}" for n, step in enumerate(measure.step_list(), start=1)]
        columns = measure_month_columns(measure, fiscal_year)
        marks = [MONTH_MARK if i in columns else "" for i in range(12)]
        kpi = "\n".join(t for t in (measure.kpi.strip(), f"ค่าเป้าหมาย: {measure.target.strip()}" if measure.target.strip() else "") if t)
        units = "\n".join(unit_label(u) for u in measure.responsible_units())
        rows.append([str(number), "\n".join([measure.name, *steps]), *marks, kpi, units, "\n".join(results.get(measure.pk, []))])
    month_names = [MONTHS_SHORT[m - 1] for m in FISCAL_MONTHS]
    header_rows = [
        [header("ที่", rowspan=2), header("กิจกรรม/ขั้นตอน", rowspan=2), header("ระยะเวลาดำเนินการ", colspan=12)]
        + [header(text, rowspan=2) for text in ("ตัวชี้วัดและค่าเป้าหมาย", "ผู้รับผิดชอบ", "ผลการดำเนินงาน")],
        [header(name) for name in month_names],
    ]
    table = Table(header_rows, rows, [4, 40] + [6] * 12 + [14, 17, 22], long_rows=True) if rows else None
    sections.append(Section("กิจกรรมและระยะเวลาดำเนินการ", [] if rows else ["ยังไม่มีมาตรการในแผนของปีนี้"], table))
    return Document(
        title_lines=[IMPROVEMENT_TITLE, f"ประจำปีงบประมาณ พ.ศ. {fiscal_year}"],
        agency_name=agency.name_th,
        fiscal_year=fiscal_year,
        sections=sections,
        filename=f"ita-improvement-{agency.code}-{fiscal_year}",
    )


def improvement_document_for(agency, year, user=None):
    """Load the plan of `year` (only the measures `user` may see, when given), the indicator
    scores of year − 1 and each unit's latest approved entry, and build the improvement plan."""
    from django.db.models import Prefetch

    from assessments.models import Indicator
    from measures.models import Measure, ProgressEntry, State
    from measures.plans import answered_results, unit_label

    measures = visible(Measure.objects.filter(agency=agency), user)
    measures = list(
        measures.filter(fiscal_year=year)
        .select_related("lead_unit")
        .prefetch_related("supporting_units", Prefetch("indicators", queryset=Indicator.objects.order_by("number")))
        .order_by("order", "pk")
    )
    answered = answered_results(agency, year)
    numbers = {i.number for m in measures for i in m.indicators.all()}
    scores = {n: answered.indicator_score(n) for n in numbers}
    latest = {}
    entries = (
        visible(ProgressEntry.objects.filter(measure__in=[m.pk for m in measures], state=State.APPROVED), user)
        .select_related("unit")
        .order_by("round__due_date", "updated", "pk")
    )
    for entry in entries:
        latest[(entry.measure_id, entry.unit_id)] = entry  # the later overwrites the earlier
    with translation.override("th"):
        # The plan's results column is a summary per unit, units at the same point named once;
        # the narratives are in the progress report.
        summaries = {}
        for (measure_id, _unit), entry in sorted(latest.items(), key=lambda item: (item[0][0], unit_label(item[1].unit))):
            summary = f"ร้อยละ {entry.percent} ({entry.get_status_display()})"
            summaries.setdefault(measure_id, {}).setdefault(summary, []).append(unit_label(entry.unit))
        results = {
            measure_id: [f"{', '.join(units)}: {summary}" for summary, units in by_summary.items()]
            for measure_id, by_summary in summaries.items()
        }
        return improvement_document(agency, year, measures, scores, results)
