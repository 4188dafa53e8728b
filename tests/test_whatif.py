"""What-if: changed figures through the scoring engine, and the smallest rise of each tool that
reaches each higher level, checked on real frameworks and against brute force."""

import re
from decimal import Decimal
from fractions import Fraction

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import given, settings, strategies as st

from assessments import scoring
from assessments.models import FrameworkVersion
from assessments.whatif import levels_from_top, raised_scores, smallest_rises, what_if
from tests import factories, published
from tests.published import TRAT_2564, indicators

pytestmark = pytest.mark.django_db

YEARS = (2565, 2568)  # a letter year and a pass-scheme year that scores EIT in two parts


@pytest.fixture(scope="module")
def specs(django_db_setup, django_db_blocker):
    # Specs are plain data; loading them once lets hypothesis reuse them across examples.
    with django_db_blocker.unblock():
        return {year: FrameworkVersion.objects.for_year(year).spec for year in YEARS}


def as_official(figures):
    return {(k if isinstance(k, tuple) else (k, 0)): Decimal(v) for k, v in figures.items()}


def shown(result, code, part=0):
    return f"{result.shown(code, part):.2f}"


def rises_of(table):
    """{level code: {(tool, part): rise as text or None}}."""
    return {
        row.level.code: {(r.tool, r.part): (f"{r.rise:.2f}" if r.rise is not None else None) for r in row.rises}
        for row in table
    }


TCEB_2565 = {**published.TCEB_2565_ITEMS, **indicators(published.TCEB_2565_INDICATORS)}


# Examples on real frameworks


def test_no_change_gives_the_computed_result(specs):
    official = as_official(published.angthong_2568_figures())

    assert what_if(specs[2568], official, {}) == scoring.compute(specs[2568], official)


def test_changed_item_makes_its_indicator_tool_and_overall_recomputed(specs):
    # TCEB 2565 with published indicators: I20 at 0 instead of 87.77 pulls indicator 4 down.
    result = what_if(specs[2565], as_official(TCEB_2565), {("I20", 0): Decimal("0")})

    # (98.90 + 0 + 97.80 + 100 + 94.47 + 97.80) / 6 = 81.495
    assert shown(result, "IND4") == "81.50"
    assert result.get("IND4").source == "computed"
    assert shown(result, "IIT") == "95.58"
    assert shown(result, "ITA") == "96.16"  # was 97.04
    assert result.level.code == "AA"
    # Indicators not fed by I20 keep their published figures.
    assert result.get("IND3").source == "official"


def test_changed_indicator_lowers_the_letter_level(specs):
    result = what_if(specs[2565], as_official(TCEB_2565), {("IND6", 0): Decimal("60")})

    # EIT = (60 + 92.60 + 88.97) / 3 = 80.523; 0.3 × 98.504 + 0.3 × 80.523 + 40 = 93.708
    assert shown(result, "EIT") == "80.52"
    assert shown(result, "ITA") == "93.71"
    assert result.level.code == "A"


def test_letter_year_smallest_rise_rounds_half_up_to_the_next_level(specs):
    result = what_if(specs[2565], as_official(TCEB_2565), {("IND6", 0): Decimal("60")})

    # EIT + 4.28 gives 94.992 (94.99, A); + 4.29 gives 94.995, shown 95.00: AA.
    # IIT would need 98.50 + 4.29 > 100, and OIT is already 100.
    assert rises_of(smallest_rises(specs[2565], result)) == {
        "AA": {("IIT", 0): None, ("EIT", 0): "4.29", ("OIT", 0): None}
    }


def test_changed_eit_item_part_recomputes_the_part_and_the_level(specs):
    official = as_official(published.angthong_2568_figures())

    result = what_if(specs[2568], official, {("e8", 2): Decimal("100")})

    # Indicator 8 Survey = (84.24 + 100 + 84.85) / 3 = 89.697
    assert shown(result, "IND8", 2) == "89.70"
    assert shown(result, "EIT", 2) == "89.43"
    assert shown(result, "ITA") == "95.35"  # was 95.08
    assert result.level.name == "ผ่านดี"


def test_changed_whole_indicator_in_a_two_part_year_outweighs_its_old_parts(specs):
    official = as_official(published.angthong_2568_figures())

    result = what_if(specs[2568], official, {("IND6", 0): Decimal("100")})

    # Its parts and items are dropped, so EIT is the mean of the whole indicators 6–8:
    # (100 + 90.28 + 88.06) / 3 = 92.78 (exactly 92.7841…), and no EIT part is known to test.
    assert result.get("IND6", 1) is None and result.get("EIT", 1) is None
    assert shown(result, "EIT") == "92.78"
    assert shown(result, "ITA") == "95.79"  # 0.3 × 98.192 + 0.3 × 92.784 + 0.4 × 96.25
    assert result.level.name == "ผ่านดี"


