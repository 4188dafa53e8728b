"""The home page: the user's agencies with their latest scores, this fiscal year's plan and the
current round's reports, Thai first, login required."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assessments.thai import fiscal_year_of
from measures.actions import sync_entries
from measures.models import Measure, ProgressEntry, State
from tests import clock, factories, published
from tests.published import indicators

# A day of the first quarter of 2570 (due 31 December 2026): 2569's four rounds are past due.
TODAY = datetime.date(2026, 11, 21)
THIS_YEAR = fiscal_year_of(TODAY)


@pytest.fixture
def tceb_like(agency):
    factories.summarised_assessment(agency, 2564, indicators(published.TCEB_2564_INDICATORS))
    factories.summarised_assessment(agency, 2565, indicators(published.TCEB_2565_INDICATORS))
    return agency


def test_anonymous_is_sent_to_login(client, db):
    response = client.get("/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_login_page_is_thai_by_default(client, db):
    response = client.get("/accounts/login/")

    assert response.status_code == 200
    assert '<html lang="th">' in response.text
    assert "เข้าสู่ระบบ" in response.text


def test_member_sees_latest_score_and_level_of_own_agency(client, officer, tceb_like):
    client.force_login(officer)

    response = client.get("/")

    assert response.status_code == 200
    assert "หน่วยงานทดสอบหนึ่ง" in response.text
    assert "2565" in response.text
    assert "97.04" in response.text
    assert "95.01" not in response.text  # only the latest year
    assert ">AA<" in response.text


def test_user_does_not_see_other_agencies(client, outsider, tceb_like):
    client.force_login(outsider)

    response = client.get("/")

    assert "หน่วยงานทดสอบหนึ่ง" not in response.text
    assert "97.04" not in response.text
    assert "หน่วยงานทดสอบสอง" in response.text


def test_oversight_user_sees_agencies_under_theirs(client, db):
    province = factories.agency("PROV", "จังหวัดทดสอบ", agency_type="province")
    district = factories.agency("DIST", "อำเภอทดสอบ", parent=province)
    municipality = factories.agency("MUN", "เทศบาลทดสอบ", agency_type="local_government", parent=district)
    factories.agency("ELSE", "หน่วยงานอื่น")
    factories.summarised_assessment(municipality, 2568, published.angthong_2568_figures())
    governor = factories.member("governor", province, "executive", oversight=True)
    client.force_login(governor)

    response = client.get("/")

    assert "อำเภอทดสอบ" in response.text
    assert "เทศบาลทดสอบ" in response.text
    assert "95.08" in response.text
    assert "ผ่านดี" in response.text
    assert "หน่วยงานอื่น" not in response.text


def test_membership_without_oversight_does_not_reach_children(client, db):
    province = factories.agency("PROV", "จังหวัดทดสอบ", agency_type="province")
    factories.agency("MUN", "เทศบาลทดสอบ", parent=province)
    clerk = factories.member("clerk", province, "officer")
    client.force_login(clerk)

    response = client.get("/")

    assert "จังหวัดทดสอบ" in response.text
    assert "เทศบาลทดสอบ" not in response.text


def test_superuser_sees_every_agency(client, superuser, agency, other_agency):
    client.force_login(superuser)

    response = client.get("/")

    assert "หน่วยงานทดสอบหนึ่ง" in response.text
    assert "หน่วยงานทดสอบสอง" in response.text


def test_english_when_chosen(client, officer, tceb_like):
    client.force_login(officer)

    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    response = client.get("/")

    assert '<html lang="en">' in response.text
    assert "Your agencies" in response.text
    assert "97.04" in response.text


def plan_measure(agency, fiscal_year, name, unit):
    """A measure with its reports for every round (without items: 2570 may have no framework yet)."""
    measure = Measure.objects.create(agency=agency, fiscal_year=fiscal_year, name=name, lead_unit=unit)
    sync_entries(measure=measure)
    return measure


def send(measure, kind):
    """The unit sent its report of this round for review."""
    ProgressEntry.objects.filter(measure=measure, round__kind=kind).update(state=State.SUBMITTED)


def row(response, code):
    match = re.search(rf'<tr id="agency-{code}">.*?</tr>', response.text, re.S)
    assert match, f"no row for {code}"
    return match.group(0)


def counts(response, code):
    """(due, overdue, waiting for review) as the agency's row shows them."""
    html = row(response, code)
    return tuple(
        int(re.search(rf'<td class="num {name}"><a href="[^"]*"[^>]*>(\d+)</a>', html).group(1))
        for name in ("due", "overdue-count", "waiting")
    )


@pytest.fixture
def reports(agency, unit, other_unit):
    """This year's plan: one measure of each unit; ส.บก.'s 2569 measure has four overdue rounds, one
    of them sent; a 2567 measure is no longer chased. กจ. sent its first-quarter report."""
    mine = plan_measure(agency, THIS_YEAR, "ประกาศเจตนารมณ์ No Gift Policy", unit)
    theirs = plan_measure(agency, THIS_YEAR, "อบรมเจ้าหน้าที่ใหม่", other_unit)
    last_year = plan_measure(agency, THIS_YEAR - 1, "ทบทวนคู่มือการปฏิบัติงาน", unit)
    plan_measure(agency, THIS_YEAR - 3, "มาตรการเก่าที่ปิดแล้ว", unit)
    send(theirs, "q1")
    send(last_year, "q1")
    return mine, theirs


