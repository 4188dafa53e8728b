"""Item results of a framework version whose item list is unknown (2566–2567): placed in an
indicator by the file's `indicator` column, scored, shown, exported, and bound to the NACC's
list when an administrator loads it."""

import csv
import io
import re
from decimal import Decimal

import pytest
import yaml
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from assessments.frameworks import FrameworkFileError, dump_versions_yaml, load_versions, read_versions
from assessments.importing import RESULT_COLUMNS, RESULT_OPTIONAL, check_results, read_rows
from assessments.models import Assessment, FrameworkVersion, Item, Score
from assessments.scoring import FrameworkSpec, IndicatorSpec, ItemSpec, compute, round2, with_placed_items
from tests import factories
from tests.test_analysis import analysis_of, items_in

pytestmark = pytest.mark.django_db

HEADER = ("agency", "fiscal_year", "code", "part", "score", "indicator")

# An agency's 2567 results as its own report prints them: items with the indicator they answer,
# in the spellings agencies use, and the indicators the report publishes.
ROWS_2567 = [
    ("AG1", "2567", "o1", "", "100", "9"),
    ("AG1", "2567", "OIT 2", "", "100", "IND9"),
    ("AG1", "2567", "ข้อ O3", "", "50", "ตัวชี้วัดที่ ๙"),
    ("AG1", "2567", "o21", "", "100", "10"),
    ("AG1", "2567", "o.22", "", "80", "ตัวชี้วัด 10"),
    ("AG1", "2567", "i1", "", "90", "1"),
    ("AG1", "2567", "IIT2", "", "80", "1"),
    ("AG1", "2567", "e1", "public", "80", "6"),
    ("AG1", "2567", "e1", "survey", "90", "6"),
    ("AG1", "2567", "IND2", "", "90", ""),
    ("AG1", "2567", "IND3", "", "90", ""),
    ("AG1", "2567", "IND4", "", "90", ""),
    ("AG1", "2567", "IND5", "", "90", ""),
    ("AG1", "2567", "IND7", "", "90", ""),
    ("AG1", "2567", "IND8", "", "90", ""),
]


def write(tmp_path, rows, header=HEADER, name="results.csv"):
    path = tmp_path / name
    path.write_bytes(factories.csv_bytes(rows, header))
    return path


def import_results(path):
    out = io.StringIO()
    call_command("import_results", str(path), stdout=out)
    return out.getvalue()


def refused(path):
    with pytest.raises(CommandError) as info:
        import_results(path)
    return str(info.value)


def problems_in(rows, header=HEADER):
    content = factories.csv_bytes(rows, header)
    _figures, problems = check_results(read_rows(content, "results.csv", RESULT_COLUMNS, optional=RESULT_OPTIONAL))
    with translation.override("en"):
        return [str(problem.line) for problem in problems]


def saved():
    return sorted(
        (s.assessment.agency.code, s.code, s.part, str(s.score), s.indicator)
        for s in Score.objects.select_related("assessment__agency")
    )


@pytest.fixture
def imported(agency, tmp_path):
    import_results(write(tmp_path, ROWS_2567))
    return Assessment.objects.get(agency=agency, fiscal_year=2567)


# Importing


def test_a_2567_file_with_items_and_an_indicator_column_imports(imported):
    placed = {(code, part): indicator for _agency, code, part, _score, indicator in saved()}

    assert placed[("o1", 0)] == placed[("o2", 0)] == placed[("o3", 0)] == 9
    assert placed[("o21", 0)] == placed[("o22", 0)] == 10
    assert placed[("i1", 0)] == placed[("i2", 0)] == 1
    assert placed[("e1", 1)] == placed[("e1", 2)] == 6
    assert placed[("IND2", 0)] is None
    assert Score.objects.count() == len(ROWS_2567)


