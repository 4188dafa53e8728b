"""The executive dashboard: every visible agency's latest result, weakest lowest first, in a fixed number of queries."""

import datetime
import re
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assessments.analysis import indicator_keys, item_keys, weakest_figures
from assessments.scoring import Figure, FrameworkSpec, IndicatorSpec, ItemSpec, Result
from measures.actions import ensure_rounds
from measures.counts import refresh_progress
from measures.models import Measure, ProgressEntry, ReportingRound
from tests import clock, factories, published
from tests.published import indicators

TCEB_2565 = indicators(published.TCEB_2565_INDICATORS)
TCEB_2564 = indicators(published.TCEB_2564_INDICATORS)

# The measures figures are those of the plan closest to today's fiscal year, and overdue counts
# only the rounds of this fiscal year and the last: on this day (fiscal year 2570) the 2569 plan
# of the fixtures below is the current one and all its rounds are past due.
pytestmark = clock.pinned(2026, 11, 21)


def section(response, name):
    """The HTML of one part of the page, e.g. section(response, "weakest-items")."""
    match = re.search(rf'<section[^>]* id="{name}".*?</section>', response.text, re.S)
    assert match, f"no section {name}"
    return match.group(0)


def cells(html):
    """The text of each table row's cells: [["AG1", "2568", "IND8 …", "88.06"], …]."""
    rows = []
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", html, re.S):
        rows.append([text(cell) for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)])
    return rows[1:]  # without the header row


def text(html):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


@pytest.fixture
def tceb_like(agency):
    factories.summarised_assessment(agency, 2564, TCEB_2564)
    factories.summarised_assessment(agency, 2565, TCEB_2565)
    return agency


@pytest.fixture
def falling(other_agency):
    # The same published figures the other way round: 97.04 in 2564, 95.01 in 2565.
    factories.summarised_assessment(other_agency, 2564, TCEB_2565)
    factories.summarised_assessment(other_agency, 2565, TCEB_2564)
    return other_agency


@pytest.fixture
def angthong(db):
    municipality = factories.agency("ANGTHONG-MUN", "เทศบาลเมืองอ่างทอง", agency_type="local_government")
    factories.summarised_assessment(municipality, 2568, published.angthong_2568_figures())
    return municipality


# The permission ladder