@clock.pinned(2026, 11, 21)
def test_editors_see_this_years_plan_and_the_current_rounds_reports(client, officer, reports):
    client.force_login(officer)

    response = client.get("/")

    html = row(response, "AG1")
    assert 'href="/agencies/AG1/2570/plan/">2 มาตรการ</a>' in html
    assert 'href="/agencies/AG1/2570/rounds/">ไตรมาสที่ 1 (ต.ค.–ธ.ค.)</a>' in html
    assert "กำหนดส่ง 31 ธ.ค. 69" in html
    # Due: ส.บก.'s first-quarter report; overdue: 2569's rounds but the one sent (2567 is not
    # chased); waiting: the two sent.
    assert counts(response, "AG1") == (1, 3, 2)
    assert 'href="/review/?agency=AG1&amp;year=2570">2</a>' in html  # waiting for review: the queue


@clock.pinned(2026, 11, 21)
def test_unit_staff_count_only_their_units_reports(client, unit_staff, other_unit_staff, reports):
    client.force_login(unit_staff)
    mine = client.get("/")
    client.force_login(other_unit_staff)
    theirs = client.get("/")

    assert counts(mine, "AG1") == (1, 3, 1)
    assert "1 มาตรการ" in row(mine, "AG1")
    assert 'href="/my/updates/">1</a>' in row(mine, "AG1")  # their to-do list
    assert counts(theirs, "AG1") == (0, 0, 1)
    # Unit staff review nothing: what waits is read on the plan, not in the queue (403 to them).
    waiting = re.search(r'<td class="num waiting"><a href="([^"]*)"', row(theirs, "AG1")).group(1)
    assert waiting == "/agencies/AG1/2570/plan/"


@clock.pinned(2026, 11, 21)
def test_an_overseer_sees_the_counts_of_the_agencies_below(client, db):
    province = factories.agency("PROV", "จังหวัดทดสอบ", agency_type="province")
    town = factories.agency("MUN", "เทศบาลทดสอบ", agency_type="local_government", parent=province)
    office = factories.unit(town, "สำนักปลัด", "สป.")
    plan_measure(town, THIS_YEAR - 1, "มาตรการของเทศบาล", office)
    client.force_login(factories.member("governor", province, "executive", oversight=True))

    response = client.get("/")

    assert counts(response, "MUN") == (0, 4, 0)
    assert counts(response, "PROV") == (0, 0, 0)
    assert "ยังไม่มีแผน" in row(response, "PROV")
    assert "สร้างหรือคัดลอกแผน" not in row(response, "PROV")  # an executive does not write plans


@clock.pinned(2026, 11, 21)
def test_no_plan_yet_offers_editors_to_create_or_copy_it(client, officer, executive, agency):
    client.force_login(officer)
    editor = client.get("/")
    client.force_login(executive)
    reader = client.get("/")

    assert "ยังไม่มีแผน" in row(editor, "AG1")
    assert 'href="/agencies/AG1/2570/plan/">สร้างหรือคัดลอกแผน</a>' in row(editor, "AG1")
    assert "ยังไม่มีแผน" in row(reader, "AG1")
    assert "สร้างหรือคัดลอกแผน" not in row(reader, "AG1")


@clock.pinned(2027, 2, 10)
def test_the_current_round_follows_the_calendar(client, officer, reports):
    client.force_login(officer)

    response = client.get("/")

    # In February the second quarter runs; the first (due 31 December) is now overdue.
    assert "ไตรมาสที่ 2 (ม.ค.–มี.ค.)" in row(response, "AG1")
    assert counts(response, "AG1") == (2, 4, 2)


def home_queries(client, user, url="/"):
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), response


def busy_agency(code, parent):
    """An agency with three years of results, this year's plan and last year's overdue reports."""
    agency = factories.agency(code, parent=parent)
    factories.summarised_assessment(agency, 2564, indicators(published.TCEB_2564_INDICATORS))
    factories.summarised_assessment(agency, 2565, indicators(published.TCEB_2565_INDICATORS))
    factories.summarised_assessment(agency, 2568, published.angthong_2568_figures())
    unit = factories.unit(agency, "สำนักปลัด")
    send(plan_measure(agency, THIS_YEAR, "มาตรการปีนี้", unit), "q1")
    plan_measure(agency, THIS_YEAR - 1, "มาตรการปีก่อน", unit)
    return agency


@clock.pinned(2026, 11, 21)
def test_home_runs_a_fixed_number_of_queries_however_many_agencies(client, db):
    ministry = factories.agency("MIN", "กระทรวงทดสอบ", agency_type="ministry")
    busy_agency("A00", ministry)
    minister = factories.member("minister", ministry, "officer", oversight=True)
    one, _response = home_queries(client, minister)

    for n in range(1, 20):
        busy_agency(f"A{n:02}", ministry)
    many, response = home_queries(client, minister)

    assert len(response.context["rows"]) == 21
    assert counts(response, "A19") == (0, 4, 1)
    assert one == many


@clock.pinned(2026, 11, 21)
def test_fifty_agencies_a_page(client, superuser):
    for n in range(51):
        factories.agency(f"P{n:02}", f"หน่วยงานลำดับ {n:02}")
    first_queries, first = home_queries(client, superuser)
    second_queries, second = home_queries(client, superuser, "/?page=2")

    assert "หน่วยงานลำดับ 49" in first.text and "หน่วยงานลำดับ 50" not in first.text
    assert "หน่วยงานลำดับ 50" in second.text and "หน่วยงานลำดับ 00" not in second.text
    assert "51 หน่วยงาน" in first.text
    assert 'href="?page=2"' in first.text
    assert first_queries == second_queries
    assert client.get("/?page=abc").status_code == 200  # not a number: the first page
