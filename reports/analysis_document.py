"""The analysis of one agency's year as an integrity office publishes it (DOMAIN §7 item 1).

Its rows are the analysis page's: both read `assessments.analysis.build_analysis`.
"""

from django.utils import translation

from assessments import charts
from assessments.analysis import Analysis, build_analysis
from assessments.models import Assessment, FrameworkVersion
from assessments.peers import Peers, peers_of
from assessments.thai import change_text, score_text
from reports.layout import CHANGE, SCORE, Document, Header, Section, Table, agency_document, header
from reports.signoff import sign_off

ANALYSIS_TITLE = "รายงานการวิเคราะห์ผลการประเมินคุณธรรมและความโปร่งใสในการดำเนินงานของหน่วยงานภาครัฐ (ITA)"

# The workbook's sheets: the scores, the items, the tiers and the NACC's suggestions, so that it
# prints in about as many pages as the PDF (whole words, within Excel's 31 characters).
SCORES_SHEET, ITEMS_SHEET, TIERS_SHEET, SUGGESTIONS_SHEET = "ผลคะแนน", "ผลรายประเด็น", "จุดอ่อนจุดแข็ง", "ข้อเสนอแนะ"

# The tier in an item table's "กลุ่ม" column: a word or two, so the column stays narrow and a row
# stays one line; the tier sections below print the full names.
TIER_SHORT = {
    "weakness": "จุดอ่อน",
    "strength": "จุดแข็ง",
    "urgent": "แก้ไขเร่งด่วน",
    "improve": "ต้องพัฒนา",
    "keep": "รักษาระดับ",
}


def analysis_document(
    assessment: Assessment, history: list[Assessment], versions: dict[int, FrameworkVersion]
) -> Document:
    """The document of `build_analysis(assessment, history, versions)`, in Thai."""
    with translation.override("th"):
        report = build_analysis(assessment, history, versions)
        return _analysis_document(report, history, versions, peers_of(assessment, report))


def analysis_document_for(assessment: Assessment) -> Document:
    """Load the agency's years and the frameworks (as the analysis page does) and build the document."""
    history = list(Assessment.objects.history_of(assessment.agency))
    current = next(a for a in history if a.pk == assessment.pk)
    current.agency = assessment.agency
    document = analysis_document(current, history, FrameworkVersion.objects.by_id())
    return sign_off(document, assessment.agency, assessment.fiscal_year, "analysis")


def _analysis_document(
    report: Analysis, history: list[Assessment], versions: dict[int, FrameworkVersion], peers: Peers
) -> Document:
    agency = report.assessment.agency
    year = report.assessment.fiscal_year
    sections = [summary_section(report), indicators_section(report)]
    if peers.shown:
        sections.append(peers_section(peers))
    sections += item_sections(report)
    sections += tier_sections(report)
    sections += suggestions_sections(report.assessment)
    trend = _trend_chart(report, history, versions)
    if trend:
        sections.append(Section("แนวโน้มผลการประเมิน", [], charts=[trend], sheet=SCORES_SHEET))
    return agency_document(agency, year, ANALYSIS_TITLE, sections, "analysis")


def summary_section(report: Analysis) -> Section:
    """1. The overall score and level against last year, and each tool with its parts."""
    agency, year, previous_year = report.assessment.agency, report.assessment.fiscal_year, report.previous_year
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
    rows, styles = [], []
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
    return Section(
        f"สรุปผลการประเมิน ITA ประจำปีงบประมาณ พ.ศ. {year}",
        [summary],
        _year_table("เครื่องมือการประเมิน", previous_year, year, rows, styles),
        sheet=SCORES_SHEET,
    )


def indicators_section(report: Analysis) -> Section:
    """2. The indicators with the earlier years side by side, the highest and the lowest named."""
    years = report.years
    with_change = bool(report.previous_year)
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
    widths = [44] + [11] * len(years) + ([11] if with_change else []) + ([8] if with_letters else [])
    table = without_empty_columns(Table(header_rows, rows, widths, number_columns))
    return Section("ผลการประเมินรายตัวชี้วัด", highlights, table, sheet=SCORES_SHEET)


