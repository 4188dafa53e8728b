"""The review queue (ตรวจรายงาน): whose reports each reviewer sees, in which order and groups, its
filters, the counts of reports waiting (menu, plan, rounds), approving several at once, moving on
to the next report from the entry page, and a fixed number of queries however long it is."""

import datetime
import re
from urllib.parse import quote

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext

from measures.actions import claim_revision, do_review_step
from measures.models import Action, ProgressEntry, ReviewEvent, State
from measures.queue import PAGE_SIZE
from tests import factories
from tests.clock import BANGKOK, pinned

pytestmark = pinned(2026, 5, 15)


def at(day, hour=9):
    return datetime.datetime(2026, 4, day, hour, 0, tzinfo=BANGKOK)


def submit(entry, who, when):
    """The unit sends the report at `when`."""
    with time_machine.travel(when, tick=False):
        do_review_step(entry=entry, action=Action.SUBMIT, user=who)
    entry.refresh_from_db()
    return entry


def entry_of(measure, kind="q1", unit=None):
    entries = measure.entries.filter(round__kind=kind)
    return entries.get(unit=unit) if unit else entries.get()


def listed(response):
    """[(measure name, unit name, round kind)] of the queue page, in order."""
    return [(e.measure.name, e.unit.name, e.round.kind) for g in response.context["groups"] for e in g.entries]