def test_changed_item_of_a_year_without_that_indicator_s_other_items_gives_no_overall(specs):
    # Indicator results only: one item cannot stand for its indicator (a mean of some items is wrong).
    official = as_official(indicators(published.TCEB_2565_INDICATORS))

    result = what_if(specs[2565], official, {("I1", 0): Decimal("100")})

    assert result.get("IND1") is None
    assert result.get("ITA") is None
    assert smallest_rises(specs[2565], result) == []


def test_pass_year_rises_follow_every_tool_rules(specs):
    # The State Audit Office's case in 2568: overall above 85, one EIT part below it: ผ่าน.
    official = as_official({"IIT": "98.19", ("EIT", 1): "93.20", ("EIT", 2): "84.50", "OIT": "96.25"})
    result = scoring.compute(specs[2568], official)
    assert shown(result, "ITA") == "94.61"
    assert result.level.name == "ผ่าน"

    table = smallest_rises(specs[2568], result)

    assert [row.level.name for row in table] == ["ผ่านดีเยี่ยม", "ผ่านดี"]
    assert rises_of(table) == {
        # Two scores below 95: no single one can reach it.
        "excellent": {("IIT", 0): None, ("EIT", 1): None, ("EIT", 2): None, ("OIT", 0): None},
        "good": {("IIT", 0): None, ("EIT", 1): None, ("EIT", 2): "0.50", ("OIT", 0): None},
    }
    assert table[1].rises[2].score == Decimal("85.00")


def test_pass_year_rise_of_the_one_tool_below_the_top(specs):
    official = as_official({"IIT": "96.00", ("EIT", 1): "96.00", ("EIT", 2): "95.00", "OIT": "93.00"})
    result = scoring.compute(specs[2568], official)
    assert shown(result, "ITA") == "94.65"

    assert rises_of(smallest_rises(specs[2568], result)) == {
        "excellent": {("IIT", 0): None, ("EIT", 1): None, ("EIT", 2): None, ("OIT", 0): "2.00"}
    }


def test_top_level_has_nothing_above(specs):
    result = scoring.compute(specs[2565], as_official({**TCEB_2565, "OIT": "100.00"}))

    assert result.level.code == "AA"
    assert smallest_rises(specs[2565], result) == []


# Properties against brute force

scores = st.decimals(min_value=0, max_value=100, places=2, allow_nan=False, allow_infinity=False)


def tool_figures(year, iit, eit, eit_survey, oit):
    """Tool-level figures; in the two-part year EIT is given as its parts only, so that the engine
    computes EIT from them as it would from next year's published parts."""
    if year == 2568:
        return {("IIT", 0): iit, ("EIT", 1): eit, ("EIT", 2): eit_survey, ("OIT", 0): oit}
    return {("IIT", 0): iit, ("EIT", 0): eit, ("OIT", 0): oit}


def rank(spec, level):
    return levels_from_top(spec).index(level) if level is not None else len(spec.levels)


def reaches(spec, official, key, score, level):
    """Whether the engine, given `score` for `key`, places the result at `level` or above."""
    result = what_if(spec, official, {key: score})
    return rank(spec, result.level) <= rank(spec, level)


@settings(max_examples=150, deadline=None)
@given(year=st.sampled_from(YEARS), iit=scores, eit=scores, eit_survey=scores, oit=scores)
def test_smallest_rise_reaches_the_level_and_one_hundredth_less_does_not(specs, year, iit, eit, eit_survey, oit):
    spec = specs[year]
    official = tool_figures(year, iit, eit, eit_survey, oit)
    result = scoring.compute(spec, official)

    table = smallest_rises(spec, result)

    order = levels_from_top(spec)
    assert [row.level for row in table] == order[: order.index(result.level)]
    for row in table:
        assert [(r.tool, r.part) for r in row.rises] == raised_scores(spec, result)
        for rise in row.rises:
            key, current = (rise.tool, rise.part), official[(rise.tool, rise.part)]
            if rise.rise is None:
                assert not reaches(spec, official, key, Decimal(100), row.level)
                continue
            assert rise.rise >= Decimal("0.01")
            assert rise.score == current + rise.rise <= 100
            assert reaches(spec, official, key, rise.score, row.level)
            assert not reaches(spec, official, key, rise.score - Decimal("0.01"), row.level)


