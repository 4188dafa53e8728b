"""The measures plan: units, the plan page, copying last year's plan, rounds, the measure page,
its history and the template library; the permission ladder for every address."""

import datetime
import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assessments.models import FrameworkVersion
from measures.actions import ensure_rounds, sync_entries
from measures.models import Measure, MeasureTemplate, ProgressEntry, ReportingRound, Unit
from tests import factories, published

YEAR = 2569  # the plan answers the Ang Thong 2568 results


def visible(response):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


@pytest.fixture
def results_2568(agency):
    return factories.assessment(agency, 2568, published.angthong_2568_figures())


@pytest.fixture
def own_measure(agency, unit, results_2568):
    """A measure of the 2569 plan led by `unit` (unit_staff's), answering o12."""
    return factories.measure(
        agency, YEAR, "มาตรการเผยแพร่ข้อมูลการจัดซื้อจัดจ้าง", lead_unit=unit, items=("o12",), months=[10, 11, 12]
    )


@pytest.fixture
def others_measure(agency, other_unit, results_2568):
    return factories.measure(agency, YEAR, "มาตรการของกองการเจ้าหน้าที่", lead_unit=other_unit, items=("i10",))


# --- The permission ladder ------------------------------------------------------------------

READERS = ["executive", "unit_staff", "officer", "superuser"]
EDITORS = ["officer", "superuser"]


def url_for(name, agency, unit, measure):
    return {
        "units": "/agencies/AG1/units/",
        "unit_edit": f"/agencies/AG1/units/{unit.pk}/edit/",
        "plan": f"/agencies/AG1/{YEAR}/plan/",
        "measure_new": f"/agencies/AG1/{YEAR}/plan/new/",
        "rounds": f"/agencies/AG1/{YEAR}/rounds/",
        "measure": f"/measures/{measure.pk}/",
        "measure_edit": f"/measures/{measure.pk}/edit/",
        "measure_history": f"/measures/{measure.pk}/history/",
        "measure_templates": "/measure-templates/",
    }[name]


# What each role gets on GET: read pages are open to everyone who may see the agency (the
# measure's pages only to those who may see the measure), edit pages only to editors.
LADDER = {
    #                   outsider other-unit exec unit  officer root
    "units": (404, 200, 200, 200, 200, 200),
    "unit_edit": (404, 403, 403, 403, 200, 200),
    "plan": (404, 200, 200, 200, 200, 200),
    "measure_new": (404, 403, 403, 403, 200, 200),
    "rounds": (404, 200, 200, 200, 200, 200),
    "measure": (404, 404, 200, 200, 200, 200),
    "measure_edit": (404, 404, 403, 403, 200, 200),
    "measure_history": (404, 404, 200, 200, 200, 200),
    "measure_templates": (200, 200, 200, 200, 200, 200),
}
CAST = ["outsider", "other_unit_staff", "executive", "unit_staff", "officer", "superuser"]


@pytest.mark.parametrize("name", LADDER)
def test_anonymous_is_sent_to_login(client, name, agency, unit, own_measure):
    response = client.get(url_for(name, agency, unit, own_measure))

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("name", LADDER)
@pytest.mark.parametrize("who", CAST)
def test_permission_ladder_on_every_page(client, request, name, who, agency, unit, own_measure, other_unit):
    user = request.getfixturevalue(who)
    client.force_login(user)

    response = client.get(url_for(name, agency, unit, own_measure))

    assert response.status_code == LADDER[name][CAST.index(who)]


WRITES = {
    # name: (url, data)
    "units": ("/agencies/AG1/units/", {"name": "งานใหม่", "abbreviation": "งม."}),
    "unit_edit": ("/agencies/AG1/units/{unit}/edit/", {"name": "ชื่อใหม่"}),
    "plan_copy": (f"/agencies/AG1/{YEAR}/plan/copy/", {"seen": "1", "confirm": "on"}),
    "measure_new": (
        f"/agencies/AG1/{YEAR}/plan/new/",
        {"name": "มาตรการใหม่", "period": "quarters", "quarters": ["1"], "report_frequency": "quarterly"},
    ),
    "rounds": (f"/agencies/AG1/{YEAR}/rounds/", {}),
    "measure_edit": ("/measures/{measure}/edit/", {"name": "เปลี่ยนชื่อ"}),
    "measure_withdraw": ("/measures/{measure}/withdraw/", {"reason": "ยกเลิก"}),
    "measure_restore": ("/measures/{measure}/restore/", {}),
    "measure_confirm": ("/measures/{measure}/confirm/", {}),
}
WRITE_LADDER = {
    #              outsider other-unit exec unit
    "units": (404, 403, 403, 403),
    "unit_edit": (404, 403, 403, 403),
    "plan_copy": (404, 403, 403, 403),
    "measure_new": (404, 403, 403, 403),
    "rounds": (404, 403, 403, 403),
    "measure_edit": (404, 404, 403, 403),
    "measure_withdraw": (404, 404, 403, 403),
    "measure_restore": (404, 404, 403, 403),
    "measure_confirm": (404, 404, 403, 403),
}


