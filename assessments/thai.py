"""Thai calendar conventions: Buddhist-Era years, fiscal years from 1 October, Thai digits."""

MONTHS_LONG = (
    "มกราคม", "กุมภาพันธ์", "มีนาคม", "เมษายน", "พฤษภาคม", "มิถุนายน",
    "กรกฎาคม", "สิงหาคม", "กันยายน", "ตุลาคม", "พฤศจิกายน", "ธันวาคม",
)
MONTHS_SHORT = ("ม.ค.", "ก.พ.", "มี.ค.", "เม.ย.", "พ.ค.", "มิ.ย.", "ก.ค.", "ส.ค.", "ก.ย.", "ต.ค.", "พ.ย.", "ธ.ค.")
ARABIC_TO_THAI = str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙")


def buddhist_year(date):
    return date.year + 543


def fiscal_year_of(date):
    """The Buddhist-Era fiscal year a date falls in: it starts on 1 October."""
    return buddhist_year(date) + (1 if date.month >= 10 else 0)


def fiscal_quarter_of(date):
    """1 for October–December … 4 for July–September."""
    return (date.month - 10) % 12 // 3 + 1


def thai_date(date, short=False):
    """'1 ตุลาคม 2568', or short '22 ธ.ค. 65' as official documents write dates."""
    if date is None:
        return ""
    if short:
        return f"{date.day} {MONTHS_SHORT[date.month - 1]} {buddhist_year(date) % 100:02d}"
    return f"{date.day} {MONTHS_LONG[date.month - 1]} {buddhist_year(date)}"


def thai_digits(text):
    return str(text).translate(ARABIC_TO_THAI)
