"""The demo's units, measures plans and progress (fixtures/demo/measures.yaml), as `make run` loads them."""

import io
import os
import re

from django.core import mail
from django.core.management import call_command
from django.db.models import F

from measures.models import Activity, Measure, ProgressEntry, ReviewEvent, Unit
from oit.models import ChecklistEvidence, ChecklistItem, ChecklistStepEvent, PublicPage
from tests import clock

# The demo's dates are real. On this day Ang Thong's 2569 Q4 draft is overdue and 2570's Q1
# (due 31 December 2026) is not yet within the reminder window.
pytestmark = clock.pinned(2026, 11, 21)


def states(code, year):
    """{(round, state): count} of an agency's plan."""
    counts = {}
    for kind, state in ProgressEntry.objects.filter(measure__agency__code=code, measure__fiscal_year=year).values_list(
        "round__kind", "state"
    ):
        counts[kind, state] = counts.get((kind, state), 0) + 1
    return counts


def test_loading_the_demo_twice_changes_nothing(demo):
    models = (Unit, Measure, ProgressEntry, Activity, ReviewEvent, Measure.history.model, ProgressEntry.history.model)
    models += (ChecklistItem, ChecklistEvidence, ChecklistStepEvent, PublicPage)
    before = [model.objects.count() for model in models]

    call_command("load_demo", stdout=open(os.devnull, "w"))

    assert [model.objects.count() for model in models] == before


def test_plans_from_the_agencies_documents(demo):
    plans = {(m.agency.code, m.fiscal_year) for m in Measure.objects.select_related("agency")}
    assert plans == {("TCEB", 2566), ("FIO", 2564), ("ANGTHONG-MUN", 2569), ("ANGTHONG-MUN", 2570)}
    assert all(Measure.objects.filter(agency__code=code, fiscal_year=year).count() == 10 for code, year in plans)

    no_gift = Measure.objects.get(agency__code="TCEB", fiscal_year=2566, order=1)
    assert [item.code for item in no_gift.items.all()] == ["I6"]
    assert no_gift.quarters() == [1, 2, 3, 4]
    assert len(no_gift.responsible_units()) == 4  # ทุกส่วนงาน
    assert no_gift.target == "อย่างน้อย 2 ช่องทาง"
    budget = Measure.objects.get(agency__code="ANGTHONG-MUN", fiscal_year=2569, order=2)
    assert budget.name == "มาตรการรักษามาตรฐานความโปร่งใสในการใช้งบประมาณ (Score Retention Plan)"
    assert [u.name for u in budget.responsible_units()] == ["งานวิเคราะห์นโยบายและแผน"]
    assert [i.number for i in budget.indicators.all()] == [2]
    assert len(budget.step_list()) == 5
    disclosure = Measure.objects.get(agency__code="FIO", fiscal_year=2564, order=2)
    assert sorted(item.code for item in disclosure.items.all()) == ["O15", "O29", "O30", "O9"]
    assert disclosure.lead_unit.abbreviation == "ส.บก."
    assert {u.abbreviation for u in disclosure.responsible_units()} == {"ส.บก.", "ส.ตส.", "ส.นผ.", "ส.วป.", "ส.ธต."}


def test_the_demo_plans_give_every_measure_a_lead_unit_of_its_own_agency(demo):
    """The documents give some measures to all units and name no lead: the plan's coordinating unit leads them."""
    assert Measure.objects.exists()
    assert not Measure.objects.filter(lead_unit__isnull=True).exists()
    assert not Measure.objects.exclude(lead_unit__agency=F("agency")).exists()

    fio_all = Measure.objects.get(agency__code="FIO", fiscal_year=2564, order=3)  # ทุกสำนัก
    assert fio_all.lead_unit.abbreviation == "ส.นผ."
    assert len(fio_all.responsible_units()) == 5


def test_progress_in_every_state_across_the_rounds(demo):
    assert states("TCEB", 2566) == {
        ("q1", "approved"): 19,
        ("q2", "submitted"): 19,
        ("q3", "returned"): 19,
        ("q4", "draft"): 19,
    }
    assert states("FIO", 2564) == {("6m", "approved"): 48}
    angthong = states("ANGTHONG-MUN", 2569)
    assert angthong[("q3", "approved")] == 20
    assert {state for (kind, state) in angthong if kind == "q4"} == {"approved", "submitted", "returned", "draft"}
    assert states("ANGTHONG-MUN", 2570)[("q1", "draft")] == 18

    fio = ProgressEntry.objects.filter(measure__agency__code="FIO").select_related("measure").first()
    assert fio.percent == 100 and fio.status == "done" and fio.obstacles == "ไม่มี"
    assert fio.result.startswith("หน่วยงานที่รับผิดชอบได้")
    returned = ReviewEvent.objects.filter(entry__measure__agency__code="TCEB", action="return").first()
    assert returned.comment.startswith("กรุณาแนบหลักฐาน")
    assert returned.created.date().isoformat() == "2023-07-07"  # a week after Q3 2566 was due


def test_the_unit_user_has_reports_on_my_updates(client, demo):
    assert client.post("/accounts/login/", {"username": "unit", "password": "ita-demo-2568"}).status_code == 302

    response = client.get("/my/updates/")

    assert "งานทรัพยากรบุคคล" in response.text
    # TCEB's Q3 2566 (three measures) and Ang Thong's Q4 2569, each with the officer's comment.
    assert response.text.count('<li class="entry returned">') == 4
    assert "กรุณาแนบหลักฐาน" in response.text
    assert "ประกาศเจตนารมณ์นโยบาย No Gift Policy" in response.text
    assert "เผยแพร่ข้อมูลของหน่วยงานผ่านช่องทางที่หลากหลาย" not in response.text  # another unit's measure


def test_the_dashboard_shows_each_demo_agencys_plan(client, demo):
    assert client.post("/accounts/login/", {"username": "executive", "password": "ita-demo-2568"}).status_code == 302

    response = client.get("/dashboard/")

    assert "10 จาก 10 มาตรการ" in response.text  # FIO 2564
    assert "สำรวจความพึงพอใจของผู้มีส่วนได้ส่วนเสีย" in response.text  # its KPI is off target


def test_reminders_reach_the_unit_user(demo):
    out = io.StringIO()
    call_command("send_reminders", "--dry-run", stdout=out)

    assert "Would send to unit@example.org: งานการเจ้าหน้าที่, 1 entries" in out.getvalue()
    assert mail.outbox == []


def test_ang_thong_s_2569_checklist_has_items_in_every_status_and_a_published_page(demo, client):
    rows = ChecklistItem.objects.filter(agency__code="ANGTHONG-MUN", fiscal_year=2569)
    assert dict(rows.values_list("item__code", "status")) == {
        "o1": "approved",
        "o2": "approved",
        "o3": "approved",
        "o4": "approved",
        "o5": "ready",
        "o6": "in_progress",
        "o12": "approved",
        "o13": "not_started",
        "o16": "in_progress",
        "o21": "approved",
    }
    returned = ChecklistStepEvent.objects.get(checklist_item__item__code="o6", step="return")
    assert returned.comment.startswith("แผนที่แนบเป็นฉบับปี 2568")
    html = client.get("/p/ANGTHONG-MUN/2569/").content.decode()
    assert re.findall(r'<th scope="row">(o\d+)</th>', html) == ["o1", "o2", "o3", "o4", "o12", "o21"]
    assert "https://www.angthong-demo.example/ita/2569/o1/2" in html
    assert "แผนการดำเนินงานประจำปี 2569" not in html  # o6, returned: not public
