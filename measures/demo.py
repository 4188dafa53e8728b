"""The demo agencies' units, measures plans and progress (`fixtures/demo/measures.yaml`).

Loaded by `manage.py load_demo` through the same actions the pages use (`sync_entries`,
`do_copy_plan`, `do_review_step`), so the demo shows what the application itself produces.
A plan is loaded once: when the agency already has measures for that year, the plan and its
progress are left as they are, so loading twice changes nothing.
"""

import datetime
from decimal import Decimal
from pathlib import Path

import yaml
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from assessments.models import Agency, FrameworkVersion
from measures.actions import do_copy_plan, do_review_step, ensure_rounds, sync_entries
from measures.counts import refresh_progress
from measures.models import (
    FISCAL_MONTHS,
    Action,
    Activity,
    Measure,
    Period,
    ProgressEntry,
    ReportingRound,
    ReviewEvent,
    State,
    Unit,
)

DEMO_FILE = Path(settings.BASE_DIR) / "fixtures" / "demo" / "measures.yaml"

# The steps each target state takes from a draft.
STEPS = {
    State.DRAFT: [],
    State.SUBMITTED: [Action.SUBMIT],
    State.APPROVED: [Action.SUBMIT, Action.APPROVE],
    State.RETURNED: [Action.SUBMIT, Action.RETURN],
}


@transaction.atomic
def load(*, officer, unit_user, path=DEMO_FILE):
    """Load units, plans and progress; returns the (agency code, fiscal year) plans created now."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    units = load_units(data["units"])
    for membership in data["unit_user"]:
        units[membership["agency"], membership["unit"]].members.add(unit_user)
    created = set()
    for plan in data["plans"]:
        if load_plan(plan, units):
            created.add((plan["agency"], plan["fiscal_year"]))
    for progress in data["progress"]:
        key = (progress["agency"], progress["fiscal_year"])
        if "copy_from" in progress and copy_plan(progress):
            created.add(key)
        if key in created:
            load_progress(progress, data["plans"], officer=officer, unit_user=unit_user)
    # Entries and targets are filled in directly above: count the plans again as the actions would.
    refresh_progress(Agency.objects.filter(code__in={code for code, _year in created}).values_list("pk", flat=True))
    return created


def load_units(spec):
    """{(agency code, unit name): unit}."""
    units = {}
    for code, rows in spec.items():
        agency = Agency.objects.get(code=code)
        for row in rows:
            unit, _created = Unit.objects.get_or_create(
                agency=agency, name=row["name"], defaults={"abbreviation": row.get("abbreviation", "")}
            )
            units[code, unit.name] = unit
    return units


def load_plan(plan, units):
    """Create the plan's measures and their entries, unless the agency has a plan for that year."""
    agency = Agency.objects.get(code=plan["agency"])
    year = plan["fiscal_year"]
    if Measure.objects.filter(agency=agency, fiscal_year=year).exists():
        return False
    ensure_rounds(agency=agency, fiscal_year=year)
    for round_ in ReportingRound.objects.filter(agency=agency, fiscal_year=year):
        round_.active = round_.kind in plan["rounds"]
        round_.save(update_fields=["active"])
    version = FrameworkVersion.objects.for_year(year - 1)  # the results the plan answers
    agency_units = [unit for (code, _name), unit in units.items() if code == agency.code]
    start, end = plan.get("dates") or (None, None)
    for order, spec in enumerate(plan["measures"], start=1):
        all_units = spec.get("units") == "all"
        measure = Measure.objects.create(
            agency=agency,
            fiscal_year=year,
            order=order,
            name=spec["name"],
            analysis=spec["analysis"].strip(),
            steps="\n".join(spec["steps"]),
            period=Period.DATES if start else Period.QUARTERS,
            months=[
                month for quarter in spec.get("quarters", []) for month in FISCAL_MONTHS[3 * quarter - 3 : 3 * quarter]
            ],
            start_date=start,
            end_date=end,
            lead_unit=units[agency.code, spec["lead"]],
            monitoring=spec.get("monitoring", ""),
            report_to=spec.get("report_to", plan.get("report_to", "")),
            report_frequency=spec.get("report_frequency", Measure._meta.get_field("report_frequency").default),
            kpi=spec.get("kpi", ""),
            target=spec.get("target", ""),
        )
        measure.supporting_units.set(
            [unit for unit in agency_units if unit != measure.lead_unit]
            if all_units
            else [units[agency.code, name] for name in spec.get("supporting", [])]
        )
        items = list(version.items.filter(code__in=spec.get("items", [])))
        measure.items.set(items)
        numbers = set(spec.get("indicators", [])) | {item.indicator.number for item in items}
        measure.indicators.set(version.indicators.filter(number__in=numbers))
        sync_entries(measure=measure)
    return True


