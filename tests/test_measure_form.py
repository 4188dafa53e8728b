"""The measure form: pre-filled from a weak item or a template, the period normalised and
checked, no lost updates, and a refused form that keeps everything typed."""

import datetime
import re

import pytest

from measures.models import Measure, MeasureTemplate, ProgressEntry
from tests import factories, published
from tests.test_plan import YEAR, form_data, item_pk, visible

NEW = f"/agencies/AG1/{YEAR}/plan/new/"


@pytest.fixture
def results_2568(agency):
    return factories.assessment(agency, 2568, published.angthong_2568_figures())


def valid_data(unit, **changes):
    data = {
        "name": "มาตรการยกระดับการเปิดเผยข้อมูลสาธารณะ",
        "items": [item_pk("o12")],
        "analysis": "บางรายการเปิดเผยข้อมูลไม่ครบถ้วน",
        "steps": "แต่งตั้งผู้ตรวจทาน\nจัดทำหน้ารวมลิงก์",
        "period": "quarters",
        "quarters": ["1", "2"],
        "lead_unit": str(unit.pk),
        "monitoring": "ติดตามทุกเดือน",
        "report_to": "นายกเทศมนตรี",
        "report_frequency": "quarterly",
        "kpi": "ร้อยละของข้อที่ครบองค์ประกอบ",
        "target": "ไม่น้อยกว่าร้อยละ 90",
        "target_percent": "90",
        "confidence": "high",
        "risks": "ข้อมูลไม่ทันเวลา",
        "strategy": "SO-5",
        "notes": "หมายเหตุ",
    }
    data.update(changes)
    return data


def test_new_measure_from_a_weak_item_is_prefilled_then_saved_with_its_item_indicator_and_entries(
    client, officer, unit, other_unit, results_2568
):
    MeasureTemplate.objects.create(
        indicator_number=9,
        item_code="o12",
        name="เผยแพร่ข้อมูลการจัดซื้อจัดจ้างให้ครบถ้วน",
        steps="รวบรวมประกาศ\nเผยแพร่บนเว็บไซต์",
        kpi="ร้อยละของประกาศที่เผยแพร่",
        target="ร้อยละ 100",
    )
    client.force_login(officer)

    response = client.get(NEW + "?item=o12&part=0")
    form = response.context["form"]
    page = visible(response)

    assert response.status_code == 200
    assert "ผลคะแนน o12" in page and "ได้ 50.00 คะแนน ต่ำกว่าค่าเป้าหมาย (85 คะแนน)" in page
    assert "เผยแพร่ข้อมูลการจัดซื้อจัดจ้างให้ครบถ้วน" in page and "รวบรวมประกาศ" in page and "ร้อยละของประกาศที่เผยแพร่" in page
    assert form["items"].value() == [int(item_pk("o12"))]
    assert [str(v) for v in form["indicators"].value()] == [str(form.fields["indicators"].queryset.get(number=9).pk)]

    data = form_data(form, lead_unit=str(unit.pk), supporting_units=[str(other_unit.pk)])
    saved = client.post(NEW, data)

    measure = Measure.objects.get()
    assert saved.status_code == 302 and saved["Location"] == f"/measures/{measure.pk}/"
    assert (measure.agency.code, measure.fiscal_year, measure.name) == ("AG1", YEAR, "เผยแพร่ข้อมูลการจัดซื้อจัดจ้างให้ครบถ้วน")
    assert [i.code for i in measure.items.all()] == ["o12"]
    assert [i.number for i in measure.indicators.all()] == [9]
    assert measure.analysis.startswith("ผลคะแนน o12")
    assert measure.months == [10, 11, 12, 1, 2, 3, 4, 5, 6, 7, 8, 9]
    entries = ProgressEntry.objects.filter(measure=measure)
    assert {(e.round.kind, e.unit_id) for e in entries} == {
        (q, u.pk) for q in ("q1", "q2", "q3", "q4") for u in (unit, other_unit)
    }