def test_indicators_without_a_published_score_are_the_mean_of_their_placed_items(imported):
    result = imported.result()

    assert result.shown("IND9") == Decimal("83.33")  # mean(100, 100, 50)
    assert result.shown("IND10") == Decimal("90.00")
    assert result.shown("IND1") == Decimal("85.00")
    assert result.shown("IND6", 1) == Decimal("80.00")
    assert result.shown("IND6", 2) == Decimal("90.00")
    assert result.shown("IND6") == Decimal("85.00")
    assert [result.get(code).source for code in ("IND9", "IND1", "IND2")] == ["computed", "computed", "official"]


def test_the_stored_summary_follows_the_placed_items(imported):
    # IIT mean(85, 90, 90, 90, 90) = 89; EIT mean(85, 90, 90) = 88.33; OIT mean(83.33, 90) = 86.67;
    # 0.3 × 89 + 0.3 × 88.333 + 0.4 × 86.667 = 87.867.
    assert (imported.overall, imported.iit, imported.eit, imported.oit) == (
        Decimal("87.87"),
        Decimal("89.00"),
        Decimal("88.33"),
        Decimal("86.67"),
    )
    assert imported.level == "ผ่านดี"


def test_the_same_file_without_the_indicator_column_is_refused_whole(agency, tmp_path):
    rows = [row[:5] for row in ROWS_2567]

    message = refused(write(tmp_path, rows, header=RESULT_COLUMNS))

    assert (
        "Row 2: the framework of that fiscal year has no item list: give the indicator of item o1 in the "
        "indicator column (OIT indicators: 9, 10)"
    ) in message
    assert "Row 7: the framework of that fiscal year has no item list: give the indicator of item i1" in message
    assert "Row 9: " in message and "Row 11: " not in message  # the indicator rows are fine
    assert "ให้ระบุตัวชี้วัดของข้อ o1 ในช่อง indicator" in message
    assert Score.objects.count() == 0
    assert Assessment.objects.count() == 0


def test_an_empty_indicator_cell_is_refused_as_a_missing_column_is(agency):
    assert problems_in([("AG1", "2567", "o1", "", "100", "")]) == [
        "Row 2: the framework of that fiscal year has no item list: give the indicator of item o1 in the "
        "indicator column (OIT indicators: 9, 10)"
    ]


def test_an_indicator_of_another_tool_is_refused(agency):
    assert problems_in([("AG1", "2567", "o1", "", "100", "IND1"), ("AG1", "2566", "i1", "", "90", "6")]) == [
        "Row 2: item o1 is an OIT item, but indicator 1 belongs to IIT: give one of the OIT indicators 9, 10",
        "Row 3: item i1 is an IIT item, but indicator 6 belongs to EIT: give one of the IIT indicators 1, 2, 3, 4, 5",
    ]


@pytest.mark.parametrize("indicator", ["11", "0", "nine", "9.1"])
def test_an_indicator_that_is_not_1_to_10_is_refused(agency, indicator):
    assert problems_in([("AG1", "2567", "o1", "", "100", indicator)]) == [
        f"Row 2: indicator must be a number from 1 to 10 (9, IND9 or ตัวชี้วัดที่ 9), not '{indicator}'"
    ]


def test_eit_items_are_scored_in_public_and_survey_parts(agency):
    assert problems_in([("AG1", "2567", "e1", "", "80", "6")]) == [
        "Row 2: e1 is scored in two parts: give public or survey"
    ]
    assert problems_in([("AG1", "2567", "o1", "public", "80", "9")]) == ["Row 2: o1 has no parts: leave part empty"]


def test_only_item_rows_take_an_indicator(agency):
    assert problems_in([("AG1", "2567", "IND9", "", "80", "9")]) == [
        "Row 2: only item rows take an indicator: leave the indicator column empty for IND9"
    ]


def test_in_a_year_with_an_item_list_the_indicator_column_must_agree_with_it(agency, tmp_path):
    assert problems_in([("AG1", "2568", "o1", "", "100", "10")]) == [
        "Row 2: the framework puts item o1 under indicator 9, not 10"
    ]

    import_results(write(tmp_path, [("AG1", "2568", "o1", "", "100", "9")]))

    assert saved() == [("AG1", "o1", 0, "100.00", None)]  # the list says where it is: nothing to store


