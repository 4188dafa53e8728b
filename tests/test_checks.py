"""Checks users expect (issue 11, part 6): a measure has a lead unit, a report's status and percent
agree, and activities dated in the future or outside the round are flagged without being refused."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import translation

from measures.actions import do_save_measure
from measures.checks import FUTURE, OUTSIDE_ROUND, activity_warnings
from measures.forms import EntryForm, MeasureForm
from measures.models import Activity, Measure, Status
from measures.plans import answered_results
from tests import factories, published
from tests.clock import pinned
from tests.entries_support import form_data as entry_data, visible
from tests.test_admin_rules import admin_form_data, change_url
from tests.test_measure_form import NEW, valid_data
from tests.test_plan import YEAR

NO_LEAD_TH = "กรุณาเลือกหน่วยงานหลักของมาตรการนี้"


@pytest.fixture
def results_2568(agency):
    return factories.assessment(agency, 2568, published.angthong_2568_figures())


@pytest.fixture
def root(superuser):
    browser = Client()
    browser.force_login(superuser)
    return browser


# --- A measure has a lead unit ------------------------------------------------------------------


def test_a_new_measure_without_a_lead_unit_is_refused_and_keeps_what_was_typed(client, officer, unit, results_2568):
    client.force_login(officer)

    response = client.post(NEW, valid_data(unit, lead_unit="", name="มาตรการที่ยังไม่มีผู้รับผิดชอบ"))

    assert response.status_code == 200
    form = response.context["form"]
    assert list(form.errors) == ["lead_unit"]
    assert NO_LEAD_TH in visible(response)
    assert form["name"].value() == "มาตรการที่ยังไม่มีผู้รับผิดชอบ" and form["kpi"].value() == "ร้อยละของข้อที่ครบองค์ประกอบ"
    assert not Measure.objects.exists()


def test_the_refusal_speaks_english_when_chosen(agency, unit, results_2568):
    form = MeasureForm(
        valid_data(unit, lead_unit=""),
        instance=Measure(agency=agency, fiscal_year=YEAR),
        version=answered_results(agency, YEAR).version,
    )

    assert not form.is_valid()
    with translation.override("en"):
        assert form.errors["lead_unit"] == [
            "Choose the unit that leads this measure: without one, nobody reports on it."
        ]


def test_editing_away_the_lead_unit_is_refused_and_the_lead_stays(client, officer, agency, unit, results_2568):
    measure = factories.measure(agency, YEAR, "มาตรการเดิม", lead_unit=unit, items=("o12",), months=[10, 11, 12])
    client.force_login(officer)

    response = client.post(f"/measures/{measure.pk}/edit/", valid_data(unit, lead_unit="", revision="0"))

    assert response.status_code == 200 and "lead_unit" in response.context["form"].errors
    measure.refresh_from_db()
    assert (measure.lead_unit, measure.revision, measure.name) == (unit, 0, "มาตรการเดิม")


def test_the_admin_refuses_a_measure_without_a_lead_unit(agency, unit, results_2568, root):
    measure = factories.measure(agency, YEAR, "มาตรการเดิม", lead_unit=unit, items=("o12",), months=[10, 11, 12])

    refused = root.post(change_url(measure), admin_form_data(root, measure, lead_unit="", name="ชื่อใหม่"))

    assert refused.status_code == 200 and "lead_unit" in refused.context["adminform"].form.errors
    measure.refresh_from_db()
    assert (measure.lead_unit, measure.name, measure.revision) == (unit, "มาตรการเดิม", 0)


def test_do_save_measure_refuses_a_measure_without_a_lead_unit_whatever_the_form_said(agency, unit, results_2568):
    measure = Measure(agency=agency, fiscal_year=YEAR)
    form = MeasureForm(valid_data(unit), instance=measure, version=answered_results(agency, YEAR).version)
    assert form.is_valid(), form.errors
    form.instance.lead_unit = None  # as a caller that changed the measure after validating would

    with pytest.raises(ValidationError):
        do_save_measure(form=form)
    assert not Measure.objects.exists()


def test_copying_last_years_plan_leaves_out_measures_without_a_lead_unit_and_says_so(
    client, officer, agency, unit, other_unit
):
    led = factories.measure(agency, 2565, "มาตรการที่มีหน่วยงานหลัก", lead_unit=unit, items=("I20",))
    factories.measure(agency, 2565, "มาตรการเก่าที่ไม่มีหน่วยงานหลัก", supporting=[other_unit], items=("I23",))
    client.force_login(officer)

    response = client.post("/agencies/AG1/2566/plan/copy/", {"seen": "0"}, follow=True)

    copies = Measure.objects.filter(fiscal_year=2566)
    assert [(m.name, m.lead_unit, m.copied_from) for m in copies] == [(led.name, unit, led)]
    page = visible(response)
    assert "ไม่มีหน่วยงานหลักจึงไม่ได้คัดลอก ได้แก่ มาตรการเก่าที่ไม่มีหน่วยงานหลัก" in page
    assert "คัดลอก 1 มาตรการ" in page or "1 measure was copied" in page


def test_copying_a_plan_whose_measures_all_lack_a_lead_unit_copies_nothing_and_says_why(
    client, officer, agency, other_unit
):
    factories.measure(agency, 2565, "มาตรการเก่าที่ไม่มีหน่วยงานหลัก", supporting=[other_unit])
    client.force_login(officer)

    response = client.post("/agencies/AG1/2566/plan/copy/", {"seen": "0"}, follow=True)

    assert not Measure.objects.filter(fiscal_year=2566).exists()
    messages = [str(m) for m in response.context["messages"]]
    assert len(messages) == 1 and "มาตรการเก่าที่ไม่มีหน่วยงานหลัก" in messages[0]


# --- Status and percent agree ---------------------------------------------------------------------


@pytest.fixture
def measure(agency, unit):
    factories.assessment(agency, 2565, {"I20": "70.70"})
    return factories.measure(agency, 2566, "สื่อสารขั้นตอนการขออนุญาต", lead_unit=unit, items=["I20"], months=[10, 11, 12])


@pytest.fixture
def entry(measure, unit):
    return measure.entries.get(unit=unit, round__kind="q1")


AGREE = [
    (Status.NOT_STARTED, 0, True),
    (Status.NOT_STARTED, 20, False),
    (Status.ON_TRACK, 0, False),
    (Status.ON_TRACK, 1, True),
    (Status.ON_TRACK, 99, True),
    (Status.ON_TRACK, 100, False),
    (Status.DELAYED, 0, False),
    (Status.DELAYED, 40, True),
    (Status.DELAYED, 100, False),
    (Status.DONE, 60, False),
    (Status.DONE, 99, False),
    (Status.DONE, 100, True),
]


@pytest.mark.parametrize(("status", "percent", "accepted"), AGREE)
def test_status_and_percent_must_agree(entry, status, percent, accepted):
    data = {"revision": 0, "result": "ผล", "percent": percent, "status": status, "links": ""}

    form = EntryForm(data, instance=entry)

    assert form.is_valid() is accepted
    if not accepted:
        assert set(form.errors) == {"percent", "status"}


def test_a_report_whose_status_and_percent_disagree_is_refused_and_keeps_the_text(client, unit_staff, entry):
    client.force_login(unit_staff)
    data = entry_data(entry, [("2022-11-02", "ประชุมชี้แจง")], result="ชี้แจงแล้วสองสำนัก", percent=20)

    response = client.post(f"/entries/{entry.pk}/", data)

    assert response.status_code == 200
    page = visible(response)
    assert "สถานะยังไม่เริ่มต้องมีความคืบหน้าร้อยละ 0" in page
    assert "ความคืบหน้าที่กรอกแสดงว่าเริ่มดำเนินการแล้ว" in page
    form = response.context["form"]
    assert (form["result"].value(), form["percent"].value()) == ("ชี้แจงแล้วสองสำนัก", "20")
    assert "ประชุมชี้แจง" in page
    entry.refresh_from_db()
    assert (entry.result, entry.percent, entry.revision) == ("", 0, 0)
    assert not Activity.objects.exists()


# --- Activities in the future or outside the round are flagged ------------------------------------------


def activity(entry, date, text="กิจกรรม"):
    return Activity(entry=entry, date=date, text=text)


def test_the_activity_rule(entry):
    """Round q1 of 2566 runs from 1 October to 31 December 2022; today is 10 January 2023."""
    today = datetime.date(2023, 1, 10)
    first_day = activity(entry, datetime.date(2022, 10, 1))
    last_day = activity(entry, datetime.date(2022, 12, 31))
    before = activity(entry, datetime.date(2022, 9, 30))
    after = activity(entry, datetime.date(2023, 1, 5))
    on_today = activity(entry, today)
    tomorrow = activity(entry, datetime.date(2023, 1, 11))

    warnings = activity_warnings([first_day, last_day, before, after, on_today, tomorrow], entry.round, today)

    assert warnings == [(before, OUTSIDE_ROUND), (after, OUTSIDE_ROUND), (on_today, OUTSIDE_ROUND), (tomorrow, FUTURE)]


def test_an_activity_in_the_future_inside_the_round_is_flagged_as_future(entry):
    warnings = activity_warnings(
        [activity(entry, datetime.date(2022, 11, 20))], entry.round, datetime.date(2022, 11, 1)
    )

    assert [reason for _activity, reason in warnings] == [FUTURE]
    assert (
        activity_warnings([activity(entry, datetime.date(2022, 11, 1))], entry.round, datetime.date(2022, 11, 1)) == []
    )


@pinned(2022, 11, 15)
def test_flagged_activities_are_saved_and_shown_to_the_unit_and_the_reviewer(client, unit_staff, officer, entry):
    client.force_login(unit_staff)
    data = entry_data(
        entry,
        [("2022-11-02", "ประชุมชี้แจง"), ("2022-12-20", "อบรมที่กำหนดไว้"), ("2022-09-15", "เตรียมการก่อนรอบ")],
        result="ชี้แจงแล้ว",
        percent=30,
        status=Status.ON_TRACK,
    )

    saved = client.post(f"/entries/{entry.pk}/", data)

    assert saved.status_code == 302  # a warning, not a refusal
    assert Activity.objects.filter(entry=entry).count() == 3
    for person in (unit_staff, officer):
        client.force_login(person)
        page = visible(client.get(f"/entries/{entry.pk}/"))
        warning = page.partition("กรุณาตรวจสอบวันที่ของกิจกรรมต่อไปนี้")[2].partition("ระบบยังคงบันทึกวันที่เหล่านี้ไว้")[0]
        assert "20 ธ.ค. 65: อบรมที่กำหนดไว้ – ลงวันที่หลังวันนี้" in warning, person
        assert "15 ก.ย. 65: เตรียมการก่อนรอบ – อยู่นอกช่วงของรอบนี้ (1 ต.ค. 65 ถึง 31 ธ.ค. 65)" in warning, person
        assert "ประชุมชี้แจง" not in warning, person


@pinned(2022, 11, 15)
def test_no_warning_when_every_activity_is_inside_the_round_and_done(client, unit_staff, entry):
    Activity.objects.create(entry=entry, date=datetime.date(2022, 11, 2), text="ประชุมชี้แจง")
    client.force_login(unit_staff)

    page = visible(client.get(f"/entries/{entry.pk}/"))

    assert "ประชุมชี้แจง" in page and "กรุณาตรวจสอบวันที่ของกิจกรรมต่อไปนี้" not in page