def peers_section(peers: Peers) -> Section:
    """The rank within the agency's type and under its parent agency, and the type's mean of each indicator."""
    paragraphs = []
    if peers.in_type:
        paragraphs.append(f"อยู่ในลำดับที่ {peers.in_type.place} จาก {peers.in_type.count} หน่วยงานประเภท{peers.type_name}")
    if peers.in_parent and peers.parent:
        paragraphs.append(
            f"อยู่ในลำดับที่ {peers.in_parent.place} จาก {peers.in_parent.count} หน่วยงานในสังกัด{peers.parent.name_th}"
        )
    rows = [[f"ตัวชี้วัดที่ {i.number} {i.name}", i.own, i.mean, i.difference, str(i.agencies)] for i in peers.indicators]
    header_rows = [["ตัวชี้วัด", "คะแนนของหน่วยงาน", "ค่าเฉลี่ยของประเภท", "ผลต่าง", "จำนวนหน่วยงาน"]]
    table = Table(header_rows, rows, [44, 13, 13, 11, 11], {1: SCORE, 2: SCORE, 3: CHANGE})
    return Section("การเปรียบเทียบกับหน่วยงานประเภทเดียวกัน", paragraphs, table, sheet=SCORES_SHEET)


def item_sections(report: Analysis) -> list[Section]:
    """3. The items of each indicator, with sub-questions and letter levels; an item scored in two
    parts (EIT Public and Survey from 2568) on one row with its parts side by side, as Ang Thong prints it."""
    sections = []
    for indicator, item_rows in report.tables:
        if not item_rows:
            continue
        if any(row.part for row in item_rows):
            table = parts_table(report, item_rows)
        else:
            table = items_table(report, item_rows)
        sections.append(
            Section(
                f"ตัวชี้วัดที่ {indicator.number} {indicator.name_th} ({indicator.tool.code})",
                [],
                without_empty_columns(table),
                level=3,
                sheet=ITEMS_SHEET,
            )
        )
    if sections:
        sections.insert(0, Section("ผลการประเมินรายประเด็น", sheet=ITEMS_SHEET))
    return sections


def items_table(report: Analysis, item_rows: list) -> Table:
    year, previous_year = report.assessment.fiscal_year, report.previous_year
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
        line += ([row.letter or ""] if with_letters else []) + [TIER_SHORT.get(row.tier, "")]
        rows.append(line)
        styles.append(_style(row))
    number_columns = {2: SCORE, 3: SCORE, 4: CHANGE} if with_previous else {2: SCORE}
    widths = (
        [6, 56]
        + ([10] if with_previous else [])
        + [10]
        + ([10] if with_previous else [])
        + ([7] if with_letters else [])
        + [12]
    )
    return Table(header_rows, rows, widths, number_columns, styles)


def parts_table(report: Analysis, item_rows: list) -> Table:
    """Items scored in parts: a column group per part (its score, with last year's and the change
    when there are some), and the tier of each part in "กลุ่ม" ("จุดแข็ง / จุดอ่อน" when they differ)."""
    year, previous_year = report.assessment.fiscal_year, report.previous_year
    merged = merged_parts(item_rows)
    numbers = sorted({row.part for row in item_rows if row.part})
    names = {row.part: row.note for row in item_rows if row.part and row.note}
    with_previous = report.previous_items
    with_letters = any(row.letter for row in item_rows)
    per_part = (
        ([(f"ปี {previous_year}", SCORE, "previous")] if with_previous else [])
        + [(f"ปี {year}", SCORE, "shown")]
        + ([("ผลต่าง", CHANGE, "change")] if with_previous else [])
        + ([("ระดับ", None, "letter")] if with_letters else [])
    )
    if len(per_part) == 1:  # one figure a part: the part's name is the column's header
        header_rows = [
            [header("ข้อ", rowspan=2), header("ประเด็นการประเมิน", rowspan=2), header(f"คะแนน ปี {year}", len(numbers))]
            + [header("กลุ่ม", rowspan=2)],
            [header(names.get(n, f"ส่วนที่ {n}")) for n in numbers],
        ]
    else:
        header_rows = [
            [header("ข้อ", rowspan=2), header("ประเด็นการประเมิน", rowspan=2)]
            + [header(names.get(n, f"ส่วนที่ {n}"), len(per_part)) for n in numbers]
            + [header("กลุ่ม", rowspan=2)],
            [header(label) for _n in numbers for label, _kind, _attr in per_part],
        ]
    rows, styles = [], []
    for parts in merged:
        first = next(iter(parts.values()))
        code = "" if first.indent or first.heading else first.code
        label = first.label
        if first.part and first.note and label.endswith(f" ({first.note})"):
            label = label[: -len(first.note) - 3]  # the part is the column now, not the text
        line = [code, label]
        for n in numbers:
            row = parts.get(n) or (parts.get(0) if n == numbers[0] else None)
            for _label, _kind, attr in per_part:
                value = getattr(row, attr) if row else None
                line.append((value or "") if attr == "letter" else value)
        tiers = [TIER_SHORT.get(parts[n].tier, "") for n in numbers if n in parts] or [TIER_SHORT.get(first.tier, "")]
        line.append(" / ".join(dict.fromkeys(t for t in tiers if t)))
        rows.append(line)
        styles.append(_style(first))
    number_columns = {}
    widths = [6, 44]
    for index in range(len(numbers) * len(per_part)):
        _label, kind, _attr = per_part[index % len(per_part)]
        if kind:
            number_columns[2 + index] = kind
        widths.append(10 if kind else 7)
    widths.append(14)
    return Table(header_rows, rows, widths, number_columns, styles)


