"""Figure codes as printed in official results, normalised to the framework's own spelling.

Documents spell codes dirty: "I1"/"i1", "O12"/"o12"/"๐12" (Thai zero standing for the letter O),
Thai digits, "ส่วนที่ 1" for EIT part 1. What is unambiguous is normalised here; anything else
raises CodeError with a message the user can act on.
"""

import re

from django.utils.translation import gettext_lazy as _

from assessments.scoring import OVERALL, TOOLS, indicator_code, sub_question_code, sub_topic_code
from assessments.text import interpolate

THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")

PART_WORDS = {
    "": 0,
    "0": 0,
    "1": 1,
    "public": 1,
    "eitpublic": 1,
    "part1": 1,
    "ส่วนที่1": 1,
    "2": 2,
    "survey": 2,
    "eitsurvey": 2,
    "part2": 2,
    "ส่วนที่2": 2,
}


# Words agencies print before an indicator's number: "ตัวชี้วัดที่ 1", "Indicator 1", "IND.1".
INDICATOR_WORDS = re.compile(r"(?:ตัวชี้วัดที่|ตัวชี้วัด|INDICATOR|IND\.?)(\d+)")
# A tool's name before an item's number stands for its letter: "OIT 1" = O1, "IIT1" = I1.
TOOL_WORDS = re.compile(r"(IIT|EIT|OIT)\.?(\d.*)")
# A dot between the letter and the number, as in "o.1": the item o1 (its sub-question stays "o.1.2").
LETTER_DOT = re.compile(r"([IEO])\.(\d.*)")
ITEM_WORD = "ข้อ"  # "ข้อ O1": item O1
TOOL_OF_LETTER = {"I": "IIT", "E": "EIT", "O": "OIT"}
# The NACC prints item codes in capitals up to 2565 (I1, O12) and in lower case from 2567 (o1, i1).
LOWER_CASE_FROM = 2567


class CodeError(ValueError):
    pass


def thai_to_arabic(text):
    return str(text).translate(THAI_DIGITS)


def clean(raw):
    """The code with spaces removed, Thai digits made Arabic, in capitals, and the printed
    variants of indicator and item codes rewritten to IND1, O1 and O1.2."""
    text = re.sub(r"\s+", "", str(raw or ""))
    if text.startswith(ITEM_WORD) and len(text) > len(ITEM_WORD):
        text = text[len(ITEM_WORD) :]
    # A leading Thai zero before digits is the letter O misprinted (๐12 = o12): no code starts with 0.
    if re.fullmatch(r"๐[๐-๙0-9]+", text):
        text = "O" + text[1:]
    text = thai_to_arabic(text).upper()
    if match := INDICATOR_WORDS.fullmatch(text):
        return f"IND{match[1]}"
    if match := TOOL_WORDS.fullmatch(text):
        return match[1][0] + match[2]
    if match := LETTER_DOT.fullmatch(text):
        return match[1] + match[2]
    return text


def parse_part(raw):
    key = re.sub(r"\s+", "", thai_to_arabic(str(raw or ""))).lower()
    if key not in PART_WORDS:
        raise CodeError(
            interpolate(
                _("part must be empty, public (1, ส่วนที่ 1) or survey (2, ส่วนที่ 2), not '%(part)s'"), {"part": raw}
            )
        )
    return PART_WORDS[key]


def normalise_code(raw, spec):
    """Return the canonical figure code for `raw` in the framework `spec`, or raise CodeError."""
    text = clean(raw)
    if not text:
        raise CodeError(_("the code is empty"))
    if text == OVERALL or text in TOOLS:
        return text
    if match := re.fullmatch(r"IND(\d+)", text):
        number = int(match[1])
        if number not in spec.indicators:
            raise CodeError(
                interpolate(_("there is no indicator %(number)s (indicators are IND1 to IND10)"), {"number": number})
            )
        return indicator_code(number)
    if match := re.fullmatch(r"SUB(\d+\.\d+)", text):
        topics = {topic for ind in spec.indicators.values() for topic, _items in ind.sub_topics}
        if match[1] not in topics:
            raise CodeError(
                interpolate(_("the framework of that fiscal year has no sub-topic %(code)s"), {"code": match[1]})
            )
        return sub_topic_code(match[1])
    by_upper = {code.upper(): code for code in spec.items}
    if not spec.items and re.fullmatch(r"[IEO][1-9]\d{0,2}\.\d+", text):
        raise CodeError(
            _(
                "the framework of that fiscal year has no item list, so its items have no sub-questions: "
                "enter the item's own score (o1) with its indicator"
            )
        )
    if not spec.items and re.fullmatch(r"[IEO][1-9]\d{0,2}", text):
        # No list to check against: an item of the tool's form is taken, to be placed in an
        # indicator by the file (see place_item).
        return unlisted_spelling(text, spec)
    if match := re.fullmatch(r"([IEO]\d+)\.(\d+)", text):
        item = by_upper.get(match[1])
        number = int(match[2])
        if item is None:
            raise CodeError(
                interpolate(_("the framework of that fiscal year has no item %(code)s"), {"code": match[1]})
            )
        if not 1 <= number <= spec.items[item].sub_questions:
            raise CodeError(
                interpolate(_("item %(item)s has no sub-question %(number)s"), {"item": item, "number": number})
            )
        return sub_question_code(item, number)
    if re.fullmatch(r"[IEO]\d+", text):
        if text not in by_upper:
            raise CodeError(interpolate(_("the framework of that fiscal year has no item %(code)s"), {"code": raw}))
        return by_upper[text]
    if re.fullmatch(r"\d+", text) and f"I{text[1:]}" in by_upper and text.startswith("1"):
        raise CodeError(
            interpolate(
                _("'%(code)s' is missing the tool letter (I, E or O); did you mean %(guess)s?"),
                {"code": raw, "guess": by_upper[f"I{text[1:]}"]},
            )
        )
    if re.fullmatch(r"\d+", text):
        # "1" in a document's table may be item 1 of any tool or indicator 1: guessing would file
        # the score under the wrong figure.
        spelled = ", ".join(item_spelling(letter + text, spec) for letter in "IEO")
        raise CodeError(
            interpolate(
                _(
                    "'%(code)s' is a number alone, which could be an item or an indicator: write an item "
                    "with its tool letter (%(items)s, or OIT %(number)s) or an indicator as IND%(number)s "
                    "or ตัวชี้วัดที่ %(number)s"
                ),
                {"code": raw, "items": spelled, "number": text},
            )
        )
    if match := re.fullmatch(r"(\d+)\.(\d+)", text):
        # "9.1" alone is sub-topic 9.1 in the OIT tables, and item 9's sub-question 1 in the IIT's.
        spelled = ", ".join(item_spelling(letter + match[1], spec) + "." + match[2] for letter in "IEO")
        raise CodeError(
            interpolate(
                _(
                    "'%(code)s' alone could be a sub-topic or an item's sub-question: write a sub-topic as "
                    "SUB%(number)s, or a sub-question with its tool letter (%(questions)s)"
                ),
                {"code": raw, "number": text, "questions": spelled},
            )
        )
    raise CodeError(
        interpolate(
            _("'%(code)s' is not an item, sub-question, sub-topic (SUB9.1), indicator (IND1–IND10), tool or ITA code"),
            {"code": raw},
        )
    )


