"""The analysis of one agency's year as an integrity office publishes it (DOMAIN §7 item 1).

Its rows are the analysis page's: both read `assessments.analysis.build_analysis`.
"""

from django.utils import translation

from assessments import charts
from assessments.analysis import Analysis, build_analysis
from assessments.models import Assessment, FrameworkVersion
from assessments.thai import change_text, score_text
from reports.layout import CHANGE, SCORE, Document, Section, Table, agency_document, header
from reports.signoff import sign_off

ANALYSIS_TITLE = "รายงานการวิเคราะห์ผลการประเมินคุณธรรมและความโปร่งใสในการดำเนินงานของหน่วยงานภาครัฐ (ITA)"


def analysis_document(
    assessment: Assessment, history: list[Assessment], versions: dict[int, FrameworkVersion]
) -> Document:
    """The document of `build_analysis(assessment, history, versions)`, in Thai."""
    with translation.override("th"):
        return _analysis_document(build_analysis(assessment, history, versions), history, versions)


def analysis_document_for(assessment: Assessment) -> Document:
    """Load the agency's years and the frameworks (as the analysis page does) and build the document."""
    history = list(Assessment.objects.history_of(assessment.agency))
    current = next(a for a in history if a.pk == assessment.pk)
    current.agency = assessment.agency
    document = analysis_document(current, history, FrameworkVersion.objects.by_id())
    return sign_off(document, assessment.agency, assessment.fiscal_year, "analysis")


def _analysis_document(report: Analysis, history: list[Assessment], versions: dict[int, FrameworkVersion]) -> Document:
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
        summary += (
            f" เทียบกับปี {previous_year} ได้คะแนน {score_text(overall.previous)} คะแนน ผลต่าง {change_text(overall.change)}"
        )
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
            Table(
                header_rows,
                rows,
                [44] + [11] * len(years) + ([11] if with_change else []) + ([8] if with_letters else []),
                number_columns,
            ),
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
        widths = (
            [6, 50]
            + ([10] if with_previous else [])
            + [10]
            + ([10] if with_previous else [])
            + ([7] if with_letters else [])
            + [16]
        )
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
        else f"ต่ำกว่า {score_text(report.rule.lower)} ต้องแก้ไขโดยเร่งด่วน, "
        f"{score_text(report.rule.lower)}–{score_text(report.rule.upper)} ต้องพัฒนาให้ดีขึ้น, "
        f"สูงกว่า {score_text(report.rule.upper)} ควรรักษาระดับไว้"
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
                Table(
                    [[header("ข้อ"), header("ประเด็นการประเมิน"), header("คะแนน"), header("ระดับ")]],
                    rows,
                    [8, 62, 10, 8],
                    {2: SCORE},
                    styles,
                ),
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

    return agency_document(agency, year, ANALYSIS_TITLE, sections, "analysis")


def _year_table(first_column, previous_year, year, rows, styles):
    if previous_year:
        header_rows = [
            [header(first_column, rowspan=2), header("คะแนน", colspan=2), header("ผลต่าง", rowspan=2)],
            [header(f"ปี {previous_year}"), header(f"ปี {year}")],
        ]
        return Table(header_rows, rows, [44, 11, 11, 11], {1: SCORE, 2: SCORE, 3: CHANGE}, styles)
    return Table(
        [[header(first_column), header(f"ปี {year}")]], [[r[0], r[2]] for r in rows], [44, 11], {1: SCORE}, styles
    )


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
