"""The analysis of one agency's year: tiers as the example documents draw them, and the page."""

import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assessments.analysis import TierRule, build_analysis
from assessments.models import Assessment, FrameworkVersion
from tests import factories, published
from tests.published import indicators


def analysis_of(assessment):
    history = list(
        Assessment.objects.filter(agency=assessment.agency).order_by("fiscal_year").prefetch_related("scores")
    )
    versions = {v.pk: v for v in FrameworkVersion.objects.with_spec_data()}
    current = next(a for a in history if a.pk == assessment.pk)
    return build_analysis(current, history, versions)


def items_in(report, tier):
    return {
        row.code
        for t, _label, tools in report.tiers
        if t == tier
        for _tool, inds in tools
        for _i, rows in inds
        for row in rows
    }


@pytest.fixture
def tceb_2565(agency):
    figures = {
        **published.TCEB_2565_ITEMS,
        **indicators(published.TCEB_2565_INDICATORS),
        "OIT": "100.00",
        "ITA": "97.04",
    }
    factories.assessment(agency, 2564, {**indicators(published.TCEB_2564_INDICATORS), "ITA": "95.01"})
    assessment = factories.assessment(agency, 2565, figures)
    assessment.tier_scheme, assessment.tier_lower, assessment.tier_upper = "three", Decimal("95"), Decimal("97.5")
    assessment.save()
    return assessment


def test_tceb_2565_items_in_three_tiers_match_the_tceb_document(tceb_2565):
    report = analysis_of(tceb_2565)

    all_e = {f"E{n}" for n in range(1, 16)}
    assert items_in(report, "urgent") == {"I20", "I23"} | (all_e - {"E4", "E8", "E13", "E10"})
    assert items_in(report, "improve") == {"I6", "I26", "E10"}
    assert items_in(report, "keep") == ({f"I{n}" for n in range(1, 31)} - {"I20", "I23", "I6", "I26"}) | {
        "E4",
        "E8",
        "E13",
    }


def test_fio_2563_items_against_target_85_match_the_fio_document(agency):
    assessment = factories.assessment(agency, 2563, published.FIO_2563_ITEMS)

    report = analysis_of(assessment)

    # The FIO document's weaknesses, less its own slips: E7 = 85.69 is at or above 85, and
    # O29/O30 (100) are listed for a consultant's remarks, not for their scores.
    document_weaknesses = {
        "I1",
        "I2",
        "I3",
        "I7",
        "I12",
        "I13",
        "I14",
        "I15",
        "I20",
        "I21",
        "I23",
        "I27",
        "I28",
        "I30",
        "E6",
        "E7",
        "E8",
        "E10",
        "E13",
        "E14",
        "O9",
        "O15",
        "O29",
        "O30",
    }
    assert items_in(report, "weakness") == document_weaknesses - {"E7", "O29", "O30"}
    assert "E7" in items_in(report, "strength")


@pytest.mark.parametrize(
    "score, target_tier, three_tier",
    [
        ("84.99", "weakness", "urgent"),
        ("85.00", "strength", "urgent"),
        ("94.99", "strength", "urgent"),
        ("95.00", "strength", "improve"),
        ("97.50", "strength", "improve"),
        ("97.51", "strength", "keep"),
        ("84.995", "strength", "urgent"),
    ],
)
def test_tier_boundaries(score, target_tier, three_tier):
    assert TierRule.from_target(85).tier(Decimal(score)) == target_tier
    assert TierRule.from_bounds("95,97.5").tier(Decimal(score)) == three_tier


@pytest.mark.parametrize("text", ["97.5,95", "95", "a,b", "95,101"])
def test_tier_bounds_must_be_two_increasing_scores(text):
    with pytest.raises(ValueError):
        TierRule.from_bounds(text)


def test_highest_and_lowest_indicators_and_change_from_last_year(tceb_2565):
    report = analysis_of(tceb_2565)

    assert [i.number for i in report.highest] == [9, 10]
    assert [i.number for i in report.lowest] == [8]
    assert report.previous_year == 2564
    assert f"{report.overall.change:.2f}" == "2.03"
    changes = {i.number: row.change for i, row, _h in report.indicators}
    assert f"{changes[1]:.2f}" == "4.23"


# The page


URL = "/agencies/AG1/2565/"


def visible(response):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.text))


def test_anonymous_is_sent_to_login(client, tceb_2565):
    response = client.get(URL)

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_other_agency_gets_not_found(client, outsider, tceb_2565):
    client.force_login(outsider)

    assert client.get(URL).status_code == 404


def test_unknown_year_gets_not_found(client, officer, tceb_2565):
    client.force_login(officer)

    assert client.get("/agencies/AG1/2570/").status_code == 404


