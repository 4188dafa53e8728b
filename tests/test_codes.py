"""Figure codes and parts as printed in official documents, normalised to each year's framework."""

import pytest
from django.utils import translation

from assessments.codes import CodeError, check_part, normalise_code, parse_part
from assessments.models import FrameworkVersion

pytestmark = pytest.mark.django_db


def spec_for(year):
    return FrameworkVersion.objects.for_year(year).spec


def code_error(raw, year):
    with pytest.raises(CodeError) as info:
        normalise_code(raw, spec_for(year))
    with translation.override("en"):
        return str(info.value.args[0])


def part_error(code, part, year):
    with pytest.raises(CodeError) as info:
        check_part(code, part, spec_for(year))
    with translation.override("en"):
        return str(info.value.args[0])


@pytest.mark.parametrize(
    "raw, year, expected",
    [
        ("I1", 2565, "I1"),
        ("i1", 2565, "I1"),
        ("I1", 2568, "i1"),
        ("i1", 2568, "i1"),
        ("e3", 2563, "E3"),
        ("E3", 2568, "e3"),
        ("E12", 2565, "E12"),
        ("O12", 2568, "o12"),
        ("o12", 2563, "O12"),
        (" I 1 ", 2565, "I1"),
    ],
)
def test_item_code_takes_the_framework_spelling_of_the_year(raw, year, expected):
    assert normalise_code(raw, spec_for(year)) == expected


def test_thai_zero_before_digits_is_the_letter_o():
    assert normalise_code("๐12", spec_for(2568)) == "o12"
    assert normalise_code("๐12", spec_for(2563)) == "O12"


def test_thai_digits_become_arabic_digits():
    assert normalise_code("I๑๒", spec_for(2565)) == "I12"
    assert normalise_code("i๑๒", spec_for(2568)) == "i12"
    assert normalise_code("IND๑๐", spec_for(2568)) == "IND10"


@pytest.mark.parametrize(
    "raw, expected", [("ITA", "ITA"), ("ita", "ITA"), ("iit", "IIT"), ("EIT", "EIT"), ("oit", "OIT")]
)
def test_overall_and_tool_codes_in_any_case(raw, expected):
    assert normalise_code(raw, spec_for(2568)) == expected


def test_indicator_codes_ind1_to_ind10():
    spec = spec_for(2568)

    assert [normalise_code(f"ind{n}", spec) for n in (1, 10)] == ["IND1", "IND10"]


@pytest.mark.parametrize("raw, number", [("IND0", "0"), ("IND11", "11")])
def test_indicator_outside_1_to_10_is_refused(raw, number):
    assert code_error(raw, 2568) == f"there is no indicator {number} (indicators are IND1 to IND10)"


def test_sub_question_is_one_based_on_the_item():
    spec = spec_for(2565)

    assert normalise_code("I1.1", spec) == "I1.1"
    assert normalise_code("i1.2", spec) == "I1.2"


def test_sub_question_beyond_the_item_is_refused():
    assert code_error("I1.9", 2565) == "item I1 has no sub-question 9"
    assert code_error("I1.0", 2565) == "item I1 has no sub-question 0"


def test_sub_question_of_an_item_without_sub_questions_is_refused():
    assert code_error("I2.1", 2565) == "item I2 has no sub-question 1"


def test_sub_topic_code_of_the_year():
    assert normalise_code("sub9.3", spec_for(2568)) == "SUB9.3"
    assert code_error("SUB9.9", 2568) == "the framework of that fiscal year has no sub-topic 9.9"


def test_item_not_in_the_years_framework_is_refused():
    assert code_error("E12", 2568) == "the framework of that fiscal year has no item E12"
    assert code_error("O44", 2563) == "the framework of that fiscal year has no item O44"


def test_bare_number_is_refused_with_a_hint_at_the_iit_item():
    assert code_error("126", 2565) == "'126' is missing the tool letter (I, E or O); did you mean I26?"
    assert code_error("16", 2568) == "'16' is missing the tool letter (I, E or O); did you mean i6?"


def test_unknown_code_is_refused_naming_the_kinds_of_code():
    assert (
        code_error("X1", 2568)
        == "'X1' is not an item, sub-question, sub-topic (SUB9.1), indicator (IND1–IND10), tool or ITA code"
    )
    assert code_error("", 2568) == "the code is empty"


@pytest.mark.parametrize(
    "raw, expected", [("I1", "i1"), ("e3", "e3"), ("o12", "o12"), ("๐12", "o12"), ("OIT 1", "o1"), ("ข้อ O๑", "o1")]
)
def test_item_codes_of_years_without_an_item_list_take_the_lower_case_printed_from_2567(raw, expected):
    # One version covers 2566 and 2567, and an item is spelled one way in all its results.
    assert normalise_code(raw, spec_for(2566)) == expected
    assert normalise_code(raw, spec_for(2567)) == expected


def test_sub_questions_are_refused_in_years_without_an_item_list():
    assert code_error("I1.2", 2567) == (
        "the framework of that fiscal year has no item list, so its items have no sub-questions: "
        "enter the item's own score (o1) with its indicator"
    )


def test_indicator_tool_and_overall_codes_are_accepted_in_years_without_an_item_list():
    spec = spec_for(2566)

    assert [normalise_code(raw, spec) for raw in ("ITA", "IIT", "EIT", "OIT", "IND1", "IND10")] == [
        "ITA",
        "IIT",
        "EIT",
        "OIT",
        "IND1",
        "IND10",
    ]


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("", 0),
        (None, 0),
        ("public", 1),
        ("Public", 1),
        ("EIT Public", 1),
        ("1", 1),
        ("ส่วนที่ 1", 1),
        ("ส่วนที่1", 1),
        ("ส่วนที่ ๑", 1),
        ("survey", 2),
        ("SURVEY", 2),
        ("2", 2),
        ("ส่วนที่ 2", 2),
        ("part 2", 2),
    ],
)
def test_part_words(raw, expected):
    assert parse_part(raw) == expected


