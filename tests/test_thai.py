import datetime

import pytest

from assessments import thai


@pytest.mark.parametrize(
    "date, fiscal_year, quarter",
    [
        (datetime.date(2025, 9, 30), 2568, 4),
        (datetime.date(2025, 10, 1), 2569, 1),
        (datetime.date(2025, 12, 31), 2569, 1),
        (datetime.date(2026, 1, 1), 2569, 2),
        (datetime.date(2026, 4, 1), 2569, 3),
        (datetime.date(2026, 7, 31), 2569, 4),
    ],
)
def test_fiscal_year_starts_on_1_october(date, fiscal_year, quarter):
    assert thai.fiscal_year_of(date) == fiscal_year
    assert thai.fiscal_quarter_of(date) == quarter


def test_long_and_short_buddhist_era_dates():
    assert thai.thai_date(datetime.date(2025, 10, 1)) == "1 ตุลาคม 2568"
    assert thai.thai_date(datetime.date(2022, 12, 22), short=True) == "22 ธ.ค. 65"
    assert thai.thai_date(datetime.date(2021, 3, 31), short=True) == "31 มี.ค. 64"


def test_thai_digits():
    assert thai.thai_digits("1 ตุลาคม 2568") == "๑ ตุลาคม ๒๕๖๘"
    assert thai.thai_digits("98.28") == "๙๘.๒๘"
