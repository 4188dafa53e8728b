"""The progress report of a reporting round (DOMAIN §7 item 3), after the FIO's report.

It lists the plan page's measures (`Measure.objects.plan_table()`) in plan order, each with the
scores the plan answers and its units' reports of the round.
"""

from django.db.models import Prefetch
from django.utils import translation

from assessments.analysis import WEAK_TIERS, TierRule
from assessments.models import Agency, Assessment, FrameworkVersion, Item
from assessments.scoring import Result
from assessments.thai import score_text, thai_date
from measures.models import Activity, Measure, ProgressEntry, ReportingRound, RoundKind, State, Status, whole_percent
from reports.layout import CHANGE, SCORE, Document, Section, Table, agency_document, header, visible
from reports.signoff import sign_off

PROGRESS_TITLE = "รายงานผลการดำเนินงานตามมาตรการส่งเสริมคุณธรรมและความโปร่งใสภายในหน่วยงาน"
NOT_REVIEWED = "(ยังไม่ผ่านการตรวจสอบ)"


def _entry_text(entry: ProgressEntry) -> str:
    lines = [f"{thai_date(a.date, short=True)} {a.text}" for a in entry.activities.all()]
    if entry.result:
        lines.append(entry.result)
    if entry.obstacles:
        lines.append(f"ปัญหาอุปสรรค: {entry.obstacles}")
    if entry.suggestions:
        lines.append(f"ข้อเสนอแนะ: {entry.suggestions}")
    lines.append(f"ความคืบหน้า ร้อยละ {entry.percent}")
    return "\n".join(lines)


def _reports_text(entries: list[ProgressEntry]) -> str:
    """The units' reports; units that report the same words (common when one office writes for
    all) are printed once."""
    reports: dict = {}
    for entry in entries:
        reports.setdefault((entry.state == State.APPROVED, _entry_text(entry)), []).append(str(entry.unit))
    return "\n\n".join(
        f"{', '.join(names)}:" + ("" if approved else f" {NOT_REVIEWED}") + "\n" + body
        for (approved, body), names in reports.items()
    )


def progress_rows(
    year: int,
    measures: list[Measure],
    entries: list[ProgressEntry],
    results: dict[int, Result],
    rule: TierRule,
    items: dict[int, list[Item]],
) -> tuple[list[list], int]:
    """(rows, measures done): one row a measure with its indicators' scores of year−2 and
    year−1, the weak and strong items of year−1, its units and their reports."""
    before, last = year - 2, year - 1

    def shown(result_year, code):
        return results[result_year].shown(code) if result_year in results else None

    by_measure: dict = {}
    for entry in entries:
        by_measure.setdefault(entry.measure_id, []).append(entry)
    rows, done = [], 0
    for number, measure in enumerate(measures, start=1):
        indicators = list(measure.indicators.all())
        indicator_text = " ".join(f"ตัวชี้วัดที่ {i.number} {i.name_th}" for i in indicators)
        scores = [None, None, None]
        if len(indicators) == 1:
            old, new = shown(before, f"IND{indicators[0].number}"), shown(last, f"IND{indicators[0].number}")
            scores = [old, new, new - old if old is not None and new is not None else None]
        elif indicators:  # several indicators: each one's scores after its name
            indicator_text = " ".join(
                f"ตัวชี้วัดที่ {i.number} {i.name_th} "
                f"({score_text(shown(before, f'IND{i.number}'))} → {score_text(shown(last, f'IND{i.number}'))})"
                for i in indicators
            )
        weak: list = []
        strong: list = []
        if last in results:
            for i in indicators:
                for item in items.get(i.number, []):
                    value = results[last].shown(item.code)
                    if value is not None:
                        tier = rule.tier(value)
                        (weak if tier in WEAK_TIERS or tier == "improve" else strong).append(
                            f"{item.code}={score_text(value)}"
                        )
        measure_entries = sorted(
            by_measure.get(measure.pk, []), key=lambda e: (e.unit_id != measure.lead_unit_id, str(e.unit))
        )
        if measure_entries and all(e.state == State.APPROVED and e.status == Status.DONE for e in measure_entries):
            done += 1
        units = ", ".join(str(u) for u in measure.responsible_units())
        report = _reports_text(measure_entries) or "ยังไม่มีการรายงานผล"
        progress = whole_percent(getattr(measure, "progress", None))
        if progress is not None:  # the progress rule, as the plan page and the dashboard show it
            report += f"\n\nความคืบหน้าของมาตรการ ร้อยละ {progress}"
        rows.append(
            [str(number), indicator_text, *scores, " ".join(weak), " ".join(strong), measure.name, units, report]
        )
    return rows, done