@pytest.mark.parametrize("name", WRITE_LADDER)
@pytest.mark.parametrize("who", CAST[:4])
def test_read_only_roles_cannot_change_anything(client, request, name, who, agency, unit, own_measure):
    client.force_login(request.getfixturevalue(who))
    url, data = WRITES[name]
    before = (Measure.objects.count(), Unit.objects.count(), list(Unit.objects.values_list("name", flat=True)))

    response = client.post(url.format(unit=unit.pk, measure=own_measure.pk), data)

    assert response.status_code == WRITE_LADDER[name][CAST.index(who)]
    assert (Measure.objects.count(), Unit.objects.count(), list(Unit.objects.values_list("name", flat=True))) == before
    own_measure.refresh_from_db()
    assert own_measure.name == "มาตรการเผยแพร่ข้อมูลการจัดซื้อจัดจ้าง"


@pytest.mark.parametrize("name", WRITE_LADDER)
def test_anonymous_writes_are_sent_to_login(client, name, agency, unit, own_measure):
    url, data = WRITES[name]

    response = client.post(url.format(unit=unit.pk, measure=own_measure.pk), data)

    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_unit_staff_sees_only_their_units_measures_on_the_plan(client, unit_staff, own_measure, others_measure):
    client.force_login(unit_staff)

    page = visible(client.get(f"/agencies/AG1/{YEAR}/plan/"))

    assert own_measure.name in page
    assert others_measure.name not in page
    assert "มาตรการใหม่" not in page and "+ New measure" not in page


def test_unit_staff_cannot_open_another_units_measure_by_editing_the_id(client, unit_staff, others_measure):
    client.force_login(unit_staff)

    for suffix in ("", "edit/", "history/"):
        assert client.get(f"/measures/{others_measure.pk}/{suffix}").status_code == 404
    assert client.post(f"/measures/{others_measure.pk}/edit/", {"name": "x"}).status_code == 404


def test_unit_staff_sees_only_their_own_units_entries_on_a_shared_measure(
    client, agency, unit, other_unit, unit_staff, results_2568
):
    shared = factories.measure(agency, YEAR, "มาตรการร่วม", lead_unit=unit, supporting=[other_unit])
    client.force_login(unit_staff)

    response = client.get(f"/measures/{shared.pk}/")

    own = ProgressEntry.objects.filter(measure=shared, unit=unit)
    other = ProgressEntry.objects.filter(measure=shared, unit=other_unit)
    assert own.count() == 4 and other.count() == 4
    assert all(f"/entries/{e.pk}/" in response.text for e in own)
    assert not any(f"/entries/{e.pk}/" in response.text for e in other)


def test_unknown_or_absurd_years_and_ids_are_not_found(client, officer, agency):
    client.force_login(officer)

    assert client.get("/agencies/AG1/99999/plan/").status_code == 404
    assert client.get("/agencies/AG1/0/rounds/").status_code == 404
    assert client.get("/measures/999999/").status_code == 404
    assert client.get("/measures/99999999999999999999/").status_code == 404
    assert client.get("/agencies/NOPE/2569/plan/").status_code == 404


# --- Units ------------------------------------------------------------------------------------


def test_officer_adds_a_unit_with_parent_and_members(client, officer, unit, unit_staff):
    client.force_login(officer)

    response = client.post(
        "/agencies/AG1/units/",
        {"name": "  งานพัสดุและ  ทรัพย์สิน ", "abbreviation": "พด.", "parent": unit.pk, "members": [unit_staff.pk]},
    )

    assert response.status_code == 302
    added = Unit.objects.get(abbreviation="พด.")
    assert added.name == "งานพัสดุและ ทรัพย์สิน"
    assert (added.agency.code, added.parent, list(added.members.all())) == ("AG1", unit, [unit_staff])
    page = visible(client.get("/agencies/AG1/units/"))
    assert "งานพัสดุและ ทรัพย์สิน" in page and "พด." in page and "ส.บก." in page


