"""How Thai official documents write things: scores to two decimals, Buddhist-Era years and
dates, fiscal years from 1 October, Thai digits. Templates, reports and commands all call these."""

import datetime
from decimal import Decimal

from assessments.scoring import round2

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
