"""The stored counts of plans and reports (measures.counts) and the measures pages that read them
at national size: each action leaves the stored figures equal to a recount, and every measures
page runs the same number of queries with one agency or many, for every role."""

from decimal import Decimal

import pytest
from django.contrib import admin
from django.db import connection
from django.db.models import Count, Q
from django.test.utils import CaptureQueriesContext

from assessments import choosers
from assessments.models import Agency, Role
from measures.actions import do_copy_plan, do_review_step
from measures.counts import refresh_progress
from measures.models import (
    OPEN,
    Action,
    Measure,
    MeasureStanding,
    PlanIndicatorCount,
    PlanSummary,
    ProgressEntry,
    State,
    UnitRoundCount,
)
from tests import clock, factories

# Q1 and Q2 of 2569 are past their due dates; the current fiscal year is 2569.
pytestmark = clock.pinned(2026, 5, 15)


def recounted(agency):
    """What the stored tables should hold for `agency`, counted from its measures and entries
    with the rules the plan page applies."""
    measures = list(Measure.objects.filter(agency=agency).with_completion())
    plans = {}
    for m in measures:
        plan = plans.setdefault(m.fiscal_year, [0, 0, 0])
        if m.withdrawn is None:
            plan[0] += 1
            plan[1] += bool(m.done)
            plan[2] += m.latest_round is not None
    indicators = {
        (year, row["indicators__number"]): (row["measures"], row["reported"], rounded(row["percent"]))
        for year in plans
        for row in Measure.objects.for_plan(agency, year).progress_by_indicator()
    }
    units = ProgressEntry.objects.current().filter(round__agency=agency).values("round", "unit")
    return {
        "plans": {year: tuple(figures) for year, figures in plans.items()},
        "standings": {
            m.pk: (m.withdrawn is None, m.latest_round, bool(m.done), rounded(m.latest_percent), m.kpi_result)
            for m in measures
        },
        "off_target": {m.pk for m in measures if m.off_target},
        "indicators": indicators,
        "units": {
            (row["round"], row["unit"]): (row["open"], row["waiting"])
            for row in units.annotate(
                open=Count("pk", filter=OPEN), waiting=Count("pk", filter=Q(state=State.SUBMITTED))
            )
        },
    }


def stored(agency):
    """What the stored tables hold for `agency`, in the shape of `recounted`."""
    standings = MeasureStanding.objects.filter(plan__agency=agency)
    return {
        "plans": {s.fiscal_year: (s.measures, s.done, s.reported) for s in PlanSummary.objects.filter(agency=agency)},
        "standings": {
            s.measure_id: (s.current, s.latest_round_id, s.done, rounded(s.latest_percent), s.kpi_result)
            for s in standings
        },
        "off_target": {s.measure_id for s in standings if s.off_target},
        "indicators": {
            (c.plan.fiscal_year, c.number): (
                c.measures,
                c.reported,
                rounded(c.percent_total / c.reported) if c.reported else None,
            )
            for c in PlanIndicatorCount.objects.filter(plan__agency=agency, measures__gt=0).select_related("plan")
        },
        "units": {
            (c.round_id, c.unit_id): (c.open, c.waiting) for c in UnitRoundCount.objects.filter(round__agency=agency)
        },
    }


def rounded(value):
    return None if value is None else round(value, 2)


@pytest.fixture
def plan(agency, unit, other_unit):
    """AG1's 2569 plan: a measure of two units (target 90) and a measure of one unit."""
    shared = factories.measure(
        agency, 2569, "มาตรการร่วม", lead_unit=unit, supporting=[other_unit], items=["i1"], target_percent=90
    )
    alone = factories.measure(agency, 2569, "มาตรการเดียว", lead_unit=other_unit, items=["o1"])
    return shared, alone


def entry(measure, kind, unit):
    return ProgressEntry.objects.get(measure=measure, round__kind=kind, unit=unit)


def step(measure, kind, unit, action, user, comment=""):
    do_review_step(entry=entry(measure, kind, unit), action=action, user=user, comment=comment)


def test_a_new_plan_is_counted_with_its_open_reports(plan, agency, unit, other_unit):
    shared, alone = plan
    counts = stored(agency)

    assert counts == recounted(agency)
    assert counts["plans"] == {2569: (2, 0, 0)}
    q1 = entry(shared, "q1", unit).round_id
    assert counts["units"][(q1, unit.pk)] == (1, 0)
    assert counts["units"][(q1, other_unit.pk)] == (2, 0)


