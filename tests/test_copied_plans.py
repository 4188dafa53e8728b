"""Measures copied from last year's plan are "to review" until an editor saves or confirms them;
the plan page counts them and lets the editor show only them. Their indicator cells show the
results the new plan answers (the year before the new plan), never the old plan's."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assessments.models import FrameworkVersion
from measures.models import Measure
from measures.plans import answered_results
from tests import factories, published


def visible(response):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


@pytest.fixture
def copied(client, officer, agency, unit):
    """The 2568 plan's two measures copied into the 2569 plan, which answers the 2568 results."""
    factories.assessment(agency, 2568, published.angthong_2568_figures())
    for name, number in (("มาตรการหนึ่ง", 4), ("มาตรการสอง", 9)):
        source = factories.measure(agency, 2568, name, lead_unit=unit)
        source.indicators.set(FrameworkVersion.objects.for_year(2567).indicators.filter(number=number))
    client.force_login(officer)
    client.post("/agencies/AG1/2569/plan/copy/", {"seen": "0"})
    return list(Measure.objects.filter(fiscal_year=2569).order_by("pk"))


def test_copies_are_to_review_and_the_originals_are_not(copied):
    assert [m.to_review for m in copied] == [True, True]
    assert list(Measure.objects.filter(fiscal_year=2568).values_list("to_review", flat=True)) == [False, False]


def test_plan_page_counts_and_marks_the_measures_to_review(client, copied):
    text = visible(client.get("/agencies/AG1/2569/plan/"))

    assert "มาตรการที่คัดลอกจากปีที่แล้ว 2 มาตรการยังต้องทบทวน" in text
    assert text.count("ต้องทบทวน ") >= 3  # the count and one badge per measure


def test_confirm_on_the_plan_row_takes_the_measure_off_the_list(client, copied):
    first, second = copied

    response = client.post(f"/measures/{first.pk}/confirm/", {"on_plan": "on"})

    assert response["Location"] == f"/agencies/AG1/2569/plan/#measure-{first.pk}"
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.to_review, second.to_review) == (False, True)
    assert "มาตรการที่คัดลอกจากปีที่แล้ว 1 มาตรการยังต้องทบทวน" in visible(client.get("/agencies/AG1/2569/plan/"))


def test_confirm_on_the_measure_page_returns_to_it(client, copied):
    response = client.post(f"/measures/{copied[0].pk}/confirm/")

    assert response["Location"] == f"/measures/{copied[0].pk}/"
    assert "ต้องทบทวน" not in visible(client.get(f"/measures/{copied[0].pk}/"))


def test_saving_the_measure_form_is_the_review(client, copied, unit):
    measure = copied[0]

    response = client.post(
        f"/measures/{measure.pk}/edit/",
        {
            "name": "มาตรการหนึ่ง ปรับปรุง",
            "period": "quarters",
            "quarters": ["1"],
            "report_frequency": "quarterly",
            "lead_unit": unit.pk,
            "revision": measure.revision,
        },
    )

    assert response.status_code == 302
    measure.refresh_from_db()
    assert (measure.name, measure.to_review) == ("มาตรการหนึ่ง ปรับปรุง", False)


def test_filter_shows_only_the_measures_to_review(client, copied):
    client.post(f"/measures/{copied[0].pk}/confirm/")

    text = visible(client.get("/agencies/AG1/2569/plan/?review=1"))

    assert "มาตรการสอง" in text and "มาตรการหนึ่ง" not in text


def test_a_new_measure_is_not_to_review(client, officer, agency, unit):
    assert factories.measure(agency, 2569, "มาตรการใหม่", lead_unit=unit).to_review is False
    client.force_login(officer)
    assert "ต้องทบทวน" not in visible(client.get("/agencies/AG1/2569/plan/"))


def test_copied_measures_show_the_results_the_new_plan_answers(client, copied):
    """The 2568 plan answered no results (2567 has none here); its copies in 2569 show the 2568 scores."""
    score = answered_results(copied[0].agency, 2569).indicator_score(4)

    html = client.get("/agencies/AG1/2569/plan/").content.decode()

    assert f"(ผลการประเมิน {score:.2f} คะแนน)" in html
    assert "ยังไม่มีผลการประเมินปี" not in html


def test_copies_into_a_year_without_results_say_so(client, officer, agency, unit):
    """The 2569 plan answers the 2568 results; copied into 2570, whose 2569 results are not in,
    the indicator cell says so instead of showing the 2568 score."""
    factories.assessment(agency, 2568, published.angthong_2568_figures())
    factories.measure(agency, 2569, "มาตรการปี 2569", lead_unit=unit, items=["o12"])
    old_score = answered_results(agency, 2569).indicator_score(9)
    client.force_login(officer)
    assert f"(ผลการประเมิน {old_score:.2f} คะแนน)" in client.get("/agencies/AG1/2569/plan/").content.decode()

    client.post("/agencies/AG1/2570/plan/copy/", {"seen": "0"})
    html = client.get("/agencies/AG1/2570/plan/").content.decode()

    assert "(ยังไม่มีผลการประเมินปี 2569)" in html
    assert f"(ผลการประเมิน {old_score:.2f} คะแนน)" not in html


def test_plan_page_runs_the_same_queries_with_copied_measures(client, officer, agency, unit):
    client.force_login(officer)
    url = "/agencies/AG1/2569/plan/"
    factories.measure(agency, 2569, "มาตรการเดิม", lead_unit=unit, items=["i1"])
    one = queries(client, url)

    for n in range(5):
        factories.measure(agency, 2568, f"มาตรการปีก่อน {n}", lead_unit=unit, items=["i2"])
    client.post("/agencies/AG1/2569/plan/copy/", {"seen": "1", "confirm": "on"})
    assert Measure.objects.filter(fiscal_year=2569, to_review=True).count() == 5

    assert queries(client, url) == one


def queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)
