"""export_results: every figure entered or computable, as CSV that imports back unchanged; and
export_report and the downloads writing documents as Word."""

import csv
import io

import docx
import pytest
from django.core.management import CommandError, call_command
from docx.enum.section import WD_ORIENT

from assessments.models import Assessment, Score
from tests import factories, published
from tests.published import indicators

pytestmark = pytest.mark.django_db

HEADER = "agency,fiscal_year,code,part,score,computed,source,level,level_source,tier,flag,indicator"


def export(agency_code, year):
    out = io.StringIO()
    call_command("export_results", agency=agency_code, year=year, stdout=out)
    return out.getvalue()


def rows_of(text):
    return list(csv.DictReader(io.StringIO(text)))


def row(rows, code, part=""):
    [found] = [r for r in rows if r["code"] == code and r["part"] == part]
    return found


@pytest.fixture
def angthong(agency):
    factories.assessment(agency, 2568, published.angthong_2568_figures())
    return agency


@pytest.fixture
def tceb_2565(other_agency):
    figures = {**published.TCEB_2565_ITEMS, **indicators(published.TCEB_2565_INDICATORS)}
    factories.assessment(other_agency, 2565, figures)
    return other_agency


def score_table():
    return sorted(Score.objects.values_list("pk", "assessment_id", "code", "part", "score", "level"))


def test_export_header_is_the_template_columns_plus_computed_figures(angthong):
    assert export("AG1", 2568).splitlines()[0] == HEADER


def test_overall_row_is_computed_with_its_pass_level(angthong):
    assert row(rows_of(export("AG1", 2568)), "ITA") == {
        "agency": "AG1",
        "fiscal_year": "2568",
        "code": "ITA",
        "part": "",
        "score": "95.08",
        "computed": "95.08",
        "source": "computed",
        "level": "ผ่านดี",
        "level_source": "computed",
        "tier": "",
        "flag": "",
        "indicator": "",
    }


def test_official_indicator_differing_from_its_items_is_flagged(angthong):
    ind4 = row(rows_of(export("AG1", 2568)), "IND4")

    assert (ind4["score"], ind4["computed"], ind4["source"], ind4["flag"]) == ("95.05", "94.19", "official", "mismatch")


def test_official_figure_that_cannot_be_recomputed_has_no_computed_value(angthong):
    ind1 = row(rows_of(export("AG1", 2568)), "IND1")

    assert (ind1["score"], ind1["computed"], ind1["source"], ind1["flag"]) == ("100.00", "", "official", "")


def test_eit_parts_are_rows_of_their_own(angthong):
    rows = rows_of(export("AG1", 2568))

    assert [(r["part"], r["score"], r["source"]) for r in rows if r["code"] == "EIT"] == [
        ("", "90.41", "computed"),
        ("public", "93.20", "computed"),
        ("survey", "87.61", "computed"),
    ]
    assert [(r["part"], r["score"]) for r in rows if r["code"] == "e1"] == [("public", "93.47"), ("survey", "86.67")]


def test_sub_topic_mean_is_exported(angthong):
    sub = row(rows_of(export("AG1", 2568)), "SUB9.3")

    assert (sub["score"], sub["source"]) == ("75.00", "computed")


def test_rows_follow_the_official_results_page(angthong):
    rows = rows_of(export("AG1", 2568))

    assert [(r["code"], r["part"]) for r in rows[:8]] == [
        ("ITA", ""),
        ("IIT", ""),
        ("EIT", ""),
        ("EIT", "public"),
        ("EIT", "survey"),
        ("OIT", ""),
        ("IND1", ""),
        ("IND2", ""),
    ]
    codes = [r["code"] for r in rows]
    assert codes.index("IND10") < codes.index("SUB9.1") < codes.index("i10") < codes.index("e1") < codes.index("o1")
    assert codes[-1] == "o28"


def test_a_row_for_every_figure_entered_or_computable_and_no_other(angthong):
    rows = rows_of(export("AG1", 2568))

    official = {(r["code"], r["part"]) for r in rows if r["source"] == "official"}
    entered = {(s.code, {0: "", 1: "public", 2: "survey"}[s.part]) for s in Score.objects.all()}
    assert official == entered
    assert len(rows) == len(set((r["code"], r["part"]) for r in rows))
    # Items of indicators 1-3 and 5 were not entered and cannot be computed.
    assert "i1" not in {r["code"] for r in rows}