def merged_parts(item_rows: list) -> list[dict]:
    """[{part: row}] in framework order: an item scored in parts once, with all its parts."""
    merged: list[dict] = []
    by_code: dict[str, dict] = {}
    for row in item_rows:
        if row.part and row.code in by_code:
            by_code[row.code][row.part] = row
            continue
        parts = {row.part: row}
        merged.append(parts)
        if row.part:
            by_code[row.code] = parts
    return merged


def _style(row) -> str:
    return "heading" if row.heading else "indent" if row.indent else ""


def tier_sections(report: Analysis) -> list[Section]:
    """4. Items by tier, grouped by tool and indicator; the indicators by tier in a year with
    indicator results only (2566–2567, and years loaded from national reports)."""
    rule = report.rule
    bounds = (
        f"เป้าหมาย {score_text(rule.target)} คะแนน"
        if rule.scheme == "target"
        else f"ต่ำกว่า {score_text(rule.lower)} ต้องแก้ไขโดยเร่งด่วน, "
        f"{score_text(rule.lower)}–{score_text(rule.upper)} ต้องพัฒนาให้ดีขึ้น, "
        f"สูงกว่า {score_text(rule.upper)} ควรรักษาระดับไว้"
    )
    paragraphs = [f"เกณฑ์การจัดกลุ่ม: {bounds}"]
    by_indicator = report.works_on == "indicators"
    if by_indicator:
        paragraphs.append(
            f"ปีงบประมาณ พ.ศ. {report.assessment.fiscal_year} มีผลการประเมินรายตัวชี้วัดเท่านั้น "
            "ไม่มีผลรายประเด็นการประเมิน จึงจัดกลุ่มจุดอ่อนและจุดแข็งตามคะแนนของตัวชี้วัด"
        )
    sections = [Section("การจัดกลุ่มประเด็นการประเมินตามผลคะแนน", paragraphs, sheet=TIERS_SHEET)]
    groups = indicator_tiers(report) if by_indicator else item_tiers(report)
    for label, table in groups:
        if table is None:
            empty = "ไม่มีตัวชี้วัดในกลุ่มนี้" if by_indicator else "ไม่มีประเด็นในกลุ่มนี้"
            sections.append(Section(label, [empty], level=3, sheet=TIERS_SHEET))
        else:
            sections.append(Section(label, [], without_empty_columns(table), level=3, sheet=TIERS_SHEET))
    return sections


def item_tiers(report: Analysis) -> list[tuple[str, Table | None]]:
    groups = []
    for _tier, label, tools in report.tiers:
        rows, styles = [], []
        for tool, indicators in tools:
            for indicator, tier_rows in indicators:
                rows.append([f"{tool} ตัวชี้วัดที่ {indicator.number} {indicator.name_th}"])
                styles.append("heading")
                for row in tier_rows:
                    rows.append([row.code, row.label, row.shown, row.letter or ""])
                    styles.append("")
        table = Table(
            [[header("ข้อ"), header("ประเด็นการประเมิน"), header("คะแนน"), header("ระดับ")]],
            rows,
            [8, 62, 10, 8],
            {2: SCORE},
            styles,
        )
        groups.append((str(label), table if rows else None))
    return groups


