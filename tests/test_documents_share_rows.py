"""Each document's rows come from the same builder and queries as its page, and every label and
Thai figure from one place: the models' choices and assessments.thai."""

import datetime
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation

from assessments import thai
from assessments.models import Assessment, FrameworkVersion
from measures.models import (
    REPORT_COVERS,
    Confidence,
    Frequency,
    Measure,
    ReportingRound,
    RoundKind,
    offered_reports,
    round_period,
)
from reports.improvement_document import improvement_document_for
from reports.plan_document import plan_document_for
from reports.progress_document import progress_document_for
from tests import factories, published

YEAR = 2569


@pytest.fixture
def plan(agency, unit, other_unit):
    """Measures answering indicators 9, 4 (with 9) and none, entered out of indicator order."""
    factories.assessment(agency, 2568, published.angthong_2568_figures())
    factories.measure(agency, YEAR, "เปิดเผยข้อมูล", lead_unit=unit, items=("o12",), order=1, report_frequency="yearly")
    factories.measure(agency, YEAR, "ไม่มีตัวชี้วัด", lead_unit=unit, order=2)
    factories.measure(agency, YEAR, "ทรัพย์สิน", lead_unit=other_unit, items=("i10", "o19"), order=3, report_to="นายก")
    factories.measure(agency, YEAR, "พัสดุ", lead_unit=other_unit, items=("i11",), order=4)
    return agency


def test_the_plan_page_and_the_plan_document_list_the_same_rows(client, plan, officer):
    client.force_login(officer)
    groups = client.get(f"/agencies/AG1/{YEAR}/plan/").context["groups"]
    page = [(group.indicator.number if group.indicator else None, [m.name for m in group.measures]) for group in groups]
    assert page == [(4, ["ทรัพย์สิน", "พัสดุ"]), (9, ["เปิดเผยข้อมูล"]), (None, ["ไม่มีตัวชี้วัด"])]

    rows = plan_document_for(plan, YEAR).sections[0].table.rows
    assert [row[1] for row in rows] == [name for _number, names in page for name in names]
    first_cells = [row[0].split("\n")[0] for row in rows]
    assert first_cells[0].startswith("ตัวชี้วัดที่ 4 ") and first_cells[2].startswith("ตัวชี้วัดที่ 9 ")
    assert rows[0][0].split("\n")[1].startswith("ตัวชี้วัดที่ 9 ")  # ทรัพย์สิน also answers indicator 9
    assert rows[1][0] == "" and rows[3][0] == "มาตรการอื่น ๆ"


def test_the_follow_up_prints_the_frequency_choice_label(plan):
    follow_up = plan_document_for(plan, YEAR).sections[1].table.rows
    assert follow_up == [["ทรัพย์สิน", "รายงานผลต่อ นายก ทุกไตรมาส"]]  # the empty columns left out
    with translation.override("th"):
        assert [str(label) for _value, label in Frequency.choices] == ["ทุกเดือน", "ทุกไตรมาส", "ทุก 6 เดือน", "ปีละครั้ง"]


def test_the_improvement_plan_ticks_the_confidence_choice_labels(plan):
    Measure.objects.filter(agency=plan).update(confidence=Confidence.LOWEST)
    risk = improvement_document_for(plan, YEAR).sections[1]
    with translation.override("th"):
        labels = [str(label) for _value, label in Confidence.choices]
    # The five levels as MWA's improvement plan prints them.
    assert labels == ["มากที่สุด >90%", "มาก >80%", "ปานกลาง ≥70%", "น้อย <70%", "น้อยที่สุด <60%"]
    assert [h.text for h in risk.table.header_rows[0]] == ["ระดับความมั่นใจ", *labels]
    assert risk.table.rows == [["ระดับที่เลือก", "", "", "", "", "√"]]


