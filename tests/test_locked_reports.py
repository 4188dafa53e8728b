"""Reports under review are locked for the unit, which may withdraw its submission until the
integrity office has reviewed it; a save into a report locked meanwhile saves nothing, keeps
everything typed on the page and says what happened and what to do (409, never a bare 403)."""

import re

import pytest
from django.conf import settings
from django.test import Client

from measures.actions import do_review_step
from measures.models import Action, Evidence, ProgressEntry, ReviewEvent, State
from tests import factories
from tests.clock import pinned
from tests.entries_support import PDF, form_data, step_data, upload, visible

pytestmark = pinned(2023, 1, 16)

SENT_MEANWHILE = "รายงานนี้ถูกส่งให้ศูนย์ปฏิบัติการต่อต้านการทุจริตตรวจสอบแล้วระหว่างที่คุณแก้ไข"
APPROVED_MEANWHILE = "รายงานนี้ได้รับการอนุมัติแล้วระหว่างที่คุณแก้ไข"
NOT_WITHDRAWN = "ไม่ได้รอการตรวจสอบแล้ว จึงถอนการส่งไม่ได้"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def entry(agency, unit):
    measure = factories.measure(agency, 2566, "สื่อสารแนวปฏิบัติการใช้ทรัพย์สินของราชการ", lead_unit=unit)
    return measure.entries.get(round__kind="q1")


@pytest.fixture
def unit_client(client, unit_staff):
    client.force_login(unit_staff)
    return client


def send(unit_client, entry, **fields):
    """The unit saves a result, with one activity, and sends the report."""
    data = form_data(entry, result="ผลที่ส่ง", new_activities=[("2022-11-15", "ประชุมชี้แจง")], **fields)
    assert unit_client.post(f"/entries/{entry.pk}/", {**data, "and_submit": "1"}).status_code == 302
    assert ProgressEntry.objects.get(pk=entry.pk).state == State.SUBMITTED


TYPED = {
    "result": "ผลที่พิมพ์ระหว่างตรวจ",
    "obstacles": "อุปสรรคที่พิมพ์ไว้",
    "suggestions": "ข้อเสนอที่พิมพ์ไว้",
    "percent": 80,
    "status": "delayed",
    "kpi_actual": "77.5",
    "links": "https://intranet.example.go.th/typed",
}


def assert_everything_typed_is_shown(response):
    text = response.text
    for value in ("ผลที่พิมพ์ระหว่างตรวจ", "อุปสรรคที่พิมพ์ไว้", "ข้อเสนอที่พิมพ์ไว้", "https://intranet.example.go.th/typed"):
        assert re.search(rf"<textarea[^>]*readonly[^>]*>\s*{re.escape(value)}</textarea>", text), value
    assert re.search(r'<input type="number" name="percent" value="80"[^>]*readonly', text)
    assert re.search(r'<input[^>]*name="kpi_actual" value="77.5"[^>]*readonly', text)
    assert re.search(r'<input type="radio" name="status" value="delayed"[^>]*disabled[^>]*checked', text)
    assert re.search(r"<textarea[^>]*readonly[^>]*>\s*กิจกรรมที่พิมพ์ไว้</textarea>", text)
    assert 'value="20/12/2565"' in text  # the date typed, shown back the Thai way
    # Nothing on the page sends the form.
    assert "บันทึกและส่งรายงาน" not in text and 'class="button primary">บันทึก<' not in text
    assert "js/activities.js" not in text


# --- Locked while under review ------------------------------------------------------------------


def test_unit_staff_see_a_submitted_report_without_a_form_and_with_the_withdraw_button(unit_client, entry):
    send(unit_client, entry)

    page = unit_client.get(f"/entries/{entry.pk}/")

    assert page.status_code == 200
    assert 'name="result"' not in page.text and "ผลที่ส่ง" in visible(page)
    assert f'action="/entries/{entry.pk}/withdraw/"' in page.text
    assert "ระหว่างการตรวจสอบจะแก้ไขรายงานไม่ได้ หากต้องการแก้ไข กรุณาถอนการส่ง" in visible(page)


def test_the_office_returns_a_submitted_report_and_is_offered_no_withdraw_button(client, unit_client, officer, entry):
    send(unit_client, entry)
    client.force_login(officer)

    page = client.get(f"/entries/{entry.pk}/")

    assert 'name="result"' not in page.text
    assert f'action="/entries/{entry.pk}/return/"' in page.text
    assert f'action="/entries/{entry.pk}/withdraw/"' not in page.text


