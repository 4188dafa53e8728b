"""The progress report of a reporting round or of a period (DOMAIN §7 item 3).

A quarter report prints its quarter; the 6-month report Q1–Q2 and the 12-month report the whole
year: every round of the period the agency reports in (`ReportingRound.objects.for_report`). Each
measure of the plan page (`Measure.objects.plan_table()`), in plan order, gets its units' dated
activities of those rounds in date order and their latest reviewed percent, results, obstacles and
suggestions, in one of two layouts: the FIO's columns (scores, weaknesses and strengths, measure,
units, results) or the NSM's (แผนการ | วิธีดำเนินการ | ผลการดำเนินงาน | หน่วยงานผู้รับผิดชอบ). An annex
lists each measure's evidence with absolute links.
"""

from django.conf import settings
from django.db.models import Prefetch
from django.urls import reverse
from django.utils import timezone, translation

from assessments.analysis import WEAK_TIERS, TierRule
from assessments.models import Agency, Assessment, FrameworkVersion, Item
from assessments.scoring import Result
from assessments.thai import score_text, thai_date
from measures.models import (
    REPORTED_STATES,
    Activity,
    Evidence,
    Measure,
    ProgressEntry,
    ReportingRound,
    RoundKind,
    State,
    Status,
    round_period,
    whole_percent,
)
from reports.layout import CHANGE, SCORE, Document, Section, Table, agency_document, header, visible
from reports.models import AgencyProfile, ProgressLayout
from reports.signoff import sign_off

PROGRESS_TITLE = "รายงานผลการดำเนินงานตามมาตรการส่งเสริมคุณธรรมและความโปร่งใสภายในหน่วยงาน"
NOT_REVIEWED = "(ยังไม่ผ่านการตรวจสอบ)"
NOT_REPORTED = "ยังไม่ได้รายงานผล"
LAYOUTS = ("fio", "nsm")
SHEET = "ผลการดำเนินงาน"
ANNEX_SHEET = "หลักฐาน"


def progress_layout(agency: Agency) -> str:
    """The layout the agency publishes its progress reports in, chosen on its profile (the FIO's
    when it has none)."""
    chosen = AgencyProfile.objects.filter(agency=agency).values_list("progress_layout", flat=True).first()
    return str(chosen or ProgressLayout.FIO)


def progress_options(query) -> dict:
    """The download's options from its query string: `?layout=fio|nsm` (anything else: the
    agency's choice) and `?annex=0` to leave the evidence annex out."""
    layout = query.get("layout")
    return {"layout": layout if layout in LAYOUTS else None, "annex": query.get("annex") != "0"}


def _round_order(entry: ProgressEntry) -> tuple:
    return (entry.round.due_date, entry.round.kind)


def _block(entries: list[ProgressEntry], latest: ProgressEntry | None) -> list[str]:
    """The dated activities of `entries` in date order (an activity sent again in a later round
    is printed once), then what `latest` reports: results, obstacles, suggestions and percent."""
    activities = sorted(
        {(a.date, a.text): a for entry in entries for a in entry.activities.all()}.values(),
        key=lambda a: (a.date, a.pk),
    )
    lines = [f"{thai_date(a.date, short=True)} {a.text}" for a in activities]
    if latest is not None:
        if latest.result:
            lines.append(latest.result)
        if latest.obstacles:
            lines.append(f"ปัญหาอุปสรรค: {latest.obstacles}")
        if latest.suggestions:
            lines.append(f"ข้อเสนอแนะ: {latest.suggestions}")
        lines.append(f"ความคืบหน้า ร้อยละ {latest.percent}")
    return lines


def unit_report(entries: list[ProgressEntry]) -> tuple[str, str]:
    """(mark after the unit's name, its report) from one unit's entries of the period, in round
    order. The reviewed part comes first, with the latest approved percent; what the unit sent and
    the integrity office has not yet approved follows marked NOT_REVIEWED; a draft is still the
    unit's own, so a unit that sent nothing is not reported (never "ร้อยละ 0")."""
    reported = [e for e in entries if e.state in REPORTED_STATES]
    approved = [e for e in reported if e.state == State.APPROVED]
    pending = [e for e in reported if e.state != State.APPROVED]
    if not reported:
        return "", NOT_REPORTED
    latest_pending = pending[-1] if pending else None
    if latest_pending is not None and approved and _round_order(latest_pending) < _round_order(approved[-1]):
        latest_pending = None  # superseded by a later reviewed report
    reviewed = _block(approved, approved[-1]) if approved else []
    unreviewed = _block(pending, latest_pending) if pending else []
    if not reviewed:
        return NOT_REVIEWED, "\n".join(unreviewed)
    if not unreviewed:
        return "", "\n".join(reviewed)
    return "", "\n".join([*reviewed, NOT_REVIEWED, *unreviewed])


