"""Notifications of the review steps: a unit submits → the agency's reviewers; the office returns,
approves or reopens → the unit's members. In the app (the bell, the list, marking read) and by
e-mail from the worker, in each person's language, once per event and person, as each chose."""

import datetime
import io
import logging
import re
import smtplib

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.core.management import CommandError, call_command

from accounts.models import EmailNotifications, Preferences
from assessments.models import Membership
from measures.actions import do_review_step
from measures.models import Action, ProgressEntry, ReviewEvent, State, Status
from notifications.models import Notification
from notifications.tasks import send_notification_mail
from tests import factories
from tests.clock import pinned
from tests.entries_support import step_data

pytestmark = pinned(2026, 11, 20, 10, 0)

MEASURE = "มาตรการป้องกันการรับสินบน"
TH_RETURNED = "ส่งกลับรายงานผลการดำเนินงานของ ส.บก. ในมาตรการ “มาตรการป้องกันการรับสินบน”"


class MailServerDown(BaseEmailBackend):
    """A mail server that cannot be reached."""

    def send_messages(self, email_messages):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


def bell(html):
    """The unread count the menu's bell shows."""
    return int(re.search(r'class="bell[^"]*".*?</svg> (\d+)</a>', html, re.S)[1])


@pytest.fixture
def entry(agency, unit):
    measure = factories.measure(agency, 2570, MEASURE, lead_unit=unit)
    entry = measure.entries.get(round__kind="q1")
    ProgressEntry.objects.filter(pk=entry.pk).update(result="จัดอบรมแล้ว", percent=50, status=Status.ON_TRACK)
    return entry


@pytest.fixture
def agency_admin(agency):
    return factories.member("agencyadmin", agency, "agency_admin")


@pytest.fixture
def cast(agency, officer, agency_admin, executive, unit_staff, other_unit_staff, outsider, superuser, unit):
    """Everyone, each with an e-mail address; a second member of ส.บก., and two who must never be told:
    an officer whose account is switched off, and a former member of ส.บก. who left the agency."""
    inactive = factories.member("inactiveofficer", agency, "officer")
    inactive.is_active = False
    inactive.save()
    colleague = factories.member("colleague", agency, "unit_staff")
    former = factories.member("former", agency, "unit_staff")
    unit.members.add(colleague, former)
    Membership.objects.filter(user=former, agency=agency).delete()
    people = [officer, agency_admin, executive, unit_staff, other_unit_staff, outsider, superuser, inactive]
    for person in [*people, colleague, former]:
        person.email = f"{person.username}@example.go.th"
        person.save(update_fields=["email"])
    return {person.username: person for person in [*people, colleague, former]}


def run_worker(monkeypatch):
    """Run `manage.py db_worker` until the queue is empty, inside the test's transaction (as the bundles' tests do)."""
    monkeypatch.setattr("django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None)
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)


def told(event):
    return set(Notification.objects.filter(event=event).values_list("user__username", flat=True))


def submit(client, user, entry):
    client.force_login(user)
    return client.post(f"/entries/{entry.pk}/submit/", step_data(entry))


def choose(user, **preferences):
    Preferences.objects.update_or_create(user=user, defaults=preferences)