def test_each_review_step_leaves_the_stored_counts_equal_to_a_recount(plan, agency, unit, other_unit, officer):
    shared, alone = plan
    ProgressEntry.objects.filter(measure=alone, round__kind="q1").update(percent=100, status="done", kpi_actual=70)
    step(alone, "q1", other_unit, Action.SUBMIT, officer)
    q1 = entry(alone, "q1", other_unit).round_id
    assert stored(agency) == recounted(agency)
    assert stored(agency)["units"][(q1, other_unit.pk)] == (1, 1)  # the shared measure's report is still open

    step(alone, "q1", other_unit, Action.RETURN, officer, comment="แนบหลักฐาน")
    assert stored(agency) == recounted(agency)
    assert stored(agency)["units"][(q1, other_unit.pk)] == (2, 0)
    assert stored(agency)["plans"] == {2569: (2, 0, 1)}  # a returned report was sent: reported, not done

    step(alone, "q1", other_unit, Action.SUBMIT, officer)
    step(alone, "q1", other_unit, Action.APPROVE, officer)
    counts = stored(agency)
    assert counts == recounted(agency)
    assert counts["plans"] == {2569: (2, 1, 1)}
    assert counts["standings"][alone.pk][2:] == (True, 100.0, Decimal("70.00"))

    step(shared, "q1", unit, Action.SUBMIT, officer)
    step(shared, "q1", unit, Action.WITHDRAW, officer)
    assert stored(agency) == recounted(agency)
    assert stored(agency)["units"][(q1, unit.pk)] == (1, 0)


def test_an_approved_kpi_below_target_is_stored_off_target(plan, agency, unit, officer):
    shared, _alone = plan
    ProgressEntry.objects.filter(measure=shared, round__kind="q1", unit=unit).update(percent=50, kpi_actual=85)
    step(shared, "q1", unit, Action.SUBMIT, officer)
    step(shared, "q1", unit, Action.APPROVE, officer)

    assert stored(agency) == recounted(agency)
    assert stored(agency)["off_target"] == {shared.pk}


def test_withdrawing_and_restoring_a_measure_updates_its_plans_counts(client, plan, agency, officer):
    shared, _alone = plan
    client.force_login(officer)

    client.post(f"/measures/{shared.pk}/withdraw/", {"reason": "ยกเลิกโครงการ"})
    assert stored(agency) == recounted(agency)
    assert stored(agency)["plans"] == {2569: (1, 0, 0)}

    client.post(f"/measures/{shared.pk}/restore/")
    assert stored(agency) == recounted(agency)
    assert stored(agency)["plans"] == {2569: (2, 0, 0)}


def test_a_copied_plan_is_counted(plan, agency):
    copies = do_copy_plan(agency=agency, from_year=2569, to_year=2570, seen=0)

    assert len(copies) == 2
    assert stored(agency) == recounted(agency)
    assert stored(agency)["plans"] == {2569: (2, 0, 0), 2570: (2, 0, 0)}


def test_deleting_a_measure_in_the_admin_takes_it_out_of_the_counts(rf, plan, agency, superuser):
    _shared, alone = plan
    request = rf.post("/admin/")
    request.user = superuser

    admin.site._registry[Measure].delete_model(request, alone)

    assert stored(agency) == recounted(agency)
    assert stored(agency)["plans"] == {2569: (1, 0, 0)}


# The measures pages at national size: the same queries with one agency or many, for every role.


def national(count, start=0):
    """`count` agencies, alternately under a ministry and a province, each with a unit, a 2569
    plan of two measures, one report sent for review and one approved."""
    if start == 0:
        ministry = factories.agency("MIN", "กระทรวง", agency_type="ministry")
        province = factories.agency("PRV", "จังหวัด", agency_type="province")
    else:
        ministry, province = Agency.objects.get(code="MIN"), Agency.objects.get(code="PRV")
    officer = factories.user(f"reviewer{start}")
    for n in range(start, start + count):
        agency = factories.agency(f"N{n:03}", f"หน่วยงาน {n:03}", parent=ministry if n % 2 else province)
        unit = factories.unit(agency, "กองแผน", "กผ.")
        sent = factories.measure(agency, 2569, "มาตรการหนึ่ง", lead_unit=unit, items=["i1"], target_percent=90)
        done = factories.measure(agency, 2569, "มาตรการสอง", lead_unit=unit, items=["o1"])
        ProgressEntry.objects.filter(measure=done, round__kind="q1").update(percent=100, status="done", kpi_actual=80)
        step(sent, "q1", unit, Action.SUBMIT, officer)
        step(done, "q1", unit, Action.SUBMIT, officer)
        step(done, "q1", unit, Action.APPROVE, officer)
    return ministry, province


def queries(client, user, url):
    client.force_login(user)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured)


