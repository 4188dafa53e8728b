"""The whole cycle of a progress entry through the test client: a measure for a weak item, the unit's
report with activities, evidence and a link, sending, returning, fixing, approving, locking and
reopening; and the audit trails that record each step."""

import datetime
import html
import re
from decimal import Decimal

import pytest
from django.test import Client

from assessments.models import Score
from measures.actions import TRANSITIONS
from measures.models import Action, Evidence, ProgressEntry, ReviewEvent, State
from tests import factories
from tests.concurrency import at_once, client_for
from tests.entries_support import PDF, form_data, step_data, step_revision_in, upload, visible


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def entry(agency, unit):
    factories.assessment(agency, 2565, {"I20": "70.70"})
    measure = factories.measure(agency, 2566, "สื่อสารแนวปฏิบัติการใช้ทรัพย์สินของราชการ", lead_unit=unit, items=["I20"])
    return measure.entries.get(round__kind="q1")


def test_a_report_goes_from_the_unit_through_review_to_approval_and_back(client, unit_staff, officer, entry):
    unit_client, officer_client = client, Client()
    unit_client.force_login(unit_staff)
    officer_client.force_login(officer)
    url = f"/entries/{entry.pk}/"
    assert [i.code for i in entry.measure.items.all()] == ["I20"]

    # The unit fills the report: two dated activities, a PDF and a link, and sends it.
    data = form_data(
        entry,
        new_activities=[("2022-11-15", "ประชุมชี้แจงขั้นตอนการยืมทรัพย์สิน"), ("2022-12-22", "เผยแพร่แนวปฏิบัติทางอีเมล")],
        result="ชี้แจงผู้ปฏิบัติงานครบทุกกอง",
        obstacles="ไม่มี",
        suggestions="ควรทำคู่มือ",
        percent=50,
        status="on_track",
        links="https://intranet.example.go.th/asset-rules",
    )
    data["files"] = [upload("รายงานการประชุม.pdf", PDF)]
    assert unit_client.post(url, data).status_code == 302
    assert unit_client.post(f"{url}submit/", step_data(entry)).status_code == 302
    entry.refresh_from_db()
    assert entry.state == State.SUBMITTED and entry.activities.count() == 2 and entry.evidence.count() == 1

    # The unit may not review its own report.
    assert unit_client.post(f"{url}approve/", step_data(entry)).status_code == 403

    # The officer returns it; without a reason that is a form error, not a step.
    missing = officer_client.post(f"{url}return/", step_data(entry, comment="  "))
    assert missing.status_code == 200 and "ระบุเหตุผล" in visible(missing)
    assert (
        officer_client.post(f"{url}return/", step_data(entry, comment="ขอภาพกิจกรรมและร้อยละให้ตรงกับผล")).status_code
        == 302
    )
    entry.refresh_from_db()
    assert entry.state == State.RETURNED

    # The unit sees why, fixes the report and sends it again.
    page = visible(unit_client.get(url))
    assert "ขอภาพกิจกรรมและร้อยละให้ตรงกับผล" in page
    fixed = form_data(entry, result="ชี้แจงผู้ปฏิบัติงานครบทุกกองแล้ว พร้อมภาพกิจกรรม", percent=100, status="done", and_submit="1")
    assert unit_client.post(url, fixed).status_code == 302
    entry.refresh_from_db()
    assert entry.state == State.SUBMITTED and entry.percent == 100

    # The officer approves: the report is locked.
    assert officer_client.post(f"{url}approve/", step_data(entry, comment="ถูกต้อง")).status_code == 302
    entry.refresh_from_db()
    assert entry.state == State.APPROVED
    locked = unit_client.get(url)
    assert 'name="result"' not in locked.text and "ชี้แจงผู้ปฏิบัติงานครบทุกกองแล้ว" in visible(locked)
    assert unit_client.post(url, form_data(entry, result="แก้หลังอนุมัติ")).status_code == 409
    assert officer_client.post(url, form_data(entry, result="แก้หลังอนุมัติ")).status_code == 409
    assert unit_client.post(f"{url}submit/", step_data(entry)).status_code == 200
    assert unit_client.post(f"{url}withdraw/", step_data(entry)).status_code == 200
    entry.refresh_from_db()
    assert entry.result == "ชี้แจงผู้ปฏิบัติงานครบทุกกองแล้ว พร้อมภาพกิจกรรม"

    # Reopening needs a reason too.
    assert officer_client.post(f"{url}reopen/", step_data(entry)).status_code == 200
    assert ProgressEntry.objects.get(pk=entry.pk).state == State.APPROVED
    assert officer_client.post(f"{url}reopen/", step_data(entry, comment="ป.ป.ช. ขอเอกสารเพิ่ม")).status_code == 302
    entry.refresh_from_db()
    assert entry.state == State.RETURNED
    assert 'name="result"' in unit_client.get(url).text

    steps = list(ReviewEvent.objects.filter(entry=entry).values_list("action", "user__username", "comment"))
    assert steps == [
        (Action.SUBMIT, "unitstaff", ""),
        (Action.RETURN, "officer", "ขอภาพกิจกรรมและร้อยละให้ตรงกับผล"),
        (Action.SUBMIT, "unitstaff", ""),
        (Action.APPROVE, "officer", "ถูกต้อง"),
        (Action.REOPEN, "officer", "ป.ป.ช. ขอเอกสารเพิ่ม"),
    ]

    # The history shows each step and each change, with old and new values and who made it.
    history = officer_client.get(f"{url}history/")
    assert history.status_code == 200
    trail = visible(history)
    for text in (
        "ชี้แจงผู้ปฏิบัติงานครบทุกกอง",  # the first result …
        "ชี้แจงผู้ปฏิบัติงานครบทุกกองแล้ว พร้อมภาพกิจกรรม",  # … and the fixed one
        "ประชุมชี้แจงขั้นตอนการยืมทรัพย์สิน",
        "15 พ.ย. 65",
        "รายงานการประชุม.pdf",
        "ขอภาพกิจกรรมและร้อยละให้ตรงกับผล",
        "ป.ป.ช. ขอเอกสารเพิ่ม",
        "unitstaff",
        "officer",
        "ส่งแล้ว",
        "ส่งกลับแก้ไข",
        "อนุมัติแล้ว",
        "เปิดให้แก้ไขอีกครั้ง",
    ):
        assert text in trail, text
    # The percent went 0 → 50 → 100, in that order, newest first.
    assert trail.index("50 100") < trail.index("0 50")