def copy_plan(progress):
    """This year's plan as a copy of last year's, unless there is one already."""
    agency = Agency.objects.get(code=progress["agency"])
    return bool(do_copy_plan(agency=agency, from_year=progress["copy_from"], to_year=progress["fiscal_year"], seen=0))


def load_progress(progress, plans, *, officer, unit_user):
    """Fill in and review every entry of the plan as the progress section says."""
    measures = list(
        Measure.objects.filter(agency__code=progress["agency"], fiscal_year=progress["fiscal_year"]).order_by(
            "order", "pk"
        )
    )
    number = {measure.pk: n for n, measure in enumerate(measures, start=1)}
    printed = next(
        (
            plan
            for plan in plans
            if (plan["agency"], plan["fiscal_year"]) == (progress["agency"], progress["fiscal_year"])
        ),
        None,
    )
    kpis = {spec["measure"]: spec for spec in progress.get("kpi", [])}
    for n, spec in kpis.items():
        measure = measures[n - 1]
        measure.kpi, measure.target, measure.target_percent = (
            spec["kpi"],
            spec["target"],
            Decimal(str(spec["target_percent"])),
        )
        measure.save(update_fields=["kpi", "target", "target_percent"])

    entries = (
        ProgressEntry.objects.filter(measure__in=measures)
        .select_related("measure", "round", "unit")
        .order_by("round__due_date", "measure__order", "unit__name")
    )
    for entry in entries:
        round_spec = progress["rounds"].get(entry.round.kind)
        if round_spec is None:
            continue
        n = number[entry.measure_id]
        spec = dict(round_spec)
        exception = round_spec.get("except", {}).get(n)
        if exception and exception.get("unit", entry.unit.name) == entry.unit.name:
            spec.update(exception)
        reporter = unit_user if entry.unit.members.filter(pk=unit_user.pk).exists() else officer
        fill(entry, spec, printed["measures"][n - 1].get("progress") if printed else None, reporter)
        if n in kpis and entry.unit_id == entry.measure.lead_unit_id:
            result = kpis[n]["results"].get(entry.round.kind)
            if result:
                entry.kpi_actual = Decimal(result)
                entry.save(update_fields=["kpi_actual"])
        review(entry, spec, reporter=reporter, officer=officer)


def fill(entry, spec, printed, reporter):
    """The unit's report: as printed where the document has one, otherwise written from the
    measure's steps done so far, with a dated activity for the step done in this round."""
    steps = entry.measure.step_list()
    done = len(steps) if spec.get("steps") == "all" else min(spec.get("steps", 0), len(steps))
    if printed:
        entry.result = printed["result"]
        entry.suggestions = printed.get("suggestions", "")
    elif done:
        entry.result = "ดำเนินการแล้ว\n" + "\n".join(
            f"ขั้นตอนที่ {i}: {step}" for i, step in enumerate(steps[:done], start=1)
        )
    entry.obstacles = spec.get("obstacles", "ไม่มี" if done or printed else "")
    entry.percent = spec["percent"]
    entry.status = spec["status"]
    entry.updated_by = reporter
    entry.save(update_fields=["result", "obstacles", "suggestions", "percent", "status", "updated_by", "updated"])
    if done and not printed:
        start = entry.round.period[0]
        Activity.objects.create(entry=entry, date=start + datetime.timedelta(days=45), text=steps[done - 1])


def review(entry, spec, *, reporter, officer):
    """Take the entry through the review to its state, dating each step near the round's due date."""
    due = spec.get("reported_on") or entry.round.due_date
    when = {Action.SUBMIT: due - datetime.timedelta(days=5), Action.APPROVE: due + datetime.timedelta(days=7)}
    when[Action.RETURN] = when[Action.APPROVE]
    for action in STEPS[State(spec["state"])]:
        user = reporter if action == Action.SUBMIT else officer
        do_review_step(
            entry=entry, action=action, user=user, comment=spec.get("comment", "") if action == Action.RETURN else ""
        )
        moment = timezone.make_aware(datetime.datetime.combine(when[action], datetime.time(10)))
        ReviewEvent.objects.filter(entry=entry, action=action).update(created=min(moment, timezone.now()))
