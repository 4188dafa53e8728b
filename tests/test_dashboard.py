"""The executive dashboard: every visible agency's latest result, weakest lowest first, in a fixed number of queries."""

import datetime
import importlib
import re
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assessments.analysis import indicator_keys, item_keys, weakest_figures
from assessments.models import (
    YEARS_BEFORE_FIELDS,
    Agency,
    AgencyType,
    Assessment,
    Figure as StoredFigure,
    FrameworkVersion,
)
from assessments.scoring import Figure, FrameworkSpec, IndicatorSpec, ItemSpec, Result
from dashboards.views.dashboard import weakest_rows
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


# A dashboard made is kept in the shared cache (assessments.stamp): one read of the cache before,
# and the write after (in the tests' transaction: a savepoint, the cache's count for culling, the
# key's lookup, the insert, the savepoint's release).
KEEPING = 6


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
    # a first few and their count), and whether the user sees whole plans; and keeping the page
    assert one <= 29 + KEEPING


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


# The stored figures at national size: the same rows as scoring every agency, fifty a page


def old_weakest(latest):
    """The weakest (agency, code, part, shown, previous) as the dashboard found them before the
    figures were stored: every latest result scored from its raw scores, in the order of the
    table (lowest ITA score first), compared with the agency's assessment just before."""
    specs = FrameworkVersion.objects.specs()
    rows = list(latest.needing_attention_first().prefetch_related("scores"))
    before = {}
    for a in Assessment.objects.filter(agency__in=[r.agency_id for r in rows]).order_by("fiscal_year"):
        before.setdefault(a.agency_id, []).append(a)
    previous = {}
    for a in rows:
        earlier = [b for b in before[a.agency_id] if b.fiscal_year < a.fiscal_year]
        previous[a.pk] = earlier[-1].result(specs[earlier[-1].version_id]) if earlier else None
    results = {a.pk: a.result(specs[a.version_id]) for a in rows}
    indicators = weakest_figures(
        ((a, results[a.pk], indicator_keys(specs[a.version_id]), previous[a.pk]) for a in rows), 10
    )
    items = weakest_figures(((a, results[a.pk], item_keys(specs[a.version_id]), None) for a in rows), 10)
    return [
        [(f.subject.agency.code, f.code, f.part, f.shown, f.previous) for f in figures]
        for figures in (indicators, items)
    ]


def shown_weakest(indicators, items):
    return [
        [
            (r["assessment"].agency.code, r["figure"].code, r["figure"].part, r["figure"].shown, r["figure"].previous)
            for r in rows
        ]
        for rows in (indicators, items)
    ]


def varied_angthong(n):
    """Ang Thong's 2568 figures with some items and indicators lowered by agency, ties included."""
    figures = published.angthong_2568_figures()
    figures["o3"] = "50.00" if n % 2 else "0.00"  # equal OIT items across agencies: ties
    figures[("e2", 2)] = f"{80 + n % 3:.2f}"
    figures["i10"] = f"{70 + n % 20:.2f}"
    return figures


@pytest.fixture
def country(db):
    """Seven agencies under a province: years 2564 and 2568 with items, one without an earlier
    year, one whose latest is indicators only, one with equal ITA scores to another."""
    province = factories.agency("PROV", "จังหวัดทดสอบ", agency_type="province")
    for n in range(7):
        agency = factories.agency(f"AG{n}", f"หน่วยงาน {n}", parent=province)
        if n != 3:
            factories.summarised_assessment(agency, 2564, TCEB_2565 if n % 2 else TCEB_2564)
        if n == 5:
            factories.summarised_assessment(agency, 2565, TCEB_2565)
        else:
            factories.summarised_assessment(agency, 2568, varied_angthong(n if n != 6 else 4))
    return province


def test_weakest_rows_are_what_scoring_every_agency_gives(country):
    latest = Assessment.objects.latest()

    assert shown_weakest(*weakest_rows(latest)) == old_weakest(latest)
    assert shown_weakest(*weakest_rows(latest, few=True)) == old_weakest(latest)


def test_weakest_rows_follow_changed_scores(country):
    # A later import lowers one item of one agency: only that agency's stored figures change.
    assessment = Assessment.objects.get(agency__code="AG2", fiscal_year=2568)
    assessment.scores.filter(code="o5").update(score=Decimal("0"))
    untouched = list(StoredFigure.objects.exclude(assessment=assessment).values_list("pk", "shown", "assessment_score"))

    Assessment.objects.filter(pk=assessment.pk).refresh_summaries()

    latest = Assessment.objects.latest()
    assert shown_weakest(*weakest_rows(latest)) == old_weakest(latest)
    assert ("AG2", "o5", 0, Decimal("0.00"), None) in shown_weakest(*weakest_rows(latest))[1]
    assert (
        list(StoredFigure.objects.exclude(assessment=assessment).values_list("pk", "shown", "assessment_score"))
        == untouched
    )


def test_each_assessment_keeps_its_indicators_and_ten_weakest_items(country):
    assessment = Assessment.objects.get(agency__code="AG4", fiscal_year=2568)

    kept = assessment.figures.order_by("kind", "shown", "position").values_list("kind", "code", "part", "shown")

    assert [f for f in kept if f[0] == "indicator"][:2] == [
        ("indicator", "IND9", 0, Decimal("87.50")),  # o3 at 0.00 lowers its sub-topic
        ("indicator", "IND8", 0, Decimal("88.06")),
    ]
    assert len([f for f in kept if f[0] == "indicator"]) == 10
    assert [f[1:] for f in kept if f[0] == "item"][:3] == [
        ("o3", 0, Decimal("0.00")),
        ("o12", 0, Decimal("50.00")),
        ("o19", 0, Decimal("50.00")),
    ]
    assert len([f for f in kept if f[0] == "item"]) == 10
    assert assessment.figures.filter(kind="item").count() == 10