def test_a_report_cannot_be_sent_without_results(client, unit_staff, entry):
    client.force_login(unit_staff)

    response = client.post(f"/entries/{entry.pk}/submit/", step_data(entry))

    assert response.status_code == 200
    assert "กรอกผลการดำเนินงานของรอบนี้และบันทึกก่อนส่งรายงาน" in visible(response)
    assert ProgressEntry.objects.get(pk=entry.pk).state == State.DRAFT


def test_a_step_from_the_wrong_state_is_a_message_not_an_error(client, officer, entry):
    client.force_login(officer)

    response = client.post(f"/entries/{entry.pk}/approve/", step_data(entry))

    assert response.status_code == 200
    assert not ReviewEvent.objects.exists()


def test_removing_evidence_is_in_the_history(client, unit_staff, entry):
    client.force_login(unit_staff)
    client.post(f"/entries/{entry.pk}/", {**form_data(entry), "files": [upload("ภาพกิจกรรม.pdf", PDF)]})
    evidence = Evidence.objects.get()

    assert client.post(f"/entries/{entry.pk}/evidence/{evidence.pk}/delete/").status_code == 302

    assert not Evidence.objects.exists()
    table = client.get(f"/entries/{entry.pk}/history/").text.split('class="scores changes"')[1]
    assert table.count("ภาพกิจกรรม.pdf") == 2  # added, then removed


# --- The audit trail cannot be changed ----------------------------------------------------------


def test_admin_history_pages_offer_no_revert(client, superuser, entry, unit_staff):
    unit = Client()
    unit.force_login(unit_staff)
    unit.post(f"/entries/{entry.pk}/", form_data(entry, result="ฉบับแรก"))
    unit.post(f"/entries/{entry.pk}/", form_data(entry, result="ฉบับที่สอง"))
    first = ProgressEntry.history.filter(id=entry.pk, result="ฉบับแรก").get()
    client.force_login(superuser)

    listing = client.get(f"/admin/measures/progressentry/{entry.pk}/history/")
    assert listing.status_code == 200
    assert "Revert" not in listing.text and "ย้อนกลับ" not in listing.text
    old_version = client.get(f"/admin/measures/progressentry/{entry.pk}/history/{first.history_id}/")
    assert old_version.status_code == 200
    form = old_version.text.split('id="historicalprogressentry_form"')[1].split("</form>")[0]
    assert 'type="submit"' not in form

    # Posting the old version anyway is refused and restores nothing.
    refused = client.post(
        f"/admin/measures/progressentry/{entry.pk}/history/{first.history_id}/",
        {
            "measure": entry.measure_id,
            "round": entry.round_id,
            "unit": entry.unit_id,
            "result": "ฉบับแรก",
            "percent": 0,
            "status": "not_started",
            "state": "draft",
            "obstacles": "",
            "suggestions": "",
            "links": "",
        },
    )
    assert refused.status_code == 403
    assert ProgressEntry.objects.get(pk=entry.pk).result == "ฉบับที่สอง"


