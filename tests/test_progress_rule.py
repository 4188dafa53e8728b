"""One rule for progress: a measure's percent in a round is the mean of the percents its units
reported (submitted, returned or approved) in that round, drafts left out, shown as a whole
percent with halves rounded up; an indicator's progress is the mean of its measures' percents.
The plan page, the measure and entry pages, the dashboard and the progress report agree."""

import re

import pytest

from measures.counts import refresh_progress
from measures.models import ProgressEntry, whole_percent
from reports.progress_document import progress_document_for
from tests import factories
from tests.clock import pinned

pytestmark = pinned(2026, 2, 15)  # fiscal year 2569, its first quarter due


def visible(response):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


@pytest.fixture
def measure(agency, unit, other_unit):
    """Three units report Q1 of 2569: 30 (submitted), 79 (approved) and 50 (still a draft).
    The rule gives (30 + 79) / 2 = 54.5 → 55; the mean of all three would be 53, of the approved
    one 80, and rounding half to even 54."""
    third = factories.unit(agency, "กองคลัง", "กค.")
    measure = factories.measure(
        agency, 2569, "มาตรการเปิดเผยข้อมูล", lead_unit=unit, supporting=[other_unit, third], items=["i1"]
    )
    for who, state, percent in ((unit, "submitted", 30), (other_unit, "approved", 79), (third, "draft", 50)):
        ProgressEntry.objects.filter(measure=measure, unit=who, round__kind="q1").update(state=state, percent=percent)
    refresh_progress([agency.pk])  # written past the actions, which keep the dashboard's counts
    return measure


@pytest.mark.parametrize(("value", "shown"), [(None, None), (54.5, 55), (54.49, 54), (0, 0), (99.5, 100)])
def test_whole_percent_rounds_halves_up(value, shown):
    assert whole_percent(value) == shown


def test_plan_page_shows_the_measures_percent_by_the_rule(client, officer, measure):
    client.force_login(officer)

    assert "ความคืบหน้า 55%" in visible(client.get("/agencies/AG1/2569/plan/"))


def test_measure_page_shows_the_rounds_percent_by_the_rule(client, officer, measure):
    client.force_login(officer)

    text = visible(client.get(f"/measures/{measure.pk}/"))

    assert "30% " in text and "79% " in text and " 55% " in text


def test_entry_page_shows_the_measure_overall_by_the_rule(client, officer, measure, unit):
    entry = ProgressEntry.objects.get(measure=measure, unit=unit, round__kind="q1")
    client.force_login(officer)

    text = visible(client.get(f"/entries/{entry.pk}/"))

    assert "ภาพรวมมาตรการ 55% " in text


def test_dashboard_indicator_progress_is_the_measures_percent(client, officer, measure):
    client.force_login(officer)

    html = client.get("/dashboard/").content.decode()

    section = html.split('id="indicator-progress"')[1].split("</section>")[0]
    assert '<span class="num">55%</span>' in section
    assert 'value="55"' in section


def test_progress_report_prints_the_same_percent(agency, measure):
    document = progress_document_for(agency, 2569, "q1")

    [row] = document.sections[0].table.rows
    assert row[-1].endswith("ความคืบหน้าของมาตรการ ร้อยละ 55")


def test_a_measure_with_only_drafts_has_no_percent(client, officer, agency, unit):
    measure = factories.measure(agency, 2569, "มาตรการร่าง", lead_unit=unit, items=["i1"])
    ProgressEntry.objects.filter(measure=measure, round__kind="q1").update(percent=70)
    client.force_login(officer)

    assert "ความคืบหน้า 70%" not in visible(client.get("/agencies/AG1/2569/plan/"))
    [row] = progress_document_for(agency, 2569, "q1").sections[0].table.rows
    assert "ความคืบหน้าของมาตรการ" not in row[-1]