def test_a_submitted_report_notifies_the_agencys_reviewers_only(
    client, cast, entry, unit_staff, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = submit(client, unit_staff, entry)

    assert response.status_code == 302
    event = ReviewEvent.objects.get(action=Action.SUBMIT)
    # Not the executive, the unit's staff, another agency's officer, the system administrator,
    # the switched-off officer, nor the one who submitted.
    assert told(event) == {"officer", "agencyadmin"}
    assert Notification.objects.count() == 2


def test_returning_approving_and_reopening_notify_the_units_members_only(cast, entry, officer):
    ProgressEntry.objects.filter(pk=entry.pk).update(state=State.SUBMITTED)

    do_review_step(entry=entry, action=Action.RETURN, user=officer, comment="แนบภาพกิจกรรมด้วย")
    ProgressEntry.objects.filter(pk=entry.pk).update(state=State.SUBMITTED)
    do_review_step(entry=entry, action=Action.APPROVE, user=officer)
    do_review_step(entry=entry, action=Action.REOPEN, user=officer, comment="ตัวเลขผิด")

    events = ReviewEvent.objects.order_by("pk")
    assert [event.action for event in events] == [Action.RETURN, Action.APPROVE, Action.REOPEN]
    # ส.บก.'s members still in the agency: not กจ.'s staff, not the former member, not the officer.
    assert [told(event) for event in events] == [{"unitstaff", "colleague"}] * 3
    assert Notification.objects.count() == 6


def test_other_review_steps_notify_no_one(cast, entry, officer):
    ReviewEvent.objects.create(entry=entry, action="withdraw", user=cast["unitstaff"])

    assert not Notification.objects.exists()


def test_each_event_is_e_mailed_once_to_each_person_even_when_the_task_runs_again(
    client, cast, entry, unit_staff, monkeypatch, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        submit(client, unit_staff, entry)
    run_worker(monkeypatch)

    assert sorted(message.to[0] for message in mail.outbox) == ["agencyadmin@example.go.th", "officer@example.go.th"]
    ids = list(Notification.objects.values_list("pk", flat=True))
    assert Notification.objects.filter(emailed_at=None).count() == 0

    send_notification_mail.call(ids)  # the task again, as a retry would
    call_command("send_notification_digest", stdout=io.StringIO())

    assert len(mail.outbox) == 2


def test_the_e_mail_is_in_the_recipients_language_with_a_link_to_the_entry(
    cast, entry, officer, settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "https://ita.example.go.th"
    choose(cast["unitstaff"], language="en")
    ProgressEntry.objects.filter(pk=entry.pk).update(state=State.SUBMITTED)

    with django_capture_on_commit_callbacks(execute=True):
        do_review_step(entry=entry, action=Action.RETURN, user=officer, comment="แนบภาพกิจกรรมด้วย")
    run_worker(monkeypatch)

    by_person = {message.to[0]: message for message in mail.outbox}
    assert set(by_person) == {"unitstaff@example.go.th", "colleague@example.go.th"}
    english, thai = by_person["unitstaff@example.go.th"], by_person["colleague@example.go.th"]
    link = f"https://ita.example.go.th/entries/{entry.pk}/"
    assert english.subject == (
        f"[ITA Tracker] officer returned the progress report of ส.บก. on “{MEASURE}” (Quarter 1 2570) for changes."
    )
    assert "Comment: “แนบภาพกิจกรรมด้วย”" in english.body
    assert link in english.body and "https://ita.example.go.th/notifications/" in english.body
    assert thai.subject.startswith(f"[ITA Tracker] officer {TH_RETURNED}")
    assert thai.subject.endswith("ให้แก้ไข")
    assert "ความเห็น: “แนบภาพกิจกรรมด้วย”" in thai.body and link in thai.body
    assert "Dear" not in thai.body


def test_with_e_mail_off_the_notification_is_in_the_app_only(
    client, cast, entry, unit_staff, officer, monkeypatch, django_capture_on_commit_callbacks
):
    choose(officer, email_notifications=EmailNotifications.OFF)

    with django_capture_on_commit_callbacks(execute=True):
        submit(client, unit_staff, entry)
    run_worker(monkeypatch)
    call_command("send_notification_digest", stdout=io.StringIO())

    assert [message.to[0] for message in mail.outbox] == ["agencyadmin@example.go.th"]
    assert Notification.objects.get(user=officer).emailed_at is None
    client.force_login(officer)
    assert bell(client.get("/my/updates/").text) == 1


def test_the_daily_digest_sends_one_e_mail_listing_the_days_notifications(
    cast, agency, unit, officer, monkeypatch, time_machine, django_capture_on_commit_callbacks
):
    choose(cast["unitstaff"], email_notifications=EmailNotifications.DAILY_DIGEST)
    first = factories.measure(agency, 2570, "มาตรการที่หนึ่ง", lead_unit=unit).entries.get(round__kind="q1")
    second = factories.measure(agency, 2570, "มาตรการที่สอง", lead_unit=unit).entries.get(round__kind="q1")
    ProgressEntry.objects.filter(pk__in=[first.pk, second.pk]).update(state=State.SUBMITTED)
    with django_capture_on_commit_callbacks(execute=True):
        do_review_step(entry=first, action=Action.APPROVE, user=officer)
        do_review_step(entry=second, action=Action.APPROVE, user=officer)
    run_worker(monkeypatch)

    assert [message.to[0] for message in mail.outbox] == ["colleague@example.go.th"] * 2
    time_machine.shift(datetime.timedelta(hours=20))
    call_command("send_notification_digest", stdout=io.StringIO())
    call_command("send_notification_digest", stdout=io.StringIO())  # again: nothing more

    digests = [message for message in mail.outbox if message.to == ["unitstaff@example.go.th"]]
    assert len(digests) == 1 and len(mail.outbox) == 3
    assert digests[0].subject == "[ITA Tracker] การแจ้งเตือน 2 รายการในวันที่ผ่านมา"
    assert "1. officer อนุมัติรายงาน" in digests[0].body and "2. officer อนุมัติรายงาน" in digests[0].body
    assert f"/entries/{first.pk}/" in digests[0].body and f"/entries/{second.pk}/" in digests[0].body
    assert not Notification.objects.filter(emailed_at=None).exists()


def test_a_step_succeeds_while_the_mail_server_is_down_and_the_mail_waits_for_a_retry(
    client, cast, entry, officer, settings, monkeypatch, time_machine, caplog, django_capture_on_commit_callbacks
):
    settings.MAILERS = {"default": {"BACKEND": "tests.test_notifications.MailServerDown"}}
    ProgressEntry.objects.filter(pk=entry.pk).update(state=State.SUBMITTED)
    client.force_login(officer)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/entries/{entry.pk}/approve/", step_data(entry))
    with caplog.at_level(logging.WARNING, logger="notifications.mail"):
        run_worker(monkeypatch)

    assert response.status_code == 302
    assert ProgressEntry.objects.get(pk=entry.pk).state == State.APPROVED
    assert Notification.objects.filter(emailed_at=None).count() == 2
    assert "The mail server refused notifications" in caplog.text
    assert mail.outbox == []

    # The next morning the server is back: the digest run sends what it refused, once.
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    time_machine.shift(datetime.timedelta(hours=21))
    call_command("send_notification_digest", stdout=io.StringIO())

    assert sorted(message.to[0] for message in mail.outbox) == ["colleague@example.go.th", "unitstaff@example.go.th"]
    assert not Notification.objects.filter(emailed_at=None).exists()


def test_the_digest_fails_loudly_when_the_mail_server_is_down(cast, entry, officer, settings, time_machine):
    settings.MAILERS = {"default": {"BACKEND": "tests.test_notifications.MailServerDown"}}
    choose(cast["unitstaff"], email_notifications=EmailNotifications.DAILY_DIGEST)
    ProgressEntry.objects.filter(pk=entry.pk).update(state=State.SUBMITTED)
    do_review_step(entry=entry, action=Action.APPROVE, user=officer)
    time_machine.shift(datetime.timedelta(hours=1))

    with pytest.raises(CommandError, match="the mail server refused 2"):
        call_command("send_notification_digest", stdout=io.StringIO())

    assert Notification.objects.filter(emailed_at=None).count() == 2


def test_a_step_succeeds_when_its_e_mails_cannot_be_queued(
    client, cast, entry, officer, monkeypatch, caplog, django_capture_on_commit_callbacks
):
    class Unqueueable:
        def enqueue(self, *args):
            raise RuntimeError("the task queue is unavailable")

    monkeypatch.setattr("notifications.receivers.send_notification_mail", Unqueueable())
    ProgressEntry.objects.filter(pk=entry.pk).update(state=State.SUBMITTED)
    client.force_login(officer)

    with django_capture_on_commit_callbacks(execute=True), caplog.at_level(logging.ERROR):
        response = client.post(f"/entries/{entry.pk}/approve/", step_data(entry))

    assert response.status_code == 302
    assert ProgressEntry.objects.get(pk=entry.pk).state == State.APPROVED
    assert Notification.objects.count() == 2
    assert "Could not queue the e-mails" in caplog.text


def test_a_step_succeeds_when_no_one_can_be_notified(client, cast, entry, officer, monkeypatch, caplog):
    def broken(event):
        raise RuntimeError("broken")

    monkeypatch.setattr("notifications.receivers.recipients", broken)
    ProgressEntry.objects.filter(pk=entry.pk).update(state=State.SUBMITTED)
    client.force_login(officer)

    response = client.post(f"/entries/{entry.pk}/approve/", step_data(entry))

    assert response.status_code == 302
    assert ProgressEntry.objects.get(pk=entry.pk).state == State.APPROVED
    assert not Notification.objects.exists()
    assert "Could not notify anyone" in caplog.text


# --- In the app ---------------------------------------------------------------------------------


def approvals(entry, officer, count):
    """`count` approvals of the entry by the officer, each notifying the unit's members."""
    for _ in range(count):
        ReviewEvent.objects.create(entry=entry, action=Action.APPROVE, user=officer)


def listed(response):
    return re.findall(r'<li class="notification[^"]*">', response.text)


@pytest.mark.parametrize("count", [1, 30])
def test_the_bell_and_the_list_cost_the_same_queries_for_one_or_thirty(
    client, cast, entry, officer, unit_staff, count, django_assert_num_queries
):
    approvals(entry, officer, count)
    client.force_login(unit_staff)

    with django_assert_num_queries(7):
        response = client.get("/notifications/")

    assert response.status_code == 200
    assert len(listed(response)) == count
    assert bell(response.text) == count
    assert f'aria-label="การแจ้งเตือน {count} รายการที่ยังไม่ได้อ่าน"' in response.text


def test_the_list_shows_who_did_what_with_the_comment_newest_first_and_pages(client, cast, entry, officer, unit_staff):
    approvals(entry, officer, 30)
    ReviewEvent.objects.create(entry=entry, action=Action.REOPEN, user=officer, comment="ตัวเลขไม่ตรงกับหลักฐาน")
    client.force_login(unit_staff)

    first = client.get("/notifications/")
    second = client.get("/notifications/?page=2")

    assert len(listed(first)) == 30 and len(listed(second)) == 1
    text = first.text
    assert text.index("officer เปิดรายงานผลการดำเนินงานของ ส.บก.") < text.index("officer อนุมัติรายงาน")
    assert "ความเห็น:</strong> “ตัวเลขไม่ตรงกับหลักฐาน”" in text
    assert "หน้า 1 จาก 2" in text


def test_opening_a_notification_marks_it_read_and_goes_to_the_entry(client, cast, entry, officer, unit_staff):
    approvals(entry, officer, 2)
    client.force_login(unit_staff)
    opened, other = Notification.objects.filter(user=unit_staff).order_by("pk")

    response = client.post(f"/notifications/{opened.pk}/open/")

    assert response.status_code == 302 and response.url == f"/entries/{entry.pk}/"
    opened.refresh_from_db()
    other.refresh_from_db()
    assert opened.read_at is not None and other.read_at is None
    assert bell(client.get("/notifications/").text) == 1


def test_mark_one_then_all_as_read(client, cast, entry, officer, unit_staff):
    approvals(entry, officer, 3)
    client.force_login(unit_staff)
    one = Notification.objects.filter(user=unit_staff).first()

    response = client.post("/notifications/read/", {"notification": one.pk, "page": "1"})

    assert response.status_code == 302 and response.url == "/notifications/?page=1"
    assert Notification.objects.filter(user=unit_staff, read_at=None).count() == 2
    assert Notification.objects.filter(user=cast["colleague"], read_at=None).count() == 3  # theirs untouched

    client.post("/notifications/read/")

    assert Notification.objects.filter(user=unit_staff, read_at=None).count() == 0
    assert Notification.objects.filter(user=cast["colleague"], read_at=None).count() == 3
    assert bell(client.get("/notifications/").text) == 0


def test_another_persons_notification_is_not_found(client, cast, entry, officer, unit_staff):
    approvals(entry, officer, 1)
    theirs = Notification.objects.get(user=cast["colleague"])
    client.force_login(unit_staff)

    assert client.post(f"/notifications/{theirs.pk}/open/").status_code == 404
    assert client.post("/notifications/read/", {"notification": theirs.pk}).status_code == 404
    assert client.post("/notifications/read/", {"notification": "x"}).status_code == 404
    assert Notification.objects.get(pk=theirs.pk).read_at is None


def test_someone_who_lost_access_to_the_entry_no_longer_sees_its_notifications(
    client, cast, entry, officer, unit, unit_staff
):
    approvals(entry, officer, 1)
    mine = Notification.objects.get(user=unit_staff)
    unit.members.remove(unit_staff)
    client.force_login(unit_staff)

    page = client.get("/notifications/")

    assert listed(page) == [] and bell(page.text) == 0
    assert client.post(f"/notifications/{mine.pk}/open/").status_code == 404


# --- My account --------------------------------------------------------------------------------


def test_the_language_and_the_e_mails_are_chosen_on_my_account(client, unit_staff):
    client.force_login(unit_staff)
    page = client.get("/accounts/account/")
    assert "อีเมลสรุปวันละครั้ง" in page.text and "การแจ้งเตือนทางอีเมล" in page.text
    assert not Preferences.objects.exists()  # opening the page saved nothing

    response = client.post("/accounts/account/preferences/", {"language": "en", "email_notifications": "daily"})

    assert response.status_code == 302 and response.url == "/accounts/account/"
    preferences = Preferences.objects.get(user=unit_staff)
    assert (preferences.language, preferences.email_notifications) == ("en", EmailNotifications.DAILY_DIGEST)
    assert "One e-mail a day (digest)" in client.get("/accounts/account/").text  # the page is in English now


def test_a_bad_choice_on_my_account_changes_nothing_and_says_so(client, unit_staff):
    choose(unit_staff, language="th", email_notifications=EmailNotifications.OFF)
    client.force_login(unit_staff)

    response = client.post("/accounts/account/preferences/", {"language": "en", "email_notifications": "hourly"})

    assert response.status_code == 400
    assert "เลือกตัวเลือกที่ถูกต้อง" in response.text
    assert 'value="en" selected' in response.text  # the form keeps what was chosen
    preferences = Preferences.objects.get(user=unit_staff)
    assert (preferences.language, preferences.email_notifications) == ("th", EmailNotifications.OFF)
