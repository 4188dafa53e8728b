"""The dashboard and the menu's badge of reports waiting, kept in the shared cache under the
figures' stamp (assessments.stamp): made once for those who see the same agencies, read back in one
cache query, and made again as soon as results or progress change."""

import pytest
from django.conf import settings
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from assessments.stamp import STAMP_KEY, figures_changed
from measures.actions import do_review_step
from measures.models import Action
from tests import factories, published
from tests.clock import pinned
from tests.published import indicators

pytestmark = pinned(2026, 5, 15)

TCEB_2565 = indicators(published.TCEB_2565_INDICATORS)  # 97.04 overall


def opened(client, user, url="/dashboard/"):
    """(the page, the SQL it ran) for `user`."""
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return response, [query["sql"] for query in queries.captured_queries]


def main(response):
    html = response.content.decode()
    return html[html.index("<main") : html.index("</main>")]


def cache_writes(sqls):
    return [
        sql for sql in sqls if settings.CACHE_TABLE in sql and sql.lstrip().upper().startswith(("INSERT", "UPDATE"))
    ]


@pytest.fixture
def ministry(db):
    ministry = factories.agency("MIN", "กระทรวงทดสอบ", agency_type="ministry")
    first = factories.agency("D1", "กรมที่หนึ่ง", parent=ministry)
    factories.summarised_assessment(first, 2565, TCEB_2565)
    return ministry


def test_those_who_oversee_the_same_agencies_share_one_dashboard_read_in_few_queries(client, ministry):
    minister = factories.member("minister", ministry, "executive", oversight=True)
    deputy = factories.member("deputy", ministry, "executive", oversight=True)

    made, making = opened(client, minister)
    kept, reading = opened(client, deputy)

    assert main(kept) == main(made)
    assert "97.04" in main(kept)
    assert len(cache_writes(making)) == 1 and cache_writes(reading) == []
    # Nothing of the results or plans is read again: the session, the user, the menu's
    # memberships and whether the user reports for a unit, the bell's unread count, and the
    # page's one cache read.
    assert not any("assessments_assessment" in sql or "measures_plansummary" in sql for sql in reading)
    assert len(reading) == 6


def test_new_results_make_the_dashboard_again(client, ministry):
    minister = factories.member("minister", ministry, "executive", oversight=True)
    assert "95.08" not in main(opened(client, minister)[0])

    second = factories.agency("D2", "กรมที่สอง", parent=ministry)
    factories.summarised_assessment(second, 2568, published.angthong_2568_figures())  # as an import does

    again = main(opened(client, minister)[0])
    assert "95.08" in again and "กรมที่สอง" in again


def test_other_scopes_and_languages_are_kept_apart(client, ministry):
    minister = factories.member("minister", ministry, "executive", oversight=True)
    province = factories.agency("PRV", "จังหวัดทดสอบ", agency_type="province")
    factories.summarised_assessment(
        factories.agency("T1", "อำเภอทดสอบ", parent=province), 2568, published.angthong_2568_figures()
    )
    governor = factories.member("governor", province, "executive", oversight=True)

    assert "97.04" in main(opened(client, minister)[0])
    governors = main(opened(client, governor)[0])
    assert "95.08" in governors and "97.04" not in governors

    client.force_login(minister)
    client.post("/i18n/setlang/", {"language": "en", "next": "/dashboard/"})
    english = main(opened(client, minister)[0])
    assert "Weakest indicators" in english and "97.04" in english


def test_a_page_of_the_list_is_kept_on_its_own(client, ministry):
    minister = factories.member("minister", ministry, "executive", oversight=True)
    opened(client, minister)
    _page, making = opened(client, minister, "/dashboard/?plans_page=2")
    assert len(cache_writes(making)) == 1


def test_unit_staffs_dashboards_are_never_kept(client, agency, unit, unit_staff, other_unit_staff):
    factories.measure(agency, 2569, "มาตรการของกอง", lead_unit=unit)
    for user in (unit_staff, other_unit_staff, unit_staff):
        _page, sqls = opened(client, user)
        assert cache_writes(sqls) == []


def test_a_lost_stamp_or_a_cleared_cache_only_makes_the_page_again(client, ministry):
    from django.core.cache import cache  # noqa: PLC0415

    minister = factories.member("minister", ministry, "executive", oversight=True)
    first = main(opened(client, minister)[0])
    cache.delete(STAMP_KEY)
    assert main(opened(client, minister)[0]) == first
    cache.clear()
    assert main(opened(client, minister)[0]) == first


def test_the_dashboard_kept_still_shows_the_badge_of_reports_waiting_after_each_submit(
    client, agency, superuser, unit, unit_staff
):
    measure = factories.measure(agency, 2569, "มาตรการทดสอบ", lead_unit=unit)
    entries = list(measure.entries.order_by("round__due_date"))
    page, _sqls = opened(client, superuser)
    assert 'class="badge"' not in page.text

    do_review_step(entry=entries[0], action=Action.SUBMIT, user=unit_staff)
    page, _sqls = opened(client, superuser)
    assert 'title="รายงานที่รอการตรวจ">1</span>' in page.text

    do_review_step(entry=entries[1], action=Action.SUBMIT, user=unit_staff)
    opened(client, superuser)
    page, sqls = opened(client, superuser)  # the dashboard kept, the badge counted
    assert 'title="รายงานที่รอการตรวจ">2</span>' in page.text
    # The country's count, without a join to the agencies.
    (badge,) = [sql for sql in sqls if "measures_unitroundcount" in sql]
    assert "assessments_agency" not in badge


def test_with_the_database_cache_the_stamp_is_set_once_inside_the_change(db, django_capture_on_commit_callbacks):
    from django.core.cache import cache  # noqa: PLC0415

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        figures_changed()
        now = cache.get(STAMP_KEY)
    # It commits or rolls back with the change: a second write after the commit would be one
    # more commit for each batch of an import.
    assert now and callbacks == []
    assert cache.get(STAMP_KEY) == now


@override_settings(CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}})
def test_a_cache_outside_the_database_gets_a_new_stamp_now_and_again_on_commit(db, django_capture_on_commit_callbacks):
    from django.core.cache import cache  # noqa: PLC0415

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        figures_changed()
        now = cache.get(STAMP_KEY)
    assert now and len(callbacks) == 1
    assert cache.get(STAMP_KEY) not in (None, now)
