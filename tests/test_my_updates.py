"""My updates: a unit member's reports due now and overdue, with a link to each form."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from assessments.thai import fiscal_year_of, thai_date
from measures.actions import do_review_step, sync_entries
from measures.models import Action, Measure, ProgressEntry, ReportingRound, Status
from tests import clock, factories

# A day of the first quarter of 2570: last year's four rounds are overdue and this year's first
# is the current one. The groups and day counts below are those of this day (from January to
# March, for one, the 6-month round runs beside the second quarter).
TODAY = datetime.date(2026, 11, 21)
THIS_YEAR = fiscal_year_of(TODAY)
pytestmark = clock.pinned(TODAY.year, TODAY.month, TODAY.day)


def plan_measure(agency, fiscal_year, name, unit, **fields):
    """A measure without items (today's year may be later than the reference frameworks)."""
    measure = Measure.objects.create(agency=agency, fiscal_year=fiscal_year, name=name, lead_unit=unit, **fields)
    sync_entries(measure=measure)
    return measure


def entry(measure, kind):
    return ProgressEntry.objects.get(measure=measure, round__kind=kind)


def section(response, name):
    match = re.search(rf'<section[^>]* id="{name}".*?</section>', response.text, re.S)
    assert match, f"no section {name}"
    return match.group(0)


def round_id(agency, year, kind):
    return ReportingRound.objects.get(agency=agency, fiscal_year=year, kind=kind).pk


@pytest.fixture
def last_year(agency, unit):
    """Last year's measure: every round is past its due date."""
    return plan_measure(agency, THIS_YEAR - 1, "ทบทวนคู่มือการปฏิบัติงาน", unit)


@pytest.fixture
def this_year(agency, unit):
    return plan_measure(agency, THIS_YEAR, "ประกาศเจตนารมณ์ No Gift Policy", unit)


# The permission ladder


def test_anonymous_is_sent_to_login(client, db):
    response = client.get("/my/updates/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_a_user_without_units_is_told_why_the_page_is_empty(client, officer, last_year):
    client.force_login(officer)

    response = client.get("/my/updates/")

    assert response.status_code == 200
    assert "คุณยังไม่ได้เป็นสมาชิกของหน่วยงานย่อยใด" in response.text
    assert "ทบทวนคู่มือ" not in response.text


def test_unit_staff_see_their_units_reports_and_never_another_units(client, unit_staff, last_year, agency, other_unit):
    theirs = plan_measure(agency, THIS_YEAR - 1, "ตรวจสอบพัสดุประจำปี", other_unit)
    client.force_login(unit_staff)

    response = client.get("/my/updates/")

    assert response.status_code == 200
    assert "ทบทวนคู่มือการปฏิบัติงาน" in response.text
    assert "ตรวจสอบพัสดุประจำปี" not in response.text
    assert f"/entries/{entry(theirs, 'q1').pk}/" not in response.text


def test_staff_of_another_agency_see_nothing_of_ours(client, outsider, other_agency, last_year):
    elsewhere = factories.unit(other_agency, "กองคลัง", "กค.", members=[outsider])
    plan_measure(other_agency, THIS_YEAR - 1, "มาตรการของหน่วยงานอื่น", elsewhere)
    client.force_login(outsider)

    response = client.get("/my/updates/")

    assert "มาตรการของหน่วยงานอื่น" in response.text
    assert "ทบทวนคู่มือ" not in response.text


def test_my_updates_is_in_the_navigation_of_unit_members_only(client, unit_staff, officer):
    client.force_login(unit_staff)
    assert 'href="/my/updates/"' in client.get("/").text

    client.force_login(officer)
    assert 'href="/my/updates/"' not in client.get("/").text


# What the page shows


def test_overdue_reports_are_flagged_in_red_with_the_days(client, unit_staff, last_year, agency):
    client.force_login(unit_staff)
    q4 = entry(last_year, "q4")
    days = (TODAY - q4.round.due_date).days

    response = client.get("/my/updates/")

    html = section(response, f"round-{q4.round_id}")
    assert "เลยกำหนด" in html
    assert f'<span class="overdue">เลยกำหนด {days} วัน</span>' in html
    assert thai_date(q4.round.due_date) in html
    # Overdue rounds come oldest first.
    ids = re.findall(r'<section class="round-group (\w+)" id="round-(\d+)"', response.text)
    assert ids == [("overdue", str(round_id(agency, THIS_YEAR - 1, kind))) for kind in ("q1", "q2", "q3", "q4")]


def test_this_rounds_reports_come_first_and_later_rounds_wait(client, unit_staff, last_year, this_year, agency):
    client.force_login(unit_staff)
    current = next(
        r
        for r in ReportingRound.objects.filter(agency=agency, fiscal_year=THIS_YEAR)
        if r.period[0] <= TODAY <= r.due_date
    )

    response = client.get("/my/updates/")

    groups = re.findall(r'<section class="round-group (\w+)" id="round-(\d+)"', response.text)
    assert groups[0] == ("current", str(current.pk))
    assert [kind for kind, _pk in groups[1:]] == ["overdue"] * 4
    later = this_year.entries.filter(round__due_date__gt=current.due_date, round__active=True)
    for waiting in later:
        assert f'id="round-{waiting.round_id}"' not in response.text
    if later:
        assert f"อีก {len(later)} รายงานครบกำหนดในรอบถัด ๆ ไป" in response.text


def test_each_report_has_a_progress_bar_a_status_and_a_link(client, unit_staff, last_year):
    q1 = entry(last_year, "q1")
    ProgressEntry.objects.filter(pk=q1.pk).update(percent=40, status="on_track")
    client.force_login(unit_staff)

    response = client.get("/my/updates/")

    html = section(response, f"round-{q1.round_id}")
    assert '<progress max="100" value="40"' in html
    assert "40%" in html
    with translation.override("th"):
        assert str(Status.ON_TRACK.label) in html
    assert f'href="/entries/{q1.pk}/"' in html
    assert "กรอกรายงาน" in html


def test_returned_reports_are_highlighted_with_the_officers_comment(client, unit_staff, officer, last_year):
    q2 = entry(last_year, "q2")
    do_review_step(entry=q2, action=Action.SUBMIT, user=unit_staff)
    do_review_step(entry=q2, action=Action.RETURN, user=officer, comment="กรุณาแนบภาพกิจกรรม")
    client.force_login(unit_staff)

    response = client.get("/my/updates/")

    html = section(response, f"round-{q2.round_id}")
    assert '<li class="entry returned">' in html
    assert "กรุณาแนบภาพกิจกรรม" in html
    assert "แก้ไขรายงาน" in html


def test_sent_and_approved_reports_are_folded_below(client, unit_staff, officer, last_year):
    q1, q2 = entry(last_year, "q1"), entry(last_year, "q2")
    do_review_step(entry=q1, action=Action.SUBMIT, user=unit_staff)
    do_review_step(entry=q1, action=Action.APPROVE, user=officer)
    do_review_step(entry=q2, action=Action.SUBMIT, user=unit_staff)
    client.force_login(unit_staff)

    response = client.get("/my/updates/")

    assert f'id="round-{q1.round_id}"' not in response.text
    assert f'id="round-{q2.round_id}"' not in response.text
    folded = re.search(r'<details class="sent".*?</details>', response.text, re.S).group(0)
    assert "(2)" in folded
    assert "อนุมัติแล้ว" in folded and "ส่งแล้ว" in folded
    assert f'href="/entries/{q1.pk}/"' in folded


def older_year(response, year):
    match = re.search(rf'<details class="older-year" id="year-{year}">.*?</details>', response.text, re.S)
    assert match, f"no folded year {year}"
    return match.group(0)


def test_years_no_longer_chased_are_folded_away_per_year(client, unit_staff, agency, unit, last_year):
    old = plan_measure(agency, THIS_YEAR - 3, "มาตรการปี 2567 ที่ค้างอยู่", unit)
    older = plan_measure(agency, THIS_YEAR - 4, "มาตรการปี 2566 ที่ค้างอยู่", unit)
    do_review_step(entry=entry(older, "q1"), action=Action.SUBMIT, user=unit_staff)
    client.force_login(unit_staff)

    response = client.get("/my/updates/")

    folded = older_year(response, 2567)
    assert folded.startswith('<details class="older-year" id="year-2567">')  # closed: no "open"
    assert "ปีงบประมาณ 2567: ยังไม่ได้ส่ง 4 รายงาน" in folded
    assert f'href="/entries/{entry(old, "q4").pk}/"' in folded
    assert "ปีงบประมาณ 2566: ยังไม่ได้ส่ง 3 รายงาน" in older_year(response, 2566)
    # Years no longer chased come after the rounds, newest first, and none of their reports is in a round.
    assert response.text.index('id="year-2567"') < response.text.index('id="year-2566"')
    rounds = re.findall(r'<section class="round-group.*?</section>', response.text, re.S)
    assert [kind for kind in re.findall(r'<section class="round-group (\w+)"', response.text)] == ["overdue"] * 4
    assert "มาตรการปี 2567" not in "".join(rounds)
    # Last year's reports are still chased, in the open.
    assert "ทบทวนคู่มือการปฏิบัติงาน" in "".join(rounds)
    assert 'id="year-2569"' not in response.text


def test_nothing_due(client, unit_staff):
    client.force_login(unit_staff)

    response = client.get("/my/updates/")

    assert "ไม่มีรายงานที่ต้องส่งในขณะนี้" in response.text


# A fixed number of queries


def my_updates_queries(client, user):
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/my/updates/")
    assert response.status_code == 200
    return len(queries)


def test_fixed_number_of_queries_however_many_reports(client, unit_staff, officer, agency, unit):
    first = plan_measure(agency, THIS_YEAR - 1, "มาตรการที่ 1", unit)
    do_review_step(entry=entry(first, "q1"), action=Action.SUBMIT, user=unit_staff)
    do_review_step(entry=entry(first, "q1"), action=Action.RETURN, user=officer, comment="แก้ไข")
    one = my_updates_queries(client, unit_staff)

    for n in range(2, 9):  # 8 measures × 4 rounds: over 30 entries, and as many of years no longer chased
        measure = plan_measure(agency, THIS_YEAR - 1, f"มาตรการที่ {n}", unit)
        plan_measure(agency, THIS_YEAR - 1 - n, f"มาตรการเก่าที่ {n}", unit)
        do_review_step(entry=entry(measure, "q1"), action=Action.SUBMIT, user=unit_staff)
        do_review_step(entry=entry(measure, "q2"), action=Action.SUBMIT, user=unit_staff)
        do_review_step(entry=entry(measure, "q2"), action=Action.RETURN, user=officer, comment="แก้ไข")
    many = my_updates_queries(client, unit_staff)

    assert ProgressEntry.objects.filter(unit=unit).count() >= 30
    assert one == many


# A unit membership counts only while the person still has a membership in the unit's agency


def test_someone_removed_from_the_agency_no_longer_sees_its_reports(client, unit_staff, agency, last_year):
    client.force_login(unit_staff)
    assert "ทบทวนคู่มือการปฏิบัติงาน" in client.get("/my/updates/").text

    # Removed from the agency; their row in the unit's members is left behind.
    unit_staff.memberships.filter(agency=agency).delete()
    response = client.get("/my/updates/")

    assert response.status_code == 200
    assert "ทบทวนคู่มือการปฏิบัติงาน" not in response.text
    assert f"/entries/{entry(last_year, 'q4').pk}/" not in response.text
    assert response.context["units"] == [] and response.context["sent"] == []
    assert 'href="/my/updates/"' not in client.get("/").text
    assert client.get(f"/entries/{entry(last_year, 'q4').pk}/").status_code == 404
