"""Choosing one organisation among thousands: the bundles page lists every agency the user may
choose only while they are few; past that it searches them by code or name (a GET form, no
JavaScript), lists at most 20 matches to choose from, and still accepts only agencies the user may."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tasks_db.models import DBTaskResult

from assessments.choosers import SUGGESTIONS
from assessments.models import Agency, AgencyType, Membership
from measures.actions import do_review_step
from measures.models import Action
from reports.models import Bundle
from tests import factories
from tests.clock import pinned

PAGE = "/bundles/"
RADIO = re.compile(r'<input type="radio" name="organisation" value="([^"]+)"')


def many_agencies(count, start=0):
    """`count` departments K0001…, named กรมทดสอบที่ 1…, one query."""
    department = AgencyType.objects.get(code="department")
    Agency.objects.bulk_create(
        Agency(code=f"K{n:04d}", name_th=f"กรมทดสอบที่ {n}", agency_type=department)
        for n in range(start + 1, start + count + 1)
    )


@pytest.fixture
def country(agency):
    """AG1 with results of 2565 (so the page offers a year) among 120 other agencies."""
    factories.assessment(agency, 2565)
    many_agencies(120)
    return agency


def test_an_officer_of_one_agency_keeps_the_drop_down(client, country, officer):
    client.force_login(officer)

    response = client.get(PAGE)

    assert re.findall(r'<option value="([^"]*)"', response.text) == ["", "AG1", "2565"]
    assert 'name="search"' not in response.text


def test_a_system_administrator_gets_a_search_instead_of_every_agency(client, country, superuser):
    client.force_login(superuser)

    response = client.get(PAGE)

    assert 'type="search" name="search"' in response.text
    assert '<select name="organisation"' not in response.text and RADIO.findall(response.text) == []
    assert "K0120" not in response.text
    assert "พิมพ์รหัสหรือบางส่วนของชื่อ" in response.text


def test_the_search_lists_the_matches_exact_code_first(client, country, superuser):
    factories.agency("azz", "หน่วยงานหนึ่ง")
    factories.agency("zz", "หน่วยงานสอง")
    client.force_login(superuser)

    by_name = client.get(PAGE, {"search": "กรมทดสอบที่ 11"})
    by_code = client.get(PAGE, {"search": "ZZ"})

    assert RADIO.findall(by_name.text) == ["K0011", *(f"K{n:04d}" for n in range(110, 120))]
    assert RADIO.findall(by_code.text) == ["zz", "azz"]  # the code typed, then codes holding it
    assert 'name="search" id="id_agency_search" value="ZZ"' in by_code.text


def test_at_most_twenty_matches_are_listed_with_a_word_that_there_are_more(client, country, superuser):
    client.force_login(superuser)

    response = client.get(PAGE, {"search": "กรมทดสอบ"})

    assert RADIO.findall(response.text) == [f"K{n:04d}" for n in range(1, SUGGESTIONS + 1)]
    assert "แสดงเฉพาะ 20 รายการแรก" in response.text


def test_a_search_that_matches_nothing_says_so_and_offers_no_form(client, country, superuser):
    client.force_login(superuser)

    response = client.get(PAGE, {"search": "ไม่มีหน่วยงานนี้"})

    assert "ไม่มีหน่วยงานที่ท่านเลือกได้ซึ่งมี “ไม่มีหน่วยงานนี้” ในรหัสหรือชื่อ" in response.text
    assert 'method="post" action="/bundles/"' not in response.text


def test_a_match_is_chosen_and_its_bundle_queued(client, country, superuser):
    client.force_login(superuser)

    response = client.post(PAGE, {"search": "AG1", "organisation": "AG1", "fiscal_year": 2565})

    assert response.status_code == 302
    assert Bundle.objects.get().organisation == country


def test_a_code_the_user_may_not_bundle_is_refused_with_the_search_kept(client, country, officer, other_agency):
    # An officer bundles only their own agency: AG1 among the 121 with no oversight.
    for child in Agency.objects.filter(code__startswith="K"):
        Membership.objects.create(user=officer, agency=child, role="officer")
    client.force_login(officer)

    response = client.post(PAGE, {"search": "AG2", "organisation": "AG2", "fiscal_year": 2565})

    assert response.status_code == 200
    assert not Bundle.objects.exists() and not DBTaskResult.objects.exists()
    assert "AG2 ไม่ใช่หน่วยงานที่ท่านขอชุดเอกสารได้" in response.text
    assert RADIO.findall(response.text) == []  # AG2 is not theirs, so it is no match either
    assert '<input type="hidden" name="search" value="AG2">' in response.text
    assert 'name="search" id="id_agency_search" value="AG2"' in response.text


def test_the_search_page_runs_a_fixed_number_of_queries(client, country, superuser):
    client.force_login(superuser)
    with CaptureQueriesContext(connection) as few:
        client.get(PAGE, {"search": "กรมทดสอบ"})
    many_agencies(1000, start=1000)

    with CaptureQueriesContext(connection) as many:
        response = client.get(PAGE, {"search": "กรมทดสอบ"})

    assert len(RADIO.findall(response.text)) == SUGGESTIONS
    assert len(many) == len(few)
    assert len(response.content) < 40_000


# --- The review queue: the agency filter of a system administrator is typed, not listed -----------


@pytest.fixture
def sent_reports(country, other_agency, unit, unit_staff):
    """One report sent by AG1 and one by AG2, among 120 other agencies."""
    elsewhere = factories.unit(other_agency, "กองของหน่วยงานอื่น")
    for agency, lead in ((country, unit), (other_agency, elsewhere)):
        measure = factories.measure(agency, 2569, f"มาตรการของ {agency.code}", lead_unit=lead)
        do_review_step(entry=measure.entries.get(round__kind="q1"), action=Action.SUBMIT, user=unit_staff)


def queue(response):
    return [entry.measure.name for group in response.context["groups"] for entry in group.entries]


@pinned(2026, 5, 15)
def test_the_queue_of_a_system_administrator_takes_the_agency_typed(client, sent_reports, superuser):
    client.force_login(superuser)

    everything = client.get("/review/")
    by_code = client.get("/review/", {"agency": "AG2"})
    by_name = client.get("/review/", {"agency": "ทดสอบสอง"})

    assert 'type="search" name="agency"' in everything.text and 'value="K0001"' not in everything.text
    # Too many agencies for one queue: those with reports waiting, each leading to its own.
    assert [(row["code"], row["waiting"]) for row in everything.context["page"].object_list] == [("AG1", 1), ("AG2", 1)]
    assert 'href="?agency=AG2"' in everything.text
    assert queue(by_code) == queue(by_name) == ["มาตรการของ AG2"]
    assert "หน่วยงาน (รหัสหรือบางส่วนของชื่อ)" in everything.text
    # Units are offered once one agency is named by its code.
    assert re.findall(r'<option value="\d+">([^<]+)</option>', by_code.text) == ["กองของหน่วยงานอื่น"]
    assert re.findall(r'<option value="\d+">([^<]+)</option>', everything.text) == []


@pinned(2026, 5, 15)
def test_a_link_naming_an_agency_code_shows_that_agency_alone(client, sent_reports, superuser, unit_staff):
    ag10 = factories.agency("AG10", "หน่วยงานที่สิบ")
    measure = factories.measure(ag10, 2569, "มาตรการของ AG10", lead_unit=factories.unit(ag10, "กองของ AG10"))
    do_review_step(entry=measure.entries.get(round__kind="q1"), action=Action.SUBMIT, user=unit_staff)
    client.force_login(superuser)

    assert queue(client.get("/review/", {"agency": "AG1"})) == ["มาตรการของ AG1"]
    assert queue(client.get("/review/", {"agency": "AG"})) == ["มาตรการของ AG1", "มาตรการของ AG10", "มาตรการของ AG2"]


@pinned(2026, 5, 15)
def test_the_queue_of_a_system_administrator_runs_a_fixed_number_of_queries(client, sent_reports, superuser):
    client.force_login(superuser)
    with CaptureQueriesContext(connection) as few:
        client.get("/review/", {"agency": "AG1"})
    many_agencies(1000, start=1000)
    for code in ("K1001", "K1500", "K2000"):
        factories.unit(Agency.objects.get(code=code), f"กองของ {code}")

    with CaptureQueriesContext(connection) as many:
        response = client.get("/review/", {"agency": "AG1"})

    assert queue(response) == ["มาตรการของ AG1"]
    assert len(many) == len(few)
    assert len(response.content) < 40_000


# --- The measure templates' plan: the agency of a system administrator is searched ------------------


def test_the_template_library_searches_the_agency_of_a_system_administrator(client, country, superuser):
    client.force_login(superuser)

    page = client.get("/measure-templates/")
    found = client.get("/measure-templates/", {"search": "ag1"})
    chosen = client.get("/measure-templates/", {"search": "ag1", "agency": "AG1", "year": 2569})

    assert 'type="search" name="search"' in page.text and 'value="K0001"' not in page.text
    assert re.findall(r'<input type="radio" name="agency" value="([^"]+)"', found.text) == ["AG1"]
    assert chosen.context["target"] == (country, 2569)


def test_the_template_library_keeps_the_drop_down_of_an_officer(client, country, officer):
    client.force_login(officer)

    page = client.get("/measure-templates/")

    assert 'name="search"' not in page.text
    assert page.context["target"][0] == country  # their one agency, chosen already


# --- The results template on the import page: a system administrator types the agency's code -----


@pinned(2026, 5, 15)
def test_the_results_template_of_a_system_administrator_takes_a_typed_code(client, country, superuser):
    client.force_login(superuser)

    page = client.get("/results/import/")
    download = client.get("/results/template/", {"agency": "K0042", "fiscal_year": 2568, "format": "csv"})
    unknown = client.get("/results/template/", {"agency": "NOPE", "fiscal_year": 2568, "format": "csv"})

    assert '<input type="text" name="agency"' in page.text and 'value="K0001"' not in page.text
    assert "รหัสของหน่วยงาน ตามที่แสดงในหน้าภาพรวมและหน้าของหน่วยงาน" in page.text
    assert download.status_code == 200 and download.content.decode("utf-8-sig").splitlines()[1].startswith(
        "K0042,2568,"
    )
    assert unknown.status_code == 404


@pinned(2026, 5, 15)
def test_the_import_page_runs_a_fixed_number_of_queries_however_many_agencies(client, country, superuser):
    client.force_login(superuser)
    with CaptureQueriesContext(connection) as few:
        client.get("/results/import/")
    many_agencies(1000, start=1000)

    with CaptureQueriesContext(connection) as many:
        response = client.get("/results/import/")

    assert len(many) == len(few)
    assert len(response.content) < 40_000


# --- The admin searches agencies rather than listing them ------------------------------------------


def test_the_admin_pages_of_units_and_measures_search_the_agency_instead_of_listing_every_one(
    client, country, superuser, unit
):
    client.force_login(superuser)

    units = client.get("/admin/measures/unit/", {"q": "AG1"})
    measures = client.get("/admin/measures/measure/")
    add_unit = client.get("/admin/measures/unit/add/")

    assert [row.name for row in units.context["cl"].result_list] == [unit.name]
    for page in (units, measures, add_unit):
        assert page.status_code == 200
        assert "กรมทดสอบที่ 120" not in page.text
    assert 'class="admin-autocomplete"' in add_unit.text  # the admin's search-as-you-type choice
