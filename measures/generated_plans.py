"""The generated dataset's units, measures plans and progress (`manage.py generate_demo`).

A plan and its progress are first drawn as plain data (`draw_plans`, `draw_progress`), then
written one of two ways that write the same rows:

- `write_plan_with_actions` / `write_progress_with_actions`: through the actions the pages use
  (`ensure_rounds`, `sync_entries`, `do_review_step`), one agency at a time;
- `write_plans_in_bulk` / `write_progress_in_bulk`: the same rows, audit trail included (a history
  row for each save the actions make, with the same values), in a few bulk inserts, so that a
  national plan of 8,323 agencies takes seconds rather than hours. tests/test_generate_demo.py
  compares the two on one agency.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from assessments.bulk import insert_new, update_rows
from assessments.thai import FISCAL_MONTHS
from measures.actions import do_review_step, ensure_rounds, sync_entries
from measures.models import (
    Action,
    Activity,
    Measure,
    ProgressEntry,
    ReportingRound,
    ReviewEvent,
    RoundKind,
    State,
    Status,
    Unit,
)

UNIT_NAMES = [
    ("สำนักงานเลขานุการ", "สลก."),
    ("กองคลัง", "กค."),
    ("กองยุทธศาสตร์และงบประมาณ", "กยผ."),
    ("กองการเจ้าหน้าที่", "กจ."),
    ("กองช่าง", "กช."),
    ("กองการศึกษา", "กศ."),
    ("กองสาธารณสุขและสิ่งแวดล้อม", "กสธ."),
    ("ศูนย์ปฏิบัติการต่อต้านการทุจริต", "ศปท."),
    ("กลุ่มตรวจสอบภายใน", "ตสน."),
    ("กลุ่มงานประชาสัมพันธ์", "ปชส."),
]
TOPICS = {
    1: "การปฏิบัติหน้าที่อย่างโปร่งใส",
    2: "การใช้งบประมาณอย่างคุ้มค่า",
    3: "การใช้อำนาจอย่างเป็นธรรม",
    4: "การใช้ทรัพย์สินของราชการอย่างถูกต้อง",
    5: "การแก้ไขปัญหาการทุจริต",
    6: "คุณภาพการให้บริการ",
    7: "การสื่อสารกับผู้รับบริการ",
    8: "การปรับปรุงการทำงาน",
    9: "การเปิดเผยข้อมูลสาธารณะ",
    10: "การป้องกันการทุจริต",
}
KINDS_OF_MEASURE = ("มาตรการส่งเสริม", "โครงการพัฒนา", "กิจกรรมยกระดับ")
STEPS = [
    "แต่งตั้งคณะทำงานและมอบหมายผู้รับผิดชอบ",
    "วิเคราะห์ผลการประเมินและจัดทำแผนการดำเนินงาน",
    "ประชุมชี้แจงบุคลากรทุกระดับ",
    "จัดทำคู่มือและแนวปฏิบัติ",
    "เผยแพร่ข้อมูลทางเว็บไซต์ของหน่วยงาน",
    "จัดอบรมเสริมสร้างความรู้ความเข้าใจ",
    "ติดตามและรายงานผลต่อผู้บริหาร",
    "สำรวจความพึงพอใจของผู้รับบริการ",
]
RETURN_COMMENTS = [
    "โปรดแนบหลักฐานการดำเนินงานเพิ่มเติม",
    "โปรดระบุผลการดำเนินงานให้ชัดเจนขึ้น",
    "ร้อยละความคืบหน้าไม่สอดคล้องกับผลการดำเนินงาน",
]
# The share of each round's reports in each review state: the earlier the round, the further on.
STATE_SHARES = {
    RoundKind.Q1: ((State.APPROVED, 55), (State.SUBMITTED, 15), (State.RETURNED, 10), (State.DRAFT, 20)),
    RoundKind.Q2: ((State.APPROVED, 35), (State.SUBMITTED, 20), (State.RETURNED, 10), (State.DRAFT, 35)),
    RoundKind.Q3: ((State.APPROVED, 20), (State.SUBMITTED, 15), (State.RETURNED, 10), (State.DRAFT, 55)),
    RoundKind.Q4: ((State.APPROVED, 10), (State.SUBMITTED, 10), (State.RETURNED, 10), (State.DRAFT, 70)),
}
QUARTER_NUMBER = {RoundKind.Q1: 1, RoundKind.Q2: 2, RoundKind.Q3: 3, RoundKind.Q4: 4}
REVIEW_STEPS = {
    State.DRAFT: (),
    State.SUBMITTED: (Action.SUBMIT,),
    State.APPROVED: (Action.SUBMIT, Action.APPROVE),
    State.RETURNED: (Action.SUBMIT, Action.RETURN),
}


@dataclass
class MeasureSpec:
    order: int
    name: str
    analysis: str
    steps: str
    months: list
    lead: Unit
    supporting: list
    items: list  # Item objects of the framework the plan answers
    indicators: list  # Indicator objects
    kpi: str
    target: str
    target_percent: Decimal
    report_to: str


@dataclass
class PlanSpec:
    agency: object
    fiscal_year: int
    measures: list = field(default_factory=list)


@dataclass
class ReportSpec:
    """One unit's report in one round, and the review steps it went through."""

    state: str
    percent: int
    status: str
    result: str
    obstacles: str
    activity: tuple | None  # (date, text)
    reporter: object
    reviewer: object
    comment: str


