"""Input the database would refuse (a null byte, which PostgreSQL cannot store or compare; a code
longer than its column; a number larger than any id) is a 404 or a form error, never a 500, on
SQLite and PostgreSQL alike: in the address itself and in every query-string parameter that
reaches a query."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import resolve

from assessments.models import Agency
from measures.models import MeasureTemplate
from tests import factories, published
from tests.published import indicators

HUGE = "9" * 30
NULL_BYTES = ["\x00", "AG\x00X"]
TOO_BIG = [HUGE, "-" + HUGE, "x" * 5000, "1e999999"]


@pytest.fixture
def results(agency, unit):
    factories.summarised_assessment(agency, 2564, indicators(published.TCEB_2565_INDICATORS))
    factories.summarised_assessment(
        agency, 2565, {**published.TCEB_2565_ITEMS, **indicators(published.TCEB_2565_INDICATORS)}
    )
    factories.measure(agency, 2566, "มาตรการทดสอบ", lead_unit=unit, items=("I20",))
    MeasureTemplate.objects.create(indicator_number=4, item_code="I20", name="มาตรการจากคลัง")
    return agency


@pytest.mark.parametrize(
    "url",
    [
        "/agencies/AG%00X/",
        "/agencies/AG1%00/2565/",
        "/agencies/%00/",
        f"/agencies/{'A' * 33}/",
        f"/agencies/{'A' * 33}/2565/plan/",
        "/agencies/AG1/2565%00/",
        f"/agencies/AG1/{HUGE}/",
        f"/agencies/AG1/{HUGE}/plan/",
        f"/overview/{HUGE}/",
        "/agencies/AG1/2566/progress/q%00/report.pdf",
        "/agencies/AG1/2566/progress/q5/report.xlsx",
        "/agencies/AG1/2566/plan/report.pdf%00",
        f"/entries/{HUGE}/",
        f"/entries/{HUGE}/history/",
        f"/entries/1/evidence/{HUGE}/",
        f"/measures/{HUGE}/",
        f"/measures/{HUGE}/edit/",
        f"/agencies/AG1/units/{HUGE}/edit/",
        f"/bundles/{HUGE}/status",
        f"/bundles/{HUGE}/download",
        "/entries/1/approve%00/",
    ],
)
def test_an_address_that_names_nothing_real_is_not_found(client, superuser, results, url):
    client.force_login(superuser)

    assert client.get(url).status_code == 404


# Every query-string parameter a page reads into a query or a form, by page.
PARAMETERS = {
    "/overview/2565/": ["name", "agency_type", "parent", "level", "min_score", "max_score", "sort", "page"],
    "/overview/2565/download.csv": ["name", "agency_type", "parent", "level", "min_score", "max_score", "sort"],
    "/overview/2565/download.xlsx": ["name", "parent", "min_score", "sort"],
    "/agencies/AG1/2565/": ["sort"],
    "/agencies/AG1/2566/plan/new/": ["item", "part", "indicator", "template"],
    "/measure-templates/?agency=AG1&year=2566": ["agency", "year"],
    "/agencies/AG1/2565/report.xlsx": ["digits"],
    "/agencies/AG1/2566/progress/q1/report.xlsx": ["digits"],
    "/accounts/login/": ["next"],
    "/i18n/setlang/": ["next", "language"],
    "/admin/assessments/agency/": ["q", "p", "o", "agency_type__id__exact", "size_class__exact", "parent__id__exact"],
    "/admin/assessments/assessment/": ["q", "fiscal_year", "p"],
    "/admin/measures/progressentry/": ["q", "state__exact"],
    "/admin/measures/measure/": ["q"],
}


@pytest.mark.parametrize("page", PARAMETERS)
def test_a_bad_query_parameter_is_not_found_ignored_or_a_form_error(client, superuser, results, page):
    """A null byte is "not found" (ita_tracker.middleware); a value too big for its column or
    any number is ignored, or the page's form says what is wrong."""
    client.force_login(superuser)
    path, _, fixed = page.partition("?")
    fixed = dict(pair.split("=") for pair in fixed.split("&")) if fixed else {}

    answers = {}
    for parameter in PARAMETERS[page]:
        for value in NULL_BYTES + TOO_BIG:
            answers[parameter, value] = client.get(path, {**fixed, parameter: value}).status_code

    assert {key: status for key, status in answers.items() if key[1] in NULL_BYTES and status != 404} == {}
    assert {key: status for key, status in answers.items() if key[1] in TOO_BIG and status not in (200, 302)} == {}


@pytest.mark.parametrize("code", ["A" * 33, "AG 1", "สำนักงาน", "AG/1", "AG\x00X", "AG1?"])
def test_import_refuses_an_agency_code_no_address_could_carry(tmp_path, db, code):
    path = tmp_path / "agencies.csv"
    path.write_bytes(
        factories.csv_bytes(
            [(code, "หน่วยงานทดสอบ", "", "department", "")], ("code", "name_th", "short_name", "agency_type", "parent")
        )
    )

    with pytest.raises(CommandError) as refused:
        call_command("import_agencies", str(path), stdout=io.StringIO())

    assert "Row 2: agency code" in str(refused.value) and "at most 32 letters a–z, digits, '-' or '_'" in str(
        refused.value
    )
    assert not Agency.objects.exists()


def test_import_keeps_every_real_agency_code(tmp_path, db):
    codes = ["PMO", "TCEB", "ANGTHONG-PROV", "ANGTHONG-MUN", "FIO", "MUN_2", "a" * 32]
    path = tmp_path / "agencies.csv"
    path.write_bytes(
        factories.csv_bytes(
            [(code, f"หน่วยงาน {code}", "", "department", "") for code in codes],
            ("code", "name_th", "short_name", "agency_type", "parent"),
        )
    )

    call_command("import_agencies", str(path), stdout=io.StringIO())

    assert sorted(Agency.objects.values_list("code", flat=True)) == sorted(codes)
    assert [resolve(f"/agencies/{code}/2565/plan/").kwargs for code in codes] == [
        {"code": code, "year": 2565} for code in codes
    ]