def test_the_same_item_under_two_indicators_in_one_file_is_refused(agency, other_agency):
    rows = [("AG1", "2567", "o1", "", "100", "9"), ("AG2", "2566", "o1", "", "100", "10")]

    assert problems_in(rows) == [
        "Row 3: item o1 is placed under indicator 10, but row 2 puts it under indicator 9: an item has one "
        "indicator in every agency's results"
    ]


def test_an_item_placed_otherwise_in_saved_results_is_refused_naming_them(imported, other_agency, tmp_path):
    before = saved()

    message = refused(write(tmp_path, [("AG2", "2566", "o3", "", "100", "10")]))

    assert (
        "Row 2: item o3 is placed under indicator 10, but the saved results of AG1 for fiscal year 2567 put it "
        "under indicator 9: an item has one indicator in every agency's results"
    ) in message
    assert saved() == before


def test_an_agency_may_correct_its_own_placement(imported, tmp_path):
    import_results(write(tmp_path, [("AG1", "2567", "o3", "", "50", "10")]))

    imported.refresh_from_db()
    assert ("AG1", "o3", 0, "50.00", 10) in saved()
    assert imported.result().shown("IND9") == Decimal("100.00")
    assert imported.result().shown("IND10") == Decimal("76.67")  # mean(100, 80, 50)


def test_the_import_page_explains_the_spellings_and_the_indicator_column(client, officer):
    client.force_login(officer)

    page = client.get("/results/import/").text

    assert "แถวของข้อคำถามต้องมีคอลัมน์ <code>indicator</code>" in page


def test_the_import_page_saves_the_placements_it_previewed(client, officer, agency):
    client.force_login(officer)
    upload = SimpleUploadedFile("results.csv", factories.csv_bytes(ROWS_2567[:3], HEADER), content_type="text/csv")
    preview = client.post("/results/import/", {"file": upload})
    payload = re.search(r'name="payload" value="([^"]+)"', preview.text)[1]
    preview_rows = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", preview.text))
    assert "ตัวชี้วัด" in preview.text
    assert "o1 100.00 9 ใหม่" in preview_rows

    client.post("/results/import/", {"payload": payload})

    assert saved() == [("AG1", "o1", 0, "100.00", 9), ("AG1", "o2", 0, "100.00", 9), ("AG1", "o3", 0, "50.00", 9)]


# Shown and exported


def test_the_analysis_lists_placed_items_under_their_indicator_tiered(client, officer, imported):
    client.force_login(officer)

    response = client.get("/agencies/AG1/2567/")
    page = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.text))

    assert response.status_code == 200
    assert "ข้อ o3 50.00" in page
    assert "ข้อ e1 (ส่วนที่ 1) 80.00" in page
    assert "o3 50.00" in page and "83.33" in page


def test_placed_items_fall_in_the_tiers_as_listed_items_do(imported):
    report = analysis_of(imported)
    tables = dict((indicator.number, rows) for indicator, rows in report.tables)

    assert [(row.code, row.label, f"{row.shown:.2f}", row.tier) for row in tables[9]] == [
        ("o1", "ข้อ o1", "100.00", "strength"),
        ("o2", "ข้อ o2", "100.00", "strength"),
        ("o3", "ข้อ o3", "50.00", "weakness"),
    ]
    assert items_in(report, "weakness") == {"o3", "i2", "e1", "o22"}


def test_the_analysis_page_runs_as_many_queries_with_placed_items_as_without(client, officer, agency, other_agency):
    factories.assessment(other_agency, 2567, {"IND9": "90"})
    client.force_login(officer)
    factories.assessment(agency, 2567, {"IND9": "90"})
    with CaptureQueriesContext(connection) as without:
        assert client.get("/agencies/AG1/2567/").status_code == 200

    assessment = Assessment.objects.get(agency=agency, fiscal_year=2567)
    for n in range(1, 21):
        Score.objects.create(assessment=assessment, code=f"o{n}", score=Decimal("90"), indicator=9)
    with CaptureQueriesContext(connection) as placed:
        response = client.get("/agencies/AG1/2567/")

    assert "ข้อ o20" in response.text
    assert len(placed) == len(without)