def messages_of(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.fixture
def overseer(agency):
    ministry = factories.agency("MIN", "กระทรวงทดสอบ", agency_type="ministry")
    agency.parent = ministry
    agency.save()
    return factories.member("overseer", ministry, "executive", oversight=True)


@pytest.fixture
def sent(agency, other_agency, unit, other_unit, unit_staff):
    """AG1: two measures; Q1 of both sent (the second one first), Q2 of the first sent earliest,
    Q3 still a draft, Q4 approved. AG2: one measure, Q1 sent."""
    first = factories.measure(agency, 2569, "มาตรการแรก", lead_unit=unit)
    second = factories.measure(agency, 2569, "มาตรการที่สอง", lead_unit=other_unit)
    elsewhere_unit = factories.unit(other_agency, "กองของหน่วยงานอื่น")
    elsewhere = factories.measure(other_agency, 2569, "มาตรการของหน่วยงานอื่น", lead_unit=elsewhere_unit)
    entries = {
        "first-q1": submit(entry_of(first), unit_staff, at(10)),
        "second-q1": submit(entry_of(second), unit_staff, at(3)),
        "first-q2": submit(entry_of(first, "q2"), unit_staff, at(1)),
        "first-q4": submit(entry_of(first, "q4"), unit_staff, at(2)),
        "elsewhere-q1": submit(entry_of(elsewhere), unit_staff, at(5)),
    }
    do_review_step(entry=entries["first-q4"], action=Action.APPROVE, user=None)
    entries["first-q4"].refresh_from_db()
    return entries


# --- Who sees which reports -----------------------------------------------------------------------


def test_an_officer_sees_their_agencys_submitted_reports_grouped_by_round_oldest_first(client, officer, sent):
    client.force_login(officer)
    response = client.get("/review/")
    assert response.status_code == 200
    assert listed(response) == [
        ("มาตรการที่สอง", "กองการเจ้าหน้าที่", "q1"),
        ("มาตรการแรก", "สำนักงานบริหารกลาง", "q1"),
        ("มาตรการแรก", "สำนักงานบริหารกลาง", "q2"),
    ]
    assert [len(group.entries) for group in response.context["groups"]] == [2, 1]
    html = response.content.decode()
    assert "3 รายงาน" in html
    assert "มาตรการของหน่วยงานอื่น" not in html
    assert "10 เม.ย. 69 09:00" in html  # when the first measure's Q1 report was sent
    assert "unitstaff" in html  # who sent it


def test_an_officer_of_the_other_agency_sees_only_its_reports(client, outsider, sent):
    client.force_login(outsider)
    assert listed(client.get("/review/")) == [("มาตรการของหน่วยงานอื่น", "กองของหน่วยงานอื่น", "q1")]


def test_a_system_administrator_sees_every_agencys_reports_and_may_pick_one(client, superuser, sent):
    client.force_login(superuser)
    assert len(listed(client.get("/review/"))) == 4
    assert listed(client.get("/review/?agency=AG2")) == [("มาตรการของหน่วยงานอื่น", "กองของหน่วยงานอื่น", "q1")]


@pytest.mark.parametrize("who", ["unit_staff", "executive", "overseer"])
def test_those_who_review_nothing_are_refused_the_queue_and_have_no_menu_link(client, request, sent, who):
    user = request.getfixturevalue(who)
    client.force_login(user)
    assert client.get("/review/").status_code == 403
    assert client.post("/review/approve/", {"entries": [f"{sent['first-q1'].pk}:1"]}).status_code == 403
    assert ProgressEntry.objects.get(pk=sent["first-q1"].pk).state == State.SUBMITTED
    assert "ตรวจรายงาน" not in client.get("/my/updates/").content.decode()


def test_anonymous_users_are_sent_to_sign_in(client, sent):
    assert client.get("/review/").url.startswith("/accounts/login/")


# --- Filters -------------------------------------------------------------------------------------


def test_filters_by_round_unit_measure_year_and_state(client, officer, other_unit, sent):
    client.force_login(officer)
    assert [row[2] for row in listed(client.get("/review/?round=q2"))] == ["q2"]
    assert [row[0] for row in listed(client.get(f"/review/?unit={other_unit.pk}"))] == ["มาตรการที่สอง"]
    assert [row[0] for row in listed(client.get("/review/?measure=แรก"))] == ["มาตรการแรก", "มาตรการแรก"]
    assert listed(client.get("/review/?year=2568")) == []
    assert listed(client.get("/review/?state=approved")) == [("มาตรการแรก", "สำนักงานบริหารกลาง", "q4")]
    # Looking back at approved reports offers nothing to approve.
    assert 'name="entries"' not in client.get("/review/?state=approved").content.decode()


def test_a_bad_filter_says_so_and_keeps_what_was_typed(client, officer, sent):
    client.force_login(officer)
    response = client.get("/review/?year=99999&round=q9&measure=แรก")
    assert response.status_code == 200
    html = response.content.decode()
    assert "กรุณาแก้ไขตัวกรองที่มีเครื่องหมาย" in html
    assert 'value="99999"' in html and 'value="แรก"' in html
    assert "ReviewEvent" not in html
    assert [row[0] for row in listed(response)] == ["มาตรการแรก", "มาตรการแรก"]  # the valid filter still applies


# --- Counts --------------------------------------------------------------------------------------


def test_the_menu_counts_the_reports_waiting_for_each_reviewer(client, officer, outsider, unit_staff, sent):
    client.force_login(officer)
    html = client.get("/my/updates/").content.decode()
    assert re.search(r'href="/review/">ตรวจรายงาน <span class="badge"[^>]*>3</span>', html)
    client.force_login(outsider)
    assert re.search(r'>ตรวจรายงาน <span class="badge"[^>]*>1</span>', client.get("/my/updates/").content.decode())


def test_the_plan_and_rounds_pages_count_the_reports_waiting_per_round(client, officer, executive, sent):
    client.force_login(officer)
    plan = client.get("/agencies/AG1/2569/plan/").content.decode()
    assert "รายงานรอการตรวจ 3 รายการ" in plan
    assert 'href="/review/?agency=AG1&amp;year=2569"' in plan
    rounds = client.get("/agencies/AG1/2569/rounds/").content.decode()
    waiting = re.findall(r'<td class="num waiting">(.*?)</td>', rounds)
    assert waiting == [
        '<a href="/review/?agency=AG1&amp;year=2569&amp;round=q1">2</a>',
        '<span class="muted">0</span>',
        '<a href="/review/?agency=AG1&amp;year=2569&amp;round=q2">1</a>',
        '<span class="muted">0</span>',
        '<span class="muted">0</span>',
        '<span class="muted">0</span>',
    ]
    # Executives read the plan but review nothing: no count.
    client.force_login(executive)
    assert "รอการตรวจ" not in client.get("/agencies/AG1/2569/plan/").content.decode()
    assert "waiting" not in client.get("/agencies/AG1/2569/rounds/").content.decode()


# --- Approving several at once -----------------------------------------------------------------


def test_approve_selected_takes_one_step_each_and_skips_changed_and_foreign_reports(client, officer, sent):
    client.force_login(officer)
    page = client.get("/review/?round=q1").content.decode()
    tokens = re.findall(r'name="entries" value="([0-9]+:[0-9]+)"', page)
    assert len(tokens) == 2
    first_q1, second_q1, elsewhere = sent["first-q1"], sent["second-q1"], sent["elsewhere-q1"]
    assert claim_revision(ProgressEntry, second_q1.pk, second_q1.revision)  # the unit saved it meanwhile
    data = {"entries": [*tokens, f"{elsewhere.pk}:{elsewhere.revision}"], "queue": "round=q1"}
    response = client.post("/review/approve/", data)
    assert response.status_code == 302 and response.url == "/review/?round=q1&state=submitted"
    assert dict(
        ProgressEntry.objects.values_list("pk", "state").filter(pk__in=[first_q1.pk, second_q1.pk, elsewhere.pk])
    ) == {
        first_q1.pk: State.APPROVED,
        second_q1.pk: State.SUBMITTED,
        elsewhere.pk: State.SUBMITTED,
    }
    approvals = ReviewEvent.objects.filter(action=Action.APPROVE, user=officer)
    assert list(approvals.values_list("entry", flat=True)) == [first_q1.pk]
    assert messages_of(response) == [
        "อนุมัติรายงานแล้ว 1 รายการ",
        "รายงาน 1 รายการมีการเปลี่ยนแปลงหลังจากที่ท่านเปิดหน้านี้ จึงยังไม่ได้อนุมัติ กรุณาเปิดตรวจสอบ: มาตรการที่สอง – กจ.",
        "รายงาน 1 รายการไม่อยู่ในความรับผิดชอบการตรวจของท่าน ระบบไม่ได้ดำเนินการใดกับรายงานดังกล่าว",
    ]


def test_approve_selected_approves_each_as_its_own_step(client, officer, sent):
    client.force_login(officer)
    chosen = [sent["first-q1"], sent["second-q1"], sent["first-q2"]]
    response = client.post("/review/approve/", {"entries": [f"{e.pk}:{e.revision}" for e in chosen]})
    assert response.url == "/review/?state=submitted"
    assert messages_of(response) == ["อนุมัติรายงานแล้ว 3 รายการ"]
    for entry in chosen:
        assert list(entry.events.values_list("action", "user")) == [
            (Action.SUBMIT, entry.events.first().user_id),
            (Action.APPROVE, officer.pk),
        ]
    assert listed(client.get("/review/")) == []


@pytest.mark.parametrize(
    ("entries", "message"),
    [
        ([], "กรุณาเลือกรายงานที่จะอนุมัติก่อน"),
        (["abc"], "รายการรายงานที่ส่งมาไม่ถูกต้อง กรุณาโหลดหน้ารายการตรวจใหม่แล้วลองอีกครั้ง"),
        (["1:99999999999"], "รายการรายงานที่ส่งมาไม่ถูกต้อง กรุณาโหลดหน้ารายการตรวจใหม่แล้วลองอีกครั้ง"),
    ],
)
def test_a_damaged_or_empty_selection_approves_nothing(client, officer, sent, entries, message):
    client.force_login(officer)
    response = client.post("/review/approve/", {"entries": entries, "queue": "round=q2"})
    assert response.status_code == 302 and response.url == "/review/?round=q2&state=submitted"
    assert messages_of(response) == [message]
    assert not ReviewEvent.objects.filter(action=Action.APPROVE, user=officer).exists()


# --- Moving on to the next report ---------------------------------------------------------------


def test_the_entry_page_opened_from_the_queue_leads_to_the_next_report(client, officer, sent):
    client.force_login(officer)
    queue = quote("state=submitted", safe="")
    first, second, last = sent["second-q1"], sent["first-q1"], sent["first-q2"]
    queue_page = client.get("/review/").content.decode()
    assert f'href="/entries/{first.pk}/?queue={queue}"' in queue_page

    page = client.get(f"/entries/{first.pk}/?queue={queue}").content.decode()
    assert f'href="/entries/{second.pk}/?queue={queue}"' in page  # "Next report"
    assert 'href="/review/?state=submitted"' in page  # "Back to the queue"
    assert f'action="/entries/{first.pk}/approve/?queue={queue}"' in page

    # Approving leads to the next report of the queue, with the same filter.
    response = client.post(f"/entries/{first.pk}/approve/?queue={queue}", {"revision": first.revision, "comment": ""})
    assert response.status_code == 302 and response.url == f"/entries/{second.pk}/?queue={queue}"
    # Returning too (with a reason); then the last one, after which the queue says none is left.
    response = client.post(
        f"/entries/{second.pk}/return/?queue={queue}", {"revision": second.revision, "comment": "แนบหลักฐาน"}
    )
    assert response.url == f"/entries/{last.pk}/?queue={queue}"
    assert "รายงานสุดท้ายในรายการตรวจ" in client.get(response.url).content.decode()
    response = client.post(f"/entries/{last.pk}/approve/?queue={queue}", {"revision": last.revision, "comment": ""})
    assert response.url == "/review/?state=submitted"
    assert "ไม่มีรายงานถัดไปในรายการตรวจแล้ว" in messages_of(response)
    assert ProgressEntry.objects.get(pk=second.pk).state == State.RETURNED


def test_a_step_on_an_entry_not_opened_from_the_queue_stays_on_it(client, officer, sent):
    client.force_login(officer)
    entry = sent["first-q1"]
    response = client.post(f"/entries/{entry.pk}/approve/", {"revision": entry.revision, "comment": ""})
    assert response.url == f"/entries/{entry.pk}/"
    assert 'class="queue-nav"' not in client.get(response.url).content.decode()


# --- A fixed number of queries -------------------------------------------------------------------


def queue_with(agency, unit_staff, count):
    """`count` submitted reports of one measure of AG1 with as many units."""
    units = [factories.unit(agency, f"หน่วยที่ {n:02}") for n in range(count)]
    measure = factories.measure(agency, 2569, "มาตรการทดสอบจำนวนมาก", lead_unit=units[0], supporting=units[1:])
    for number, entry in enumerate(measure.entries.filter(round__kind="q1")):
        submit(entry, unit_staff, at(1 + number % 20))


def queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


# Session, user, memberships; the agencies and units the filters offer; the queue's count, its page
# and who sent each report; the menu's "My updates", its count of reports waiting and the bell.
QUEUE_QUERIES = 11


@pytest.mark.parametrize("count", [1, PAGE_SIZE, PAGE_SIZE + 10])
def test_the_queue_runs_a_fixed_number_of_queries_however_long(
    client, officer, agency, unit_staff, count, django_assert_num_queries
):
    queue_with(agency, unit_staff, count)
    client.force_login(officer)
    with django_assert_num_queries(QUEUE_QUERIES):
        response = client.get("/review/")
    assert len(listed(response)) == min(count, PAGE_SIZE)
    assert response.context["page"].paginator.count == count