def measure_report(measure: Measure, entries: list[ProgressEntry]) -> str:
    """The units' reports on a measure, lead unit first; units that report the same words (common
    when one office writes for all) are printed once."""
    by_unit: dict = {}
    for entry in sorted(entries, key=_round_order):
        by_unit.setdefault(entry.unit, []).append(entry)
    reports: dict = {}
    for unit in sorted(by_unit, key=lambda u: (u.pk != measure.lead_unit_id, str(u))):
        reports.setdefault(unit_report(by_unit[unit]), []).append(str(unit))
    text = "\n\n".join(
        f"{', '.join(names)}:" + (f" {mark}" if mark else "") + "\n" + body for (mark, body), names in reports.items()
    )
    return text or NOT_REPORTED


def latest_reported_round(entries: list[ProgressEntry]):
    """The measure's latest round of the period in which any unit sent a report, or None."""
    reported = [e for e in entries if e.state in REPORTED_STATES]
    return max(reported, key=_round_order).round if reported else None


def period_percent(entries: list[ProgressEntry]) -> int | None:
    """The progress rule (README, "One rule for progress", `measures.models.reported_percent`) over
    a period: the mean of the percents sent in the measure's latest round in which anyone sent one."""
    round_ = latest_reported_round(entries)
    if round_ is None:
        return None
    sent = [e.percent for e in entries if e.round_id == round_.pk and e.state in REPORTED_STATES]
    return whole_percent(sum(sent) / len(sent))


def is_done(entries: list[ProgressEntry]) -> bool:
    """Done as the dashboard counts it (`with_completion`): every entry of the latest round anyone
    reported in is approved with status done."""
    round_ = latest_reported_round(entries)
    return round_ is not None and all(
        e.state == State.APPROVED and e.status == Status.DONE for e in entries if e.round_id == round_.pk
    )


def results_text(measure: Measure, entries: list[ProgressEntry]) -> str:
    report = measure_report(measure, entries)
    progress = period_percent(entries)
    if progress is not None:  # the progress rule, as the plan page and the dashboard show it
        report += f"\n\nความคืบหน้าของมาตรการ ร้อยละ {progress}"
    return report


def _by_measure(entries: list[ProgressEntry]) -> dict:
    by_measure: dict = {}
    for entry in entries:
        by_measure.setdefault(entry.measure_id, []).append(entry)
    return by_measure


def progress_rows(
    year: int,
    measures: list[Measure],
    entries: list[ProgressEntry],
    results: dict[int, Result],
    rule: TierRule,
    items: dict[int, list[Item]],
) -> list[list]:
    """The FIO's rows: one a measure with its indicators' scores of year−2 and year−1, the weak
    and strong items of year−1, its units and their reports."""
    before, last = year - 2, year - 1

    def shown(result_year, code):
        return results[result_year].shown(code) if result_year in results else None

    by_measure = _by_measure(entries)
    # A year with indicator results only: the weak and strong columns name the indicators, as
    # the analysis of that year does.
    on_indicators = last in results and not any(
        results[last].shown(item.code) is not None for listed in items.values() for item in listed
    )
    rows = []
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
            if on_indicators:
                figures = [(f"ตัวชี้วัดที่ {i.number}", f"IND{i.number}") for i in indicators]
            else:
                figures = [(item.code, item.code) for i in indicators for item in items.get(i.number, [])]
            for label, code in figures:
                value = results[last].shown(code)
                if value is not None:
                    tier = rule.tier(value)
                    (weak if tier in WEAK_TIERS or tier == "improve" else strong).append(f"{label}={score_text(value)}")
        units = ", ".join(str(u) for u in measure.responsible_units())
        report = results_text(measure, by_measure.get(measure.pk, []))
        rows.append(
            [str(number), indicator_text, *scores, " ".join(weak), " ".join(strong), measure.name, units, report]
        )
    return rows