def test_the_export_fills_the_indicator_of_placed_items_and_imports_again_unchanged(imported, tmp_path):
    out = io.StringIO()
    call_command("export_results", agency="AG1", year=2567, stdout=out)
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    before = saved()

    placed = {(r["code"], r["part"]): r["indicator"] for r in rows if r["indicator"]}
    path = tmp_path / "export.csv"
    path.write_text(out.getvalue(), encoding="utf-8")
    output = import_results(path)

    assert placed == {
        ("o1", ""): "9",
        ("o2", ""): "9",
        ("o3", ""): "9",
        ("o21", ""): "10",
        ("o22", ""): "10",
        ("i1", ""): "1",
        ("i2", ""): "1",
        ("e1", "public"): "6",
        ("e1", "survey"): "6",
    }
    assert [r["tier"] for r in rows if r["code"] in ("o1", "o3")] == ["strength", "weakness"]
    assert saved() == before
    assert f"{len(ROWS_2567)} unchanged" in output


# Binding to the NACC's list when it is loaded


NACC_ITEMS_2567 = [
    {"code": "O1", "tool": "OIT", "indicator": 9, "text_th": "โครงสร้าง"},
    {"code": "O2", "tool": "OIT", "indicator": 9, "text_th": "ข้อมูลผู้บริหาร"},
    {"code": "O3", "tool": "OIT", "indicator": 9, "text_th": "อำนาจหน้าที่"},
    {"code": "O21", "tool": "OIT", "indicator": 10, "text_th": "ข้อ 21"},
    {"code": "O22", "tool": "OIT", "indicator": 10, "text_th": "ข้อ 22"},
    {"code": "I1", "tool": "IIT", "indicator": 1, "text_th": "ข้อ 1"},
    {"code": "I2", "tool": "IIT", "indicator": 1, "text_th": "ข้อ 2"},
    {"code": "E1", "tool": "EIT", "indicator": 6, "text_th": "ข้อ 1", "parts": ["public", "survey"]},
]


def with_items(items):
    data = yaml.safe_load(dump_versions_yaml(FrameworkVersion.objects.filter(code="ita_2566_2567")))
    data["versions"][0]["items"] = items
    return read_versions(yaml.safe_dump(data, allow_unicode=True))


def test_loading_the_list_binds_placed_items_to_it(imported):
    before = imported.result()

    load_versions(with_items(NACC_ITEMS_2567))

    assessment = Assessment.objects.get(pk=imported.pk)
    after = assessment.result()
    assert Score.objects.filter(indicator__isnull=False).count() == 0
    assert {s.code for s in Score.objects.all()} >= {"O1", "O3", "O22", "I2", "E1"}  # the list's spelling
    assert Item.objects.filter(version__code="ita_2566_2567").count() == len(NACC_ITEMS_2567)
    assert [after.shown(code) for code in ("IND9", "IND10", "IND1", "IND6", "ITA")] == [
        before.shown(code) for code in ("IND9", "IND10", "IND1", "IND6", "ITA")
    ]
    assert assessment.overall == Decimal("87.87")


def test_loading_a_list_without_a_placed_item_is_refused_naming_it(imported):
    before = saved()

    with pytest.raises(FrameworkFileError) as info:
        load_versions(with_items([item for item in NACC_ITEMS_2567 if item["code"] != "O3"]))
    with translation.override("en"):
        problems = [str(problem) for problem in info.value.problems]

    assert problems == [
        "Version ita_2566_2567: AG1, fiscal year 2567 has item o3 placed under indicator 9, "
        "which the item list does not have."
    ]
    with translation.override("th"):
        assert str(info.value.problems[0]) == (
            "กรอบการประเมินฉบับ ita_2566_2567: ผลของ AG1 ปีงบประมาณ 2567 มีข้อ o3 ที่จัดไว้ในตัวชี้วัดที่ 9 แต่รายการข้อคำถามในไฟล์ไม่มีข้อนี้"
        )
    assert saved() == before
    assert Item.objects.filter(version__code="ita_2566_2567").count() == 0