@pytest.fixture
def cast(db):
    """A national deployment of three agencies and one person in each role."""
    ministry, province = national(3)
    first = ministry.children.order_by("code").first()
    staff = factories.member("staff", first, Role.UNIT_STAFF)
    first.units.get().members.add(staff)
    return {
        "superuser": factories.user("root", is_superuser=True, is_staff=True),
        "ministry": factories.member("minister", ministry, Role.EXECUTIVE, oversight=True),
        "province": factories.member("governor", province, Role.EXECUTIVE, oversight=True),
        "officer": factories.member("officer", first, Role.OFFICER),
        "unit_staff": staff,
        "agency": first,
    }


def pages(cast, role):
    # The province's executive reads the plans of the agencies under the province.
    agency = Agency.objects.get(code="N000") if role == "province" else cast["agency"]
    sent = ProgressEntry.objects.get(measure__agency=agency, measure__name="มาตรการหนึ่ง", round__kind="q1")
    urls = ["/dashboard/", "/", f"/agencies/{agency.code}/2569/plan/", f"/entries/{sent.pk}/"]
    if role in ("superuser", "officer"):
        urls += ["/review/", "/review/?state=approved", f"/review/?agency={agency.code}"]
    if role == "unit_staff":
        urls += ["/my/updates/"]
    return urls


@pytest.mark.parametrize("role", ["superuser", "ministry", "province", "officer", "unit_staff"])
def test_every_measures_page_runs_the_same_queries_with_many_agencies(client, cast, role):
    user = cast[role]
    urls = pages(cast, role)
    few = {url: queries(client, user, url) for url in urls}

    national(12, start=3)
    many = {url: queries(client, user, url) for url in urls}

    assert many == few


def test_the_dashboard_lists_plans_least_done_first_fifty_a_page(client, db):
    ministry, _province = national(51)
    minister = factories.member("minister", ministry, Role.EXECUTIVE, oversight=True)
    agency = ministry.children.order_by("code").first()
    # One agency's plan has both measures done: it comes last.
    do_review_step(
        entry=ProgressEntry.objects.get(measure__agency=agency, measure__name="มาตรการหนึ่ง", round__kind="q1"),
        action=Action.APPROVE,
        user=minister,
    )
    ProgressEntry.objects.filter(measure__agency=agency).update(status="done")
    refresh_progress([agency.pk])
    client.force_login(minister)

    first = client.get("/dashboard/")
    second = client.get("/dashboard/?plans_page=2")

    assert first.context["plan_totals"] == {"agencies": 25, "measures": 50, "done": 26, "percent": 52}
    # The minister oversees the 25 agencies under the ministry: one page, the done one last.
    assert [plan["agency__code"] for plan in first.context["plans"]][-1] == agency.code
    assert first.context["plans"][-1]["percent"] == 100
    assert first.context["plans"][0]["percent"] == 50
    assert second.context["plans_page"].number == 1  # no second page: the nearest one


def test_a_national_overseer_pages_through_the_plans(client, db):
    national(51)
    root = factories.user("root", is_superuser=True, is_staff=True)
    client.force_login(root)

    first = client.get("/dashboard/")
    second = client.get("/dashboard/?plans_page=2")

    assert first.context["plan_totals"]["agencies"] == 51
    assert len(first.context["plans"]) == 50
    assert [plan["agency__code"] for plan in second.context["plans"]] == ["N050"]
    assert 'href="?plans_page=2#measure-progress"' in first.text


def test_past_a_drop_down_of_agencies_the_queue_lists_the_agencies_waiting_then_takes_a_code(client, db, monkeypatch):
    monkeypatch.setattr(choosers, "DROP_DOWN_MOST", 2)
    national(3)
    root = factories.user("root", is_superuser=True, is_staff=True)
    client.force_login(root)

    every = client.get("/review/?year=2569")
    one = client.get("/review/?agency=N001&year=2569")

    assert '<input type="search" name="agency"' in every.text
    assert every.context["filter"].filters["unit"].extra["choices"] == []  # until an agency is chosen
    assert [(row["code"], row["waiting"]) for row in every.context["page"].object_list] == [
        ("N000", 1),
        ("N001", 1),
        ("N002", 1),
    ]
    assert "3 หน่วยงานที่มีรายงานรอตรวจ" in every.text
    assert 'href="?year=2569&amp;agency=N001"' in every.text  # the other filters go with the agency
    assert "groups" not in every.context  # no report is sorted until an agency is named
    assert len(one.context["filter"].filters["unit"].extra["choices"]) == 1
    assert [e.measure.agency.code for e in one.context["page"].object_list] == ["N001"]
    assert 'value="N001"' in one.text


def test_the_agencies_waiting_page_the_same_queries_for_3_and_12_agencies(client, db, monkeypatch):
    monkeypatch.setattr(choosers, "DROP_DOWN_MOST", 2)
    national(3)
    root = factories.user("root", is_superuser=True, is_staff=True)
    few = queries(client, root, "/review/")
    national(9, start=3)
    assert queries(client, root, "/review/") == few
    assert len(client.get("/review/").context["page"].object_list) == 12