def unlisted_spelling(code, spec):
    """An item code in the spelling of a version without an item list: lower case when the
    version reaches 2567 (the NACC printed o1, o2… that year), capitals before."""
    return code.lower() if spec.last_year >= LOWER_CASE_FROM else code.upper()


def item_spelling(code, spec):
    """`code` ("O5") as the framework spells it: its own list's case, else the unlisted spelling."""
    listed = next(iter(spec.items), None)
    if listed is None:
        return unlisted_spelling(code, spec)
    return code.upper() if listed[0].isupper() else code.lower()


def is_unlisted_item(code, spec):
    """An item code of the tool's form that the framework's list does not have (a placed item)."""
    return code not in spec.items and re.fullmatch(r"[IEOieo][1-9]\d{0,2}", code) is not None


def tool_of_item(code):
    return TOOL_OF_LETTER[code[0].upper()]


def parse_indicator(raw, spec):
    """The indicator number of the `indicator` column: 9, IND9, ตัวชี้วัดที่ 9, in Thai digits too;
    None when the cell is empty."""
    text = clean(raw)
    if not text:
        return None
    match = re.fullmatch(r"(?:IND)?(\d+)", text)
    if match is None or int(match[1]) not in spec.indicators:
        raise CodeError(
            interpolate(
                _("indicator must be a number from 1 to 10 (9, IND9 or ตัวชี้วัดที่ 9), not '%(indicator)s'"),
                {"indicator": raw},
            )
        )
    return int(match[1])


def place_item(code, indicator, spec):
    """The indicator to store with the figure `code`: given for an item the framework does not
    list, None otherwise. Raise CodeError when the `indicator` column does not fit the code."""
    if is_unlisted_item(code, spec):
        tool = tool_of_item(code)
        numbers = ", ".join(str(n) for n in spec.tool_indicators.get(tool, ()))
        if indicator is None:
            raise CodeError(
                interpolate(
                    _(
                        "the framework of that fiscal year has no item list: give the indicator of item "
                        "%(code)s in the indicator column (%(tool)s indicators: %(numbers)s)"
                    ),
                    {"code": code, "tool": tool, "numbers": numbers},
                )
            )
        if spec.indicators[indicator].tool != tool:
            raise CodeError(
                interpolate(
                    _(
                        "item %(code)s is an %(tool)s item, but indicator %(indicator)s belongs to "
                        "%(other)s: give one of the %(tool)s indicators %(numbers)s"
                    ),
                    {
                        "code": code,
                        "tool": tool,
                        "indicator": indicator,
                        "other": spec.indicators[indicator].tool,
                        "numbers": numbers,
                    },
                )
            )
        return indicator
    if indicator is None:
        return None
    if code in spec.items:
        listed = spec.items[code].indicator
        if indicator != listed:
            raise CodeError(
                interpolate(
                    _("the framework puts item %(code)s under indicator %(listed)s, not %(indicator)s"),
                    {"code": code, "listed": listed, "indicator": indicator},
                )
            )
        return None
    raise CodeError(
        interpolate(
            _("only item rows take an indicator: leave the indicator column empty for %(code)s"), {"code": code}
        )
    )


def check_part(code, part, spec):
    """Raise CodeError unless `part` fits the figure `code` in `spec`."""
    eit_parts = spec.tool_parts.get("EIT", ())
    if code in spec.items:
        needs_parts = spec.items[code].in_parts
    elif is_unlisted_item(code, spec):
        # A placed EIT item is scored in the tool's parts, as the listed EIT items of 2568 are.
        needs_parts = bool(spec.tool_parts.get(tool_of_item(code)))
    elif code.startswith("IND"):
        needs_parts = None if spec.indicators[int(code[3:])].tool == "EIT" and eit_parts else False
    elif code == "EIT":
        needs_parts = None if eit_parts else False
    else:
        needs_parts = False
    if needs_parts is True and part == 0:
        raise CodeError(interpolate(_("%(code)s is scored in two parts: give public or survey"), {"code": code}))
    if needs_parts is False and part != 0:
        raise CodeError(interpolate(_("%(code)s has no parts: leave part empty"), {"code": code}))