@pytest.mark.parametrize("and_submit", [False, True])
def test_a_save_into_a_submitted_report_keeps_the_text_and_saves_nothing(unit_client, entry, and_submit):
    send(unit_client, entry)
    before = ProgressEntry.objects.get(pk=entry.pk)
    data = form_data(entry, new_activities=[("2022-12-20", "กิจกรรมที่พิมพ์ไว้")], **TYPED)
    data["files"] = [upload("ภาพกิจกรรม.pdf", PDF)]
    if and_submit:
        data["and_submit"] = "1"

    response = unit_client.post(f"/entries/{entry.pk}/", data)

    assert response.status_code == 409
    page = visible(response)
    assert SENT_MEANWHILE in page
    assert "กด “ถอนการส่ง” (ในส่วนการตรวจสอบ)" in page
    assert "ไฟล์ที่เลือกไว้ยังไม่ได้อัปโหลด" in page
    assert f'action="/entries/{entry.pk}/withdraw/"' in response.text
    assert_everything_typed_is_shown(response)
    saved = ProgressEntry.objects.get(pk=entry.pk)
    assert (saved.result, saved.percent, saved.revision, saved.state) == ("ผลที่ส่ง", 0, before.revision, State.SUBMITTED)
    assert list(saved.activities.values_list("text", flat=True)) == ["ประชุมชี้แจง"]
    assert not Evidence.objects.exists()
    assert list(ReviewEvent.objects.values_list("action", flat=True)) == [Action.SUBMIT]


def test_a_save_into_a_report_approved_meanwhile_keeps_the_text(client, unit_client, unit_staff, officer, entry):
    # The unit opens its returned report; a colleague sends it and the office approves it.
    send(unit_client, entry)
    do_review_step(entry=entry, action=Action.RETURN, user=officer, comment="ขอภาพกิจกรรม")
    typed = form_data(entry, new_activities=[("2022-12-20", "กิจกรรมที่พิมพ์ไว้")], **TYPED)
    do_review_step(entry=entry, action=Action.SUBMIT, user=unit_staff)
    do_review_step(entry=entry, action=Action.APPROVE, user=officer)

    response = unit_client.post(f"/entries/{entry.pk}/", typed)

    assert response.status_code == 409
    page = visible(response)
    assert APPROVED_MEANWHILE in page
    assert "กรุณาขอให้ศูนย์ปฏิบัติการต่อต้านการทุจริตเปิดให้แก้ไขอีกครั้ง" in page
    assert f'action="/entries/{entry.pk}/withdraw/"' not in response.text
    assert_everything_typed_is_shown(response)
    saved = ProgressEntry.objects.get(pk=entry.pk)
    assert (saved.result, saved.state) == ("ผลที่ส่ง", State.APPROVED)
    assert saved.activities.count() == 1


def test_a_save_into_a_locked_report_says_so_in_english_when_english_is_chosen(unit_client, officer, entry):
    send(unit_client, entry)
    do_review_step(entry=entry, action=Action.APPROVE, user=officer)
    unit_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    response = unit_client.post(f"/entries/{entry.pk}/", form_data(entry, result="typed while it was approved"))
    refused = unit_client.post(f"/entries/{entry.pk}/withdraw/", step_data(entry))

    assert response.status_code == 409 and response["Content-Language"] == "en"
    assert "This report was approved while you were editing, so nothing you typed was saved" in visible(response)
    assert "ask the integrity office to reopen it" in visible(response)
    assert "typed while it was approved" in response.text
    assert refused.status_code == 200
    assert "This report is Approved, no longer waiting for review, so it cannot be withdrawn." in visible(refused)


def test_evidence_of_a_submitted_report_is_not_removed(unit_client, entry):
    unit_client.post(f"/entries/{entry.pk}/", {**form_data(entry), "files": [upload("ภาพกิจกรรม.pdf", PDF)]})
    send(unit_client, entry)
    item = Evidence.objects.get()

    response = unit_client.post(f"/entries/{entry.pk}/evidence/{item.pk}/delete/", follow=True)

    assert response.status_code == 200
    assert "รายงานนี้อยู่ระหว่างการตรวจสอบของศูนย์ปฏิบัติการต่อต้านการทุจริต หากต้องการลบไฟล์ กรุณาถอนการส่งก่อน" in visible(response)
    assert Evidence.objects.filter(pk=item.pk).exists()


