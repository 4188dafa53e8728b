"""send_reminders: unit members are e-mailed, in Thai, the reports their unit still owes."""

import datetime
import io

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from measures import reminders
from measures.actions import do_review_step, ensure_rounds
from measures.models import Action, ProgressEntry, ReminderLog, ReportingRound
from tests import factories

# Fiscal year 2569's rounds are due 31 Dec 2025, 31 Mar, 30 Jun and 30 Sep 2026. On 25 March
# 2026 the first is 84 days overdue and the second due in 6 days; the others are not due yet.
TODAY = "2026-03-25"


def remind(*args):
    out = io.StringIO()
    call_command("send_reminders", "--today", TODAY, *args, stdout=out)
    return out.getvalue()


def entry(measure, kind, unit=None):
    return ProgressEntry.objects.get(measure=measure, round__kind=kind, **({"unit": unit} if unit else {}))


def with_email(account, address=None):
    account.email = address or f"{account.username}@example.org"
    account.save()
    return account


@pytest.fixture
def staff(unit_staff):
    return with_email(unit_staff)


@pytest.fixture
def measure(agency, unit):
    return factories.measure(agency, 2569, "เผยแพร่คู่มือการให้บริการประชาชน", lead_unit=unit, items=["i1"])


def test_reminds_of_reports_due_within_the_days_and_overdue_ones(staff, measure):
    output = remind()

    [message] = mail.outbox
    assert message.to == ["unitstaff@example.org"]
    assert f"/entries/{entry(measure, 'q1').pk}/" in message.body
    assert f"/entries/{entry(measure, 'q2').pk}/" in message.body
    assert f"/entries/{entry(measure, 'q3').pk}/" not in message.body  # due 30 June: not yet
    assert "Sent 1 reminders to 1 people; 2 entries" in output


def test_more_days_reach_further(staff, measure):
    remind("--days", "100")

    [message] = mail.outbox
    assert f"/entries/{entry(measure, 'q3').pk}/" in message.body
    assert f"/entries/{entry(measure, 'q4').pk}/" not in message.body


def test_submitted_and_approved_reports_are_not_reminded(staff, officer, measure):
    do_review_step(entry=entry(measure, "q1"), action=Action.SUBMIT, user=staff)
    do_review_step(entry=entry(measure, "q2"), action=Action.SUBMIT, user=staff)
    do_review_step(entry=entry(measure, "q2"), action=Action.APPROVE, user=officer)

    output = remind()

    assert mail.outbox == []
    assert "Sent 0 reminders to 0 people; 0 entries" in output


def test_rounds_the_units_do_not_report_in_are_left_out(staff, measure, agency):
    ReportingRound.objects.filter(agency=agency, fiscal_year=2569, kind="q1").update(active=False)

    remind()

    [message] = mail.outbox
    assert f"/entries/{entry(measure, 'q1').pk}/" not in message.body
    assert f"/entries/{entry(measure, 'q2').pk}/" in message.body


def test_the_mail_is_in_thai_with_buddhist_era_dates_and_links(staff, measure, settings):
    settings.SITE_URL = "https://ita.example.go.th"

    remind()

    [message] = mail.outbox
    assert message.subject == "[ITA Tracker] รายงานผลมาตรการที่ใกล้ครบกำหนด/เลยกำหนด – ส.บก. (AG1)"
    body = message.body
    assert "เผยแพร่คู่มือการให้บริการประชาชน" in body
    assert "สำนักงานบริหารกลาง หน่วยงานทดสอบหนึ่ง" in body
    assert "31 ธันวาคม 2568" in body and "เลยกำหนด 84 วัน" in body
    assert "31 มีนาคม 2569" in body and "อีก 6 วันครบกำหนด" in body
    assert "ไตรมาสที่ 1 (ต.ค.–ธ.ค.) ปีงบประมาณ 2569" in body
    assert f"https://ita.example.go.th/entries/{entry(measure, 'q2').pk}/" in body
    assert "2026" not in body  # no Christian-era dates
    assert body.index("ไตรมาสที่ 1") < body.index("ไตรมาสที่ 2")  # oldest first


def test_one_mail_per_member_of_the_unit(staff, measure, agency, unit):
    colleague = with_email(factories.member("colleague", agency, "unit_staff"))
    unit.members.add(colleague)

    output = remind()

    assert sorted(message.to[0] for message in mail.outbox) == ["colleague@example.org", "unitstaff@example.org"]
    assert all(len(message.to) == 1 for message in mail.outbox)
    assert "Sent 2 reminders to 2 people; 2 entries" in output