def progress_document(
    agency: Agency,
    year: int,
    round_kind: str,
    used: str,
    round_: ReportingRound | None,
    measures: list[Measure],
    entries: list[ProgressEntry],
    assessments: dict[int, Assessment],
    versions: dict[int, FrameworkVersion],
    items: dict[int, list[Item]],
) -> Document:
    """The progress report of `round_kind` of `agency`'s plan for `year` as plain rows.

    `used` and `round_` are the round whose reports it prints (`ReportingRound.objects.for_report`);
    `measures` from `Measure.objects.plan_table()`, with `with_progress` of that round; `entries`
    the entries of that round, activities loaded; `assessments` {year: Assessment} for year−2 and
    year−1 with scores loaded; `versions` from `FrameworkVersion.objects.by_id()`; `items`
    {indicator number: [Item]} of year−1's framework.
    """
    with translation.override("th"):
        label = RoundKind(round_kind).short_label
        notes = []
        if used != round_kind:
            notes.append(f"หน่วยงานไม่ได้รายงาน{label}แยกต่างหาก รายงานนี้ใช้ผลการดำเนินงาน{RoundKind(used).short_label} แทน")
        if round_ is not None:
            first_day, last_day = round_.period
            notes.append(f"ผลการดำเนินงานระหว่างวันที่ {thai_date(first_day)} ถึงวันที่ {thai_date(last_day)}")

        before, last = year - 2, year - 1
        results = {y: a.result(versions[a.version_id].spec) for y, a in assessments.items()}
        rule = assessments[last].tier_rule if last in assessments else TierRule()
        rows, done = progress_rows(year, measures, entries, results, rule, items)

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
            Section(
                "สรุปผลการดำเนินงาน",
                [
                    summary,
                    "ผลการดำเนินการที่ระบุว่า "
                    + NOT_REVIEWED
                    + " ยังไม่ได้รับการตรวจสอบจากผู้รับผิดชอบด้านคุณธรรมและความโปร่งใส จึงยังไม่นับเป็นผลที่เผยแพร่",
                ],
            ),
        ]
        return agency_document(
            agency, year, PROGRESS_TITLE, sections, "progress", round_label=label, round_kind=round_kind
        )


def progress_document_for(agency: Agency, year: int, round_kind: str, user=None) -> Document:
    """Load the plan, the round's entries and the two earlier years' results in a fixed number of
    queries and build the progress report; with `user`, unit staff get only their units' measures and entries."""
    used, round_ = ReportingRound.objects.filter(agency=agency, fiscal_year=year).for_report(round_kind)
    plan = visible(Measure.objects.for_plan(agency, year), user).plan_table()
    measures = list(plan.with_progress(round_) if round_ is not None else plan)
    entries = []
    if round_ is not None:
        entries = list(
            visible(ProgressEntry.objects.filter(round=round_, measure__in=[m.pk for m in measures]), user)
            .select_related("unit")
            .prefetch_related(Prefetch("activities", Activity.objects.order_by("date", "pk")))
        )
    assessments = {
        a.fiscal_year: a for a in Assessment.objects.history_of(agency).filter(fiscal_year__in=(year - 2, year - 1))
    }
    items: dict = {}
    if year - 1 in assessments:
        for item in Item.objects.filter(version_id=assessments[year - 1].version_id).select_related("indicator"):
            items.setdefault(item.indicator.number, []).append(item)
    versions = FrameworkVersion.objects.by_id()
    document = progress_document(
        agency, year, round_kind, used, round_, measures, entries, assessments, versions, items
    )
    return sign_off(document, agency, year, "progress", round_kind)
