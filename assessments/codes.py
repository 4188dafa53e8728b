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


class CodeError(ValueError):
    pass


def thai_to_arabic(text):
    return str(text).translate(THAI_DIGITS)


def clean(raw):
    text = re.sub(r"\s+", "", str(raw or ""))
    # A leading Thai zero before digits is the letter O misprinted (๐12 = o12): no code starts with 0.
    if re.fullmatch(r"๐[๐-๙0-9]+", text):
        text = "O" + text[1:]
    return thai_to_arabic(text).upper()


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
    if not spec.items and re.fullmatch(r"[IEO]\d+(\.\d+)?", text):
        raise CodeError(
            _("the framework of that fiscal year has no item list: enter indicators (IND1–IND10), tools and ITA only")
        )
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
    raise CodeError(
        interpolate(
            _("'%(code)s' is not an item, sub-question, sub-topic (SUB9.1), indicator (IND1–IND10), tool or ITA code"),
            {"code": raw},
        )
    )


def check_part(code, part, spec):
    """Raise CodeError unless `part` fits the figure `code` in `spec`."""
    eit_parts = spec.tool_parts.get("EIT", ())
    if code in spec.items:
        needs_parts = spec.items[code].in_parts
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