def test_unit_parent_and_members_are_limited_to_the_agency(client, officer, agency, other_agency, outsider):
    foreign = factories.unit(other_agency, "หน่วยงานอื่น", "อื่น")
    client.force_login(officer)

    response = client.post("/agencies/AG1/units/", {"name": "งานใหม่", "parent": foreign.pk, "members": [outsider.pk]})

    assert response.status_code == 200
    assert not Unit.objects.filter(name="งานใหม่").exists()
    assert response.context["form"].errors.keys() == {"parent", "members"}
    assert 'value="งานใหม่"' in response.text  # what was typed is kept


def test_duplicate_unit_names_and_cycles_are_refused_not_crashed(client, officer, unit, other_unit):
    child = factories.unit(unit.agency, "งานย่อย", "ย.")
    child.parent = unit
    child.save()
    client.force_login(officer)

    duplicate = client.post("/agencies/AG1/units/", {"name": "กองการเจ้าหน้าที่"})
    cycle = client.post(f"/agencies/AG1/units/{unit.pk}/edit/", {"name": unit.name, "parent": child.pk})
    itself = client.post(f"/agencies/AG1/units/{unit.pk}/edit/", {"name": unit.name, "parent": unit.pk})

    assert duplicate.status_code == cycle.status_code == itself.status_code == 200
    assert "name" in duplicate.context["form"].errors
    assert "parent" in cycle.context["form"].errors and "parent" in itself.context["form"].errors
    unit.refresh_from_db()
    assert unit.parent is None


def test_officer_edits_a_unit(client, officer, unit, other_unit, unit_staff, other_unit_staff):
    client.force_login(officer)

    response = client.post(
        f"/agencies/AG1/units/{unit.pk}/edit/",
        {
            "name": "สำนักบริหารกลาง",
            "abbreviation": "สบก.",
            "parent": other_unit.pk,
            "members": [unit_staff.pk, other_unit_staff.pk],
        },
    )

    assert response.status_code == 302
    unit.refresh_from_db()
    assert (unit.name, unit.abbreviation, unit.parent) == ("สำนักบริหารกลาง", "สบก.", other_unit)
    assert set(unit.members.all()) == {unit_staff, other_unit_staff}


def test_unit_of_another_agency_is_not_found(client, officer, other_agency):
    foreign = factories.unit(other_agency, "หน่วยงานอื่น")
    client.force_login(officer)

    assert client.get(f"/agencies/AG1/units/{foreign.pk}/edit/").status_code == 404


# --- The plan page ------------------------------------------------------------------------------


def test_plan_lists_measures_by_indicator_with_the_score_answered(
    client, executive, agency, unit, other_unit, results_2568
):
    factories.measure(
        agency,
        YEAR,
        "มาตรการยกระดับการเปิดเผยข้อมูลสาธารณะ",
        lead_unit=unit,
        supporting=[other_unit],
        items=("o12", "o19"),
        months=[10, 11, 12, 1, 2, 3],
        analysis="บางรายการเปิดเผยข้อมูลไม่ครบถ้วน",
        steps="แต่งตั้งผู้ตรวจทานคนที่สอง\nจัดทำหน้ารวมลิงก์ข้อมูล",
    )
    factories.measure(
        agency,
        YEAR,
        "มาตรการกำกับดูแลและตรวจสอบทรัพย์สิน",
        lead_unit=other_unit,
        items=("i10",),
        period="months",
        months=[1, 2],
    )
    client.force_login(executive)

    response = client.get(f"/agencies/AG1/{YEAR}/plan/")
    page = visible(response)

    assert response.status_code == 200
    for heading in ("ตัวชี้วัด", "มาตรการ", "ผลการวิเคราะห์", "ขั้นตอน", "ช่วงระยะเวลา", "ผู้รับผิดชอบ"):
        assert heading in page
    assert "ตัวชี้วัดที่ 9 การเปิดเผยข้อมูล" in page and "92.50" in page
    assert "ตัวชี้วัดที่ 4 การใช้ทรัพย์สินของราชการ" in page and "95.05" in page
    assert page.index("ตัวชี้วัดที่ 4") < page.index("ตัวชี้วัดที่ 9")
    assert "o12, o19" in page
    assert "<li>แต่งตั้งผู้ตรวจทานคนที่สอง</li>" in response.text
    assert re.search(r'<span class="on">1</span><span class="on">2</span><span>3</span><span>4</span>', response.text)
    assert re.search(r'<span class="on">ม\.ค\.</span><span class="on">ก\.พ\.</span>', response.text)
    assert "ส.บก." in page and "กจ." in page
    assert 'action="/agencies/AG1/2569/plan/copy/"' not in response.text  # read only