def test_prefill_of_an_eit_part_and_of_an_indicator(client, officer, results_2568):
    client.force_login(officer)

    part = visible(client.get(NEW + "?item=e2&part=2"))
    indicator = visible(client.get(NEW + "?indicator=8"))

    assert "ผลคะแนน e2" in part and "ได้ 84.24 คะแนน ต่ำกว่าค่าเป้าหมาย" in part
    assert "ผลคะแนนตัวชี้วัดที่ 8" in indicator


def test_prefill_uses_the_three_tier_words_when_the_agency_uses_three_tiers(client, officer, results_2568):
    results_2568.tier_scheme = "three"
    results_2568.save()
    client.force_login(officer)

    page = visible(client.get(NEW + "?item=i10"))

    assert "ต่ำกว่า 95 คะแนน ถือเป็นข้อบกพร่องหรือจุดอ่อนที่ต้องแก้ไขโดยเร่งด่วน" in page


@pytest.mark.parametrize(
    "query",
    [
        "?item=zzz",
        "?item=o12&part=x",
        "?indicator=abc",
        "?indicator=99",
        "?template=abc",
        "?template=99999",
        "?item=&part=",
    ],
)
def test_nonsense_prefill_is_ignored(client, officer, results_2568, query):
    client.force_login(officer)

    assert client.get(NEW + query).status_code == 200


def test_template_prefills_the_form(client, officer, results_2568):
    template = MeasureTemplate.objects.create(
        indicator_number=4,
        name="มาตรการกำกับดูแลและตรวจสอบทรัพย์สิน",
        steps="จัดอบรม\nสรุปรายงาน",
        kpi="จำนวนครั้ง",
        target="ปีละ 1 ครั้ง",
    )
    client.force_login(officer)

    response = client.get(NEW + f"?template={template.pk}")
    form = response.context["form"]

    assert form["name"].value() == "มาตรการกำกับดูแลและตรวจสอบทรัพย์สิน"
    assert form["steps"].value() == "จัดอบรม\nสรุปรายงาน"
    assert (form["kpi"].value(), form["target"].value()) == ("จำนวนครั้ง", "ปีละ 1 ครั้ง")
    assert [str(v) for v in form["indicators"].value()] == [str(form.fields["indicators"].queryset.get(number=4).pk)]
    assert "มาตรการกำกับดูแลและตรวจสอบทรัพย์สิน" in visible(response)


def test_choices_are_the_framework_of_the_results_and_the_agencys_units(
    client, officer, unit, other_agency, results_2568
):
    foreign = factories.unit(other_agency, "หน่วยงานอื่น")
    client.force_login(officer)
    old_item = str(
        __import__("assessments.models").models.Item.objects.get(version__code="ita_2562_2565", code="I20").pk
    )

    response = client.post(
        NEW, valid_data(unit, items=[old_item], lead_unit=str(foreign.pk), supporting_units=[str(foreign.pk)])
    )

    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"items", "lead_unit", "supporting_units"}
    assert Measure.objects.count() == 0


# --- The period -------------------------------------------------------------------------------


def test_quarters_are_stored_as_their_months(client, officer, unit, results_2568):
    client.force_login(officer)

    client.post(NEW, valid_data(unit, quarters=["3", "1"]))

    measure = Measure.objects.get()
    assert measure.months == [10, 11, 12, 4, 5, 6]
    assert measure.quarters() == [1, 3]
    assert (measure.start_date, measure.end_date) == (None, None)


def test_months_are_stored_in_fiscal_order(client, officer, unit, results_2568):
    client.force_login(officer)

    client.post(NEW, valid_data(unit, period="months", months=["2", "11", "9"]))

    assert Measure.objects.get().months == [11, 2, 9]


