"""The engine against the published figures of the example documents, and its invariants."""

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings, strategies as st

from assessments import scoring
from assessments.models import FrameworkVersion
from tests import published
from tests.published import indicators


def spec_for(year):
    return FrameworkVersion.objects.for_year(year).spec


def as_official(figures):
    return {(k if isinstance(k, tuple) else (k, 0)): Decimal(v) for k, v in figures.items()}


def shown(result, code, part=0):
    return f"{result.shown(code, part):.2f}"


@pytest.mark.django_db
def test_tceb_2564_overall_from_published_indicators():
    result = scoring.compute(spec_for(2564), as_official(indicators(published.TCEB_2564_INDICATORS)))

    assert shown(result, "IIT") == "93.03"
    assert shown(result, "EIT") == "90.34"
    assert shown(result, "OIT") == "100.00"
    assert shown(result, "ITA") == "95.01"
    assert result.level.code == "AA"


@pytest.mark.django_db
def test_tceb_2565_overall_is_97_04_level_aa():
    result = scoring.compute(spec_for(2565), as_official(indicators(published.TCEB_2565_INDICATORS)))

    assert shown(result, "ITA") == "97.04"
    assert result.level.code == "AA"


@pytest.mark.django_db
def test_tceb_2565_indicators_reproduced_from_items():
    result = scoring.compute(spec_for(2565), as_official(published.TCEB_2565_ITEMS))

    computed = {n: f"{scoring.round2(result.get(f'IND{n}').computed):.2f}" for n in range(1, 9)}
    assert computed == {n: published.TCEB_2565_INDICATORS[n] for n in range(1, 9)}
    # With no OIT figures the overall score cannot be computed, and is not guessed.
    assert result.get("ITA") is None
    assert result.level is None


@pytest.mark.django_db
def test_tceb_2565_items_with_published_indicators_show_no_mismatch():
    figures = {**published.TCEB_2565_ITEMS, **indicators(published.TCEB_2565_INDICATORS)}
    result = scoring.compute(spec_for(2565), as_official(figures))

    assert result.mismatches == []
    assert shown(result, "ITA") == "97.04"


@pytest.mark.django_db
def test_fio_2563_indicators_from_items_with_indicator_9_from_sub_topic_means():
    result = scoring.compute(spec_for(2563), as_official(published.FIO_2563_ITEMS))

    computed = {n: f"{result.shown(f'IND{n}'):.2f}" for n in range(1, 11)}
    assert computed == published.FIO_2563_INDICATORS
    # The plain mean of O1–O33 would be 93.94; the sub-topic means give the published 95.28.
    assert shown(result, "SUB9.1") == "88.89"
    assert shown(result, "SUB9.2") == "87.50"


@pytest.mark.django_db
def test_item_computed_from_sub_questions():
    result = scoring.compute(spec_for(2565), as_official({"I1.1": "100.00", "I1.2": "98.90"}))

    assert shown(result, "I1") == "99.45"
    assert result.get("I1").source == "computed"


@pytest.mark.django_db
def test_angthong_2568_published_figures_reproduced():
    result = scoring.compute(spec_for(2568), as_official(published.angthong_2568_figures()))

    assert {n: shown(result, f"IND{n}") for n in (6, 7, 8, 9, 10)} == {
        6: "92.88",
        7: "90.28",
        8: "88.06",
        9: "92.50",
        10: "100.00",
    }
    assert shown(result, "IND6", 1) == "95.45"
    assert shown(result, "IND6", 2) == "90.30"
    assert shown(result, "EIT", 1) == "93.20"
    assert shown(result, "EIT", 2) == "87.61"
    assert shown(result, "IIT") == "98.19"
    assert shown(result, "OIT") == "96.25"
    assert shown(result, "ITA") == "95.08"
    assert result.level.name == "ผ่านดี"


@pytest.mark.django_db
def test_angthong_2568_indicator_4_mismatch_is_flagged_and_official_figure_kept():
    result = scoring.compute(spec_for(2568), as_official(published.angthong_2568_figures()))

    indicator_4 = result.get("IND4")
    assert indicator_4.mismatch
    assert f"{indicator_4.shown:.2f}" == "95.05"
    assert f"{scoring.round2(indicator_4.computed):.2f}" == "94.19"
    assert [f.code for f in result.mismatches] == ["IND4"]


