"""The home page: the user's agencies with their latest scores, Thai first, login required."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests import factories, published
from tests.published import indicators


@pytest.fixture
def tceb_like(agency):
    factories.assessment(agency, 2564, indicators(published.TCEB_2564_INDICATORS))
    factories.assessment(agency, 2565, indicators(published.TCEB_2565_INDICATORS))
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
    factories.assessment(municipality, 2568, published.angthong_2568_figures())
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


def home_queries(client, user):
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/")
    assert response.status_code == 200
    return len(queries)


def test_home_runs_a_fixed_number_of_queries_however_many_agencies(client, db):
    ministry = factories.agency("MIN", "กระทรวงทดสอบ", agency_type="ministry")
    first = factories.agency("A0", parent=ministry)
    factories.assessment(first, 2565, indicators(published.TCEB_2565_INDICATORS))
    minister = factories.member("minister", ministry, "executive", oversight=True)
    one = home_queries(client, minister)

    for n in range(1, 50):
        child = factories.agency(f"A{n}", parent=ministry)
        factories.assessment(child, 2564, indicators(published.TCEB_2564_INDICATORS))
        factories.assessment(child, 2565, indicators(published.TCEB_2565_INDICATORS))
        factories.assessment(child, 2568, published.angthong_2568_figures())
    many = home_queries(client, minister)

    assert one == many
