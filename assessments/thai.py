"""How Thai official documents write things: scores to two decimals, Buddhist-Era years and
dates, fiscal years from 1 October, Thai digits. Templates, reports and commands all call these."""

import datetime
import re
from decimal import Decimal

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from assessments.scoring import round2
from assessments.text import interpolate

MONTHS_LONG = (
    "มกราคม",
    "กุมภาพันธ์",
    "มีนาคม",
    "เมษายน",
    "พฤษภาคม",
    "มิถุนายน",
    "กรกฎาคม",
    "สิงหาคม",
    "กันยายน",
    "ตุลาคม",
    "พฤศจิกายน",
    "ธันวาคม",
)
MONTHS_SHORT = ("ม.ค.", "ก.พ.", "มี.ค.", "เม.ย.", "พ.ค.", "มิ.ย.", "ก.ค.", "ส.ค.", "ก.ย.", "ต.ค.", "พ.ย.", "ธ.ค.")
# Calendar months in the order of the fiscal year, October first.
FISCAL_MONTHS = (10, 11, 12, 1, 2, 3, 4, 5, 6, 7, 8, 9)
FISCAL_MONTHS_SHORT = tuple(MONTHS_SHORT[month - 1] for month in FISCAL_MONTHS)  # ต.ค. … ก.ย.
ARABIC_TO_THAI = str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙")
BUDDHIST_ERA_OFFSET = 543


def to_buddhist_era(year: int) -> int:
    """A Christian-era year in the Buddhist Era: 2025 → 2568."""
    return year + BUDDHIST_ERA_OFFSET


def to_christian_era(year: int) -> int:
    """A Buddhist-Era year in the Christian era: 2568 → 2025."""
    return year - BUDDHIST_ERA_OFFSET


def buddhist_year(date: datetime.date) -> int:
    return to_buddhist_era(date.year)


def fiscal_year_of(date: datetime.date) -> int:
    """The Buddhist-Era fiscal year a date falls in: it starts on 1 October."""
    return buddhist_year(date) + (1 if date.month >= 10 else 0)


def fiscal_quarter_of(date: datetime.date) -> int:
    """1 for October–December … 4 for July–September."""
    return (date.month - 10) % 12 // 3 + 1


def fiscal_months(fiscal_year: int) -> list[tuple[int, int]]:
    """(Christian-era year, month) of the twelve months of a Buddhist-Era fiscal year, October first."""
    last = to_christian_era(fiscal_year)  # the fiscal year ends in September of this year
    return [(last - 1 if month >= 10 else last, month) for month in FISCAL_MONTHS]


def thai_date(date: datetime.date | None, short: bool = False) -> str:
    """'1 ตุลาคม 2568', or short '22 ธ.ค. 65' as official documents write dates."""
    if date is None:
        return ""
    if short:
        return f"{date.day} {MONTHS_SHORT[date.month - 1]} {buddhist_year(date) % 100:02d}"
    return f"{date.day} {MONTHS_LONG[date.month - 1]} {buddhist_year(date)}"


def thai_digits(text: object) -> str:
    return str(text).translate(ARABIC_TO_THAI)


def _rounded(value: Decimal | float | int | str) -> Decimal:
    return round2(Decimal(str(value)) if isinstance(value, float | str) else value)


def score_text(value: Decimal | float | int | str | None) -> str:
    """A score as published: two decimals, half up ("86.59"); a dash when unknown."""
    if value is None or value == "":
        return "–"
    return f"{_rounded(value):.2f}"


def change_text(value: Decimal | float | int | str | None) -> str:
    """A change against last year, negatives in parentheses as official documents print them: "(4.72)"."""
    if value is None or value == "":
        return "–"
    rounded = _rounded(value)
    return f"({-rounded:.2f})" if rounded < 0 else f"{rounded:.2f}"


# --- Dates as people type them ------------------------------------------------------------