def test_pass_level_years_print_no_letter_on_items_and_indicators(angthong):
    rows = rows_of(export("AG1", 2568))

    assert {r["level"] for r in rows if r["code"] != "ITA"} == {""}


def test_letter_levels_on_items_and_indicators_2562_to_2565(tceb_2565):
    rows = rows_of(export("AG2", 2565))

    assert [(code, row(rows, code)["level"]) for code in ("I20", "E14", "I1", "IND8", "ITA")] == [
        ("I20", "A"),
        ("E14", "B"),
        ("I1", "AA"),
        ("IND8", "A"),
        ("ITA", "AA"),
    ]
    assert row(rows, "IIT")["level"] == ""


def test_tceb_2565_items_reproduce_the_published_indicators(tceb_2565):
    rows = rows_of(export("AG2", 2565))

    assert [r["flag"] for r in rows] == [""] * len(rows)
    assert row(rows, "ITA")["score"] == "97.04"


def test_exported_file_imports_back_changing_nothing(angthong, tceb_2565, tmp_path):
    before = score_table()
    for code, year in (("AG1", 2568), ("AG2", 2565)):
        path = tmp_path / f"{code}.csv"
        path.write_text(export(code, year), encoding="utf-8")
        official = sum(1 for r in rows_of(path.read_text(encoding="utf-8")) if r["source"] == "official")
        out = io.StringIO()

        call_command("import_results", str(path), stdout=out)

        assert out.getvalue().strip() == f"Imported {official} figures: 0 new, 0 changed, {official} unchanged."
    assert score_table() == before


def test_year_without_item_list_exports_tool_and_indicator_figures(agency, tmp_path):
    factories.assessment(agency, 2566, {"IIT": "96.00", ("EIT", 1): "94.00", ("EIT", 2): "96.50", "OIT": "98.00"})
    text = export("AG1", 2566)
    path = tmp_path / "2566.csv"
    path.write_text(text, encoding="utf-8")
    before = score_table()

    call_command("import_results", str(path), stdout=io.StringIO())

    assert text.splitlines()[1:] == [
        "AG1,2566,ITA,,96.58,96.58,computed,ผ่านดี,computed,,,",
        "AG1,2566,IIT,,96.00,,official,,,,,",
        "AG1,2566,EIT,,95.25,95.25,computed,,,,,",
        "AG1,2566,EIT,public,94.00,,official,,,,,",
        "AG1,2566,EIT,survey,96.50,,official,,,,,",
        "AG1,2566,OIT,,98.00,,official,,,,,",
    ]
    assert score_table() == before


def test_export_of_unknown_agency_or_year_is_refused(angthong):
    with pytest.raises(CommandError, match="No results for agency NOPE in fiscal year 2568."):
        export("NOPE", 2568)
    with pytest.raises(CommandError, match="No results for agency AG1 in fiscal year 2567."):
        export("AG1", 2567)


def export_with(agency_code, year, *options):
    out = io.StringIO()
    call_command("export_results", "--agency", agency_code, "--year", str(year), *options, stdout=out)
    return rows_of(out.getvalue())


def tiers_by_code(rows):
    return {r["code"]: r["tier"] for r in rows if r["tier"]}


def test_tiers_option_sorts_items_and_indicators_as_the_tceb_document(tceb_2565):
    tiers = tiers_by_code(export_with("AG2", 2565, "--tiers", "95,97.5"))

    assert {code for code, tier in tiers.items() if tier == "urgent" and code[:1] == "I"} == {
        "I20",
        "I23",
        "IND6",
        "IND7",
        "IND8",
    }
    assert {code for code, tier in tiers.items() if tier == "improve"} == {"I6", "I26", "E10", "IND4"}
    assert {code for code, tier in tiers.items() if tier == "keep" and code.startswith("E")} == {"E4", "E8", "E13"}
    assert tiers["IND8"] == "urgent"
    assert "ITA" not in tiers and "IIT" not in tiers  # tools and the overall score are not tiered


def test_target_option_gives_weaknesses_and_strengths(tceb_2565):
    tiers = tiers_by_code(export_with("AG2", 2565, "--target", "90"))

    assert tiers["E14"] == "weakness"  # 84.41
    assert tiers["E15"] == "strength"  # 90.27
    assert set(tiers.values()) == {"weakness", "strength"}


