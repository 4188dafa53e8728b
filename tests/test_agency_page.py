"""The agency page: who the agency is and its score trends over the years, as charts and tables."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from measures.models import ReportingRound
from tests import factories, published
from tests.published import indicators

URL = "/agencies/AG1/"


def main_of(response):
    """The page without its menu (whose bell is drawn in SVG too)."""
    return response.text.split("<main", 1)[1]


@pytest.fixture
def tceb_like(agency):
    factories.assessment(agency, 2564, indicators(published.TCEB_2564_INDICATORS))
    factories.assessment(agency, 2565, indicators(published.TCEB_2565_INDICATORS))
    return agency


def test_anonymous_is_sent_to_login(client, tceb_like):
    response = client.get(URL)

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_user_of_another_agency_gets_not_found(client, outsider, tceb_like):
    client.force_login(outsider)

    assert client.get(URL).status_code == 404


def test_unknown_agency_is_not_found(client, superuser):
    client.force_login(superuser)

    assert client.get("/agencies/NOPE/").status_code == 404


@pytest.mark.parametrize("role", ["executive", "officer", "unit_staff"])
def test_members_of_the_agency_see_it(client, tceb_like, role):
    client.force_login(factories.member("member", tceb_like, role))

    response = client.get(URL)

    assert response.status_code == 200
    assert "หน่วยงานทดสอบหนึ่ง" in response.text


def test_oversight_user_of_the_parent_sees_it(client, db):
    ministry = factories.agency("MIN", "กระทรวงทดสอบ", agency_type="ministry")
    child = factories.agency("AG1", "หน่วยงานทดสอบหนึ่ง", parent=ministry)
    factories.assessment(child, 2565, indicators(published.TCEB_2565_INDICATORS))
    client.force_login(factories.member("minister", ministry, "executive", oversight=True))

    response = client.get(URL)

    assert response.status_code == 200
    assert "กระทรวงทดสอบ" in response.text  # the parent agency
    assert "97.04" in response.text


def test_superuser_sees_any_agency(client, superuser, tceb_like):
    client.force_login(superuser)

    assert client.get(URL).status_code == 200


def test_shows_who_the_agency_is_and_links_each_years_analysis(client, officer, tceb_like):
    client.force_login(officer)

    response = client.get(URL)

    assert "(AG1)" in response.text  # short name
    assert "<dd>ส่วนราชการระดับกรม</dd>" in response.text  # the type, in Thai
    assert 'href="/agencies/AG1/2564/"' in response.text
    assert 'href="/agencies/AG1/2565/"' in response.text


def test_tables_give_scores_and_changes_against_the_year_before(client, officer, tceb_like):
    client.force_login(officer)

    response = client.get(URL)

    text = response.text
    assert "95.01" in text and "97.04" in text  # overall
    assert "2.03" in text  # overall change
    assert "94.57" in text and "98.80" in text and "4.23" in text  # indicator 1
    assert "การปฏิบัติหน้าที่" in text
    assert ">AA<" in text


def test_a_fall_is_shown_in_parentheses(client, officer, tceb_like):
    fallen = {**published.TCEB_2565_INDICATORS, 1: "94.08"}
    factories.assessment(tceb_like, 2566, indicators(fallen))
    client.force_login(officer)

    response = client.get(URL)

    assert "(4.72)" in response.text


def test_eit_parts_are_their_own_lines_when_a_year_has_them(client, officer, agency):
    factories.assessment(agency, 2565, indicators(published.TCEB_2565_INDICATORS))
    factories.assessment(agency, 2568, published.angthong_2568_figures())
    client.force_login(officer)

    response = client.get(URL)

    assert "EIT ส่วนที่ 1" in response.text
    assert "93.20" in response.text and "87.61" in response.text  # EIT Public and Survey 2568
    assert "95.08" in response.text


def test_charts_are_inline_svg_with_titles(client, officer, tceb_like):
    client.force_login(officer)

    response = client.get(URL)

    assert main_of(response).count("<svg") == 12  # overall, tools, ten indicators
    assert "<title>คะแนน ITA</title>" in response.text
    assert "<title>1 การปฏิบัติหน้าที่</title>" in response.text


def test_agency_without_results_says_so(client, officer, agency):
    client.force_login(officer)

    response = client.get(URL)

    assert response.status_code == 200
    assert "<svg" not in main_of(response)


def test_thai_first_and_english_when_chosen(client, officer, tceb_like):
    client.force_login(officer)

    thai = client.get(URL)
    client.post("/i18n/setlang/", {"language": "en", "next": URL})
    english = client.get(URL)

    assert '<html lang="th">' in thai.text
    assert '<html lang="en">' in english.text
    assert "<title>ITA score</title>" in english.text
    assert "97.04" in english.text


def test_home_page_links_to_the_agency_page(client, officer, tceb_like):
    client.force_login(officer)

    response = client.get("/")

    assert 'href="/agencies/AG1/"' in response.text


def page_queries(client, user):
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(URL)
    assert response.status_code == 200
    return len(queries)


def test_fixed_number_of_queries_however_many_years(client, officer, agency):
    factories.assessment(agency, 2565, indicators(published.TCEB_2565_INDICATORS))
    one = page_queries(client, officer)

    for year, figures in [
        (2563, published.FIO_2563_ITEMS),
        (2564, indicators(published.TCEB_2564_INDICATORS)),
        (2566, indicators(published.TCEB_2565_INDICATORS)),
        (2567, indicators(published.TCEB_2564_INDICATORS)),
        (2568, published.angthong_2568_figures()),
    ]:
        factories.assessment(agency, year, figures)
    six = page_queries(client, officer)

    assert one == six


def test_fixed_number_of_queries_however_many_agencies(client, db):
    ministry = factories.agency("MIN", "กระทรวงทดสอบ", agency_type="ministry")
    agency = factories.agency("AG1", parent=ministry)
    factories.assessment(agency, 2565, indicators(published.TCEB_2565_INDICATORS))
    minister = factories.member("minister", ministry, "executive", oversight=True)
    one = page_queries(client, minister)

    for n in range(2, 52):
        other = factories.agency(f"AG{n}", parent=ministry)
        factories.assessment(other, 2564, indicators(published.TCEB_2564_INDICATORS))
        factories.assessment(other, 2565, indicators(published.TCEB_2565_INDICATORS))
    many = page_queries(client, minister)

    assert one == many


# The agency's years: results and plans, a plan listed before its year's results are loaded


def year_row(response, year):
    match = re.search(rf'<tr id="year-{year}">.*?</tr>', response.text, re.S)
    assert match, f"no row for {year}"
    return match.group(0)


def test_a_plan_year_without_results_is_listed(client, officer, unit, tceb_like):
    factories.measure(tceb_like, 2566, "ประกาศเจตนารมณ์", lead_unit=unit)
    factories.measure(tceb_like, 2566, "อบรมเจ้าหน้าที่", lead_unit=unit)
    client.force_login(officer)

    response = client.get(URL)

    years = re.findall(r'<tr id="year-(\d+)">', response.text)
    assert years == ["2566", "2565", "2564"]  # newest first; 2566 has a plan, no results
    plan_year = year_row(response, 2566)
    assert 'href="/agencies/AG1/2566/">ยังไม่ได้นำเข้าผลการประเมิน</a>' in plan_year
    assert 'href="/agencies/AG1/2566/plan/">2 มาตรการ</a>' in plan_year
    loaded = year_row(response, 2565)
    assert 'href="/agencies/AG1/2565/">มีผลการประเมินแล้ว</a>' in loaded
    assert 'href="/agencies/AG1/2565/plan/">ยังไม่มีมาตรการ</a>' in loaded


def test_the_year_after_the_latest_results_offers_its_plan(client, officer, agency):
    factories.assessment(agency, 2565, indicators(published.TCEB_2565_INDICATORS))
    client.force_login(officer)

    response = client.get(URL)

    after = year_row(response, 2566)
    assert 'href="/agencies/AG1/2566/plan/">ยังไม่มีมาตรการ</a>' in after
    assert 'href="/agencies/AG1/2566/"' not in after  # no results and no plan: nothing to analyse yet


def test_rounds_saved_make_a_plan_year(client, officer, agency):
    ReportingRound.objects.create(agency=agency, fiscal_year=2570, kind="q1", due_date=datetime.date(2026, 12, 31))
    client.force_login(officer)

    response = client.get(URL)

    assert 'href="/agencies/AG1/2570/">ยังไม่ได้นำเข้าผลการประเมิน</a>' in year_row(response, 2570)


def test_unit_staff_count_their_units_measures_only(client, unit_staff, unit, other_unit, agency):
    factories.measure(agency, 2566, "มาตรการของสำนักงาน", lead_unit=unit)
    factories.measure(agency, 2566, "มาตรการของกองเจ้าหน้าที่", lead_unit=other_unit)
    client.force_login(unit_staff)

    response = client.get(URL)

    assert 'href="/agencies/AG1/2566/plan/">1 มาตรการ</a>' in year_row(response, 2566)


# The year page of a plan whose results are not loaded yet


def notice(response):
    return re.search(r'<section id="results-not-loaded">.*?</section>', response.text, re.S).group(0)


def test_the_year_page_of_a_plan_without_results_says_so(client, officer, executive, unit, agency):
    factories.measure(agency, 2566, "ประกาศเจตนารมณ์", lead_unit=unit)
    client.force_login(officer)
    editor = client.get("/agencies/AG1/2566/")
    client.force_login(executive)
    reader = client.get("/agencies/AG1/2566/")

    assert editor.status_code == 200 and reader.status_code == 200
    assert "ยังไม่ได้นำเข้าผลการประเมินของปีงบประมาณ 2566" in editor.text
    assert 'href="/results/import/"' in notice(editor)
    assert 'href="/agencies/AG1/2566/plan/"' in notice(editor)
    assert "ยังไม่ได้นำเข้าผลการประเมินของปีงบประมาณ 2566" in notice(reader)
    assert 'href="/results/import/"' not in notice(reader)


def test_a_year_without_results_or_plan_is_not_found(client, officer, unit, agency):
    factories.measure(agency, 2566, "ประกาศเจตนารมณ์", lead_unit=unit)
    client.force_login(officer)

    assert client.get("/agencies/AG1/2567/").status_code == 404


def test_another_agencys_plan_year_is_not_found(client, outsider, unit, agency):
    factories.measure(agency, 2566, "ประกาศเจตนารมณ์", lead_unit=unit)
    client.force_login(outsider)

    assert client.get("/agencies/AG1/2566/").status_code == 404
    assert client.get(URL).status_code == 404


def test_fixed_number_of_queries_however_many_plan_years(client, officer, unit, agency):
    factories.assessment(agency, 2565, indicators(published.TCEB_2565_INDICATORS))
    one = page_queries(client, officer)

    for year in range(2566, 2570):
        factories.measure(agency, year, f"มาตรการปี {year}", lead_unit=unit)
    many = page_queries(client, officer)

    assert one == many