def indicator_tiers(report: Analysis) -> list[tuple[str, Table | None]]:
    """The analysis's indicator tiers (a year without item results): per tool, each indicator
    below and above the year's target (or in each of its three tiers) with its score."""
    tool_names = {tool.code: tool.name_th for tool, _row, _parts in report.tools}
    groups = []
    for _tier, label, tools in report.tiers:
        rows, styles = [], []
        for tool, indicators in tools:
            rows.append([f"{tool} {tool_names.get(tool, '')}".strip()])
            styles.append("heading")
            for indicator, tier_rows in indicators:
                for row in tier_rows:
                    rows.append([f"ตัวชี้วัดที่ {indicator.number} {indicator.name_th}", row.shown, row.letter or ""])
                    styles.append("")
        table = Table([[header("ตัวชี้วัด"), header("คะแนน"), header("ระดับ")]], rows, [70, 10, 8], {1: SCORE}, styles)
        groups.append((str(label), table if rows else None))
    return groups


def suggestions_sections(assessment: Assessment) -> list[Section]:
    """5. The NACC's suggestions, one paragraph each; nothing at all when none were recorded."""
    suggestions = [p.strip() for p in (assessment.suggestions or "").split("\n") if p.strip()]
    if not suggestions:
        return []
    return [
        Section(
            "ข้อเสนอแนะจากสำนักงานคณะกรรมการป้องกันและปราบปรามการทุจริตแห่งชาติ (สำนักงาน ป.ป.ช.)",
            suggestions,
            sheet=SUGGESTIONS_SHEET,
        )
    ]


def without_empty_columns(table: Table) -> Table:
    """The table without the columns that hold no value in any row (None or ""), their width given
    to the widest text column so the figures keep theirs. Header cells over left-out columns narrow
    or go; rows shorter than the table (headings spanning the rest) keep their span."""
    full = [row for row in table.rows if len(row) == table.columns]
    empty = {c for c in range(table.columns) if full and all(row[c] is None or row[c] == "" for row in full)}
    # A heading row spanning from column k decides nothing about the columns it spans, but one
    # whose own cells are in a column keeps it.
    for row in table.rows:
        if len(row) < table.columns:
            empty -= {c for c in range(len(row) - 1) if row[c] not in (None, "")}
    if not empty or len(empty) == table.columns:
        return table
    kept = [c for c in range(table.columns) if c not in empty]
    label = table.label_column if table.label_column not in empty else kept[0]
    widths = [table.widths[c] for c in kept]
    widths[kept.index(label)] += sum(table.widths[c] for c in empty)
    rows = []
    for row in table.rows:
        if len(row) == table.columns:
            rows.append([row[c] for c in kept])
        else:
            spanned = [c for c in range(len(row) - 1) if c not in empty] + [len(row) - 1]
            rows.append([row[c] for c in spanned])
    return Table(
        [_header_row_without(cells, index, table.header_rows, empty) for index, cells in enumerate(table.header_rows)],
        rows,
        widths,
        {kept.index(c): kind for c, kind in table.number_columns.items() if c not in empty},
        table.row_styles,
        table.long_rows,
    )


def _header_row_without(cells, index, header_rows, empty):
    """Header row `index` with its cells narrowed to the kept columns, walking the grid as HTML does
    (cells of the rows above that span down take their columns first)."""
    taken: dict[tuple[int, int], bool] = {}  # cells spanned down from a row above
    result = []
    for row_index, row in enumerate(header_rows[: index + 1]):
        column = 0
        for cell in row:
            cell = cell if isinstance(cell, Header) else Header(str(cell))
            while taken.get((row_index, column)):
                column += 1
            covered = range(column, column + cell.colspan)
            for r in range(row_index, row_index + cell.rowspan):
                for c in covered:
                    taken[(r, c)] = True
            if row_index == index:
                kept = sum(1 for c in covered if c not in empty)
                if kept:
                    result.append(Header(cell.text, kept, cell.rowspan))
            column += cell.colspan
    return result


def _year_table(first_column, previous_year, year, rows, styles):
    if previous_year:
        header_rows = [
            [header(first_column, rowspan=2), header("คะแนน", colspan=2), header("ผลต่าง", rowspan=2)],
            [header(f"ปี {previous_year}"), header(f"ปี {year}")],
        ]
        table = Table(header_rows, rows, [44, 11, 11, 11], {1: SCORE, 2: SCORE, 3: CHANGE}, styles)
        return without_empty_columns(table)
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