def test_without_option_the_saved_setting_applies(tceb_2565):
    Assessment.objects.filter(agency=tceb_2565, fiscal_year=2565).update(tier_scheme="three")

    tiers = tiers_by_code(export_with("AG2", 2565))

    assert tiers["I20"] == "urgent" and tiers["I6"] == "improve" and tiers["I1"] == "keep"


@pytest.mark.parametrize("options", [("--tiers", "97.5,95"), ("--tiers", "abc"), ("--target", "120")])
def test_bad_tier_options_are_refused(tceb_2565, options):
    with pytest.raises(CommandError):
        export_with("AG2", 2565, *options)


# export_report --format docx, and the Word downloads beside PDF and Excel


def export_report(*arguments):
    out = io.StringIO()
    call_command("export_report", *arguments, stdout=out)
    return out.getvalue()


@pytest.fixture
def plan_2566(tceb_2565):
    unit = factories.unit(tceb_2565, "สำนักงานบริหารกลาง", "ส.บก.")
    factories.measure(tceb_2565, 2566, "มาตรการป้องกันการใช้ทรัพย์สินของราชการ", lead_unit=unit, items=("I20",))
    return tceb_2565


def test_export_report_writes_the_analysis_as_word_in_portrait(tceb_2565, tmp_path):
    output = tmp_path / "analysis.docx"

    said = export_report("analysis", "--agency", "AG2", "--year", "2565", "--format", "docx", "-o", str(output))

    assert said == f"Wrote {output} ({output.stat().st_size} bytes).\n"
    word = docx.Document(output)
    assert word.sections[0].orientation == WD_ORIENT.PORTRAIT
    cells = [cell.text for table in word.tables for row in table.rows for cell in row.cells]
    assert "97.04" in cells and "คะแนนภาพรวม (ITA)" in cells


@pytest.mark.parametrize("kind", ["plan", "improvement", "progress"])
def test_export_report_writes_plans_and_reports_as_word_in_landscape(plan_2566, tmp_path, kind):
    output = tmp_path / f"{kind}.docx"
    rounds = ("--round", "12m") if kind == "progress" else ()

    export_report(kind, "--agency", "AG2", "--year", "2566", *rounds, "--format", "docx", "-o", str(output))

    word = docx.Document(output)
    assert [section.orientation for section in word.sections] == [WD_ORIENT.LANDSCAPE]
    cells = {cell.text for table in word.tables for row in table.rows for cell in row.cells}
    assert any("มาตรการป้องกันการใช้ทรัพย์สินของราชการ" in cell for cell in cells)


def test_export_report_refuses_an_unknown_format(tceb_2565, tmp_path):
    with pytest.raises(CommandError, match="invalid choice: 'odt'"):
        export_report("analysis", "--agency", "AG2", "--year", "2565", "--format", "odt", "-o", str(tmp_path / "x"))


WORD = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def test_every_page_offering_pdf_and_excel_offers_word(client, plan_2566):
    client.force_login(factories.member("officer2", plan_2566, "officer"))
    pages = {
        "/agencies/AG2/2565/": {"/agencies/AG2/2565/report.docx": "ita-analysis-AG2-2565.docx"},
        "/agencies/AG2/2566/plan/": {
            "/agencies/AG2/2566/plan/report.docx": "ita-plan-AG2-2566.docx",
            "/agencies/AG2/2566/improvement/report.docx": "ita-improvement-AG2-2566.docx",
        },
        "/agencies/AG2/2566/rounds/": {"/agencies/AG2/2566/progress/q1/report.docx": "ita-progress-AG2-2566-q1.docx"},
    }
    for page, links in pages.items():
        html = client.get(page).content.decode()
        for link, filename in links.items():
            assert f'href="{link}">Word</a>' in html, (page, link)
            response = client.get(link)
            assert response.status_code == 200, link
            assert response["Content-Type"] == WORD
            assert response["Content-Disposition"] == f'attachment; filename="{filename}"'
            year = link.split("/")[3]
            assert (
                docx.Document(io.BytesIO(response.content)).paragraphs[1].text.startswith(f"ประจำปีงบประมาณ พ.ศ. {year}")
            )