def test_dates_inside_the_fiscal_year_give_their_months(client, officer, unit, results_2568):
    client.force_login(officer)

    client.post(NEW, valid_data(unit, period="dates", start_date="2025-12-15", end_date="2569-02-10"))

    measure = Measure.objects.get()
    assert (measure.start_date, measure.end_date) == (datetime.date(2025, 12, 15), datetime.date(2026, 2, 10))
    assert measure.months == [12, 1, 2]


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"start_date": "2025-09-30", "end_date": "2026-09-30"}, "start_date"),  # the day before the fiscal year
        ({"start_date": "2025-10-01", "end_date": "2026-10-01"}, "end_date"),  # the day after it
        ({"start_date": "2026-05-01", "end_date": "2026-04-01"}, "end_date"),  # backwards
        ({"start_date": "", "end_date": "2026-04-01"}, "start_date"),
        ({"start_date": "2026-02-30", "end_date": "2026-04-01"}, "start_date"),  # no such day
    ],
)
def test_date_range_outside_the_fiscal_year_or_backwards_is_refused(
    client, officer, unit, results_2568, changes, field
):
    client.force_login(officer)

    response = client.post(NEW, valid_data(unit, period="dates", **changes))

    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert Measure.objects.count() == 0


@pytest.mark.parametrize(
    "changes, field", [({"quarters": []}, "quarters"), ({"period": "months", "months": []}, "months")]
)
def test_a_period_needs_at_least_one_quarter_or_month(client, officer, unit, results_2568, changes, field):
    client.force_login(officer)

    response = client.post(NEW, valid_data(unit, **changes))

    assert field in response.context["form"].errors
    assert Measure.objects.count() == 0


def test_steps_lose_the_numbers_people_type(client, officer, unit, results_2568):
    client.force_login(officer)

    client.post(NEW, valid_data(unit, steps="1. ปรับปรุงคู่มือ\r\n\r\n๒) กำชับเจ้าหน้าที่\n- ประชาสัมพันธ์\n  (4) รายงานผล 2 ครั้ง"))

    assert Measure.objects.get().step_list() == ["ปรับปรุงคู่มือ", "กำชับเจ้าหน้าที่", "ประชาสัมพันธ์", "รายงานผล 2 ครั้ง"]


# --- Refused forms keep what was typed; no input gives a server error ---------------------------


def test_a_refused_form_keeps_every_field_typed(client, officer, unit, other_unit, results_2568):
    client.force_login(officer)
    data = valid_data(
        unit,
        period="dates",
        start_date="2024-01-01",
        end_date="2026-03-31",
        quarters=["2"],
        months=["3", "4"],
        supporting_units=[str(other_unit.pk)],
        items=[item_pk("o12"), item_pk("o19")],
    )

    response = client.post(NEW, data)
    html = response.content.decode()

    assert response.status_code == 200 and Measure.objects.count() == 0
    for name in ("name", "analysis", "steps", "monitoring", "report_to", "kpi", "target", "risks", "strategy", "notes"):
        assert data[name].replace("\n", "\r\n") in html or data[name] in html, name
    assert 'value="2024-01-01"' in html and 'value="31/03/2569"' in html and 'value="90"' in html
    checked = set(re.findall(r'name="(\w+)" value="([^"]*)"[^>]*checked', html))
    assert {("period", "dates"), ("quarters", "2"), ("months", "3"), ("months", "4")} <= checked
    assert {("supporting_units", str(other_unit.pk)), ("items", item_pk("o12")), ("items", item_pk("o19"))} <= checked
    assert re.search(rf'<option value="{unit.pk}" selected>', html)
    assert re.search(r'<option value="high" selected>', html)


@pytest.mark.parametrize(
    "changes",
    [
        {"months": ["13"], "period": "months"},
        {"quarters": ["x"]},
        {"period": "weekly"},
        {"target_percent": "abc"},
        {"target_percent": "1000"},
        {"name": "ก" * 501},
        {"name": ""},
        {"lead_unit": "abc"},
        {"items": ["abc"]},
        {"indicators": ["99999999999999999999"]},
        {"report_frequency": "daily"},
        {"confidence": "total"},
        {"start_date": "yesterday", "period": "dates"},
        {"strategy": "x" * 101},
    ],
)
def test_bad_input_is_refused_with_a_message_never_a_server_error(client, officer, unit, results_2568, changes):
    client.force_login(officer)

    response = client.post(NEW, valid_data(unit, **changes))

    assert response.status_code == 200
    assert response.context["form"].errors
    assert Measure.objects.count() == 0


