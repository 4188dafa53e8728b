"""Dates the Thai way (issue 11, part 7) and errors people can read (part 5): the date fields
read day/month/Buddhist year, Thai month names and digits, English and ISO dates, show a date
back as dd/mm/BBBB, and refuse an impossible one saying why; a form that fails shows a summary
of its problems at the top, each linked to its field."""

import datetime
from html.parser import HTMLParser

import pytest
from django import forms
from django.utils import translation

from assessments.forms import ThaiDateField
from assessments.thai import NotADate, read_date
from measures.models import Activity, Measure, ReportingRound
from tests import factories
from tests.entries_support import form_data
from tests.test_access_log import PAGE as ACCESS_LOG, dated, filtered  # noqa: F401 (a fixture)
from tests.test_analysis import tceb_2565  # noqa: F401 (a fixture)
from tests.test_measure_form import NEW, valid_data
from tests.test_plan import YEAR, own_measure, results_2568, rounds_data  # noqa: F401 (fixtures)

CHRISTMAS_EVE_EVE = datetime.date(2025, 12, 22)

# --- The parser ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed",
    [
        "22/12/2568",
        "22/12/68",
        "22-12-2568",
        "22.12.2568",
        "22 ธ.ค. 68",
        "22 ธ.ค. 2568",
        "22 ธค 68",
        "22 ธันวาคม 2568",
        "22 Dec 2025",
        "22 December 2025",
        "22 dec, 2025",
        "2025-12-22",
        "2568-12-22",
        " 22 / 12 / 2568 ",
        "๒๒/๑๒/๒๕๖๘",
        "๒๒ ธ.ค. ๖๘",
    ],
)
def test_every_way_of_writing_a_date_is_read(typed):
    assert read_date(typed) == CHRISTMAS_EVE_EVE


@pytest.mark.parametrize(
    ("typed", "date"),
    [
        ("22/12/2025", datetime.date(2025, 12, 22)),
        ("1/10/2024", datetime.date(2024, 10, 1)),
        ("29/02/2567", datetime.date(2024, 2, 29)),  # 2024 is a leap year
        ("29/02/2024", datetime.date(2024, 2, 29)),
        ("1/1/00", datetime.date(1957, 1, 1)),  # two digits are 25xx BE
        ("30 Sept 2026", datetime.date(2026, 9, 30)),
    ],
)
def test_a_christian_era_year_is_read_as_such_and_two_digits_as_buddhist(typed, date):
    assert read_date(typed) == date


@pytest.mark.parametrize(
    ("typed", "thai", "english"),
    [
        ("31/02/2568", "ไม่มีวันที่ 31 ในเดือนกุมภาพันธ์ 2568", "There is no day 31 in February 2568."),
        ("29/02/2569", "ไม่มีวันที่ 29 ในเดือนกุมภาพันธ์ 2569", "There is no day 29 in February 2569."),
        ("29/02/2026", "ไม่มีวันที่ 29 ในเดือนกุมภาพันธ์ 2569", "There is no day 29 in February 2569."),
        ("31 เม.ย. 68", "ไม่มีวันที่ 31 ในเดือนเมษายน 2568", "There is no day 31 in April 2568."),
        ("0/12/2568", "ไม่มีวันที่ 0 ในเดือนธันวาคม 2568", "There is no day 0 in December 2568."),
        ("1/13/2568", "ไม่มีเดือนที่ 13: เดือนมีตั้งแต่ 1 ถึง 12", "There is no month 13: months run from 1 to 12."),
        (
            "22/12/568",
            "วันที่ไม่ถูกต้อง: พิมพ์ วว/ดด/ปปปป (ปีพุทธศักราช) เช่น 22/12/2568",
            "Not a date: type dd/mm/yyyy (Buddhist year), for example 22/12/2568.",
        ),
        (
            "22 Foo 2568",
            "วันที่ไม่ถูกต้อง: พิมพ์ วว/ดด/ปปปป (ปีพุทธศักราช) เช่น 22/12/2568",
            "Not a date: type dd/mm/yyyy (Buddhist year), for example 22/12/2568.",
        ),
        (
            "22/12-2568",
            "วันที่ไม่ถูกต้อง: พิมพ์ วว/ดด/ปปปป (ปีพุทธศักราช) เช่น 22/12/2568",
            "Not a date: type dd/mm/yyyy (Buddhist year), for example 22/12/2568.",
        ),
    ],
)
def test_an_impossible_date_is_refused_saying_what_is_wrong(typed, thai, english):
    for language, message in (("th", thai), ("en", english)):
        with translation.override(language), pytest.raises(NotADate) as refused:
            read_date(typed)
        with translation.override(language):
            assert str(refused.value.args[0]) == message


class DateForm(forms.Form):
    day = ThaiDateField()