def test_empty_plan_explains_how_to_start(client, officer, results_2568):
    client.force_login(officer)

    response = client.get(f"/agencies/AG1/{YEAR}/plan/")

    assert "/agencies/AG1/2568/#tiers" in response.text
    assert "/measure-templates/?agency=AG1&amp;year=2569" in response.text
    assert f"/agencies/AG1/{YEAR}/plan/new/" in response.text


# --- Copying last year's plan ---------------------------------------------------------------------


def test_copy_last_years_plan_maps_fields_units_indicators_and_creates_entries(
    client, officer, agency, unit, other_unit
):
    source = factories.measure(
        agency,
        2565,
        "มาตรการทบทวนนโยบาย",
        lead_unit=unit,
        supporting=[other_unit],
        items=("I20", "I23"),
        months=[10, 11, 12],
        kpi="ร้อยละ 100",
        target="ร้อยละ 100",
        steps="ขั้นที่หนึ่ง\nขั้นที่สอง",
        report_to="ผู้อำนวยการ",
    )
    client.force_login(officer)

    response = client.post("/agencies/AG1/2566/plan/copy/", {"seen": "0"}, follow=True)

    copy = Measure.objects.get(fiscal_year=2566)
    assert "1 measure was copied" in visible(response) or "คัดลอก 1 มาตรการ" in visible(response)
    assert (copy.name, copy.kpi, copy.steps, copy.report_to, copy.months) == (
        source.name,
        source.kpi,
        source.steps,
        "ผู้อำนวยการ",
        [10, 11, 12],
    )
    assert (copy.lead_unit, list(copy.supporting_units.all()), copy.copied_from) == (unit, [other_unit], source)
    assert sorted(i.code for i in copy.items.all()) == ["I20", "I23"]
    assert [i.number for i in copy.indicators.all()] == [4]
    assert copy.entries.count() == 4 * 2


def test_copy_maps_indicators_into_the_next_framework(client, officer, agency, unit):
    source = factories.measure(agency, 2568, "มาตรการปี 2568", lead_unit=unit)
    source.indicators.set(FrameworkVersion.objects.for_year(2567).indicators.filter(number__in=[4, 9]))
    client.force_login(officer)

    client.post("/agencies/AG1/2569/plan/copy/", {"seen": "0"})

    copy = Measure.objects.get(fiscal_year=2569)
    version_2568 = FrameworkVersion.objects.for_year(2568)
    assert {(i.number, i.version_id) for i in copy.indicators.all()} == {(4, version_2568.pk), (9, version_2568.pk)}


def test_copy_into_a_plan_that_has_measures_needs_confirmation(client, officer, agency, unit):
    factories.measure(agency, 2568, "มาตรการเดิม", lead_unit=unit)
    factories.measure(agency, YEAR, "มาตรการที่มีแล้ว", lead_unit=unit)
    client.force_login(officer)

    refused = client.post(f"/agencies/AG1/{YEAR}/plan/copy/", {"seen": "1"}, follow=True)

    assert Measure.objects.filter(fiscal_year=YEAR).count() == 1
    assert "already has 1 measure" in visible(refused) or "มีมาตรการอยู่แล้ว 1" in visible(refused)
    assert 'name="confirm"' in refused.text

    client.post(f"/agencies/AG1/{YEAR}/plan/copy/", {"seen": "1", "confirm": "on"})

    assert sorted(Measure.objects.filter(fiscal_year=YEAR).values_list("name", flat=True)) == [
        "มาตรการที่มีแล้ว",
        "มาตรการเดิม",
    ]


def test_plan_page_sends_the_number_of_measures_shown_with_the_copy_button(client, officer, agency, unit):
    factories.measure(agency, 2568, "มาตรการเดิม", lead_unit=unit)
    factories.measure(agency, YEAR, "มาตรการที่มีแล้ว", lead_unit=unit)
    client.force_login(officer)

    response = client.get(f"/agencies/AG1/{YEAR}/plan/")

    assert re.search(r'<input type="hidden" name="seen" value="1"[^>]*>', response.text)