def create_units(agencies, rng):
    """Three or four units in each agency, through bulk_create_with_history (as `get_or_create`
    writes a unit and its first history row); returns {agency id: [units in name order]}."""
    units = []
    for agency in agencies:
        for name, abbreviation in sorted(rng.sample(UNIT_NAMES, rng.choice((3, 3, 4)))):
            units.append(Unit(agency=agency, name=name, abbreviation=abbreviation))
    bulk_create_with_history(units, Unit, batch_size=2000)
    by_agency = defaultdict(list)
    for unit in Unit.objects.filter(agency__in=[a.pk for a in agencies]).order_by("agency", "name"):
        by_agency[unit.agency_id].append(unit)
    return by_agency


def weakest_items(figures, count):
    """The item codes of an agency's result rows, weakest first (an item in parts by its mean)."""
    scores = defaultdict(list)
    for row in figures:
        scores[row["code"]].append(Decimal(row["score"]))
    means = {code: sum(values) / len(values) for code, values in scores.items()}
    return sorted(means, key=lambda code: (means[code], code))[:count], means


def draw_plans(agencies, units, latest_figures, version, plan_year, count, rng):
    """Each agency's plan for `plan_year`: `count` measures, each answering one of its weakest items
    of the results the plan answers (`version`'s items, those of the year before the plan)."""
    items = {item.code: item for item in version.items.select_related("indicator")}
    plans = []
    for agency in agencies:
        plan = PlanSpec(agency, plan_year)
        agency_units = units[agency.pk]
        weak, means = weakest_items(latest_figures.get(agency.code, []), count)
        for order in range(1, count + 1):
            code = weak[(order - 1) % len(weak)] if weak else None
            item = items.get(code)
            number = item.indicator.number if item else rng.randint(1, 10)
            first_quarter = rng.randint(1, 3)
            months = FISCAL_MONTHS[3 * (first_quarter - 1) :]
            lead = rng.choice(agency_units)
            others = [unit for unit in agency_units if unit != lead]
            supporting = rng.sample(others, rng.choice((0, 1, 1, 2))) if others else []
            analysis = (
                f"ผลการประเมินปี พ.ศ. {plan_year - 1} ข้อ {code} ได้ {means[code]:.2f} คะแนน "
                "ต่ำกว่าค่าเป้าหมาย จึงต้องปรับปรุงอย่างเร่งด่วน"
                if item
                else f"ตัวชี้วัดที่ {number} ควรพัฒนาให้ดีขึ้น"
            )
            plan.measures.append(
                MeasureSpec(
                    order=order,
                    name=f"{rng.choice(KINDS_OF_MEASURE)}{TOPICS[number]}" + (f" ({code})" if item else ""),
                    analysis=analysis,
                    steps="\n".join(rng.sample(STEPS, rng.randint(3, 5))),
                    months=list(months),
                    lead=lead,
                    supporting=sorted(supporting, key=lambda unit: unit.name),
                    items=[item] if item else [],
                    indicators=[item.indicator] if item else list(version.indicators.filter(number=number)),
                    kpi=f"ร้อยละของบุคลากรที่ดำเนินการตาม{TOPICS[number]}",
                    target="ไม่น้อยกว่าร้อยละ 90",
                    target_percent=Decimal("90"),
                    report_to="ผู้บริหารหน่วยงาน",
                )
            )
        plans.append(plan)
    return plans