@pytest.mark.django_db
def test_overall_uses_official_tool_scores_when_published():
    figures = {**indicators(published.TCEB_2565_INDICATORS), "IIT": "90.00"}
    result = scoring.compute(spec_for(2565), as_official(figures))

    # 0.3 × 90 + 0.3 × 91.627 + 0.4 × 100 = 94.488
    assert shown(result, "ITA") == "94.49"
    assert result.get("IIT").mismatch  # computed from indicators it would be 98.50


@pytest.mark.django_db
def test_rounded_published_parts_within_one_hundredth_are_not_a_mismatch():
    # TCEB E6 = mean(87.04, 89.63) = 88.335 is printed as 88.33.
    spec = scoring.FrameworkSpec(
        weights={"IIT": Decimal("0.3"), "EIT": Decimal("0.3"), "OIT": Decimal("0.4")},
        tool_indicators={"IIT": (), "EIT": (6,), "OIT": ()},
        indicators={6: scoring.IndicatorSpec(6, "EIT", items=("E6",))},
        items={"E6": scoring.ItemSpec("E6", 6, sub_questions=2)},
    )
    result = scoring.compute(spec, as_official({"E6": "88.33", "E6.1": "87.04", "E6.2": "89.63"}))

    assert not result.get("E6").mismatch


@pytest.mark.django_db
def test_2566_results_at_indicator_and_tool_level_only():
    figures = {**indicators(published.TCEB_2565_INDICATORS), ("EIT", 1): "96.00", ("EIT", 2): "94.00"}
    result = scoring.compute(spec_for(2566), as_official(figures))

    assert shown(result, "EIT") == "95.00"
    assert result.get("EIT").computed == Fraction(95)
    # EIT part 2 (94.00) is below 95, so not ผ่านดีเยี่ยม even with an overall of 97.
    assert shown(result, "ITA") == "98.05"
    assert result.level.name == "ผ่านดี"


@pytest.mark.parametrize(
    "overall, tools, expected",
    [
        ("96.00", ["96.00", "95.00", "95.00", "99.00"], "ผ่านดีเยี่ยม"),
        ("96.00", ["96.00", "94.99", "95.00", "99.00"], "ผ่านดี"),
        ("90.00", ["90.00", "85.00", "86.00", "92.00"], "ผ่านดี"),
        ("90.00", ["90.00", "84.99", "86.00", "92.00"], "ผ่าน"),
        ("84.99", ["90.00", "90.00", "90.00", "90.00"], "ต้องปรับปรุง"),
        ("70.00", ["70.00", "70.00", "70.00", "70.00"], "ต้องปรับปรุง"),
        ("69.99", ["70.00", "70.00", "70.00", "70.00"], "ต้องปรับปรุงโดยด่วน"),
    ],
)
@pytest.mark.django_db
def test_pass_levels_test_iit_each_eit_part_and_oit(overall, tools, expected):
    iit, public, survey, oit = tools
    figures = {"ITA": overall, "IIT": iit, ("EIT", 1): public, ("EIT", 2): survey, "OIT": oit}
    result = scoring.compute(spec_for(2568), as_official(figures))

    assert result.level.name == expected


@pytest.mark.parametrize(
    "score, letter",
    [
        ("100", "AA"),
        ("95.00", "AA"),
        ("94.995", "AA"),
        ("94.99", "A"),
        ("85.00", "A"),
        ("84.99", "B"),
        ("75.00", "B"),
        ("65.00", "C"),
        ("64.99", "D"),
        ("55.00", "D"),
        ("50.00", "E"),
        ("49.99", "F"),
        ("0", "F"),
    ],
)
@pytest.mark.django_db
def test_letter_levels_2562_2565(score, letter):
    assert scoring.letter_level(spec_for(2565), Fraction(Decimal(score))) == letter


@pytest.mark.django_db
def test_no_letter_levels_for_items_in_pass_level_years():
    assert scoring.letter_level(spec_for(2568), Fraction(90)) is None