def test_the_field_shows_a_date_as_day_month_buddhist_year_and_a_refused_one_as_typed():
    assert 'value="22/12/2568"' in str(DateForm(initial={"day": CHRISTMAS_EVE_EVE})["day"])
    converted = DateForm({"day": "22/12/2025"})
    assert converted.is_valid() and converted.cleaned_data["day"] == CHRISTMAS_EVE_EVE
    assert 'value="22/12/2568"' in str(converted["day"])  # a Christian-era year is shown back converted
    # The message is made, month name and all, when the form is validated: in Thai here.
    with translation.override("th"):
        refused = DateForm({"day": "31/02/2568"})
        assert not refused.is_valid()
        assert refused.errors["day"] == ["ไม่มีวันที่ 31 ในเดือนกุมภาพันธ์ 2568"]
    assert 'value="31/02/2568"' in str(refused["day"]) and 'aria-invalid="true"' in str(refused["day"])


def test_the_field_is_a_text_box_with_the_pickers_month_names_in_the_interfaces_language():
    with translation.override("th"):
        thai = str(DateForm()["day"])
    with translation.override("en"):
        english = str(DateForm()["day"])
    assert 'type="text"' in thai and 'autocomplete="off"' in thai and "data-datepicker" in thai
    assert 'placeholder="วว/ดด/ปปปป"' in thai and 'placeholder="dd/mm/yyyy"' in english
    assert 'data-months="มกราคม|กุมภาพันธ์|' in thai and "|ธันวาคม" in thai
    assert 'data-months="January|February|' in english and "|December" in english
    assert 'data-weekdays="จ.|อ.|พ.|พฤ.|ศ.|ส.|อา."' in thai
    assert 'data-weekdays="Mo|Tu|We|Th|Fr|Sa|Su"' in english


# --- Each date form, both ways ---------------------------------------------------------------------

THAI_WAYS = ["22/12/2565", "2022-12-22", "22 ธ.ค. 65", "๒๒/๑๒/๒๕๖๕", "22/12/2022"]


@pytest.fixture
def entry(agency, unit, other_unit):
    """unit's first-quarter report on a measure of the 2566 plan (October–December 2565)."""
    factories.assessment(agency, 2565, {"I20": "70.70"})
    measure = factories.measure(agency, 2566, "สื่อสารขั้นตอน", lead_unit=unit, items=["I20"], months=[10, 11, 12])
    return measure.entries.get(unit=unit, round__kind="q1")