MONTHS_ENGLISH = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
WEEKDAYS_SHORT = ("จ.", "อ.", "พ.", "พฤ.", "ศ.", "ส.", "อา.")  # Monday first, as Thai calendars print them
WEEKDAYS_ENGLISH = ("Mo", "Tu", "We", "Th", "Fr", "Sa", "Su")
THAI_TO_ARABIC = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")
# A four-digit year from here on is Buddhist Era (2400 BE is 1857); below it, Christian era.
FIRST_BUDDHIST_YEAR = 2400


def _month_key(name: str) -> str:
    return name.replace(".", "").replace(" ", "").lower()


# Every way of naming a month that the date field reads: Thai long and short (with or without
# the dots), English long and three-letter, and "Sept".
MONTH_NUMBERS = {
    _month_key(name): number
    for names in (MONTHS_LONG, MONTHS_SHORT, MONTHS_ENGLISH, tuple(n[:3] for n in MONTHS_ENGLISH))
    for number, name in enumerate(names, start=1)
} | {"sept": 9}

_NUMERIC = re.compile(r"(\d{1,2})\s*([/.\-])\s*(\d{1,2})\s*\2\s*(\d{2}|\d{4})")
_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_NAMED = re.compile(r"(\d{1,2})\s*([^\d\s][^\d]*?)\s*,?\s*(\d{2}|\d{4})")


def english_ui() -> bool:
    return not (translation.get_language() or settings.LANGUAGE_CODE).startswith("th")


def month_names() -> tuple[str, ...]:
    """The months in the interface's language: Thai, or English when English is chosen."""
    return MONTHS_ENGLISH if english_ui() else MONTHS_LONG


def weekday_names() -> tuple[str, ...]:
    return WEEKDAYS_ENGLISH if english_ui() else WEEKDAYS_SHORT


def slash_date(date: datetime.date | None) -> str:
    """'22/12/2568': how the date fields show a date, day/month/Buddhist year."""
    if date is None:
        return ""
    return f"{date.day:02d}/{date.month:02d}/{buddhist_year(date)}"


class NotADate(ValueError):
    """Text that is not a date; its message says what is wrong, in the interface's language."""


def _year(text: str) -> int:
    """The Christian-era year of a typed year: two digits are 25xx BE ('68' → 2568 → 2025),
    four digits below 2400 are already Christian era, from 2400 on Buddhist Era."""
    year = int(text)
    if len(text) == 2:
        return to_christian_era(2500 + year)
    return to_christian_era(year) if year >= FIRST_BUDDHIST_YEAR else year


def read_date(text: str) -> datetime.date:
    """The date in what someone typed: '22/12/2568', '22/12/68', '22-12-2568', '22.12.2568',
    '22 ธ.ค. 68', '22 ธันวาคม 2568', '22 Dec 2025', Thai digits, or an ISO date as a browser
    sends it ('2025-12-22', its year Christian era unless it is 2400 or later). Raises NotADate."""
    text = " ".join(text.translate(THAI_TO_ARABIC).split())
    if match := _ISO.fullmatch(text):
        year, month, day = int(match[1]), int(match[2]), int(match[3])
        year = to_christian_era(year) if year >= FIRST_BUDDHIST_YEAR else year
    elif match := _NUMERIC.fullmatch(text):
        day, month, year = int(match[1]), int(match[3]), _year(match[4])
    elif (match := _NAMED.fullmatch(text)) and _month_key(match[2]) in MONTH_NUMBERS:
        day, month, year = int(match[1]), MONTH_NUMBERS[_month_key(match[2])], _year(match[3])
    else:
        raise NotADate(_("Not a date: type dd/mm/yyyy (Buddhist year), for example 22/12/2568."))
    if not 1 <= month <= 12:
        raise NotADate(interpolate(_("There is no month %(month)s: months run from 1 to 12."), {"month": month}))
    if year < 1:
        raise NotADate(_("Not a date: type dd/mm/yyyy (Buddhist year), for example 22/12/2568."))
    try:
        return datetime.date(year, month, day)
    except ValueError:
        raise NotADate(
            interpolate(
                _("There is no day %(day)s in %(month)s %(year)s."),
                {"day": day, "month": month_names()[month - 1], "year": to_buddhist_era(year)},
            )
        ) from None