def test_a_period_report_prints_every_round_inside_its_period_that_units_report_in(agency):
    def kinds(kind):
        return [r.kind for r in ReportingRound.objects.filter(agency=agency, fiscal_year=YEAR).for_report(kind)]

    assert set(REPORT_COVERS) == set(RoundKind.values)
    assert kinds("6m") == [] and kinds("q3") == []
    for kind in ("q1", "q2", "q3", "q4", "6m", "12m"):
        ReportingRound.default(agency, YEAR, kind).save()  # the quarters report; 6m and 12m saved but off
    assert kinds("q3") == ["q3"]
    assert kinds("6m") == ["q1", "q2"]
    assert kinds("12m") == ["q1", "q2", "q3", "q4"]
    ReportingRound.objects.filter(agency=agency, kind__in=["q1", "q2", "q3", "q4"]).update(active=False)
    ReportingRound.objects.filter(agency=agency, kind__in=["6m", "12m"]).update(active=True)
    assert kinds("6m") == ["6m"]
    assert kinds("12m") == ["6m", "12m"]  # 12 months = the 6-month round and the 12-month round
    assert kinds("q2") == []


def test_reports_are_offered_only_for_rounds_the_agency_uses(agency):
    rounds = ReportingRound.of_year(agency, YEAR)
    assert offered_reports(rounds) == set()  # nothing saved yet
    for round_ in rounds:
        round_.save()  # the defaults: quarters on, 6m and 12m off
    assert offered_reports(ReportingRound.of_year(agency, YEAR)) == {"q1", "q2", "q3", "q4", "6m", "12m"}
    ReportingRound.objects.filter(agency=agency, kind__in=["q1", "q2"]).update(active=False)
    assert offered_reports(ReportingRound.of_year(agency, YEAR)) == {"q3", "q4", "12m"}


def test_the_progress_report_titles_rounds_with_the_choice_label_without_its_months(agency):
    with translation.override("th"):
        assert [kind.short_label for kind in RoundKind] == [
            "ไตรมาสที่ 1",
            "ไตรมาสที่ 2",
            "ไตรมาสที่ 3",
            "ไตรมาสที่ 4",
            "รอบ 6 เดือน",
            "รอบ 12 เดือน",
        ]
        assert RoundKind.Q1.label == "ไตรมาสที่ 1 (ต.ค.–ธ.ค.)"
    factories.measure(agency, YEAR, "มาตรการ")
    document = progress_document_for(agency, YEAR, "12m")
    assert document.title_lines[1] == f"ประจำปีงบประมาณ พ.ศ. {YEAR} รอบ 12 เดือน"
    assert document.filename == f"ita-progress-AG1-{YEAR}-12m"


def test_history_and_versions_load_as_the_analysis_needs_them(agency, other_agency):
    factories.assessment(agency, 2566)
    factories.assessment(agency, 2564)
    factories.assessment(other_agency, 2565)
    assert [a.fiscal_year for a in Assessment.objects.history_of(agency)] == [2564, 2566]
    versions = FrameworkVersion.objects.by_id()
    assert set(versions) == set(FrameworkVersion.objects.values_list("pk", flat=True))


@pytest.mark.parametrize(
    "value, score, change",
    [
        (Decimal("86.585"), "86.59", "86.59"),
        (Decimal("-4.715"), "-4.72", "(4.72)"),
        (97.5, "97.50", "97.50"),
        (None, "–", "–"),
        ("", "–", "–"),
    ],
)
def test_the_template_filters_print_figures_as_the_documents_do(value, score, change):
    assert thai.score_text(value) == score and thai.change_text(value) == change
    rendered = Template("{% load assessments_extras %}{{ v|score }} {{ v|change }}").render(Context({"v": value}))
    assert rendered == f"{score} {change}"


def test_buddhist_and_christian_eras_and_the_months_of_a_fiscal_year():
    assert thai.to_buddhist_era(2025) == 2568 and thai.to_christian_era(2568) == 2025
    months = thai.fiscal_months(2569)
    assert months[0] == (2025, 10) and months[2] == (2025, 12) and months[3] == (2026, 1) and months[-1] == (2026, 9)
    assert round_period("12m", 2569) == (datetime.date(2025, 10, 1), datetime.date(2026, 9, 30))
    assert thai.FISCAL_MONTHS_SHORT[:3] == ("ต.ค.", "พ.ย.", "ธ.ค.")