@pytest.mark.parametrize("typed", THAI_WAYS)
def test_the_activity_date_is_read_the_thai_way_and_shown_back_so(client, unit_staff, entry, typed, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(unit_staff)

    response = client.post(f"/entries/{entry.pk}/", form_data(entry, new_activities=[(typed, "ประชุมชี้แจง")]))

    assert response.status_code == 302
    assert list(Activity.objects.filter(entry=entry).values_list("date", flat=True)) == [datetime.date(2022, 12, 22)]
    assert 'value="22/12/2565"' in client.get(f"/entries/{entry.pk}/").text


def test_an_impossible_activity_date_is_refused_and_kept_as_typed(client, unit_staff, entry, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(unit_staff)

    response = client.post(f"/entries/{entry.pk}/", form_data(entry, new_activities=[("31/02/2566", "ประชุม")]))

    assert response.status_code == 200 and not Activity.objects.exists()
    assert 'value="31/02/2566"' in response.text
    assert "ไม่มีวันที่ 31 ในเดือนกุมภาพันธ์ 2566" in response.text


@pytest.mark.parametrize("typed", ["22/12/2568", "2025-12-22", "22 ธ.ค. 68", "22/12/2025"])
def test_the_measures_start_and_end_dates_are_read_the_thai_way(client, officer, unit, results_2568, typed):  # noqa: F811 (fixtures)
    client.force_login(officer)

    response = client.post(NEW, valid_data(unit, period="dates", start_date=typed, end_date="31 มี.ค. 69"))

    assert response.status_code == 302
    measure = Measure.objects.get()
    assert (measure.start_date, measure.end_date) == (CHRISTMAS_EVE_EVE, datetime.date(2026, 3, 31))
    page = client.get(f"/measures/{measure.pk}/edit/").text
    assert 'value="22/12/2568"' in page and 'value="31/03/2569"' in page


@pytest.mark.parametrize("typed", ["22/12/2568", "2025-12-22", "22 ธ.ค. 68", "22/12/2025"])
def test_the_rounds_due_dates_are_read_the_thai_way(client, officer, own_measure, typed):  # noqa: F811 (fixtures)
    client.force_login(officer)
    url = f"/agencies/AG1/{YEAR}/rounds/"

    response = client.post(url, rounds_data(client, url, q1={"due_date": typed}))

    assert response.status_code == 302
    assert ReportingRound.objects.get(agency__code="AG1", fiscal_year=YEAR, kind="q1").due_date == CHRISTMAS_EVE_EVE
    assert 'value="22/12/2568"' in client.get(url).text


@pytest.mark.parametrize("typed", ["15/05/2569", "2026-05-15", "15 พ.ค. 69", "15/05/2026", "๑๕/๕/๒๕๖๙"])
def test_the_access_logs_days_are_read_the_thai_way(client, superuser, dated, typed):  # noqa: F811
    assert filtered(client, superuser, since=typed) == {"EARLY-ON-15", "NOON-ON-16", "FAILED-ON-16"}
    assert 'value="15/05/2569"' in client.get(ACCESS_LOG, {"since": typed}).text


# --- The error summary -----------------------------------------------------------------------------


class Summary(HTMLParser):
    """Reads a page: the error summary's heading, its links and texts, where it starts, and where
    each element with an id starts."""

    def __init__(self, html):
        super().__init__()
        self.heading, self.links, self.items, self.start, self.ids = "", [], [], None, {}
        self._in, self._depth, self._part = False, 0, None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        position = self.getpos()
        if "id" in attrs:
            self.ids.setdefault(attrs["id"], position)
        if tag == "div" and "form-errors" in (attrs.get("class") or "").split() and self.start is None:
            self.start, self._in, self._depth = position, True, 0
            assert attrs.get("role") == "alert" and attrs.get("tabindex") == "-1"
        if not self._in:
            return
        if tag == "div":
            self._depth += 1
        if tag == "h2":
            self._part = "heading"
        elif tag == "li":
            self.items.append("")
            self._part = "item"
        elif tag == "a":
            self.links.append(attrs["href"])

    def handle_endtag(self, tag):
        if self._in and tag == "div":
            self._depth -= 1
            self._in = self._depth > 0
        if tag in ("h2", "li"):
            self._part = None

    def handle_data(self, data):
        if self._part == "heading":
            self.heading += data
        elif self._part == "item":
            self.items[-1] += data


def summary_of(response):
    found = Summary(response.content.decode())
    assert found.start is not None, "no error summary"
    for link in found.links:  # each link leads to a field further down the page
        assert link.startswith("#") and link[1:] in found.ids, link
        assert found.ids[link[1:]] > found.start, link
    return found


def test_the_entry_forms_summary_lists_every_problem_with_links_to_the_fields(client, unit_staff, entry):
    client.force_login(unit_staff)
    data = form_data(entry, new_activities=[("31/02/2566", "ประชุม")], links="ftp://x")

    found = summary_of(client.post(f"/entries/{entry.pk}/", data))

    assert found.heading.strip() == "แบบฟอร์มมีข้อผิดพลาด 2 รายการ"
    assert found.links == ["#id_links", "#id_activities-0-date"]
    assert found.items[1].strip() == "วันที่ แถวที่ 1: ไม่มีวันที่ 31 ในเดือนกุมภาพันธ์ 2566"


def test_the_summary_is_in_english_when_english_is_chosen(client, officer, unit, results_2568):  # noqa: F811 (fixtures)
    client.force_login(officer)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})

    found = summary_of(client.post(NEW, valid_data(unit, period="dates", start_date="31/02/2569", end_date="")))

    assert found.heading.strip() == "There are 2 problems with this form"
    assert found.links == ["#id_start_date", "#id_end_date"]
    assert [item.strip() for item in found.items] == [
        "start date: There is no day 31 in February 2569.",
        "end date: Give the date.",
    ]


def test_the_rounds_summary_links_to_the_refused_due_date(client, officer, own_measure):  # noqa: F811 (fixtures)
    client.force_login(officer)
    url = f"/agencies/AG1/{YEAR}/rounds/"

    found = summary_of(client.post(url, rounds_data(client, url, q2={"due_date": "31/04/2569"})))

    assert found.heading.strip() == "แบบฟอร์มมีข้อผิดพลาด 1 รายการ"
    assert found.links == ["#id_q2-due_date"]
    assert found.items == ["กำหนดส่ง: ไม่มีวันที่ 31 ในเดือนเมษายน 2569"]


def test_the_tier_forms_summary_links_to_its_field(client, officer, tceb_2565):  # noqa: F811 (fixtures)
    client.force_login(officer)

    found = summary_of(
        client.post(
            "/agencies/AG1/2565/", {"tier_scheme": "three", "tier_target": "85", "tier_lower": "98", "tier_upper": "96"}
        )
    )

    assert found.links == ["#id_tier_upper"]
    assert found.items == ["เกณฑ์สูง (รักษาระดับเมื่อสูงกว่า): เกณฑ์สูงต้องมากกว่าเกณฑ์ต่ำ"]


def test_the_access_log_filters_summary_links_to_the_date(client, superuser, dated):  # noqa: F811
    client.force_login(superuser)

    found = summary_of(client.get(ACCESS_LOG, {"since": "32/01/2569"}))

    assert found.links == ["#id_since"]
    assert 'value="32/01/2569"' in client.get(ACCESS_LOG, {"since": "32/01/2569"}).text


def test_a_form_without_problems_has_no_summary(client, officer, unit, results_2568):  # noqa: F811 (fixtures)
    client.force_login(officer)

    assert "form-errors" not in client.get(NEW).text