def test_edit_without_a_revision_is_refused_not_crashed(client, officer, unit, results_2568):
    measure = factories.measure(unit.agency, YEAR, "มาตรการ", lead_unit=unit)
    client.force_login(officer)

    for revision in (None, "abc", "-1"):
        data = valid_data(unit)
        if revision is not None:
            data["revision"] = revision
        response = client.post(f"/measures/{measure.pk}/edit/", data)
        assert response.status_code == 200
    measure.refresh_from_db()
    assert measure.name == "มาตรการ"


def test_a_form_without_a_framework_still_works(client, officer, agency, unit):
    client.force_login(officer)  # the plan of 2600 answers 2599, which no framework covers

    response = client.post("/agencies/AG1/2600/plan/new/", valid_data(unit, items=[]))

    assert response.status_code == 302
    assert Measure.objects.get().fiscal_year == 2600


# --- No lost updates ----------------------------------------------------------------------------


def test_second_of_two_concurrent_edits_is_refused_and_keeps_its_text(client, officer, superuser, unit, results_2568):
    measure = factories.measure(
        unit.agency, YEAR, "มาตรการเดิม", lead_unit=unit, items=("o12",), kpi="ตัวชี้วัดเดิม", months=[10, 11, 12]
    )
    url = f"/measures/{measure.pk}/edit/"
    client.force_login(officer)
    first = form_data(client.get(url).context["form"])
    client.force_login(superuser)
    second = form_data(client.get(url).context["form"])

    client.force_login(officer)
    assert client.post(url, {**first, "name": "มาตรการของคนแรก"}).status_code == 302
    client.force_login(superuser)
    refused = client.post(url, {**second, "name": "มาตรการของคนที่สอง", "kpi": "ตัวชี้วัดของคนที่สอง"})

    measure.refresh_from_db()
    assert refused.status_code == 409
    assert (measure.name, measure.kpi) == ("มาตรการของคนแรก", "ตัวชี้วัดเดิม")
    page = visible(refused)
    assert "Someone else saved this measure" in page or "มีผู้อื่นบันทึกมาตรการนี้" in page
    assert "มาตรการของคนที่สอง" in refused.content.decode() and "ตัวชี้วัดของคนที่สอง" in refused.content.decode()
    assert "มาตรการของคนแรก" in page  # what the first person saved is shown beside
    assert f'name="revision" value="{measure.revision}"' in refused.content.decode()

    # Having compared, the second person saves again on purpose.
    again = form_data(refused.context["form"])
    assert client.post(url, again).status_code == 302
    measure.refresh_from_db()
    assert (measure.name, measure.kpi) == ("มาตรการของคนที่สอง", "ตัวชี้วัดของคนที่สอง")


def test_saving_keeps_entries_in_line_with_the_units(client, officer, unit, other_unit, results_2568):
    measure = factories.measure(unit.agency, YEAR, "มาตรการ", lead_unit=unit, supporting=[other_unit], months=[1, 2, 3])
    started = measure.entries.get(unit=other_unit, round__kind="q1")
    started.result = "เริ่มแล้ว"
    started.save()
    client.force_login(officer)
    data = form_data(client.get(f"/measures/{measure.pk}/edit/").context["form"], supporting_units=[])

    assert client.post(f"/measures/{measure.pk}/edit/", data).status_code == 302

    remaining = {(e.unit_id, e.round.kind) for e in measure.entries.select_related("round")}
    assert remaining == {(unit.pk, q) for q in ("q1", "q2", "q3", "q4")} | {(other_unit.pk, "q1")}