def test_the_agencys_latest_year_and_year_before_are_stored(country):
    rows = Assessment.objects.filter(agency__code__in=["AG0", "AG3", "AG5"]).order_by("agency__code", "fiscal_year")

    assert [(a.agency.code, a.fiscal_year, a.is_latest, a.previous_year) for a in rows] == [
        ("AG0", 2564, False, None),
        ("AG0", 2568, True, 2564),
        ("AG3", 2568, True, None),
        ("AG5", 2564, False, None),
        ("AG5", 2565, True, 2564),
    ]
    ag5 = rows.get(agency__code="AG5", fiscal_year=2565)
    assert (f"{ag5.previous_score:.2f}", f"{ag5.score_change:.2f}") == ("97.04", "0.00")
    ag0 = rows.get(agency__code="AG0", fiscal_year=2568)
    assert ag0.score_change == ag0.overall - Decimal("95.01")


def test_a_new_year_becomes_the_latest_and_compares_with_the_one_before(country):
    agency = Agency.objects.get(code="AG5")

    factories.summarised_assessment(agency, 2568, varied_angthong(5))

    years = agency.assessments.order_by("fiscal_year")
    assert [(a.fiscal_year, a.is_latest, a.previous_year) for a in years] == [
        (2564, False, None),
        (2565, False, 2564),
        (2568, True, 2565),
    ]
    assert Assessment.objects.latest().filter(agency=agency).get().fiscal_year == 2568


def test_the_migration_fills_the_same_figures_and_years(country):
    store = importlib.import_module("assessments.migrations.0010_pages").store_pages_figures
    stored = sorted(
        StoredFigure.objects.values_list("assessment", "kind", "code", "part", "shown", "assessment_score", "position")
    )
    years = sorted(Assessment.objects.values_list("pk", *YEARS_BEFORE_FIELDS))
    StoredFigure.objects.all().delete()
    Assessment.objects.update(is_latest=False, previous_year=None, previous_score=None, score_change=None)

    store(apps, None)

    assert (
        sorted(
            StoredFigure.objects.values_list(
                "assessment", "kind", "code", "part", "shown", "assessment_score", "position"
            )
        )
        == stored
    )
    assert sorted(Assessment.objects.values_list("pk", *YEARS_BEFORE_FIELDS)) == years


def test_latest_results_fifty_a_page_lowest_score_first(client, superuser, db):
    province = factories.agency("PROV", "จังหวัดทดสอบ", agency_type="province")
    for n in range(53):
        agency = factories.agency(f"AG{n:02d}", f"หน่วยงาน {n:02d}", parent=province)
        factories.summarised_assessment(agency, 2565, {"IIT": f"{40 + n}", "EIT": "90", "OIT": "90"})
    client.force_login(superuser)

    first = cells(section(client.get("/dashboard/"), "latest"))
    second = cells(section(client.get("/dashboard/?page=2"), "latest"))
    not_a_page = cells(section(client.get("/dashboard/?page=x"), "latest"))

    assert len(first) == 50
    assert [row[0] for row in first[:2]] == ["หน่วยงาน 00 (AG00)", "หน่วยงาน 01 (AG01)"]
    assert [row[0] for row in second] == ["หน่วยงาน 50 (AG50)", "หน่วยงาน 51 (AG51)", "หน่วยงาน 52 (AG52)"]
    assert [row[2] for row in second] == ["90.00", "90.30", "90.60"]  # 0.3 × (40 + n) + 0.3 × 90 + 0.4 × 90
    assert not_a_page == first
    assert "53 หน่วยงาน" in client.get("/dashboard/").text


def national(size):
    """`size` agencies under a ministry and under a province, each with two years of item results,
    and one officer's agency among them."""
    ministry = Agency.objects.get_or_create(
        code="MIN", defaults={"name_th": "กระทรวง", "agency_type": AgencyType.objects.get(code="ministry")}
    )[0]
    province = Agency.objects.get_or_create(
        code="PROV", defaults={"name_th": "จังหวัด", "agency_type": AgencyType.objects.get(code="province")}
    )[0]
    start = Agency.objects.filter(code__startswith="AG").count()
    for n in range(start, start + size):
        agency = factories.agency(f"AG{n:03d}", f"หน่วยงาน {n:03d}", parent=ministry if n % 2 else province)
        factories.summarised_assessment(agency, 2564, TCEB_2564)
        factories.summarised_assessment(agency, 2568, varied_angthong(n))
    return ministry, province


@pytest.mark.parametrize("role", ["superuser", "ministry", "province", "officer"])
def test_dashboard_queries_stay_the_same_for_each_role_with_more_agencies(client, db, role):
    ministry, province = national(3)
    users = {
        "superuser": lambda: factories.user("root", is_superuser=True, is_staff=True),
        "ministry": lambda: factories.member("minister", ministry, "executive", oversight=True),
        "province": lambda: factories.member("governor", province, "executive", oversight=True),
        "officer": lambda: factories.member("officer", Agency.objects.get(code="AG001"), "officer"),
    }
    user = users[role]()
    few = dashboard_queries(client, user)

    national(60)  # over a page of fifty
    many = dashboard_queries(client, user)
    kept = dashboard_queries(client, user)

    assert few == many
    assert few <= 26 + KEEPING
    # Kept: the session, the user, the menu's own reads (an officer's one more: the reports
    # waiting) and the one cache read; nothing of the results or plans.
    assert kept == (7 if role == "officer" else 6)