# --- Withdrawing ----------------------------------------------------------------------------------


def test_the_unit_withdraws_its_submission_once_and_may_edit_again(unit_client, entry):
    send(unit_client, entry)

    withdrawn = unit_client.post(f"/entries/{entry.pk}/withdraw/", step_data(entry), follow=True)
    again = unit_client.post(f"/entries/{entry.pk}/withdraw/", step_data(entry))

    assert withdrawn.redirect_chain == [(f"/entries/{entry.pk}/", 302)]
    assert "ถอนการส่งแล้ว รายงานกลับเป็นฉบับร่าง" in visible(withdrawn)
    assert 'name="result"' in withdrawn.text and "บันทึกและส่งรายงาน" in withdrawn.text
    assert again.status_code == 200
    assert "รายงานนี้อยู่ในสถานะ “ฉบับร่าง” " + NOT_WITHDRAWN in visible(again)
    assert ProgressEntry.objects.get(pk=entry.pk).state == State.DRAFT
    events = ReviewEvent.objects.filter(entry=entry).values_list("action", "user__username")
    assert list(events) == [(Action.SUBMIT, "unitstaff"), (Action.WITHDRAW, "unitstaff")]

    # The report, a draft again, is saved and sent once more.
    assert unit_client.post(f"/entries/{entry.pk}/", form_data(entry, result="ผลที่แก้แล้ว")).status_code == 302
    send(unit_client, entry)


@pytest.mark.parametrize(
    "step, comment, state_name", [(Action.APPROVE, "", "อนุมัติแล้ว"), (Action.RETURN, "ขอเอกสารเพิ่ม", "ส่งกลับให้แก้ไข")]
)
def test_a_reviewed_report_cannot_be_withdrawn(unit_client, officer, entry, step, comment, state_name):
    send(unit_client, entry)
    seen = step_data(entry)
    do_review_step(entry=entry, action=step, user=officer, comment=comment)

    response = unit_client.post(f"/entries/{entry.pk}/withdraw/", seen)

    assert response.status_code == 200
    assert f"รายงานนี้อยู่ในสถานะ “{state_name}” {NOT_WITHDRAWN}" in visible(response)
    saved = ProgressEntry.objects.get(pk=entry.pk)
    assert saved.state == (State.APPROVED if step == Action.APPROVE else State.RETURNED)
    assert not ReviewEvent.objects.filter(action=Action.WITHDRAW).exists()


@pytest.mark.parametrize(
    "who, status", [("anonymous", 302), ("outsider", 404), ("other_unit_staff", 404), ("executive", 403)]
)
def test_nobody_else_withdraws_the_units_report(request, unit_client, entry, who, status):
    send(unit_client, entry)
    other = Client()
    if who != "anonymous":
        other.force_login(request.getfixturevalue(who))

    response = other.post(f"/entries/{entry.pk}/withdraw/", step_data(entry))

    assert response.status_code == status
    if who == "anonymous":
        assert response.url.startswith("/accounts/login/")
    assert ProgressEntry.objects.get(pk=entry.pk).state == State.SUBMITTED
    assert not ReviewEvent.objects.filter(action=Action.WITHDRAW).exists()


def test_the_history_and_the_review_steps_show_the_withdrawal(client, unit_client, officer, entry):
    send(unit_client, entry)
    assert unit_client.post(f"/entries/{entry.pk}/withdraw/", step_data(entry)).status_code == 302
    client.force_login(officer)

    history = visible(client.get(f"/entries/{entry.pk}/history/"))
    steps = visible(client.get(f"/entries/{entry.pk}/")).split("ขั้นตอนการตรวจสอบ")[1]

    assert "ถอนการส่ง" in history and "unitstaff" in history
    assert steps.index("ส่งแล้ว") < steps.index("ถอนการส่ง")


def test_a_withdrawn_report_is_a_draft_again_for_the_counts_and_the_reminders(unit_client, entry):
    send(unit_client, entry)
    assert not ProgressEntry.objects.open().filter(pk=entry.pk).exists()

    unit_client.post(f"/entries/{entry.pk}/withdraw/", step_data(entry))

    assert ProgressEntry.objects.open().filter(pk=entry.pk).exists()
    assert ProgressEntry.objects.get(pk=entry.pk).state == State.DRAFT