@settings(max_examples=12, deadline=None)
@given(
    year=st.sampled_from(YEARS),
    figures=st.tuples(*[st.decimals(min_value=88, max_value=100, places=2) for _ in range(4)]),
    which=st.integers(min_value=0, max_value=3),
)
def test_smallest_rise_is_the_first_score_found_by_scanning(specs, year, figures, which):
    spec = specs[year]
    official = tool_figures(year, *figures)
    result = scoring.compute(spec, official)
    table = smallest_rises(spec, result)
    if not table:
        return
    row = table[-1]  # the level just above the current one
    rise = row.rises[which % len(row.rises)]
    key = (rise.tool, rise.part)

    scanned = None
    score = official[key] + Decimal("0.01")
    while score <= 100:
        if reaches(spec, official, key, score, row.level):
            scanned = score
            break
        score += Decimal("0.01")

    assert rise.score == scanned


LEAVES_2568 = list(as_official(published.angthong_2568_figures()))
UPPER_2568 = [("IND1", 0), ("IND6", 0), ("IND6", 1), ("IND9", 0), ("SUB9.3", 0), ("IIT", 0), ("EIT", 2), ("ITA", 0)]


@settings(max_examples=60, deadline=None)
@given(
    leaves=st.dictionaries(st.sampled_from(LEAVES_2568), scores, min_size=20),
    upper=st.dictionaries(st.sampled_from(UPPER_2568), scores, max_size=4),
)
def test_what_if_with_no_change_is_compute(specs, leaves, upper):
    official = {**leaves, **upper}

    assert what_if(specs[2568], official, {}) == scoring.compute(specs[2568], official)


@settings(max_examples=60, deadline=None)
@given(
    upper=st.dictionaries(st.sampled_from(UPPER_2568[:-1]), scores, max_size=3),
    key=st.sampled_from(LEAVES_2568 + UPPER_2568[:-1]),
    score=scores,
)
def test_a_changed_figure_is_the_figure_of_record_and_the_overall_follows_it(specs, upper, key, score):
    spec = specs[2568]
    official = {**as_official(published.angthong_2568_figures()), **upper}

    result = what_if(spec, official, {key: score})

    assert result.get(*key).official == score
    # Whatever stands above the change is computed, not published, and the overall score is known.
    assert result.get("ITA").source == "computed"
    tools = [result.value(tool) for tool in scoring.TOOLS]
    weights = [Fraction(spec.weights[tool]) for tool in scoring.TOOLS]
    assert result.value("ITA") == sum(w * t for w, t in zip(weights, tools, strict=True))


# The panel on the analysis page

TRAT_URL = "/agencies/AG1/2564/"


@pytest.fixture
def trat_2564(agency):
    return factories.assessment(agency, 2564, indicators(TRAT_2564))


def what_if_section(response):
    """The visible text of the #what-if section."""
    html = response.text
    start = html.index('<section id="what-if"')
    section = html[start : html.index("</section>", start)]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", section))


def submitted(scores):
    return {"what_if": "1", **{f"wi-{code}-{part}": value for (code, part), value in scores.items()}}


def test_panel_starts_at_this_year_s_scores_with_the_rises_from_them(client, officer, trat_2564):
    client.force_login(officer)

    response = client.get(TRAT_URL)

    assert response.status_code == 200
    assert 'name="wi-IND10-0" value="65.56"' in response.text
    assert 'name="wi-IND1-0" value="93.55"' in response.text
    assert "<details" not in what_if_section(response)  # indicator results only: no item inputs
    section = what_if_section(response)
    # 81.4548 (B): A needs 84.995, i.e. OIT + 8.86 (69.225 → 78.085); IIT and EIT would pass 100.
    assert "จากคะแนนของปีนี้" in section
    assert re.search(r"A ลำพังไม่ถึง ลำพังไม่ถึง \+8\.86 → 78\.09", section)
    assert re.search(r"AA ลำพังไม่ถึง ลำพังไม่ถึง ลำพังไม่ถึง", section)


def test_typed_indicator_shows_the_score_and_level_that_would_follow(client, officer, trat_2564):
    client.force_login(officer)

    response = client.get(TRAT_URL, submitted({("IND10", 0): "85", ("IND1", 0): "93.55"}))

    section = what_if_section(response)
    # OIT (72.89 + 85) / 2 = 78.945; 0.3 × 89.946 + 0.3 × 89.27 + 0.4 × 78.945 = 85.3428
    assert "คะแนนรวมที่จะได้ 85.34 A" in section
    assert "เปลี่ยน 1 คะแนน" in section  # 93.55 typed as it was is no change
    assert 'name="wi-IND10-0" value="85"' in response.text
    # Scores left out of the address stand at this year's figures.
    assert 'name="wi-IND9-0" value="72.89"' in response.text