def test_second_click_on_copy_copies_nothing_and_says_the_plan_was_copied(client, officer, agency, unit):
    factories.measure(agency, 2568, "มาตรการเดิม", lead_unit=unit)
    factories.measure(agency, 2568, "มาตรการเดิมสอง", lead_unit=unit)
    client.force_login(officer)
    client.post(f"/agencies/AG1/{YEAR}/plan/copy/", {"seen": "0"})

    again = client.post(f"/agencies/AG1/{YEAR}/plan/copy/", {"seen": "0"}, follow=True)

    assert Measure.objects.filter(fiscal_year=YEAR).count() == 2
    assert "แผนปี 2568 ถูกคัดลอกมาไว้ในแผนนี้แล้ว" in visible(again)


def test_second_click_on_copy_anyway_copies_once(client, officer, agency, unit):
    factories.measure(agency, 2568, "มาตรการเดิม", lead_unit=unit)
    factories.measure(agency, YEAR, "มาตรการที่มีแล้ว", lead_unit=unit)
    client.force_login(officer)
    client.post(f"/agencies/AG1/{YEAR}/plan/copy/", {"seen": "1", "confirm": "on"})

    again = client.post(f"/agencies/AG1/{YEAR}/plan/copy/", {"seen": "1", "confirm": "on"}, follow=True)

    assert sorted(Measure.objects.filter(fiscal_year=YEAR).values_list("name", flat=True)) == [
        "มาตรการที่มีแล้ว",
        "มาตรการเดิม",
    ]
    assert "แผนปี 2568 ถูกคัดลอกมาไว้ในแผนนี้แล้ว" in visible(again)


def test_copy_from_a_page_older_than_the_plan_copies_nothing(client, officer, agency, unit):
    factories.measure(agency, 2568, "มาตรการเดิม", lead_unit=unit)
    client.force_login(officer)
    factories.measure(agency, YEAR, "มาตรการที่เพิ่งเพิ่ม", lead_unit=unit)  # added after the page was shown

    response = client.post(f"/agencies/AG1/{YEAR}/plan/copy/", {"seen": "0"}, follow=True)
    without_count = client.post(f"/agencies/AG1/{YEAR}/plan/copy/", {"confirm": "on"}, follow=True)

    assert list(Measure.objects.filter(fiscal_year=YEAR).values_list("name", flat=True)) == ["มาตรการที่เพิ่งเพิ่ม"]
    assert "แผนมีการเปลี่ยนแปลงหลังจากที่ท่านเปิดหน้านี้" in visible(response)
    assert "แผนมีการเปลี่ยนแปลงหลังจากที่ท่านเปิดหน้านี้" in visible(without_count)


def test_copy_with_nothing_last_year_says_so(client, officer, agency):
    client.force_login(officer)

    response = client.post(f"/agencies/AG1/{YEAR}/plan/copy/", {"seen": "0"}, follow=True)

    assert Measure.objects.count() == 0
    assert response.status_code == 200


# --- Reporting rounds -----------------------------------------------------------------------------


def rounds_data(client, url, **changes):
    """The rounds' fields as the page sends them, with `changes` {kind: {field: value}} applied."""
    response = client.get(url)
    data = {}
    for form in response.context["forms"]:
        round_ = form.instance
        values = {"due_date": round_.due_date.isoformat(), "active": round_.active}
        values.update(changes.get(round_.kind, {}))
        for key, value in values.items():
            if key == "active":
                if value:
                    data[f"{round_.kind}-active"] = "on"
            else:
                data[f"{round_.kind}-{key}"] = value
    return data


def test_rounds_page_shows_six_rounds_with_buddhist_era_dates_without_writing_them(client, executive, agency):
    client.force_login(executive)

    response = client.get(f"/agencies/AG1/{YEAR}/rounds/")
    page = visible(response)

    assert not ReportingRound.objects.filter(agency=agency).exists()  # a GET writes nothing
    assert [form.instance.kind for form in response.context["forms"]] == ["q1", "6m", "q2", "q3", "12m", "q4"]
    assert "31 ธันวาคม 2568" in page and "30 กันยายน 2569" in page
    assert "data-datepicker" not in response.text  # read only