def test_anonymous_is_sent_to_login(client, db):
    response = client.get("/dashboard/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_member_sees_only_own_agencys_figures(client, officer, tceb_like, falling):
    client.force_login(officer)

    response = client.get("/dashboard/")

    assert response.status_code == 200
    assert "หน่วยงานทดสอบหนึ่ง" in response.text
    assert "97.04" in response.text
    assert "หน่วยงานทดสอบสอง" not in response.text
    assert "(2.03)" not in response.text  # the other agency's fall


def test_executive_of_an_agency_sees_its_dashboard(client, executive, tceb_like):
    client.force_login(executive)

    response = client.get("/dashboard/")

    assert response.status_code == 200
    assert "97.04" in response.text


def test_other_agencys_figures_never_appear(client, outsider, tceb_like):
    client.force_login(outsider)

    response = client.get("/dashboard/")

    assert response.status_code == 200
    assert "หน่วยงานทดสอบหนึ่ง" not in response.text
    assert "97.04" not in response.text
    assert "95.01" not in response.text
    assert "/agencies/AG1/" not in response.text


def test_oversight_user_sees_the_agencies_under_theirs(client, db):
    province = factories.agency("PROV", "จังหวัดทดสอบ", agency_type="province")
    district = factories.agency("DIST", "อำเภอทดสอบ", parent=province)
    municipality = factories.agency("MUN", "เทศบาลทดสอบ", agency_type="local_government", parent=district)
    elsewhere = factories.agency("ELSE", "หน่วยงานอื่น")
    factories.summarised_assessment(municipality, 2568, published.angthong_2568_figures())
    factories.summarised_assessment(elsewhere, 2565, TCEB_2565)
    governor = factories.member("governor", province, "executive", oversight=True)
    client.force_login(governor)

    response = client.get("/dashboard/")

    assert "เทศบาลทดสอบ" in response.text
    assert "95.08" in response.text
    assert "ผ่านดี" in response.text
    assert "หน่วยงานอื่น" not in response.text
    assert "97.04" not in response.text
    assert '<p class="big">3</p>' in section(response, "headline")  # province, district, municipality


def test_superuser_sees_every_agency(client, superuser, tceb_like, falling):
    client.force_login(superuser)

    response = client.get("/dashboard/")

    assert "หน่วยงานทดสอบหนึ่ง" in response.text
    assert "หน่วยงานทดสอบสอง" in response.text


# The figures


def test_latest_score_with_last_year_and_change(client, officer, tceb_like):
    client.force_login(officer)

    response = client.get("/dashboard/")

    [row] = cells(section(response, "latest"))
    assert row[:6] == ["หน่วยงานทดสอบหนึ่ง (AG1)", "2565", "97.04", "AA", "95.01", "2.03"]
    assert row[6:] == ["98.50", "91.63", "100.00", "0"]  # IIT, EIT, OIT, mismatches
    assert 'href="/agencies/AG1/2565/"' in response.text


def test_fall_is_shown_in_parentheses_and_listed_as_a_fall(client, superuser, tceb_like, falling):
    client.force_login(superuser)

    response = client.get("/dashboard/")

    latest = cells(section(response, "latest"))
    assert [row[0] for row in latest] == ["หน่วยงานทดสอบสอง (AG2)", "หน่วยงานทดสอบหนึ่ง (AG1)"]  # lowest first
    assert latest[0][2] == "95.01"
    assert latest[0][5] == "(2.03)"
    changes = section(response, "changes")
    falls, rises = changes.split('id="rises"')
    assert "AG2" in falls and "(2.03)" in falls and "AG1" not in falls
    assert "AG1" in rises and "2.03" in rises and "AG2" not in rises


def test_gap_year_is_named_beside_the_previous_score(client, officer, agency):
    factories.summarised_assessment(agency, 2563, TCEB_2564)
    factories.summarised_assessment(agency, 2565, TCEB_2565)
    client.force_login(officer)

    response = client.get("/dashboard/")

    [row] = cells(section(response, "latest"))
    assert row[4] == "95.01 (2563)"
    assert row[5] == "2.03"


def test_headline_counts_the_latest_year(client, superuser, angthong, agency, other_agency):
    factories.summarised_assessment(agency, 2568, {"IIT": "80", "EIT": "80", "OIT": "80"})
    factories.summarised_assessment(other_agency, 2565, TCEB_2565)  # an earlier year: not counted
    client.force_login(superuser)

    response = client.get("/dashboard/")

    headline = text(section(response, "headline")) + " "
    assert "หน่วยงาน 3 " in headline
    assert "2568 2 " in headline  # two agencies with 2568 results
    assert "87.54" in headline  # (95.08 + 80.00) / 2
    assert "ผ่านเกณฑ์ 1 " in headline


def test_weakest_indicators_come_from_the_engine(client, superuser, angthong):
    result = angthong.assessments.get().result()
    engine = sorted((result.shown(f"IND{n}"), n) for n in range(1, 11))
    assert engine[:3] == [(Decimal("88.06"), 8), (Decimal("90.28"), 7), (Decimal("92.50"), 9)]
    client.force_login(superuser)

    response = client.get("/dashboard/")

    rows = cells(section(response, "weakest-indicators"))
    assert len(rows) == 10
    assert rows[0] == ["ANGTHONG-MUN 2568", "8. การปรับปรุงระบบการทำงาน", "88.06", "–", "–"]
    assert [row[2] for row in rows] == [f"{score:.2f}" for score, _n in engine]


def test_weakest_indicators_compare_with_the_year_before(client, officer, tceb_like):
    client.force_login(officer)

    response = client.get("/dashboard/")

    rows = cells(section(response, "weakest-indicators"))
    assert rows[0][1:] == ["8. การปรับปรุงระบบการทำงาน", "88.97", "87.88", "1.09"]
    assert rows[1][1:] == ["7. ประสิทธิภาพการสื่อสาร", "92.60", "91.07", "1.53"]


def test_weakest_items_lowest_first_with_parts_and_tiers(client, superuser, angthong):
    client.force_login(superuser)

    response = client.get("/dashboard/")

    html = section(response, "weakest-items")
    rows = cells(html)
    expected = [
        "o12 ",
        "o19 ",
        "e8 ส่วนที่ 2 ",
        "e2 ส่วนที่ 2 ",
        "e7 ส่วนที่ 2 ",
        "e9 ส่วนที่ 2 ",
        "i10 ",
        "e1 ส่วนที่ 2 ",
        "e6 ส่วนที่ 2 ",
        "e4 ส่วนที่ 2 ",
    ]
    assert [row[1][: len(start)] for row, start in zip(rows, expected, strict=False)] == expected
    assert len(rows) == 10
    assert [row[2] for row in rows] == [
        "50.00",
        "50.00",
        "83.64",
        "84.24",
        "84.24",
        "84.85",
        "85.81",
        "86.67",
        "87.88",
        "88.48",
    ]
    # The default rule: target 85, below it a weakness.
    assert re.findall(r"tier-tag (\w+)", html) == ["weakness"] * 6 + ["strength"] * 4


def test_weakest_items_use_the_assessments_saved_tier_rule(client, superuser, angthong):
    angthong.assessments.update(tier_scheme="three", tier_lower=Decimal("90"), tier_upper=Decimal("97.5"))
    client.force_login(superuser)

    response = client.get("/dashboard/")

    assert set(re.findall(r"tier-tag (\w+)", section(response, "weakest-items"))) == {"urgent"}


def test_no_results_yet(client, officer):
    client.force_login(officer)

    response = client.get("/dashboard/")

    assert response.status_code == 200
    assert "ยังไม่มีผลการประเมิน" in response.text


# Thai first, English when chosen


def test_thai_first(client, officer, tceb_like):
    client.force_login(officer)

    response = client.get("/dashboard/")

    assert '<html lang="th">' in response.text
    assert "แดชบอร์ดผู้บริหาร" in response.text
    assert "ตัวชี้วัดที่มีคะแนนต่ำสุด" in response.text
    assert "ข้อคำถามที่มีคะแนนต่ำสุด" in response.text


def test_english_when_chosen(client, officer, tceb_like):
    client.force_login(officer)

    client.post("/i18n/setlang/", {"language": "en", "next": "/dashboard/"})
    response = client.get("/dashboard/")

    assert '<html lang="en">' in response.text
    assert "Weakest indicators" in response.text
    assert "Weakest items" in response.text
    assert "97.04" in response.text


def test_dashboard_is_in_the_navigation(client, officer):
    client.force_login(officer)

    response = client.get("/")

    assert 'href="/dashboard/"' in response.text


# A fixed number of queries


def dashboard_queries(client, user):
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/dashboard/")
    assert response.status_code == 200
    return len(queries)


def test_dashboard_runs_a_fixed_number_of_queries_however_many_agencies_and_years(client, db):
    ministry = factories.agency("MIN", "กระทรวงทดสอบ", agency_type="ministry")
    first = factories.agency("A0", parent=ministry)
    factories.summarised_assessment(first, 2564, TCEB_2564)
    factories.summarised_assessment(first, 2565, TCEB_2565)
    with_measures(first)
    minister = factories.member("minister", ministry, "executive", oversight=True)
    one = dashboard_queries(client, minister)

    for n in range(1, 50):
        child = factories.agency(f"A{n}", parent=ministry)
        factories.summarised_assessment(child, 2564, TCEB_2564)
        factories.summarised_assessment(child, 2565, TCEB_2565)
        with_measures(child)
        if n % 2:
            factories.summarised_assessment(child, 2567, {"IIT": "80", "EIT": "85", "OIT": "90"})
            factories.summarised_assessment(child, 2568, published.angthong_2568_figures())
    many = dashboard_queries(client, minister)

    assert one == many
    # session, user, header (its bell: one), and the page's own reads; of them the measures part's
    # eight: the plans' totals and page, indicators, overdue units and off-target measures (each
    # a first few and their count), and whether the user sees whole plans
    assert one <= 29


def with_measures(agency):
    """Two measures with reports in several states, one overdue entry and one KPI off target."""
    lead = factories.unit(agency, "สำนักงานบริหารกลาง", "ส.บก.")
    support = factories.unit(agency, "กองการเจ้าหน้าที่", "กจ.")
    done = factories.measure(agency, 2569, "มาตรการหนึ่ง", lead_unit=lead, items=["i1"], target_percent=90)
    running = factories.measure(agency, 2569, "มาตรการสอง", lead_unit=lead, supporting=[support], items=["i4", "e1"])
    for kind in ("q1", "q2", "q3", "q4"):
        report(done, kind, lead, "approved", 100, "done", kpi="85")
    report(running, "q1", lead, "submitted", 30)
    report(running, "q1", support, "returned", 20)


# The weakest-figure ranking on its own


def result(**scores):
    """A scoring result with official figures; a key "e1_2" stands for ("e1", 2)."""
    figures = {}
    for key, value in scores.items():
        code, _sep, part = key.partition("_")
        figures[(code, int(part or 0))] = Figure(code, int(part or 0), Decimal(value), None)
    return Result(figures=figures, level=None)


def test_weakest_figures_lowest_first_across_results():
    a = result(IND1="90.00", IND2="70.50")
    b = result(IND1="80.25", IND2="99.00")
    keys = [("IND1", 0), ("IND2", 0)]

    ranked = weakest_figures([("a", a, keys, None), ("b", b, keys, None)], limit=3)

    assert [(f.subject, f.code, f.shown) for f in ranked] == [
        ("a", "IND2", Decimal("70.50")),
        ("b", "IND1", Decimal("80.25")),
        ("a", "IND1", Decimal("90.00")),
    ]


def test_weakest_figures_skip_unknown_figures_and_keep_order_on_ties():
    a = result(o12="50.00", o19="50.00")
    b = result(o3="50.00")

    ranked = weakest_figures([("a", a, [("o12", 0), ("o15", 0), ("o19", 0)], None), ("b", b, [("o3", 0)], None)])

    assert [(f.subject, f.code) for f in ranked] == [("a", "o12"), ("a", "o19"), ("b", "o3")]


def test_weakest_figures_compare_with_the_previous_result():
    now = result(IND8="88.97", IND7="92.60")
    before = result(IND8="87.88")

    ranked = weakest_figures([("x", now, [("IND7", 0), ("IND8", 0)], before)])

    assert [(f.code, f.previous, f.change) for f in ranked] == [
        ("IND8", Decimal("87.88"), Decimal("1.09")),
        ("IND7", None, None),
    ]


def test_weakest_figures_rank_parts_separately():
    figures = result(e1_1="93.47", e1_2="86.67")

    ranked = weakest_figures([("x", figures, [("e1", 1), ("e1", 2)], None)], limit=1)

    assert [(f.code, f.part, f.shown) for f in ranked] == [("e1", 2, Decimal("86.67"))]


def test_keys_list_indicators_and_items_with_their_parts_but_not_sub_questions():
    spec = FrameworkSpec(
        weights={},
        tool_indicators={"IIT": (1,), "EIT": (6,)},
        indicators={1: IndicatorSpec(1, "IIT", ("i1",)), 6: IndicatorSpec(6, "EIT", ("e1",))},
        items={"i1": ItemSpec("i1", 1, sub_questions=2), "e1": ItemSpec("e1", 6, in_parts=True)},
        tool_parts={"EIT": (1, 2)},
    )

    assert indicator_keys(spec) == [("IND1", 0), ("IND6", 0)]
    assert item_keys(spec) == [("i1", 0), ("e1", 1), ("e1", 2)]


# Measures and progress: each agency's current plan, done of total, progress per indicator,
# overdue reports per unit, KPI off target


def report(measure, kind, unit, state, percent=0, status="on_track", kpi=None):
    """Set a unit's entry for one round as if it had been reported and reviewed."""

    updated = ProgressEntry.objects.filter(measure=measure, round__kind=kind, unit=unit).update(
        state=state, percent=percent, status=status, kpi_actual=kpi
    )
    assert updated == 1
    refresh_progress([measure.agency_id])  # as the actions do (tests/test_progress_counts.py)


def half_year_rounds(agency, fiscal_year):
    """Units report in Q1 and Q2 only, so that each measure has two entries per unit."""

    ensure_rounds(agency=agency, fiscal_year=fiscal_year)
    ReportingRound.objects.filter(agency=agency, fiscal_year=fiscal_year, kind__in=["q3", "q4"]).update(active=False)


@pytest.fixture
def plan(agency, unit, other_unit):
    """AG1's 2569 plan, reported in Q1 and Q2 (all due before today):
    - one measure done (both rounds approved with status done), KPI 85.00 against a target of 90;
    - one measure whose Q2 is submitted but not approved, reported by two units (60 and 40);
    - one measure nobody has reported on."""
    half_year_rounds(agency, 2569)
    done = factories.measure(
        agency,
        2569,
        "ประกาศเจตนารมณ์ No Gift Policy",
        lead_unit=unit,
        items=["i1"],
        target_percent=90,
        kpi="ร้อยละของบุคลากรที่รับทราบ",
    )
    report(done, "q1", unit, "approved", 50, "on_track", kpi="70")
    report(done, "q2", unit, "approved", 100, "done", kpi="85")
    running = factories.measure(
        agency, 2569, "คู่มือการให้บริการ", lead_unit=unit, supporting=[other_unit], items=["i2"], target_percent=80
    )
    report(running, "q1", unit, "approved", 50, kpi="85")
    report(running, "q1", other_unit, "approved", 50)
    report(running, "q2", unit, "submitted", 60)
    report(running, "q2", other_unit, "draft", 40)
    factories.measure(agency, 2569, "ตรวจสอบพัสดุประจำปี", lead_unit=other_unit, items=["i4"])
    return agency


@pytest.fixture
def other_plan(other_agency):
    """AG2's plan: everything done, overdue and off target, none of which AG1's users may see."""
    half_year_rounds(other_agency, 2569)
    elsewhere = factories.unit(other_agency, "กองคลังของหน่วยงานอื่น", "กค.")
    measure = factories.measure(
        other_agency, 2569, "มาตรการของหน่วยงานอื่น", lead_unit=elsewhere, items=["i1"], target_percent=99
    )
    report(measure, "q1", elsewhere, "approved", 100, "done", kpi="10")
    factories.measure(other_agency, 2569, "มาตรการค้างส่งของหน่วยงานอื่น", lead_unit=elsewhere, items=["i7"])
    return other_agency


def test_measures_done_out_of_total_per_agency(client, officer, plan, other_plan):
    client.force_login(officer)

    response = client.get("/dashboard/")

    assert cells(section(response, "measure-progress")) == [
        ["หน่วยงานทดสอบหนึ่ง AG1", "2569", "1 จาก 3 มาตรการ 33%", "33%"]
    ]


def test_every_measure_done_is_100_percent(client, officer, agency, unit):
    half_year_rounds(agency, 2569)
    for n in range(9):
        measure = factories.measure(agency, 2569, f"มาตรการ {n + 1}", lead_unit=unit, items=["i1"])
        report(measure, "q1", unit, "approved", 50)
        report(measure, "q2", unit, "approved", 100, "done")
    client.force_login(officer)

    response = client.get("/dashboard/")

    [row] = cells(section(response, "measure-progress"))
    assert row[2:] == ["9 จาก 9 มาตรการ 100%", "100%"]


def test_a_measure_is_done_only_when_its_latest_reported_round_is_approved_and_done(db, plan):
    done = {m.name: m.done for m in Measure.objects.with_completion()}

    assert done == {"ประกาศเจตนารมณ์ No Gift Policy": True, "คู่มือการให้บริการ": False, "ตรวจสอบพัสดุประจำปี": False}


def test_the_current_plan_is_the_year_closest_to_today(client, officer, plan, unit):
    factories.measure(plan, 2566, "มาตรการปีเก่า", lead_unit=unit, items=["I1"])
    client.force_login(officer)

    response = client.get("/dashboard/")

    [row] = cells(section(response, "measure-progress"))
    assert row[1] == "2569"
    assert "มาตรการปีเก่า" not in response.text


def test_progress_per_indicator_counts_each_measure_once(client, officer, plan):
    client.force_login(officer)

    response = client.get("/dashboard/")

    rows = cells(section(response, "indicator-progress"))
    # Indicator 1: 100 (done) and 60 (the other unit's 40 is a draft, which does not count: the
    # progress rule) → 80. Indicator 2: not reported.
    assert rows == [
        ["1. การปฏิบัติหน้าที่", "2", "2", "80%"],
        ["2. การใช้งบประมาณ", "1", "0", "–"],
    ]
    assert 'value="80"' in section(response, "indicator-progress")


def test_overdue_reports_per_unit_with_the_oldest_due_date(client, officer, plan, other_plan):
    client.force_login(officer)

    response = client.get("/dashboard/")

    # กจ.: its Q2 draft of the second measure and both rounds of the third, the oldest due 31 Dec 2025.
    assert cells(section(response, "overdue-units")) == [["กองการเจ้าหน้าที่ (กจ.)", "AG1", "3", "31 ธ.ค. 68"]]


def test_measures_whose_kpi_is_off_target(client, officer, plan, other_plan):
    client.force_login(officer)

    response = client.get("/dashboard/")

    rows = cells(section(response, "off-target"))
    assert rows == [["AG1 2569", "ประกาศเจตนารมณ์ No Gift Policy ร้อยละของบุคลากรที่รับทราบ", "90.00", "85.00"]]


def test_another_agencys_measures_are_never_counted(client, outsider, plan):
    client.force_login(outsider)

    response = client.get("/dashboard/")

    measures = section(response, "measure-progress")
    assert "ยังไม่มีมาตรการ" in measures
    assert "AG1" not in measures and "หน่วยงานทดสอบหนึ่ง" not in measures
    assert "กองการเจ้าหน้าที่" not in response.text
    assert "ประกาศเจตนารมณ์" not in response.text


def test_superuser_sees_each_agencys_plan(client, superuser, plan, other_plan):
    client.force_login(superuser)

    response = client.get("/dashboard/")

    rows = cells(section(response, "measure-progress"))
    # The least done first: AG1 has one of its three measures done, AG2 one of two (AG2 in brackets on screen).
    assert [row[0] for row in rows] == ["หน่วยงานทดสอบหนึ่ง AG1", "หน่วยงานทดสอบสอง AG2"]
    assert rows[1][2] == "1 จาก 2 มาตรการ 50%"
    assert [row[0] for row in cells(section(response, "overdue-units"))] == [
        "กองการเจ้าหน้าที่ (กจ.)",
        "กองคลังของหน่วยงานอื่น (กค.)",
    ]


# Unit staff see their units' share of the plan only, as on the measure pages


@pytest.fixture
def mid_year():
    """15 May 2026: both reported rounds of the 2569 plan are past their due dates."""

    time_machine = pytest.importorskip("time_machine")
    with time_machine.travel(datetime.datetime(2026, 5, 15, 10, 0, tzinfo=ZoneInfo("Asia/Bangkok")), tick=False):
        yield


def test_unit_staff_see_only_their_units_measures_and_reports_on_the_dashboard(
    client, mid_year, other_unit_staff, plan
):
    client.force_login(other_unit_staff)

    response = client.get("/dashboard/")

    # กจ. supports "คู่มือการให้บริการ" and leads "ตรวจสอบพัสดุประจำปี"; the measure done and off
    # target is ส.บก.'s alone, and so are its KPI and its overdue reports.
    assert cells(section(response, "measure-progress")) == [["หน่วยงานทดสอบหนึ่ง AG1", "2569", "0 จาก 2 มาตรการ 0%", "0%"]]
    assert "ประกาศเจตนารมณ์" not in response.text
    assert "ร้อยละของบุคลากรที่รับทราบ" not in response.text
    assert cells(section(response, "off-target")) == []
    assert [row[0] for row in cells(section(response, "overdue-units"))] == ["กองการเจ้าหน้าที่ (กจ.)"]
    # Indicator 1: "คู่มือการให้บริการ" only (Q2 submitted 60, the draft 40 left out → 60); indicator 2: none.
    assert cells(section(response, "indicator-progress")) == [
        ["1. การปฏิบัติหน้าที่", "1", "1", "60%"],
        ["2. การใช้งบประมาณ", "1", "0", "–"],
    ]


def test_unit_staff_see_their_units_off_target_measure(client, mid_year, unit_staff, plan):
    client.force_login(unit_staff)

    response = client.get("/dashboard/")

    assert cells(section(response, "off-target")) == [
        ["AG1 2569", "ประกาศเจตนารมณ์ No Gift Policy ร้อยละของบุคลากรที่รับทราบ", "90.00", "85.00"]
    ]
    assert cells(section(response, "measure-progress"))[0][2] == "1 จาก 2 มาตรการ 50%"
    # ส.บก. sent every report; กจ.'s overdue ones are not theirs to see.
    assert cells(section(response, "overdue-units")) == []