def test_unknown_part_is_refused_quoting_it():
    with pytest.raises(CodeError) as info:
        parse_part("3")
    with translation.override("en"):
        message = str(info.value.args[0])

    assert message == "part must be empty, public (1, ส่วนที่ 1) or survey (2, ส่วนที่ 2), not '3'"


def test_eit_items_need_a_part_in_2568():
    assert part_error("e1", 0, 2568) == "e1 is scored in two parts: give public or survey"
    check_part("e1", 1, spec_for(2568))
    check_part("e1", 2, spec_for(2568))


def test_iit_and_oit_items_have_no_parts():
    assert part_error("i1", 1, 2568) == "i1 has no parts: leave part empty"
    assert part_error("o12", 2, 2568) == "o12 has no parts: leave part empty"
    check_part("i1", 0, spec_for(2568))


def test_eit_items_have_no_parts_before_2566():
    assert part_error("E1", 1, 2565) == "E1 has no parts: leave part empty"


def test_eit_tool_and_indicators_take_a_part_or_none_in_two_part_years():
    for year in (2566, 2568):
        for code in ("EIT", "IND6", "IND8"):
            for part in (0, 1, 2):
                check_part(code, part, spec_for(year))


def test_eit_tool_has_no_parts_before_2566():
    assert part_error("EIT", 1, 2565) == "EIT has no parts: leave part empty"
    assert part_error("IND6", 2, 2565) == "IND6 has no parts: leave part empty"


def test_overall_iit_and_oit_never_have_parts():
    for code in ("ITA", "IIT", "OIT", "IND1", "IND9"):
        assert part_error(code, 1, 2568) == f"{code} has no parts: leave part empty"


@pytest.mark.parametrize(
    "raw, year, expected",
    [
        ("OIT 1", 2568, "o1"),
        ("OIT1", 2568, "o1"),
        ("oit 1", 2568, "o1"),
        ("OIT 1", 2565, "O1"),
        ("IIT1", 2568, "i1"),
        ("IIT 12", 2565, "I12"),
        ("EIT 3", 2568, "e3"),
        ("eit3", 2563, "E3"),
        ("ข้อ O1", 2568, "o1"),
        ("ข้อ o1", 2565, "O1"),
        ("ข้อo12", 2568, "o12"),
        ("ข้อ ๐๑๒", 2568, "o12"),
        ("o.1", 2568, "o1"),
        ("O.1", 2563, "O1"),
        ("I.1.2", 2565, "I1.2"),
        ("OIT ๑", 2568, "o1"),
        ("O I T 1", 2568, "o1"),
        ("I 1 . 2", 2565, "I1.2"),
    ],
)
def test_item_codes_as_agencies_print_them(raw, year, expected):
    assert normalise_code(raw, spec_for(year)) == expected


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("ตัวชี้วัดที่ 1", "IND1"),
        ("ตัวชี้วัดที่1", "IND1"),
        ("ตัวชี้วัด 1", "IND1"),
        ("ตัวชี้วัดที่ ๑๐", "IND10"),
        ("Indicator 1", "IND1"),
        ("indicator9", "IND9"),
        ("IND 1", "IND1"),
        ("IND.1", "IND1"),
        ("ind . ๙", "IND9"),
    ],
)
def test_indicator_codes_as_agencies_print_them(raw, expected):
    assert normalise_code(raw, spec_for(2568)) == expected
    assert normalise_code(raw, spec_for(2566)) == expected


def test_printed_indicator_outside_1_to_10_is_refused():
    assert code_error("ตัวชี้วัดที่ 11", 2568) == "there is no indicator 11 (indicators are IND1 to IND10)"


def test_a_number_alone_is_refused_as_item_or_indicator():
    assert code_error("1", 2568) == (
        "'1' is a number alone, which could be an item or an indicator: write an item with its tool letter "
        "(i1, e1, o1, or OIT 1) or an indicator as IND1 or ตัวชี้วัดที่ 1"
    )
    assert code_error("๕", 2565) == (
        "'๕' is a number alone, which could be an item or an indicator: write an item with its tool letter "
        "(I5, E5, O5, or OIT 5) or an indicator as IND5 or ตัวชี้วัดที่ 5"
    )
    assert code_error("ข้อ 1", 2567).startswith("'ข้อ 1' is a number alone")


def test_a_number_alone_is_refused_in_thai_when_thai_is_active():
    with pytest.raises(CodeError) as info:
        normalise_code("1", spec_for(2568))
    with translation.override("th"):
        message = str(info.value.args[0])

    assert message == (
        "'1' เป็นตัวเลขอย่างเดียว ซึ่งอาจเป็นข้อคำถามหรือตัวชี้วัดก็ได้: ให้เขียนข้อคำถามพร้อมอักษรของเครื่องมือ "
        "(i1, e1, o1 หรือ OIT 1) หรือเขียนตัวชี้วัดเป็น IND1 หรือ ตัวชี้วัดที่ 1"
    )


def test_sub_topic_or_sub_question_number_alone_is_refused():
    assert code_error("9.1", 2568) == (
        "'9.1' alone could be a sub-topic or an item's sub-question: write a sub-topic as SUB9.1, "
        "or a sub-question with its tool letter (i9.1, e9.1, o9.1)"
    )
    assert code_error("๙.๑", 2565).startswith("'๙.๑' alone could be a sub-topic")


def test_the_ocr_hint_still_wins_over_the_number_alone():
    assert code_error("126", 2565) == "'126' is missing the tool letter (I, E or O); did you mean I26?"