def test_officer_changes_due_dates_and_entries_follow_the_active_rounds(client, officer, own_measure):
    client.force_login(officer)
    url = f"/agencies/AG1/{YEAR}/rounds/"
    assert sorted(own_measure.entries.values_list("round__kind", flat=True)) == ["q1", "q2", "q3", "q4"]

    data = rounds_data(client, url, q1={"due_date": "2026-01-15"}, q2={"active": False}, **{"6m": {"active": True}})
    response = client.post(url, data)

    assert response.status_code == 302
    q1 = ReportingRound.objects.get(fiscal_year=YEAR, kind="q1")
    assert q1.due_date == datetime.date(2026, 1, 15)
    assert sorted(own_measure.entries.values_list("round__kind", flat=True)) == ["6m", "q1", "q3", "q4"]


def test_the_first_save_of_a_year_writes_its_rounds_as_posted(client, officer, agency):
    client.force_login(officer)
    url = f"/agencies/AG1/{YEAR + 1}/rounds/"
    data = rounds_data(client, url, q1={"due_date": "2027-01-15"}, q2={"active": False}, **{"6m": {"active": True}})
    assert not ReportingRound.objects.exists()

    response = client.post(url, data)

    assert response.status_code == 302
    saved = ReportingRound.objects.filter(agency=agency, fiscal_year=YEAR + 1).order_by("due_date", "kind")
    assert [(r.kind, r.due_date.isoformat(), r.active) for r in saved] == [
        ("q1", "2027-01-15", True),
        ("6m", "2027-03-31", True),
        ("q2", "2027-03-31", False),
        ("q3", "2027-06-30", True),
        ("12m", "2027-09-30", False),
        ("q4", "2027-09-30", True),
    ]
    assert ReportingRound.history.count() == 6  # created once each, as posted
    factories.measure(agency, YEAR + 1, lead_unit=factories.unit(agency, "กองคลัง"))
    assert sorted(ProgressEntry.objects.values_list("round__kind", flat=True)) == ["6m", "q1", "q3", "q4"]


def test_a_started_report_survives_when_its_round_is_switched_off(client, officer, own_measure):
    entry = own_measure.entries.get(round__kind="q2")
    entry.result = "จัดประชุมชี้แจงแล้ว"
    entry.save()
    client.force_login(officer)
    url = f"/agencies/AG1/{YEAR}/rounds/"

    client.post(url, rounds_data(client, url, q2={"active": False}))

    assert ProgressEntry.objects.filter(pk=entry.pk).exists()


def test_due_date_before_the_rounds_first_day_is_refused(client, officer, own_measure):
    client.force_login(officer)
    url = f"/agencies/AG1/{YEAR}/rounds/"

    response = client.post(
        url,
        rounds_data(
            client, url, q2={"due_date": "2025-12-31"}, q3={"due_date": "2030-01-01"}, q1={"due_date": "2568-12-20"}
        ),
    )

    assert response.status_code == 200
    assert "after the round's first day" in visible(response) or "หลังวันแรกของรอบ" in visible(response)
    assert 'value="2025-12-31"' in response.text  # what was typed is kept
    assert ReportingRound.objects.get(fiscal_year=YEAR, kind="q2").due_date == datetime.date(2026, 3, 31)
    assert ReportingRound.objects.get(fiscal_year=YEAR, kind="q1").due_date == datetime.date(2025, 12, 31)


def test_garbage_rounds_post_is_refused_not_crashed(client, officer, agency):
    client.force_login(officer)
    url = f"/agencies/AG1/{YEAR}/rounds/"

    for data in ({}, {"form-TOTAL_FORMS": "9", "form-INITIAL_FORMS": "6"}, {"q1-due_date": "x", "q1-active": "on"}):
        assert client.post(url, data).status_code == 200
    assert not ReportingRound.objects.filter(agency=agency).exists()


def test_rounds_of_another_agency_cannot_be_changed_through_this_page(client, officer, other_agency, agency):
    foreign = ensure_rounds(agency=other_agency, fiscal_year=YEAR)[0]
    client.force_login(officer)
    url = f"/agencies/AG1/{YEAR}/rounds/"
    data = rounds_data(client, url)
    data["q1-id"] = foreign.pk  # an id from an older form, or typed: the fields name the round by kind only
    data["q1-due_date"] = "2026-02-01"

    assert client.post(url, data).status_code == 302
    foreign.refresh_from_db()
    assert foreign.due_date == datetime.date(2025, 12, 31)
    assert ReportingRound.objects.get(agency=agency, fiscal_year=YEAR, kind="q1").due_date == datetime.date(2026, 2, 1)


# --- The measure page and its history ---------------------------------------------------------


