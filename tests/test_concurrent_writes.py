"""Simultaneous requests and imports write what one would: no double copy of a plan, no duplicate
or failed import (issue 8, point 2). Each test fires its writers from threads at the same moment,
on whichever database the suite runs on (SQLite by default, PostgreSQL in CI)."""

import io
from decimal import Decimal

import pytest
import yaml
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from assessments.agency_import import check_agencies, save_agencies
from assessments.frameworks import dump_version, load_versions, read_versions
from assessments.importing import check_results, save_results
from assessments.models import Agency, Assessment, FrameworkVersion, Item, Score
from measures.models import Measure, ProgressEntry
from tests import factories
from tests.concurrency import at_once, client_for

YEAR = 2569

pytestmark = pytest.mark.usefixtures("threads_db")


def copy_plan(user, data):
    return lambda: client_for(user).post(f"/agencies/AG1/{YEAR}/plan/copy/", data)


def last_years_plan(agency, unit, count=3):
    for number in range(count):
        factories.measure(agency, YEAR - 1, f"มาตรการที่ {number + 1}", lead_unit=unit)


def test_two_simultaneous_clicks_on_copy_copy_the_plan_once(officer, agency, unit):
    last_years_plan(agency, unit)

    responses = at_once(copy_plan(officer, {"seen": "0"}), copy_plan(officer, {"seen": "0"}))

    assert [r.status_code for r in responses] == [302, 302]
    assert Measure.objects.filter(fiscal_year=YEAR).count() == 3
    assert ProgressEntry.objects.filter(measure__fiscal_year=YEAR).count() == 3 * 4


def test_two_simultaneous_clicks_on_copy_anyway_copy_the_plan_once(officer, agency, unit):
    last_years_plan(agency, unit)
    factories.measure(agency, YEAR, "มาตรการที่มีแล้ว", lead_unit=unit)
    data = {"seen": "1", "confirm": "on"}

    responses = at_once(copy_plan(officer, data), copy_plan(officer, data), copy_plan(officer, data))

    assert [r.status_code for r in responses] == [302, 302, 302]
    assert Measure.objects.filter(fiscal_year=YEAR).count() == 1 + 3


# --- Imports --------------------------------------------------------------------------------------

RESULTS = [
    ("AG1", "2568", "ITA", "", "95.08"),
    ("AG1", "2568", "IIT", "", "98.19"),
    ("AG1", "2568", "EIT", "public", "93.20"),
    ("AG1", "2568", "e1", "ส่วนที่ 2", "86.67"),
    ("AG1", "2567", "ITA", "", "90.00"),
]


@pytest.fixture
def saved_years(agency):
    """The years already have results (a figure each), as when a corrected file is imported."""
    factories.assessment(agency, 2568, {"I1": "80.00"})
    factories.assessment(agency, 2567, {"I1": "80.00"})


def score_rows():
    return sorted(
        Score.objects.values_list("assessment__agency__code", "assessment__fiscal_year", "code", "part", "score")
    )


def test_two_simultaneous_confirmed_web_imports_write_the_rows_once(officer, agency, saved_years):
    client = client_for(officer)
    preview = client.post("/results/import/", {"file": SimpleUploadedFile("results.csv", factories.csv_bytes(RESULTS))})
    payload = {"payload": preview.context["payload"]}

    responses = at_once(*[lambda: client_for(officer).post("/results/import/", payload)] * 3)

    assert [r.status_code for r in responses] == [302, 302, 302]
    assert Assessment.objects.count() == 2
    assert len(score_rows()) == 2 + 5
    assert Score.history.count() == 2 + 5  # one record per new figure, none for the repeats


def test_two_simultaneous_import_commands_write_the_rows_once(tmp_path, agency, saved_years):
    path = tmp_path / "results.csv"
    path.write_bytes(factories.csv_bytes(RESULTS))

    def command():
        out = io.StringIO()
        call_command("import_results", str(path), stdout=out)
        return out.getvalue()

    outputs = at_once(command, command)

    assert all(isinstance(output, str) for output in outputs), outputs
    assert sorted("5 new" in output for output in outputs) == [False, True]
    assert Assessment.objects.count() == 2
    assert Assessment.objects.get(fiscal_year=2568).overall == Decimal("95.08")
    assert len(score_rows()) == 2 + 5