def measure_values(plan, spec):
    """A measure's own fields, as `Measure.objects.create` is given them."""
    return {
        "agency": plan.agency,
        "fiscal_year": plan.fiscal_year,
        "order": spec.order,
        "name": spec.name,
        "analysis": spec.analysis,
        "steps": spec.steps,
        "months": spec.months,
        "lead_unit": spec.lead,
        "kpi": spec.kpi,
        "target": spec.target,
        "target_percent": spec.target_percent,
        "report_to": spec.report_to,
    }


def responsible(spec):
    """The units that report on a measure, in `Measure.responsible_units` order."""
    return [spec.lead] + [unit for unit in spec.supporting if unit != spec.lead]


def default_rounds(agency, fiscal_year):
    return [ReportingRound.default(agency, fiscal_year, kind) for kind in RoundKind]


def active_rounds(agency, fiscal_year):
    """The rounds units report in, in the order `sync_entries` reads them (due date, kind)."""
    return sorted((r for r in default_rounds(agency, fiscal_year) if r.active), key=lambda r: (r.due_date, r.kind))


def draw_progress(plans, rng, *, officer, officer_agency, unit_user):
    """{(agency id, measure order, round kind, unit id): ReportSpec} for every entry of the plans.
    The officer's agency is reported on by its unit member (their unit) and officer (the others),
    who also reviews (`officer_agency`: its id); other agencies have no sign-ins, so their reports
    name nobody."""
    reports = {}
    for plan in plans:
        for spec in plan.measures:
            steps = spec.steps.splitlines()
            for round_ in active_rounds(plan.agency, plan.fiscal_year):
                for unit in responsible(spec):
                    key = (plan.agency.pk, spec.order, round_.kind, unit.pk)
                    own = officer is not None and plan.agency.pk == officer_agency
                    reports[key] = draw_report(
                        plan, steps, round_, unit, rng, own=own, officer=officer, unit_user=unit_user
                    )
    return reports


def draw_report(plan, steps, round_, unit, rng, *, own, officer, unit_user):
    states, weights = zip(*STATE_SHARES[round_.kind], strict=True)
    state = rng.choices(states, weights)[0]
    quarter = QUARTER_NUMBER[round_.kind]
    reporter = (unit_user if unit.members.filter(pk=unit_user.pk).exists() else officer) if own else None
    if state == State.DRAFT and rng.random() < 0.5:
        # Nothing written yet in this round.
        return ReportSpec(state, 0, Status.NOT_STARTED, "", "", None, None, None, "")
    percent = min(100, max(5, 25 * quarter + rng.choice((-20, -10, -5, 0, 0, 5, 10))))
    if state == State.RETURNED:
        percent = max(5, percent - 15)
    status = Status.DONE if percent == 100 else rng.choice((Status.ON_TRACK, Status.ON_TRACK, Status.DELAYED))
    done = max(1, round(len(steps) * percent / 100))
    result = "ดำเนินการแล้ว\n" + "\n".join(f"ขั้นตอนที่ {i}: {step}" for i, step in enumerate(steps[:done], start=1))
    obstacles = "ไม่มี" if status != Status.DELAYED else "งบประมาณและบุคลากรไม่เพียงพอ"
    activity = (round_.period[0] + datetime.timedelta(days=45), steps[done - 1])
    comment = rng.choice(RETURN_COMMENTS) if state == State.RETURNED else ""
    return ReportSpec(state, percent, status, result, obstacles, activity, reporter, officer if own else None, comment)