def test_measure_page_shows_fields_items_with_scores_and_the_entries_grid(
    client, officer, agency, unit, other_unit, results_2568
):
    measure = factories.measure(
        agency,
        YEAR,
        "มาตรการยกระดับการเปิดเผยข้อมูลสาธารณะ",
        lead_unit=unit,
        supporting=[other_unit],
        items=("o12", "e2"),
        steps="ขั้นที่หนึ่ง\nขั้นที่สอง",
        kpi="ร้อยละของข้อที่ครบองค์ประกอบ",
        target="ร้อยละ 100",
        monitoring="ติดตามทุกเดือน",
        report_to="นายกเทศมนตรี",
        confidence="high",
        risks="ข้อมูลไม่ทันเวลา",
        months=[10, 11, 12, 1, 2, 3],
    )
    client.force_login(officer)

    response = client.get(f"/measures/{measure.pk}/")
    page = visible(response)

    assert "<li>ขั้นที่หนึ่ง</li>" in response.text and "<li>ขั้นที่สอง</li>" in response.text
    assert "o12" in page and "50.00" in page
    assert "93.86" in page and "84.24" in page  # e2, both EIT parts
    for text in ("ร้อยละของข้อที่ครบองค์ประกอบ", "ร้อยละ 100", "ติดตามทุกเดือน", "นายกเทศมนตรี", "ข้อมูลไม่ทันเวลา"):
        assert text in page
    assert "สำนักงานบริหารกลาง (ส.บก.)" in page and "กองการเจ้าหน้าที่ (กจ.)" in page
    for entry in measure.entries.all():
        assert f"/entries/{entry.pk}/" in response.text
    assert f"/measures/{measure.pk}/history/" in response.text


def test_history_shows_who_changed_which_field_from_what_to_what(client, officer, own_measure, results_2568):
    client.force_login(officer)
    form = client.get(f"/measures/{own_measure.pk}/edit/").context["form"]
    data = form_data(
        form, name="มาตรการเผยแพร่ข้อมูลการจัดซื้อจัดจ้างให้เป็นปัจจุบัน", items=[*form["items"].value(), item_pk("o19")]
    )

    assert client.post(f"/measures/{own_measure.pk}/edit/", data).status_code == 302
    response = client.get(f"/measures/{own_measure.pk}/history/")
    page = visible(response)

    assert "officer" in page
    assert "มาตรการเผยแพร่ข้อมูลการจัดซื้อจัดจ้าง มาตรการเผยแพร่ข้อมูลการจัดซื้อจัดจ้างให้เป็นปัจจุบัน" in page
    assert "o12 o12, o19" in page  # items, before and after
    assert "revert" not in page.lower() and "<form" not in response.text.split("<main>")[1]


def form_data(form, **changes):
    """What a browser sends for `form` as it was drawn, with `changes`."""
    data = {}
    for name in form.fields:
        value = form[name].value()
        if value is None:
            continue
        if isinstance(value, (list, tuple)):
            data[name] = [str(v) for v in value]
        elif isinstance(value, datetime.date):
            data[name] = value.isoformat()
        else:
            data[name] = str(value)
    data.update(changes)
    return data


def item_pk(code, year=2568):
    return str(FrameworkVersion.objects.for_year(year).items.get(code=code).pk)


# --- The template library ---------------------------------------------------------------------


def test_load_measure_templates_is_idempotent(db):
    out = StringIO()
    call_command("load_measure_templates", stdout=out)
    count = MeasureTemplate.objects.count()
    call_command("load_measure_templates", stdout=out)

    assert 15 <= count <= 30
    assert MeasureTemplate.objects.count() == count
    assert MeasureTemplate.objects.filter(item_code="I20", indicator_number=4).exists()
    assert MeasureTemplate.objects.filter(item_code="E14").count() == 2
    assert "0 new" in out.getvalue()


def test_load_measure_templates_names_every_problem(tmp_path, db):
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "- indicator: 11\n  name: x\n- indicator: 4\n  item: E14\n  name: y\n- indicator: 2\n", encoding="utf-8"
    )

    with pytest.raises(CommandError) as error:
        call_command("load_measure_templates", str(bad))

    message = str(error.value)
    assert "template 1" in message and "template 2" in message and "template 3" in message
    assert MeasureTemplate.objects.count() == 0