def load_refusals(versions):
    """The problems, in English, for which loading `versions` is refused."""
    with pytest.raises(FrameworkFileError) as info:
        load_versions(versions)
    with translation.override("en"):
        return [str(problem) for problem in info.value.problems]


def test_loading_a_list_that_puts_a_placed_item_elsewhere_is_refused_naming_both_indicators(imported):
    items = [dict(item, indicator=9) if item["code"] == "O21" else item for item in NACC_ITEMS_2567]

    problems = load_refusals(with_items(items))

    assert problems == [
        "Version ita_2566_2567: AG1, fiscal year 2567 has item o21 placed under indicator 10, "
        "which the item list puts under indicator 9."
    ]
    assert Score.objects.filter(code="o21", indicator=10).count() == 1


def test_loading_a_list_that_scores_a_placed_eit_item_as_a_whole_is_refused(imported):
    items = [{k: v for k, v in item.items() if k != "parts"} for item in NACC_ITEMS_2567]

    problems = load_refusals(with_items(items))

    assert problems == [
        "Version ita_2566_2567: AG1, fiscal year 2567 has item e1 scored in two parts, "
        "but the item list scores it as a whole."
    ]


def test_loading_the_version_again_without_a_list_keeps_the_placements(imported):
    load_versions(with_items([]))

    assert Score.objects.filter(indicator__isnull=False).count() == 9


# The engine, without a database


def unlisted_spec():
    indicators = {
        n: IndicatorSpec(number=n, tool="IIT" if n <= 5 else "EIT" if n <= 8 else "OIT") for n in range(1, 11)
    }
    return FrameworkSpec(
        weights={"IIT": Decimal("0.3"), "EIT": Decimal("0.3"), "OIT": Decimal("0.4")},
        tool_indicators={"IIT": (1, 2, 3, 4, 5), "EIT": (6, 7, 8), "OIT": (9, 10)},
        indicators=indicators,
        items={},
        tool_parts={"EIT": (1, 2)},
        last_year=2567,
    )


def test_with_placed_items_puts_items_in_their_indicators_in_number_order():
    spec = with_placed_items(unlisted_spec(), {"o10": 9, "o2": 9, "e1": 6, "i3": 1})

    assert spec.indicators[9].items == ("o2", "o10")
    assert spec.indicators[6].items == ("e1",)
    assert spec.items["e1"] == ItemSpec(code="e1", indicator=6, in_parts=True)
    assert spec.items["o2"] == ItemSpec(code="o2", indicator=9, in_parts=False)
    assert unlisted_spec().indicators[9].items == ()  # the version's own spec is left as it was


def test_placed_items_feed_their_indicator_and_the_overall_score():
    spec = with_placed_items(unlisted_spec(), {"o1": 9, "o2": 9})
    official = {("o1", 0): Decimal("100"), ("o2", 0): Decimal("75"), ("IND10", 0): Decimal("90")}

    result = compute(spec, official)

    assert result.shown("IND9") == Decimal("87.50")
    assert result.shown("OIT") == Decimal("88.75")
    assert round2(result.value("OIT")) == Decimal("88.75")
    assert compute(unlisted_spec(), official).get("IND9") is None  # without the placement, nothing to compute


def test_with_placed_items_leaves_listed_items_as_listed():
    spec = unlisted_spec()

    assert with_placed_items(spec, {}) is spec


def test_a_measure_for_a_weak_placed_item_is_prefilled_with_its_indicator_and_score(client, officer, imported):
    client.force_login(officer)

    analysis = client.get("/agencies/AG1/2567/").text
    response = client.get("/agencies/AG1/2568/plan/new/?item=o3&part=0")
    form = response.context["form"]

    assert "/agencies/AG1/2568/plan/new/?item=o3&amp;part=0" in analysis
    assert "ผลคะแนน o3" in response.text and "ได้ 50.00 คะแนน ต่ำกว่าค่าเป้าหมาย (85 คะแนน)" in response.text
    assert [str(v) for v in form["indicators"].value()] == [str(form.fields["indicators"].queryset.get(number=9).pk)]
    assert form["items"].value() in (None, [])