def test_simultaneous_results_imports_for_the_same_agency_are_each_complete(agency, saved_years):
    """Two different files for one agency and year: each is written whole; none fails."""
    first = check_results(
        [
            (n, dict(zip(("agency", "fiscal_year", "code", "part", "score"), row, strict=True)))
            for n, row in enumerate(RESULTS, 2)
        ]
    )[0]
    second = check_results([(2, {"agency": "AG1", "fiscal_year": "2568", "code": "I2", "part": "", "score": "70"})])[0]

    outcomes = at_once(lambda: save_results(first), lambda: save_results(second))

    assert outcomes == [{"created": 5, "updated": 0, "unchanged": 0}, {"created": 1, "updated": 0, "unchanged": 0}]
    assert len(score_rows()) == 2 + 6


AGENCIES = [
    {"code": "MIN", "name_th": "กระทรวงทดสอบ", "short_name": "กท.", "agency_type": "ministry", "parent": ""},
    {"code": "DEP1", "name_th": "กรมที่หนึ่ง", "short_name": "", "agency_type": "department", "parent": "MIN"},
    {"code": "DEP2", "name_th": "กรมที่สอง", "short_name": "", "agency_type": "department", "parent": "MIN"},
]


def test_two_simultaneous_agency_imports_write_each_agency_once(tmp_path, db):
    path = tmp_path / "agencies.csv"
    path.write_bytes(
        factories.csv_bytes(
            [[a[key] for key in ("code", "name_th", "short_name", "agency_type", "parent")] for a in AGENCIES],
            header=("code", "name_th", "short_name", "agency_type", "parent"),
        )
    )

    def command():
        out = io.StringIO()
        call_command("import_agencies", str(path), stdout=out)
        return out.getvalue()

    outputs = at_once(command, command, command)

    assert all(isinstance(output, str) for output in outputs), outputs
    assert sorted(Agency.objects.values_list("code", "parent__code")) == [
        ("DEP1", "MIN"),
        ("DEP2", "MIN"),
        ("MIN", None),
    ]


def test_agency_import_puts_parents_before_their_agencies_in_any_file_order(db):
    agencies, problems = check_agencies([(n, a) for n, a in enumerate(reversed(AGENCIES), 2)])

    assert problems == []
    assert save_agencies(agencies, batch_size=1) == {"created": 3, "updated": 0, "unchanged": 0}
    assert sorted(Agency.objects.values_list("code", "parent__code")) == [
        ("DEP1", "MIN"),
        ("DEP2", "MIN"),
        ("MIN", None),
    ]


def new_version(code):
    """The 2568 framework again, under another code, for years nobody uses."""
    data = dump_version(FrameworkVersion.objects.get(code="ita_2568_2569"))
    data.update(id=code, fiscal_years=[2580, 2581])
    return read_versions(yaml.safe_dump({"versions": [data]}, allow_unicode=True))


def test_two_simultaneous_framework_loads_of_one_new_version_load_it_once():
    versions = new_version("test_2580")

    outcomes = at_once(lambda: load_versions(versions), lambda: load_versions(versions))

    assert [[v.code for v in outcome] for outcome in outcomes] == [["test_2580"], ["test_2580"]]
    assert (
        FrameworkVersion.objects.get(code="test_2580").items.count()
        == Item.objects.filter(version__code="ita_2568_2569").count()
    )


def test_simultaneous_framework_loads_with_overlapping_years_load_one():
    first, second = new_version("test_2580"), new_version("other_2580")

    outcomes = at_once(lambda: load_versions(first), lambda: load_versions(second))

    assert sorted(type(outcome).__name__ for outcome in outcomes) == ["FrameworkFileError", "list"]
    assert FrameworkVersion.objects.filter(first_year=2580).count() == 1