def test_library_lists_templates_by_indicator_with_use_links_for_editors(client, officer, executive, agency):
    call_command("load_measure_templates", stdout=StringIO())
    template = MeasureTemplate.objects.get(item_code="I20")

    client.force_login(officer)
    page = client.get("/measure-templates/")
    client.force_login(executive)
    read_only = client.get("/measure-templates/")

    assert template.name in visible(page)
    assert "ตัวชี้วัดที่ 4 การใช้ทรัพย์สินของราชการ" in visible(page)
    assert re.search(rf"/agencies/AG1/\d+/plan/new/\?template={template.pk}", page.text)
    assert template.name in visible(read_only) and "?template=" not in read_only.text

    chosen = client.get("/measure-templates/?agency=AG1&year=2569")
    assert "?template=" not in chosen.text  # an executive may not write AG1's plan: not a choice
    client.force_login(officer)
    chosen = client.get("/measure-templates/?agency=AG1&year=2569")
    assert f"/agencies/AG1/2569/plan/new/?template={template.pk}" in chosen.text
    assert client.get("/measure-templates/?agency=AG1&year=abc").status_code == 200


# --- The analysis page ------------------------------------------------------------------------


def test_analysis_links_weak_items_to_their_measures_and_to_a_prefilled_form(
    client, officer, own_measure, results_2568
):
    client.force_login(officer)

    response = client.get("/agencies/AG1/2568/")

    assert f'href="/measures/{own_measure.pk}/"' in response.text
    assert "/agencies/AG1/2569/plan/new/?item=o12&amp;part=0" in response.text
    assert "/agencies/AG1/2569/plan/new/?item=e2&amp;part=2" in response.text
    assert "/agencies/AG1/2569/plan/new/?item=o1&amp;part=0" not in response.text  # a strength


def test_analysis_shows_unit_staff_only_their_units_measures_and_no_create_links(
    client, unit_staff, own_measure, others_measure
):
    client.force_login(unit_staff)

    response = client.get("/agencies/AG1/2568/")

    assert f'href="/measures/{own_measure.pk}/"' in response.text
    assert f'href="/measures/{others_measure.pk}/"' not in response.text
    assert "/plan/new/" not in response.text


# --- A fixed number of queries ----------------------------------------------------------------


def queries(client, user, url):
    client.force_login(user)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def more_measures(agency, count):
    units = [factories.unit(agency, f"งานที่ {n}", f"ง.{n}") for n in range(5)]
    for n in range(count):
        factories.measure(
            agency,
            YEAR,
            f"มาตรการที่ {n}",
            lead_unit=units[n % 5],
            supporting=units[:2],
            items=("o12", "i10", "e2"),
            steps="หนึ่ง\nสอง",
            months=[1, 2],
        )
    return units


@pytest.mark.parametrize("who", ["officer", "unit_staff"])
def test_plan_page_runs_a_fixed_number_of_queries(client, request, who, agency, own_measure):
    user = request.getfixturevalue(who)
    url = f"/agencies/AG1/{YEAR}/plan/"
    one = queries(client, user, url)

    units = more_measures(agency, 29)
    for added in units:
        added.members.add(user)

    assert queries(client, user, url) == one


def test_measure_page_runs_a_fixed_number_of_queries_however_many_units(client, officer, agency, unit, results_2568):
    measure = factories.measure(agency, YEAR, "มาตรการ", lead_unit=unit, items=("o12",))
    one = queries(client, officer, f"/measures/{measure.pk}/")

    units = more_measures(agency, 0)
    measure.supporting_units.set(units)
    measure.items.set(FrameworkVersion.objects.for_year(2568).items.filter(code__in=["o12", "o19", "e1", "i10"]))

    sync_entries(measure=measure)
    assert queries(client, officer, f"/measures/{measure.pk}/") == one


def test_units_rounds_form_history_library_and_analysis_pages_run_fixed_queries(client, officer, agency, own_measure):
    pages = [
        "/agencies/AG1/units/",
        f"/agencies/AG1/{YEAR}/rounds/",
        f"/agencies/AG1/{YEAR}/plan/new/",
        f"/measures/{own_measure.pk}/edit/",
        f"/measures/{own_measure.pk}/history/",
        "/measure-templates/",
        "/agencies/AG1/2568/",
    ]
    before = {url: queries(client, officer, url) for url in pages}

    more_measures(agency, 29)
    for n in range(5):
        own_measure.name = f"ชื่อที่ {n}"
        own_measure.save()
    call_command("load_measure_templates", stdout=StringIO())

    assert {url: queries(client, officer, url) for url in pages} == before