def test_each_unit_hears_only_of_its_own_reports(staff, other_unit_staff, measure, agency, other_unit):
    with_email(other_unit_staff)
    theirs = factories.measure(agency, 2569, "ตรวจสอบพัสดุประจำปี", lead_unit=other_unit, items=["i10"])

    remind()

    mine = next(m for m in mail.outbox if m.to == ["unitstaff@example.org"])
    other = next(m for m in mail.outbox if m.to == ["otherunitstaff@example.org"])
    assert "ตรวจสอบพัสดุประจำปี" not in mine.body and "เผยแพร่คู่มือ" in mine.body
    assert "เผยแพร่คู่มือ" not in other.body and f"/entries/{entry(theirs, 'q2').pk}/" in other.body


def test_members_without_an_email_address_are_skipped_and_reported(unit_staff, measure):
    output = remind()

    assert mail.outbox == []
    assert "Skipped unitstaff (ส.บก.): no e-mail address" in output
    assert "skipped 1 members without an e-mail address" in output


def test_units_without_members_are_reported(measure):
    output = remind()

    assert mail.outbox == []
    assert "Nobody to remind in ส.บก. (AG1): the unit has no members" in output


def test_never_twice_on_the_same_day(staff, measure):
    remind()
    again = remind()

    assert len(mail.outbox) == 1
    assert "Sent 0 reminders to 0 people" in again
    assert "2 reminders already sent today" in again
    assert ReminderLog.objects.filter(user=staff).count() == 2

    call_command("send_reminders", "--today", "2026-03-26", stdout=io.StringIO())
    assert len(mail.outbox) == 2  # the next day, once more


def test_a_new_entry_is_reminded_the_same_day(staff, measure, agency, unit):
    remind()
    added = factories.measure(agency, 2569, "มาตรการที่เพิ่มภายหลัง", lead_unit=unit, items=["i2"])

    remind()

    assert len(mail.outbox) == 2
    assert "มาตรการที่เพิ่มภายหลัง" in mail.outbox[1].body
    assert "เผยแพร่คู่มือ" not in mail.outbox[1].body
    assert f"/entries/{entry(added, 'q1').pk}/" in mail.outbox[1].body


def test_dry_run_lists_but_sends_and_records_nothing(staff, measure):
    output = remind("--dry-run")

    assert mail.outbox == []
    assert not ReminderLog.objects.exists()
    assert "Would send to unitstaff@example.org: ส.บก., 2 entries" in output
    assert "Dry run: would send 1 reminders to 1 people" in output


def test_returned_reports_say_so_with_the_officers_comment(staff, officer, measure):
    returned = entry(measure, "q1")
    do_review_step(entry=returned, action=Action.SUBMIT, user=staff)
    do_review_step(entry=returned, action=Action.RETURN, user=officer, comment="กรุณาแนบภาพกิจกรรมและระบุวันที่")

    remind()

    body = mail.outbox[0].body
    assert "เจ้าหน้าที่ด้านคุณธรรมส่งกลับให้แก้ไข: “กรุณาแนบภาพกิจกรรมและระบุวันที่”" in body
    assert body.count("ส่งกลับให้แก้ไข") == 1  # only the returned one


def test_a_date_that_is_not_iso_is_refused(db):
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("send_reminders", "--today", "25/03/2569", stdout=io.StringIO())


def test_fixed_number_of_queries_however_many_units_and_entries(agency):
    def unit_with_reports(n):
        # Unit staff of the agency: a unit's member without a membership in it is no longer reminded.
        member = with_email(factories.member(f"member{n}", agency, "unit_staff"))
        unit = factories.unit(agency, f"หน่วยงานย่อย {n}", f"ย.{n}", members=[member])
        ensure_rounds(agency=agency, fiscal_year=2569)
        factories.measure(agency, 2569, f"มาตรการ {n}", lead_unit=unit, items=["i1"])

    unit_with_reports(0)
    today = datetime.date.fromisoformat(TODAY)
    with CaptureQueriesContext(connection) as one:
        [reminder.message(today) for reminder in reminders.plan_reminders(today=today, days=7).reminders]
    for n in range(1, 10):
        unit_with_reports(n)
    with CaptureQueriesContext(connection) as ten:
        plan = reminders.plan_reminders(today=today, days=7)
        [reminder.message(today) for reminder in plan.reminders]

    assert len(plan.reminders) == 10
    assert len(one) == len(ten)


def test_someone_removed_from_the_agency_is_not_reminded(staff, measure, agency, unit):
    colleague = with_email(factories.member("colleague", agency, "unit_staff"))
    unit.members.add(colleague)
    # Removed from the agency; their row in the unit's members is left behind.
    staff.memberships.filter(agency=agency).delete()

    output = remind()

    assert [message.to for message in mail.outbox] == [["colleague@example.org"]]
    assert not ReminderLog.objects.filter(user=staff).exists()
    assert "Sent 1 reminders to 1 people; 2 entries" in output
    assert "unitstaff" not in output
