"""Withdrawing a measure: editors give a reason; the measure stays, with its reports and history,
listed apart on the plan page and left out of every count, reminder, to-do list and document."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from measures.models import Measure, ProgressEntry
from reports.improvement_document import improvement_document_for
from reports.plan_document import plan_document_for
from reports.progress_document import progress_document_for
from tests import factories
from tests.clock import pinned
from tests.entries_support import form_data

pytestmark = pinned(2026, 2, 15)  # fiscal year 2569; its first quarter is overdue

TODAY = datetime.date(2026, 2, 15)
KEPT, DROPPED = "มาตรการที่ยังดำเนินการ", "มาตรการที่ยกเลิก"


def visible(response):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


@pytest.fixture
def kept(agency, unit):
    return factories.measure(agency, 2569, KEPT, lead_unit=unit, items=["i1"])


@pytest.fixture
def dropped(agency, unit):
    return factories.measure(agency, 2569, DROPPED, lead_unit=unit, items=["i2"])


def withdraw(client, measure, reason="งบประมาณถูกตัด"):
    return client.post(f"/measures/{measure.pk}/withdraw/", {"reason": reason})


def test_editor_withdraws_a_measure_with_a_reason(client, officer, kept, dropped):
    client.force_login(officer)

    response = withdraw(client, dropped)

    assert response.status_code == 302 and response["Location"] == "/agencies/AG1/2569/plan/"
    dropped.refresh_from_db()
    assert (dropped.withdrawn is not None, dropped.withdrawn_by, dropped.withdrawn_reason) == (
        True,
        officer,
        "งบประมาณถูกตัด",
    )
    assert ProgressEntry.objects.filter(measure=dropped).count() == 4  # its reports stay


def test_withdrawing_without_a_reason_is_refused_and_changes_nothing(client, officer, dropped):
    client.force_login(officer)

    response = withdraw(client, dropped, reason="   ")

    assert response.status_code == 400
    assert "ระบุเหตุผลที่ถอนมาตรการ" in visible(response)
    assert '<details class="withdraw" open>' in response.content.decode()
    dropped.refresh_from_db()
    assert (dropped.withdrawn, dropped.withdrawn_reason) == (None, "")


def test_unit_staff_and_executives_cannot_withdraw(client, unit_staff, executive, dropped):
    for user in (unit_staff, executive):
        client.force_login(user)
        assert withdraw(client, dropped).status_code == 403
    dropped.refresh_from_db()
    assert dropped.withdrawn is None


def test_plan_page_lists_withdrawn_measures_apart_with_reason_and_who(client, officer, kept, dropped):
    client.force_login(officer)
    withdraw(client, dropped)

    html = client.get("/agencies/AG1/2569/plan/").content.decode()

    table, _sep, folded = html.partition('<details class="withdrawn-measures" id="withdrawn">')
    assert KEPT in table and DROPPED not in table
    assert "· 1 มาตรการ" in visible(client.get("/agencies/AG1/2569/plan/"))
    assert DROPPED in folded and "งบประมาณถูกตัด" in folded and "officer" in folded
    assert "มาตรการที่ถอนออก (1)" in folded


def test_restore_puts_the_measure_back(client, officer, kept, dropped):
    client.force_login(officer)
    withdraw(client, dropped)

    response = client.post(f"/measures/{dropped.pk}/restore/")

    assert response.status_code == 302
    dropped.refresh_from_db()
    assert (dropped.withdrawn, dropped.withdrawn_by, dropped.withdrawn_reason) == (None, None, "")
    assert 'id="withdrawn"' not in client.get("/agencies/AG1/2569/plan/").content.decode()


def test_history_keeps_the_withdrawal_and_the_restore(client, officer, dropped):
    client.force_login(officer)
    withdraw(client, dropped)

    text = visible(client.get(f"/measures/{dropped.pk}/history/"))
    client.post(f"/measures/{dropped.pk}/restore/")

    assert "ถอนออก" in text and "งบประมาณถูกตัด" in text
    records = list(dropped.history.order_by("history_id").values_list("withdrawn_reason", "withdrawn_by"))
    assert records[-2:] == [("งบประมาณถูกตัด", officer.pk), ("", None)]


def test_withdrawn_measure_is_left_out_of_the_documents(client, officer, agency, kept, dropped):
    client.force_login(officer)
    withdraw(client, dropped)

    for document in (
        plan_document_for(agency, 2569),
        improvement_document_for(agency, 2569),
        progress_document_for(agency, 2569, "q1"),
    ):
        text = str([section.table.rows if section.table else section.paragraphs for section in document.sections])
        assert KEPT in text and DROPPED not in text, document.filename
    assert "มาตรการทั้งหมด 1 มาตรการ" in str(progress_document_for(agency, 2569, "q1").sections[1].paragraphs)


def test_withdrawn_measure_is_left_out_of_the_dashboard(client, officer, kept, dropped):
    client.force_login(officer)
    withdraw(client, dropped)

    text = visible(client.get("/dashboard/"))

    assert "0 จาก 1 มาตรการ" in text


def test_withdrawn_measures_entries_are_not_chased(client, officer, unit_staff, kept, dropped):
    client.force_login(officer)
    withdraw(client, dropped)

    # What send_reminders chases (plan_reminders reads this queryset).
    reminded = set(ProgressEntry.objects.needing_reminder(TODAY, 30).values_list("measure__name", flat=True))
    client.force_login(unit_staff)
    updates = visible(client.get("/my/updates/"))

    assert reminded == {KEPT}
    assert KEPT in updates and DROPPED not in updates


def test_withdrawn_measure_is_not_copied_into_next_years_plan(client, officer, kept, dropped):
    client.force_login(officer)
    withdraw(client, dropped)

    client.post("/agencies/AG1/2570/plan/copy/", {"seen": "0"})

    assert list(Measure.objects.filter(fiscal_year=2570).values_list("name", flat=True)) == [KEPT]


def test_plan_page_runs_the_same_queries_with_withdrawn_measures(client, officer, agency, unit, kept):
    client.force_login(officer)
    url = "/agencies/AG1/2569/plan/"
    one = queries(client, url)

    for n in range(5):
        withdraw(client, factories.measure(agency, 2569, f"ถอน {n}", lead_unit=unit, items=["i3"]))

    assert queries(client, url) == one


def queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_a_withdrawn_measures_reports_are_kept_as_they_are(client, officer, unit_staff, dropped):
    entry = ProgressEntry.objects.filter(measure=dropped).order_by("round__due_date").first()
    client.force_login(officer)
    withdraw(client, dropped)
    client.force_login(unit_staff)

    page = client.get(f"/entries/{entry.pk}/")
    typed = form_data(entry, result="ผลที่พิมพ์หลังถอนมาตรการ", percent="40", status="on_track")
    saved = client.post(f"/entries/{entry.pk}/", typed)

    assert 'id="measure-withdrawn"' in page.text and 'name="result"' not in page.text
    assert saved.status_code == 409
    assert "มาตรการนี้ถูกถอนออกจากแผนระหว่างที่คุณแก้ไข" in saved.text
    assert "ผลที่พิมพ์หลังถอนมาตรการ" in saved.text  # kept on the page to copy
    entry.refresh_from_db()
    assert (entry.result, entry.percent) == ("", 0)