def test_page_shows_scores_changes_tiers_and_suggestions(client, executive, tceb_2565):
    tceb_2565.suggestions = "1) ควรพัฒนาและปรับปรุงการดำเนินการการใช้ทรัพย์สินของราชการ"
    tceb_2565.save()
    client.force_login(executive)

    response = client.get(URL)
    page = visible(response)

    assert response.status_code == 200
    assert '<html lang="th">' in response.text
    assert "97.04" in page and "95.01" in page and "2.03" in page
    assert "98.50" in page  # IIT from the indicators
    assert "87.77 A" in page  # I20 with its letter level
    assert "ควรพัฒนาและปรับปรุงการดำเนินการการใช้ทรัพย์สินของราชการ" in page
    assert "I20 87.77 A" in page  # listed in its tier
    assert 'name="tier_scheme"' not in response.text  # read-only users get no settings form


def test_fall_from_last_year_is_shown_in_parentheses(client, officer, agency):
    factories.assessment(agency, 2564, indicators(published.TCEB_2565_INDICATORS))
    factories.assessment(agency, 2565, indicators(published.TCEB_2564_INDICATORS))
    client.force_login(officer)

    page = visible(client.get(URL))

    assert "(2.03)" in page  # 95.01 after 97.04
    assert "(4.23)" in page  # indicator 1: 94.57 after 98.80


def test_indicators_sortable_by_score(client, officer, tceb_2565):
    client.force_login(officer)

    by_score = client.get(URL + "?sort=score").text
    by_number = client.get(URL).text

    assert indicator_order(by_score) == [9, 10, 2, 3, 5, 1, 4, 6, 7, 8]
    assert indicator_order(by_number) == list(range(1, 11))


def indicator_order(html):
    return [int(n) for n in re.findall(r'<th scope="row">(\d+)\. ', html)]


def test_mismatch_is_flagged_on_the_page(client, officer, agency):
    factories.assessment(agency, 2568, published.angthong_2568_figures())
    client.force_login(officer)

    response = client.get("/agencies/AG1/2568/")
    page = visible(response)

    assert "95.05" in page
    assert "94.19" in page
    assert "95.08" in page and "ผ่านดี" in page
    assert "93.20" in page and "87.61" in page  # EIT parts


def test_officer_changes_tier_scheme(client, officer, tceb_2565):
    client.force_login(officer)

    response = client.post(
        URL, {"tier_scheme": "target", "tier_target": "90", "tier_lower": "95", "tier_upper": "97.5"}
    )

    assert response.status_code == 302
    tceb_2565.refresh_from_db()
    assert (tceb_2565.tier_scheme, tceb_2565.tier_target) == ("target", Decimal("90.00"))


def test_bad_tier_settings_keep_what_was_typed_and_change_nothing(client, officer, tceb_2565):
    client.force_login(officer)

    response = client.post(URL, {"tier_scheme": "three", "tier_target": "85", "tier_lower": "98", "tier_upper": "96"})

    assert response.status_code == 200
    assert 'value="98"' in response.text and 'value="96"' in response.text
    tceb_2565.refresh_from_db()
    assert (tceb_2565.tier_lower, tceb_2565.tier_upper) == (Decimal("95.00"), Decimal("97.50"))
    # The page still reads with the saved tiers, not the refused ones.
    assert "I6" in visible(response)


def test_read_only_user_cannot_change_tiers(client, executive, tceb_2565):
    client.force_login(executive)

    response = client.post(
        URL, {"tier_scheme": "target", "tier_target": "90", "tier_lower": "95", "tier_upper": "97.5"}
    )

    assert response.status_code == 403
    tceb_2565.refresh_from_db()
    assert tceb_2565.tier_scheme == "three"


def page_queries(client, user, url):
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_page_runs_a_fixed_number_of_queries_however_many_years_and_agencies(client, officer, agency):
    factories.assessment(agency, 2565, {**published.TCEB_2565_ITEMS, **indicators(published.TCEB_2565_INDICATORS)})
    one = page_queries(client, officer, URL)

    for year in (2562, 2563, 2564):
        factories.assessment(agency, year, published.FIO_2563_ITEMS)
    factories.assessment(agency, 2568, published.angthong_2568_figures())
    for n in range(50):
        other = factories.agency(f"X{n}")
        factories.assessment(other, 2565, indicators(published.TCEB_2565_INDICATORS))
    many = page_queries(client, officer, URL)

    assert one == many


def test_oversight_user_and_superuser_may_read_but_only_editors_change(client, superuser, db):
    province = factories.agency("PROV", "จังหวัดทดสอบ", agency_type="province")
    town = factories.agency("TOWN", "เทศบาลทดสอบ", agency_type="local_government", parent=province)
    factories.assessment(town, 2568, published.angthong_2568_figures())
    governor = factories.member("governor", province, "executive", oversight=True)
    client.force_login(governor)

    assert client.get("/agencies/TOWN/2568/").status_code == 200
    assert 'name="tier_scheme"' not in client.get("/agencies/TOWN/2568/").text
    assert client.post("/agencies/TOWN/2568/", {"tier_scheme": "target", "tier_target": "90"}).status_code == 403

    client.force_login(superuser)
    assert 'name="tier_scheme"' in client.get("/agencies/TOWN/2568/").text