# --- Results audit --------------------------------------------------------------------------------


def test_results_history_lists_each_score_change_with_who_and_when(client, officer, agency):
    assessment = factories.assessment(agency, 2565, {"I20": "70.70", "ITA": "85.54"})
    score = Score.objects.get(assessment=assessment, code="I20")
    score._history_user = officer
    score.score = Decimal("72.10")
    score.save()
    Score.objects.get(assessment=assessment, code="ITA").delete()
    client.force_login(officer)

    response = client.get(f"/agencies/{agency.code}/2565/history/")

    assert response.status_code == 200
    page = visible(response)
    assert "officer" in page
    assert "70.70 72.10" in page  # old → new
    assert "85.54 –" in page  # removed
    assert page.index("70.70 72.10") < page.index("– 70.70")  # newest first: the change, then the first import


def test_analysis_page_links_to_the_results_history(client, officer, agency):
    factories.assessment(agency, 2565, {"I20": "70.70"})
    client.force_login(officer)

    assert f'href="/agencies/{agency.code}/2565/history/"' in client.get(f"/agencies/{agency.code}/2565/").text


def test_activity_dates_in_the_trail_are_in_the_buddhist_era(client, unit_staff, entry):
    client.force_login(unit_staff)
    client.post(f"/entries/{entry.pk}/", form_data(entry, new_activities=[("2023-01-05", "อบรม")]))

    trail = visible(client.get(f"/entries/{entry.pk}/history/"))

    assert "5 ม.ค. 66" in trail
    assert datetime.date(2023, 1, 5) == entry.activities.get().date


# --- Review what was seen ---------------------------------------------------------------------


def submitted_report(client, unit_staff, entry):
    """The unit reports one activity and a result, and sends it; returns the unit's client."""
    client.force_login(unit_staff)
    data = form_data(
        entry, new_activities=[("2022-11-15", "ประชุมชี้แจง")], result="ผลที่ส่งครั้งแรก", percent=40, status="on_track"
    )
    assert client.post(f"/entries/{entry.pk}/", {**data, "and_submit": "1"}).status_code == 302
    assert ProgressEntry.objects.get(pk=entry.pk).state == State.SUBMITTED
    return client


@pytest.mark.parametrize("action, comment", [("approve", ""), ("return", "ขอเอกสารเพิ่ม")])
def test_a_step_on_a_version_that_changed_since_is_refused_with_both_versions(
    client, unit_staff, officer, entry, action, comment
):
    unit_client = submitted_report(client, unit_staff, entry)
    reviewer = client_for(officer)
    page = reviewer.get(f"/entries/{entry.pk}/")
    seen = step_revision_in(page, action)
    assert "ผลที่ส่งครั้งแรก" in visible(page)

    # The unit takes the report back, changes it and sends it again while the officer reads it.
    assert unit_client.post(f"/entries/{entry.pk}/withdraw/", step_data(entry)).status_code == 302
    changed = form_data(
        entry, result="ผลที่แก้หลังส่ง", percent=70, new_activities=[("2022-12-01", "อบรมเพิ่มเติม")], and_submit="1"
    )
    assert unit_client.post(f"/entries/{entry.pk}/", changed).status_code == 302

    refused = reviewer.post(f"/entries/{entry.pk}/{action}/", {"revision": seen, "comment": comment})

    assert refused.status_code == 409
    saved = ProgressEntry.objects.get(pk=entry.pk)
    assert saved.state == State.SUBMITTED
    assert list(ReviewEvent.objects.filter(entry=entry).values_list("action", flat=True)) == [
        Action.SUBMIT,
        Action.WITHDRAW,
        Action.SUBMIT,
    ]
    text = visible(refused)
    assert "รายงานถูกแก้ไขหลังจากที่คุณเปิดดู จึงยังไม่ได้ดำเนินการใด" in text
    table = visible_table(refused)
    # What the officer saw and what is there now, field by field where they differ.
    assert ["ผลการดำเนินงาน", "ผลที่ส่งครั้งแรก", "ผลที่แก้หลังส่ง"] in table
    assert ["ความคืบหน้า ร้อยละ", "40", "70"] in table
    assert ["กิจกรรมที่ดำเนินการ", "15 พ.ย. 65 ประชุมชี้แจง", "15 พ.ย. 65 ประชุมชี้แจง 1 ธ.ค. 65 อบรมเพิ่มเติม"] in table
    assert not any(row[0] == "ปัญหาอุปสรรค" for row in table)  # unchanged fields are not listed
    assert comment in refused.text  # the reason typed is kept

    # The buttons now carry the current version: one more click takes the step on it.
    assert step_revision_in(refused, action) == saved.revision
    again = reviewer.post(f"/entries/{entry.pk}/{action}/", {"revision": saved.revision, "comment": comment})
    assert again.status_code == 302
    assert ProgressEntry.objects.get(pk=entry.pk).state == (State.APPROVED if action == "approve" else State.RETURNED)