@pytest.mark.parametrize(
    "value, expected",
    [
        (Fraction(86585, 1000), "86.59"),
        (Fraction(88335, 1000), "88.34"),
        (Fraction(950785, 10000), "95.08"),
        (Fraction(1, 3) * 100, "33.33"),
        (Fraction(-4725, 1000), "-4.73"),
        (Decimal("92.875"), "92.88"),
    ],
)
def test_round_half_up_to_two_decimals(value, expected):
    assert f"{scoring.round2(value):.2f}" == expected


# Invariants, on a small framework of the 2568 shape: two IIT items per indicator, EIT scored in
# two parts, an OIT indicator built from sub-topics.
SMALL = scoring.FrameworkSpec(
    weights={"IIT": Decimal("0.3"), "EIT": Decimal("0.3"), "OIT": Decimal("0.4")},
    tool_indicators={"IIT": (1, 2), "EIT": (6,), "OIT": (9, 10)},
    tool_parts={"EIT": (1, 2)},
    indicators={
        1: scoring.IndicatorSpec(1, "IIT", items=("i1", "i2")),
        2: scoring.IndicatorSpec(2, "IIT", items=("i3",)),
        6: scoring.IndicatorSpec(6, "EIT", items=("e1", "e2")),
        9: scoring.IndicatorSpec(
            9, "OIT", items=("o1", "o2", "o3"), sub_topics=(("9.1", ("o1",)), ("9.2", ("o2", "o3")))
        ),
        10: scoring.IndicatorSpec(10, "OIT", items=("o4",)),
    },
    items={
        "i1": scoring.ItemSpec("i1", 1, sub_questions=2),
        "i2": scoring.ItemSpec("i2", 1),
        "i3": scoring.ItemSpec("i3", 2),
        "e1": scoring.ItemSpec("e1", 6, in_parts=True),
        "e2": scoring.ItemSpec("e2", 6, in_parts=True),
        "o1": scoring.ItemSpec("o1", 9),
        "o2": scoring.ItemSpec("o2", 9),
        "o3": scoring.ItemSpec("o3", 9),
        "o4": scoring.ItemSpec("o4", 10),
    },
)
LEAVES = [
    ("i1.1", 0),
    ("i1.2", 0),
    ("i2", 0),
    ("i3", 0),
    ("e1", 1),
    ("e1", 2),
    ("e2", 1),
    ("e2", 2),
    ("o1", 0),
    ("o2", 0),
    ("o3", 0),
    ("o4", 0),
]
UPPER = [("IND1", 0), ("IND2", 0), ("IND6", 0), ("IND9", 0), ("IIT", 0), ("EIT", 1), ("EIT", 2), ("OIT", 0)]

scores = st.decimals(min_value=0, max_value=100, places=2, allow_nan=False, allow_infinity=False)


@settings(max_examples=200, deadline=None)
@given(
    leaves=st.fixed_dictionaries({key: scores for key in LEAVES}),
    published_upper=st.dictionaries(st.sampled_from(UPPER), scores, max_size=4),
)
def test_every_figure_stays_within_0_and_100(leaves, published_upper):
    result = scoring.compute(SMALL, {**leaves, **published_upper})

    assert result.figures
    for figure in result.figures.values():
        assert 0 <= figure.value <= 100
        assert Decimal(0) <= figure.shown <= Decimal(100)


@settings(max_examples=200, deadline=None)
@given(
    leaves=st.fixed_dictionaries({key: scores for key in LEAVES}),
    published_upper=st.dictionaries(st.sampled_from(UPPER), scores, max_size=4),
)
def test_overall_is_the_weighted_mean_of_the_tools(leaves, published_upper):
    result = scoring.compute(SMALL, {**leaves, **published_upper})

    tools = {tool: result.value(tool) for tool in scoring.TOOLS}
    expected = Fraction(3, 10) * tools["IIT"] + Fraction(3, 10) * tools["EIT"] + Fraction(4, 10) * tools["OIT"]
    assert result.get("ITA").computed == expected
    assert min(tools.values()) <= result.value("ITA") <= max(tools.values())