def test_thai_digits_are_read(client, officer, trat_2564):
    client.force_login(officer)

    response = client.get(TRAT_URL, submitted({("IND10", 0): "๘๕"}))

    assert "คะแนนรวมที่จะได้ 85.34 A" in what_if_section(response)


def test_bad_scores_are_refused_beside_the_field_keeping_what_was_typed(client, officer, trat_2564):
    client.force_login(officer)

    response = client.get(TRAT_URL, submitted({("IND9", 0): "สูง", ("IND10", 0): "120", ("IND1", 0): "90.123"}))

    assert response.status_code == 200
    assert 'name="wi-IND9-0" value="สูง"' in response.text
    assert 'name="wi-IND10-0" value="120"' in response.text
    section = what_if_section(response)
    assert "“สูง” ไม่ใช่ตัวเลข กรอกคะแนนตั้งแต่ 0 ถึง 100 เช่น 87.50" in section
    assert "120 อยู่นอกช่วง 0–100 กรอกคะแนนตั้งแต่ 0 ถึง 100 เช่น 87.50" in section
    assert "90.123 มีทศนิยมเกินสองตำแหน่ง คะแนนมีทศนิยมไม่เกินสองตำแหน่ง เช่น 87.50" in section
    assert "คะแนนรวมที่จะได้" not in section
    # Nothing is saved, whether the scores are refused or taken.
    assert sorted(trat_2564.scores.values_list("code", "score")) == sorted(
        (f"IND{n}", Decimal(v)) for n, v in TRAT_2564.items()
    )


def test_typed_scores_save_nothing(client, officer, trat_2564):
    client.force_login(officer)

    client.get(TRAT_URL, submitted({("IND10", 0): "100"}))

    trat_2564.refresh_from_db()
    assert trat_2564.scores.get(code="IND10").score == Decimal("65.56")


def test_items_of_a_two_part_year_are_inputs_and_feed_their_indicator(client, officer, agency):
    factories.assessment(agency, 2568, published.angthong_2568_figures())
    client.force_login(officer)

    plain = client.get("/agencies/AG1/2568/")
    assert 'name="wi-e8-2" value="83.64"' in plain.text
    assert 'name="wi-IND6-1" value="95.45"' in plain.text  # the indicator's EIT parts
    assert 'name="wi-i10-0" value="85.81"' in plain.text
    assert 'name="wi-i1-0"' not in plain.text  # no figure this year, no input
    # 95.08 ผ่านดี, with EIT Survey 87.61: no single tool reaches ผ่านดีเยี่ยม.
    assert re.search(r"ผ่านดีเยี่ยม( ลำพังไม่ถึง){4}", what_if_section(plain))

    response = client.get("/agencies/AG1/2568/", submitted({("e8", 2): "100"}))

    assert "คะแนนรวมที่จะได้ 95.35 ผ่านดี" in what_if_section(response)


def test_typed_item_recomputes_its_indicator_from_its_items(client, officer, agency):
    factories.assessment(agency, 2568, published.angthong_2568_figures())
    client.force_login(officer)

    # IND4 rests on i10–i12; with i10 typed the indicator is computed from them (94.19 + …).
    response = client.get("/agencies/AG1/2568/", submitted({("i10", 0): "100"}))

    # (100 + 100 + 96.77) / 3 = 98.923 for indicator 4; IIT (100 + 97.63 + 100 + 98.923 + 98.28) / 5 = 98.967
    assert "คะแนนรวมที่จะได้ 95.31 ผ่านดี" in what_if_section(response)


def test_the_form_adds_no_query(client, officer, agency):
    factories.assessment(agency, 2568, published.angthong_2568_figures())
    url = "/agencies/AG1/2568/"

    plain = page_queries(client, officer, url)
    typed = page_queries(client, officer, url, submitted({("e8", 2): "100", ("IND1", 0): "90"}))
    refused = page_queries(client, officer, url, submitted({("IND1", 0): "x"}))

    assert plain == typed == refused


def page_queries(client, user, url, data=None):
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, data).status_code == 200
    return len(queries)


def test_read_only_user_may_try_scores_too(client, executive, trat_2564):
    client.force_login(executive)

    response = client.get(TRAT_URL, submitted({("IND10", 0): "85"}))

    assert "คะแนนรวมที่จะได้ 85.34 A" in what_if_section(response)


def test_top_level_says_no_level_is_above(client, officer, agency):
    factories.assessment(agency, 2565, {**TCEB_2565, "OIT": "100.00"})
    client.force_login(officer)

    section = what_if_section(client.get("/agencies/AG1/2565/"))

    assert "ไม่มีระดับที่สูงกว่านี้แล้ว" in section
    assert 'name="wi-I20-0" value="87.77"' in client.get("/agencies/AG1/2565/").text