def step_moments(round_, steps):
    """When each review step was taken: the unit sends five days before the round's due date, the
    office answers a week after it (never later than now)."""
    due = round_.due_date
    when = {Action.SUBMIT: due - datetime.timedelta(days=5), Action.APPROVE: due + datetime.timedelta(days=7)}
    when[Action.RETURN] = when[Action.APPROVE]
    now = timezone.now()
    return [min(timezone.make_aware(datetime.datetime.combine(when[step], datetime.time(10))), now) for step in steps]


def take_report(entry, report):
    """The unit's report on the entry, as the progress form sets it."""
    entry.result, entry.obstacles, entry.percent, entry.status = (
        report.result,
        report.obstacles,
        report.percent,
        report.status,
    )
    entry.updated_by = report.reporter


# --- Through the actions, one agency at a time ----------------------------------------------------


@transaction.atomic
def write_plan_with_actions(plan):
    """The plan as the pages write it: rounds, measures with their units, items and indicators, entries."""
    ensure_rounds(agency=plan.agency, fiscal_year=plan.fiscal_year)
    for spec in plan.measures:
        measure = Measure.objects.create(**measure_values(plan, spec))
        measure.supporting_units.set(spec.supporting)
        measure.items.set(spec.items)
        measure.indicators.set(spec.indicators)
        sync_entries(measure=measure)


@transaction.atomic
def write_progress_with_actions(plan, reports):
    """Each unit's report saved, then taken through the review steps (`do_review_step`)."""
    entries = ProgressEntry.objects.filter(measure__agency=plan.agency, measure__fiscal_year=plan.fiscal_year)
    for entry in entries.select_related("measure", "round", "unit"):
        report = reports[(plan.agency.pk, entry.measure.order, entry.round.kind, entry.unit_id)]
        if not report.result:
            continue
        take_report(entry, report)
        entry.save(update_fields=["result", "obstacles", "percent", "status", "updated_by", "updated"])
        Activity.objects.create(entry=entry, date=report.activity[0], text=report.activity[1])
        steps = REVIEW_STEPS[report.state]
        for step, moment in zip(steps, step_moments(entry.round, steps), strict=True):
            user = report.reporter if step == Action.SUBMIT else report.reviewer
            do_review_step(entry=entry, action=step, user=user, comment=report.comment if step == Action.RETURN else "")
            ReviewEvent.objects.filter(entry=entry, action=step).update(created=moment)


# --- In bulk: the same rows for every agency at once ----------------------------------------------

BATCH = 2000


@transaction.atomic
def write_plans_in_bulk(plans):
    """The plans' rounds, measures, their units, items and indicators, and entries, with the history
    rows the actions write: a round's and an entry's first version, and a measure's first version
    followed by one version for each of its sets of units, items and indicators that added any.
    Returns the number of measures."""
    rounds = [r for plan in plans for r in default_rounds(plan.agency, plan.fiscal_year)]
    bulk_create_with_history(rounds, ReportingRound, batch_size=BATCH)
    measures = [Measure(**measure_values(plan, spec)) for plan in plans for spec in plan.measures]
    Measure.objects.bulk_create(measures, batch_size=BATCH)
    specs = [spec for plan in plans for spec in plan.measures]
    write_measure_links_and_history(measures, specs)

    rounds_of = defaultdict(list)
    saved = ReportingRound.objects.filter(
        agency__in=[plan.agency.pk for plan in plans], fiscal_year__in={plan.fiscal_year for plan in plans}
    )
    for round_ in saved.filter(active=True).order_by("agency", "fiscal_year", "due_date", "kind"):
        rounds_of[round_.agency_id, round_.fiscal_year].append(round_)
    entries = [
        ProgressEntry(measure=measure, round=round_, unit=unit)
        for measure, spec in zip(measures, specs, strict=True)
        for round_ in rounds_of[measure.agency_id, measure.fiscal_year]
        for unit in responsible(spec)
    ]
    ProgressEntry.objects.bulk_create(entries, batch_size=BATCH)
    History, now = ProgressEntry.history.model, timezone.now()
    insert_new(History, [history_row(History, entry, "+", now) for entry in entries])
    return len(measures)