def test_an_approval_after_a_file_was_removed_is_refused_and_names_the_file(client, unit_staff, officer, entry):
    client.force_login(unit_staff)
    data = {**form_data(entry, result="ผลที่ส่ง", and_submit="1"), "files": [upload("ภาพกิจกรรม.pdf", PDF)]}
    assert client.post(f"/entries/{entry.pk}/", data).status_code == 302
    reviewer = client_for(officer)
    seen = step_revision_in(reviewer.get(f"/entries/{entry.pk}/"), "approve")

    # The unit takes the report back, removes the file and sends the report again.
    item = Evidence.objects.get(entry=entry)
    assert client.post(f"/entries/{entry.pk}/withdraw/", step_data(entry)).status_code == 302
    assert client.post(f"/entries/{entry.pk}/evidence/{item.pk}/delete/").status_code == 302
    assert client.post(f"/entries/{entry.pk}/submit/", step_data(entry)).status_code == 302
    refused = reviewer.post(f"/entries/{entry.pk}/approve/", {"revision": seen})

    assert refused.status_code == 409
    assert ["ไฟล์หลักฐาน", "ภาพกิจกรรม.pdf", "–"] in visible_table(refused)
    assert ProgressEntry.objects.get(pk=entry.pk).state == State.SUBMITTED


def test_a_step_without_the_version_seen_is_refused(client, unit_staff, officer, entry):
    submitted_report(client, unit_staff, entry)
    client.force_login(officer)

    response = client.post(f"/entries/{entry.pk}/approve/", {"comment": "ถูกต้อง"})

    assert response.status_code == 200
    assert "หน้านี้ไม่มีรุ่นของรายงานที่แสดงอยู่" in visible(response)
    assert ProgressEntry.objects.get(pk=entry.pk).state == State.SUBMITTED


def visible_table(response):
    """The rows of the "what you saw / now" table, each as its cells' visible text."""

    table = re.search(r'<div class="problems" role="alert" id="changed">.*?</table>', response.text, re.S)[0]
    rows = re.findall(r"<tr>(.*?)</tr>", table, re.S)
    cells = [re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S) for row in rows]
    clean = lambda cell: " ".join(html.unescape(re.sub(r"<[^>]+>", " ", cell)).split())  # noqa: E731
    return [[clean(cell) for cell in row] for row in cells]


# --- Simultaneous steps -----------------------------------------------------------------------

SIMULTANEOUS = [
    # (first, second, the state both started from)
    ("approve", "approve", State.SUBMITTED),
    ("approve", "return", State.SUBMITTED),
    ("return", "return", State.SUBMITTED),
    ("submit", "submit", State.DRAFT),
    ("reopen", "reopen", State.APPROVED),
]


@pytest.mark.parametrize("first, second, start", SIMULTANEOUS)
def test_simultaneous_steps_take_exactly_one(threads_db, agency, unit, unit_staff, officer, first, second, start):
    factories.assessment(agency, 2565, {"I20": "70.70"})
    measure = factories.measure(agency, 2566, "สื่อสารแนวปฏิบัติ", lead_unit=unit, items=["I20"])
    entry = measure.entries.get(round__kind="q1")
    ProgressEntry.objects.filter(pk=entry.pk).update(state=start, result="ดำเนินการแล้ว")
    # Two people: the unit and an officer both may send a report; two officers review.
    clients = [
        client_for(unit_staff if first == "submit" else officer),
        client_for(factories.member("officer2", agency, "officer")),
    ]
    data = {"revision": 0, "comment": "เหตุผล"}

    responses = at_once(
        lambda: clients[0].post(f"/entries/{entry.pk}/{first}/", data),
        lambda: clients[1].post(f"/entries/{entry.pk}/{second}/", data),
    )

    codes = sorted(getattr(r, "status_code", r) for r in responses)
    assert codes == [200, 302], responses
    events = list(ReviewEvent.objects.filter(entry=entry).values_list("action", flat=True))
    assert len(events) == 1 and events[0] in (first, second)
    saved = ProgressEntry.objects.get(pk=entry.pk)
    assert saved.revision == 1
    winner = first if responses[0].status_code == 302 else second
    assert events == [winner]

    assert saved.state == TRANSITIONS[winner][1]