def nsm_rows(measures: list[Measure], entries: list[ProgressEntry]) -> list[list]:
    """The NSM's rows: the plan (number and measure), how it is carried out (its steps), the
    results and the responsible units."""
    by_measure = _by_measure(entries)
    return [
        [
            f"{number}. {measure.name}",
            "\n".join(f"- {step}" for step in measure.step_list()),
            results_text(measure, by_measure.get(measure.pk, [])),
            "\n".join(str(u) for u in measure.responsible_units()),
        ]
        for number, measure in enumerate(measures, start=1)
    ]


def evidence_link(evidence: Evidence) -> str:
    """The evidence's download page as an absolute address; it opens for those who may see the entry."""
    return settings.SITE_URL + reverse("evidence", args=[evidence.entry_id, evidence.pk])


def evidence_rows(measures: list[Measure], entries: list[ProgressEntry]) -> list[list]:
    """The annex's rows: per measure, each file and link its units sent in the period's reports;
    the measure's number and name on its first row and each unit's name on its first, as the
    documents print them once; a link sent again in a later round is listed once; a report not
    yet reviewed is marked."""
    by_measure = _by_measure(entries)
    rows = []
    for number, measure in enumerate(measures, start=1):
        sent = sorted(
            (e for e in by_measure.get(measure.pk, []) if e.state in REPORTED_STATES),
            key=lambda e: (e.unit_id != measure.lead_unit_id, str(e.unit), _round_order(e)),
        )
        listed: set = set()
        head, last_unit = [str(number), measure.name], None
        for entry in sent:
            unit = str(entry.unit) + ("" if entry.state == State.APPROVED else f" {NOT_REVIEWED}")
            files = [
                (item.name, thai_date(timezone.localdate(item.uploaded), short=True), evidence_link(item))
                for item in entry.evidence.all()
            ]
            files += [("ลิงก์ที่แนบในรายงาน", "", link) for link in entry.link_list()]
            for name, date, link in files:
                if (entry.unit_id, link) in listed:
                    continue
                listed.add((entry.unit_id, link))
                rows.append([*head, "" if unit == last_unit else unit, name, date, link])
                head, last_unit = ["", ""], unit
    return rows


def evidence_section(measures: list[Measure], entries: list[ProgressEntry]) -> Section:
    rows = evidence_rows(measures, entries)
    paragraphs = ["หลักฐานที่หน่วยงานผู้รับผิดชอบแนบในรายงานผลการดำเนินงานของช่วงเวลานี้ แยกตามมาตรการ"]
    table = None
    if rows:
        header_row = [header(h) for h in ("ที่", "มาตรการ", "หน่วยงาน", "หลักฐาน", "วันที่แนบ", "ลิงก์")]
        table = Table([header_row], rows, [4, 24, 12, 22, 9, 29])
    else:
        paragraphs.append("ยังไม่มีหลักฐานแนบในรายงานของช่วงเวลานี้")
    return Section("ภาคผนวก หลักฐานการดำเนินงาน", paragraphs, table, sheet=ANNEX_SHEET, new_page=True)


def _and_list(labels: list[str]) -> str:
    return labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " และ" + labels[-1]


def period_notes(round_kind: str, rounds: list[ReportingRound]) -> list[str]:
    """What the report covers: the rounds of a 6- or 12-month report, or that there is none."""
    if not rounds:
        return ["หน่วยงานไม่ได้กำหนดรอบการรายงานในช่วงเวลานี้ จึงยังไม่มีผลการดำเนินงาน"]
    if len(rounds) == 1 and rounds[0].kind == round_kind:
        return []
    labels = [RoundKind(r.kind).short_label for r in rounds]
    return [f"รวมผลการดำเนินงานที่หน่วยงานรายงานใน{_and_list(labels)} เรียงตามวันที่ดำเนินการ"]


def _fio_table(year: int, label: str, rows: list[list]) -> Table:
    before, last = year - 2, year - 1
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
    return Table(
        header_rows, rows, [3, 12, 8, 8, 8, 12, 12, 15, 10, 31], {2: SCORE, 3: SCORE, 4: CHANGE}, long_rows=True
    )


def _nsm_table(rows: list[list]) -> Table:
    header_row = [header(h) for h in ("แผนการ", "วิธีดำเนินการ", "ผลการดำเนินงาน", "หน่วยงานผู้รับผิดชอบ")]
    return Table([header_row], rows, [20, 28, 36, 16], long_rows=True)