def write_measure_links_and_history(measures, specs):
    links = {
        "supporting_units": ("unit", lambda spec: spec.supporting),
        "items": ("item", lambda spec: spec.items),
        "indicators": ("indicator", lambda spec: spec.indicators),
    }
    rows_of = {}  # {(link, measure index): the link's rows in the through table}
    for name, (target, values_of) in links.items():
        through = getattr(Measure, name).through
        rows = []
        for index, (measure, spec) in enumerate(zip(measures, specs, strict=True)):
            rows_of[name, index] = [through(measure=measure, **{target: value}) for value in values_of(spec)]
            rows.extend(rows_of[name, index])
        through.objects.bulk_create(rows, batch_size=BATCH)
    History = Measure.history.model
    m2m_history = {name: History._meta.get_field(f"historicalmeasure_{name}").related_model for name in links}
    # `create` writes "+" with no links; each `set` that adds a link writes "~" with the links
    # saved so far, in the order supporting units, items, indicators.
    versions, snapshots = [], []
    now = timezone.now()
    for index, measure in enumerate(measures):
        versions.append(history_row(History, measure, "+", now))
        snapshots.append([])
        so_far = []
        for name in links:
            if rows_of[name, index]:
                so_far = so_far + [(name, row) for row in rows_of[name, index]]
                versions.append(history_row(History, measure, "~", now))
                snapshots.append(so_far)
    History.objects.bulk_create(versions, batch_size=BATCH)
    rows = defaultdict(list)
    for version, snapshot in zip(versions, snapshots, strict=True):
        for name, row in snapshot:
            target = links[name][0]
            rows[name].append(
                m2m_history[name](
                    history=version,
                    id=row.pk,
                    measure_id=row.measure_id,
                    **{f"{target}_id": getattr(row, f"{target}_id")},
                )
            )
    for name, model_rows in rows.items():
        insert_new(m2m_history[name], model_rows)


def history_row(History, instance, history_type, when, user=None):
    return History(
        history_date=when,
        history_type=history_type,
        history_user=user,
        history_change_reason=None,
        **{f.attname: getattr(instance, f.attname) for f in History.tracked_fields},
    )


@transaction.atomic
def write_progress_in_bulk(plans, reports):
    """Each report and its review steps, as `write_progress_with_actions` writes them: the entry's
    fields and state, a history row for the report's save and for each step, its activity and
    its review events. Returns the number of entries."""
    History = ProgressEntry.history.model
    plan_years = {plan.fiscal_year for plan in plans}
    entries = ProgressEntry.objects.filter(
        measure__agency__in=[plan.agency.pk for plan in plans], measure__fiscal_year__in=plan_years
    ).select_related("measure", "round")
    changed, versions, activities, events = [], [], [], []
    now = timezone.now()
    count = 0
    for entry in entries.iterator(chunk_size=BATCH):
        count += 1
        report = reports[(entry.measure.agency_id, entry.measure.order, entry.round.kind, entry.unit_id)]
        if not report.result:
            continue
        take_report(entry, report)
        entry.updated = now
        versions.append(history_row(History, entry, "~", now))
        activities.append(Activity(entry=entry, date=report.activity[0], text=report.activity[1]))
        steps = REVIEW_STEPS[report.state]
        for step, moment in zip(steps, step_moments(entry.round, steps), strict=True):
            entry.state = {Action.SUBMIT: State.SUBMITTED, Action.APPROVE: State.APPROVED}.get(step, State.RETURNED)
            entry.revision += 1
            versions.append(history_row(History, entry, "~", now))
            user = report.reporter if step == Action.SUBMIT else report.reviewer
            comment = report.comment if step == Action.RETURN else ""
            events.append(ReviewEvent(entry=entry, action=step, user=user, comment=comment, created=moment))
        changed.append(entry)
    update_rows(
        ProgressEntry,
        changed,
        ["result", "obstacles", "percent", "status", "updated_by", "updated", "state", "revision"],
    )
    insert_new(History, versions)
    Activity.objects.bulk_create(activities, batch_size=BATCH)
    ActivityHistory = Activity.history.model
    insert_new(ActivityHistory, [history_row(ActivityHistory, activity, "+", now) for activity in activities])
    # Written as they are: `created` keeps each step's moment, which the ORM's insert would set to
    # now (auto_now_add) and the actions' loader dates afterwards.
    insert_new(ReviewEvent, events)
    return count