def progress_document(
    agency: Agency,
    year: int,
    round_kind: str,
    rounds: list[ReportingRound],
    measures: list[Measure],
    entries: list[ProgressEntry],
    assessments: dict[int, Assessment],
    versions: dict[int, FrameworkVersion],
    items: dict[int, list[Item]],
    layout: str = "fio",
    annex: bool = True,
) -> Document:
    """The progress report of `round_kind` of `agency`'s plan for `year` as plain rows.

    `rounds` are the rounds whose reports it prints (`ReportingRound.objects.for_report`);
    `measures` from `Measure.objects.plan_table()`; `entries` the entries of those rounds, round,
    unit, activities and (for the annex) evidence loaded; `assessments` {year: Assessment} for
    year−2 and year−1 with scores loaded; `versions` from `FrameworkVersion.objects.by_id()`;
    `items` {indicator number: [Item]} of year−1's framework. `layout` "fio" or "nsm".
    """
    with translation.override("th"):
        label = RoundKind(round_kind).short_label
        first_day, last_day = round_period(round_kind, year)
        period = f"ผลการดำเนินงานระหว่างวันที่ {thai_date(first_day)} ถึงวันที่ {thai_date(last_day)}"

        if layout == "nsm":
            table = _nsm_table(nsm_rows(measures, entries))
        else:
            results = {y: a.result(versions[a.version_id].spec) for y, a in assessments.items()}
            rule = assessments[year - 1].tier_rule if year - 1 in assessments else TierRule()
            table = _fio_table(year, label, progress_rows(year, measures, entries, results, rule, items))

        by_measure = _by_measure(entries)
        total = len(measures)
        done = sum(is_done(by_measure.get(m.pk, [])) for m in measures)
        percent = f"{100 * done / total:.2f}" if total else "0.00"
        summary = f"มาตรการทั้งหมด {total} มาตรการ ดำเนินการแล้วเสร็จ {done} มาตรการ คิดเป็นร้อยละ {percent}"
        sections = [
            Section(f"ผลการดำเนินงานตามมาตรการ {label}", period_notes(round_kind, rounds), table, sheet=SHEET),
            Section(
                "สรุปผลการดำเนินงาน",
                [
                    summary,
                    "ผลการดำเนินการที่ระบุว่า "
                    + NOT_REVIEWED
                    + " ยังไม่ได้รับการตรวจสอบจากผู้รับผิดชอบด้านคุณธรรมและความโปร่งใส จึงยังไม่นับเป็นผลที่เผยแพร่",
                ],
                sheet=SHEET,
            ),
        ]
        if annex:
            sections.append(evidence_section(measures, entries))
        document = agency_document(
            agency, year, PROGRESS_TITLE, sections, "progress", round_label=label, round_kind=round_kind
        )
        document.title_lines.append(period)
        return document


def progress_document_for(
    agency: Agency, year: int, round_kind: str, user=None, layout: str | None = None, annex: bool = True
) -> Document:
    """Load the plan, the entries of the report's rounds and the two earlier years' results in a
    fixed number of queries and build the progress report; with `user`, unit staff get only their
    units' measures and entries. `layout` None is the agency's choice (`progress_layout`)."""
    rounds = ReportingRound.objects.filter(agency=agency, fiscal_year=year).for_report(round_kind)
    measures = list(visible(Measure.objects.for_plan(agency, year), user).plan_table())
    entries: list = []
    if rounds and measures:
        loaded = (
            visible(ProgressEntry.objects.filter(round__in=rounds, measure__in=[m.pk for m in measures]), user)
            .select_related("unit", "round")
            .prefetch_related(Prefetch("activities", Activity.objects.order_by("date", "pk")))
        )
        if annex:
            loaded = loaded.prefetch_related(Prefetch("evidence", Evidence.objects.order_by("uploaded", "pk")))
        entries = list(loaded)
    assessments = {
        a.fiscal_year: a for a in Assessment.objects.history_of(agency).filter(fiscal_year__in=(year - 2, year - 1))
    }
    items: dict = {}
    if year - 1 in assessments:
        for item in Item.objects.filter(version_id=assessments[year - 1].version_id).select_related("indicator"):
            items.setdefault(item.indicator.number, []).append(item)
    versions = FrameworkVersion.objects.by_id()
    document = progress_document(
        agency,
        year,
        round_kind,
        rounds,
        measures,
        entries,
        assessments,
        versions,
        items,
        layout=layout or progress_layout(agency),
        annex=annex,
    )
    return sign_off(document, agency, year, "progress", round_kind)
