"""Importing the results template and the agency list: all rows or none, every bad row named."""

import io
import re
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError
from django.utils import translation
from simple_history.models import HistoricalRecords
from simple_history.utils import bulk_create_with_history

from assessments.importing import RESULT_COLUMNS, TemplateError, check_results, read_rows
from assessments.models import Agency, Assessment, FrameworkVersion, Score
from tests import factories

pytestmark = pytest.mark.django_db

GOOD_ROWS = [
    ("AG1", "2568", "ITA", "", "95.08"),
    ("AG1", "2568", "IND4", "", "95.05"),
    ("AG1", "2568", "e1", "public", "93.47"),
    ("AG1", "2568", "e1", "survey", "86.67"),
    ("AG1", "2568", "๐12", "", "50.00"),
]


def write(tmp_path, content, name="results.csv"):
    path = tmp_path / name
    path.write_bytes(content)
    return path


def import_results(path, *args):
    out = io.StringIO()
    call_command("import_results", str(path), *args, stdout=out)
    return out.getvalue()


def refused(path, *args):
    with pytest.raises(CommandError) as info:
        import_results(path, *args)
    return str(info.value)


def problems_in(rows, header=RESULT_COLUMNS):
    figures, problems = check_results(read_rows(factories.csv_bytes(rows, header), "results.csv", RESULT_COLUMNS))
    return problems


def scores():
    return {
        (s.assessment.agency.code, s.assessment.fiscal_year, s.code, s.part): s.score
        for s in Score.objects.select_related("assessment__agency")
    }


def database_state():
    """Every assessment and score, with ids and timestamps, to show a refused file changed nothing."""
    return (
        sorted(Assessment.objects.values_list("pk", "agency__code", "fiscal_year", "version__code", "updated")),
        sorted(Score.objects.values_list("pk", "assessment_id", "code", "part", "score")),
    )


def english_of(line):
    """The English half of a command's "ไทย | English" line."""
    return line.split(" | ")[-1]


def mentions_row(text, row):
    return re.search(rf"(?<!\d){row}(?!\d)", text) is not None


# Good files


def test_good_csv_is_imported_with_counts(tmp_path, agency):
    out = import_results(write(tmp_path, factories.csv_bytes(GOOD_ROWS)))

    assert out.strip() == "Imported 5 figures: 5 new, 0 changed, 0 unchanged."
    assert scores() == {
        ("AG1", 2568, "ITA", 0): Decimal("95.08"),
        ("AG1", 2568, "IND4", 0): Decimal("95.05"),
        ("AG1", 2568, "e1", 1): Decimal("93.47"),
        ("AG1", 2568, "e1", 2): Decimal("86.67"),
        ("AG1", 2568, "o12", 0): Decimal("50.00"),
    }
    assert Assessment.objects.get(agency=agency, fiscal_year=2568).version.code == "ita_2568_2569"


def test_import_creates_one_assessment_per_agency_and_year(tmp_path, agency, other_agency):
    rows = [
        ("AG1", "2565", "ITA", "", "97.04"),
        ("AG1", "2568", "ITA", "", "95.08"),
        ("AG2", "2568", "ITA", "", "90.00"),
        ("AG2", "2568", "IIT", "", "91.00"),
    ]

    import_results(write(tmp_path, factories.csv_bytes(rows)))

    assert sorted(Assessment.objects.values_list("agency__code", "fiscal_year", "version__code")) == [
        ("AG1", 2565, "ita_2562_2565"),
        ("AG1", 2568, "ita_2568_2569"),
        ("AG2", 2568, "ita_2568_2569"),
    ]


def test_xlsx_with_numbers_as_numbers_is_imported(tmp_path, agency):
    rows = [
        ("AG1", 2568, "ITA", None, 95.08),
        ("AG1", 2568, "EIT", "ส่วนที่ 1", 93.2),
        ("AG1", 2568, "EIT", "ส่วนที่ 2", 87.61),
        ("AG1", 2568, "IND1", None, 100),
        ("AG1", 2568, "i10", None, 85.81),
    ]

    out = import_results(write(tmp_path, factories.xlsx_bytes(rows), "results.xlsx"))

    assert out.strip() == "Imported 5 figures: 5 new, 0 changed, 0 unchanged."
    assert scores() == {
        ("AG1", 2568, "ITA", 0): Decimal("95.08"),
        ("AG1", 2568, "EIT", 1): Decimal("93.20"),
        ("AG1", 2568, "EIT", 2): Decimal("87.61"),
        ("AG1", 2568, "IND1", 0): Decimal("100.00"),
        ("AG1", 2568, "i10", 0): Decimal("85.81"),
    }


def test_thai_digits_and_codes_as_printed_are_normalised(tmp_path, agency):
    rows = [
        ("AG1", "๒๕๖๕", "i๑", "", "๙๙.๔๕"),
        ("AG1", "2565", "๐12", "", "100"),
        ("AG1", "2565", "i1.2", "", "98.9"),
    ]

    import_results(write(tmp_path, factories.csv_bytes(rows)))

    assert scores() == {
        ("AG1", 2565, "I1", 0): Decimal("99.45"),
        ("AG1", 2565, "O12", 0): Decimal("100.00"),
        ("AG1", 2565, "I1.2", 0): Decimal("98.90"),
    }


def test_excel_utf8_csv_with_bom_and_thai_windows_csv_are_read(tmp_path, agency):
    rows = [("AG1", "2568", "EIT", "ส่วนที่ 1", "93.20")]
    text = factories.csv_bytes(rows).decode("utf-8")

    import_results(write(tmp_path, "\ufeff".encode("utf-8") + text.encode("utf-8"), "bom.csv"))
    out = import_results(write(tmp_path, text.encode("cp874"), "cp874.csv"))

    assert out.strip() == "Imported 1 figures: 0 new, 0 changed, 1 unchanged."
    assert scores() == {("AG1", 2568, "EIT", 1): Decimal("93.20")}


def test_header_is_read_in_any_case_and_column_order(tmp_path, agency):
    content = factories.csv_bytes(
        [("95.08", "ITA", "AG1", "", "2568")], header=(" Score", "CODE", "Agency", "part", "fiscal_year ")
    )

    import_results(write(tmp_path, content))

    assert scores() == {("AG1", 2568, "ITA", 0): Decimal("95.08")}


def test_reimporting_the_same_file_reports_every_figure_unchanged(tmp_path, agency):
    path = write(tmp_path, factories.csv_bytes(GOOD_ROWS))
    import_results(path)
    before = database_state()

    out = import_results(path)

    assert out.strip() == "Imported 5 figures: 0 new, 0 changed, 5 unchanged."
    assert database_state() == before


def test_import_updates_a_changed_figure_and_keeps_the_others(tmp_path, agency):
    factories.assessment(agency, 2568, {"ITA": "90.00", "IIT": "98.19"})

    out = import_results(
        write(tmp_path, factories.csv_bytes([("AG1", "2568", "ITA", "", "95.08"), ("AG1", "2568", "OIT", "", "96.25")]))
    )

    assert out.strip() == "Imported 2 figures: 1 new, 1 changed, 0 unchanged."
    assert scores() == {
        ("AG1", 2568, "ITA", 0): Decimal("95.08"),
        ("AG1", 2568, "IIT", 0): Decimal("98.19"),
        ("AG1", 2568, "OIT", 0): Decimal("96.25"),
    }


def test_dry_run_checks_the_file_and_writes_nothing(tmp_path, agency):
    out = import_results(write(tmp_path, factories.csv_bytes(GOOD_ROWS)), "--dry-run")

    assert out.strip() == "Dry run: 5 figures are valid; nothing written."
    assert Assessment.objects.count() == 0
    assert Score.objects.count() == 0


def test_dry_run_of_a_bad_file_is_refused_like_a_real_import(tmp_path, agency):
    message = refused(write(tmp_path, factories.csv_bytes([("AG1", "2568", "ITA", "", "101")])), "--dry-run")

    assert "Row 2: score 101 is outside 0–100" in message


def test_rows_whose_source_is_computed_are_ignored(tmp_path, agency):
    header = (*RESULT_COLUMNS, "source")
    rows = [
        ("AG1", "2568", "ITA", "", "95.08", "computed"),
        ("AG1", "2568", "SUB9.3", "", "75.00", "Computed"),
        ("AG1", "2568", "not a code", "", "n/a", "computed"),
        ("AG1", "2568", "IND4", "", "95.05", "official"),
        ("AG1", "2568", "IIT", "", "98.19", ""),
    ]

    out = import_results(write(tmp_path, factories.csv_bytes(rows, header)))

    assert out.strip() == "Imported 2 figures: 2 new, 0 changed, 0 unchanged."
    assert scores() == {("AG1", 2568, "IND4", 0): Decimal("95.05"), ("AG1", 2568, "IIT", 0): Decimal("98.19")}


def test_blank_rows_are_skipped_but_still_counted_in_row_numbers(agency):
    problems = problems_in([("AG1", "2568", "ITA", "", "95.08"), ("", "", "", "", ""), ("AG1", "2568", "IIT", "", "x")])

    assert [p.text("en") for p in problems] == ["Row 4: score 'x' is not a number"]


# Bad rows: each names its row as a spreadsheet shows it (header = row 1) and why, in Thai and English.

BAD_ROWS = [
    pytest.param(("NOPE", "2568", "ITA", "", "95.08"), "unknown agency 'NOPE'", "NOPE", id="unknown-agency"),
    pytest.param(
        ("AG1", "2022", "ITA", "", "95.08"),
        "fiscal year 2022 looks like a Christian-era year; use the Buddhist Era (2565)",
        "2565",
        id="christian-era-year",
    ),
    pytest.param(
        ("AG1", "ปี 68", "ITA", "", "95.08"), "fiscal year 'ปี 68' is not a year", "ปี 68", id="year-not-a-number"
    ),
    pytest.param(
        ("AG1", "2561", "ITA", "", "95.08"),
        "no assessment framework covers fiscal year 2561",
        "2561",
        id="year-without-framework",
    ),
    pytest.param(
        ("AG1", "2568", "E12", "", "90.00"),
        "the framework of that fiscal year has no item E12",
        "E12",
        id="item-not-in-year",
    ),
    pytest.param(
        ("AG1", "2565", "I1.9", "", "90.00"), "item I1 has no sub-question 9", "I1", id="sub-question-not-on-item"
    ),
    pytest.param(
        ("AG1", "2565", "126", "", "90.00"),
        "'126' is missing the tool letter (I, E or O); did you mean I26?",
        "126",
        id="bare-number-code",
    ),
    pytest.param(
        ("AG1", "2568", "IND11", "", "90.00"),
        "there is no indicator 11 (indicators are IND1 to IND10)",
        "11",
        id="indicator-out-of-range",
    ),
    pytest.param(
        ("AG1", "2566", "I1", "", "90.00"),
        "the framework of that fiscal year has no item list: give the indicator of item i1 in the indicator "
        "column (IIT indicators: 1, 2, 3, 4, 5)",
        "i1",
        id="item-in-year-without-items",
    ),
    pytest.param(("AG1", "2568", "", "", "90.00"), "the code is empty", None, id="empty-code"),
    pytest.param(
        ("AG1", "2568", "ITA", "", "ninety"), "score 'ninety' is not a number", "ninety", id="score-not-a-number"
    ),
    pytest.param(("AG1", "2568", "ITA", "", "95,08"), "score '95,08' is not a number", "95,08", id="score-with-comma"),
    pytest.param(("AG1", "2568", "ITA", "", ""), "the score is empty", None, id="score-empty"),
    pytest.param(("AG1", "2568", "ITA", "", "100.01"), "score 100.01 is outside 0–100", "100.01", id="score-above-100"),
    pytest.param(("AG1", "2568", "ITA", "", "-0.50"), "score -0.50 is outside 0–100", "-0.50", id="score-negative"),
    pytest.param(
        ("AG1", "2568", "ITA", "", "95.085"), "score 95.085 has more than two decimals", "95.085", id="three-decimals"
    ),
    pytest.param(
        ("AG1", "2568", "e1", "", "93.47"), "e1 is scored in two parts: give public or survey", "e1", id="part-missing"
    ),
    pytest.param(
        ("AG1", "2568", "i1", "public", "90.00"), "i1 has no parts: leave part empty", "i1", id="part-not-allowed"
    ),
    pytest.param(
        ("AG1", "2565", "EIT", "survey", "90.00"), "EIT has no parts: leave part empty", "EIT", id="part-before-2566"
    ),
    pytest.param(
        ("AG1", "2568", "e1", "ส่วนที่ 3", "90.00"),
        "part must be empty, public (1, ส่วนที่ 1) or survey (2, ส่วนที่ 2), not 'ส่วนที่ 3'",
        "ส่วนที่ 3",
        id="part-unknown",
    ),
]


@pytest.mark.parametrize("row, english, value", BAD_ROWS)
def test_bad_row_is_named_with_its_row_number_and_reason(agency, row, english, value):
    problems = problems_in([("AG1", "2568", "ITA", "", "95.08"), row])

    assert [p.row for p in problems] == [3]
    assert problems[0].text("en") == f"Row 3: {english}"
    thai = problems[0].text("th")
    assert mentions_row(thai, 3)
    if value is not None:
        assert value in thai


def test_duplicate_row_points_at_the_first_row(agency):
    problems = problems_in(
        [
            ("AG1", "2568", "e1", "public", "93.47"),
            ("AG1", "2568", "ITA", "", "95.08"),
            ("AG1", "2568", "E1", "ส่วนที่ 1", "93.47"),
        ]
    )

    assert [p.text("en") for p in problems] == ["Row 4: duplicate of row 2 (same agency, year, code and part)"]
    thai = problems[0].text("th")
    assert mentions_row(thai, 4) and mentions_row(thai, 2)


def test_same_code_in_other_part_or_year_is_not_a_duplicate(agency):
    problems = problems_in(
        [
            ("AG1", "2568", "EIT", "", "90.41"),
            ("AG1", "2568", "EIT", "public", "93.20"),
            ("AG1", "2568", "EIT", "survey", "87.61"),
            ("AG1", "2569", "EIT", "", "90.41"),
        ]
    )

    assert problems == []


def test_every_bad_row_is_listed_in_file_order(agency):
    problems = problems_in(
        [
            ("NOPE", "2568", "ITA", "", "95.08"),
            ("AG1", "2568", "ITA", "", "95.08"),
            ("AG1", "2568", "IIT", "", "1000"),
            ("AG1", "2568", "ITA", "", "95.08"),
        ]
    )

    assert [p.text("en") for p in problems] == [
        "Row 2: unknown agency 'NOPE'",
        "Row 4: score 1000 is outside 0–100",
        "Row 5: duplicate of row 3 (same agency, year, code and part)",
    ]


def test_refused_file_lists_every_bad_row_in_thai_and_english(tmp_path, agency):
    rows = [
        ("NOPE", "2568", "ITA", "", "95.08"),
        ("AG1", "2568", "ITA", "", "95.08"),
        ("AG1", "2568", "e1", "", "93.47"),
    ]

    message = refused(write(tmp_path, factories.csv_bytes(rows)))

    lines = message.splitlines()
    assert lines[0] == "Nothing imported: 2 bad rows. / ไม่ได้นำเข้าข้อมูล: มี 2 แถวที่ไม่ถูกต้อง"
    assert [english_of(line) for line in lines[1:]] == [
        "Row 2: unknown agency 'NOPE'",
        "Row 4: e1 is scored in two parts: give public or survey",
    ]
    thai = lines[1].split(" | ")[0]
    assert mentions_row(thai, 2) and "NOPE" in thai


def test_refused_file_exits_non_zero_from_the_command_line(tmp_path, agency):
    path = write(tmp_path, factories.csv_bytes([("AG1", "2568", "ITA", "", "abc")]))

    with pytest.raises(CommandError) as info:
        import_results(path)

    # manage.py prints a CommandError to stderr and exits with its return code.
    assert info.value.returncode == 1
    assert english_of(str(info.value).splitlines()[1]) == "Row 2: score 'abc' is not a number"
    assert Score.objects.count() == 0


def test_refused_file_leaves_the_database_unchanged(tmp_path, agency, other_agency):
    factories.assessment(agency, 2568, {"ITA": "95.08", "IIT": "98.19", ("EIT", 1): "93.20"})
    factories.assessment(other_agency, 2565, {"ITA": "97.04"})
    before = database_state()
    rows = [
        ("AG1", "2568", "ITA", "", "50.00"),  # would overwrite an existing score
        ("AG1", "2568", "OIT", "", "96.25"),  # would add a score
        ("AG2", "2568", "ITA", "", "90.00"),  # would add an assessment
        ("AG1", "2568", "IIT", "", "ninety-eight"),
    ]

    message = refused(write(tmp_path, factories.csv_bytes(rows)))

    assert "Row 5: score 'ninety-eight' is not a number" in message
    assert database_state() == before
    assert scores()[("AG1", 2568, "ITA", 0)] == Decimal("95.08")


@pytest.mark.parametrize(
    "content, name, english",
    [
        pytest.param(b"", "results.csv", "The file is empty.", id="empty-file"),
        pytest.param(
            b"agency,fiscal_year,code,part,score\r\n",
            "results.csv",
            "The file has no rows below the header.",
            id="header-only",
        ),
        pytest.param(
            b"agency,year,code,score\r\nAG1,2568,ITA,95.08\r\n",
            "results.csv",
            "Missing columns: fiscal_year, part.",
            id="missing-columns",
        ),
        pytest.param(
            b"PK\x03\x04 not really a workbook",
            "results.xlsx",
            "The file is not a readable .xlsx workbook.",
            id="bad-xlsx",
        ),
        pytest.param(
            b"agency,fiscal_year,code,part,score\r\n", "results.txt", "Upload a .csv or .xlsx file.", id="wrong-type"
        ),
        pytest.param(
            "agency,fiscal_year,code,part,score\r\nAG1,2568,ITA,,95.08\r\n".encode("utf-16"),
            "results.csv",
            "The file is not UTF-8 or Thai Windows (cp874) text.",
            id="utf16-text",
        ),
        pytest.param(
            b'agency,fiscal_year,code,part,score\r\nAG1,2568,ITA,,"95.08\r\n' + b"AG1,2568,IIT,,98.19\r\n" * 8000,
            "results.csv",
            "The file is not a readable CSV file.",
            id="quote-left-open",
        ),
    ],
)
def test_unreadable_file_is_refused_whole(tmp_path, agency, content, name, english):
    message = refused(write(tmp_path, content, name))

    assert english_of(message) == english
    assert Score.objects.count() == 0


def test_file_level_problem_is_a_template_error(agency):
    with pytest.raises(TemplateError) as info:
        read_rows(b"code,score\nITA,95\n", "results.csv", RESULT_COLUMNS)

    with translation.override("en"):
        assert str(info.value.args[0]) == "Missing columns: agency, fiscal_year, part."


def test_missing_file_is_refused(tmp_path):
    with pytest.raises(CommandError, match="No such file"):
        import_results(tmp_path / "nowhere.csv")


# Agencies


AGENCY_HEADER = ("code", "name_th", "short_name", "agency_type", "parent")
NACC_TYPE_NAMES = (
    "ศาล (หน่วยธุรการขององค์กรศาล), องค์กรอิสระ, องค์กรอัยการ, หน่วยงานในสังกัดรัฐสภา, ส่วนราชการระดับกระทรวง (กระทรวง), "
    "ส่วนราชการระดับกรม (กรม, กรมหรือเทียบเท่า), จังหวัด, รัฐวิสาหกิจ, องค์การมหาชน, กองทุน, "
    "หน่วยงานของรัฐอื่น ๆ (หน่วยงานของรัฐอื่น, อื่น ๆ), สถาบันอุดมศึกษา, องค์การบริหารส่วนจังหวัด (อบจ.), เทศบาลนคร (ทน.), "
    "เทศบาลเมือง (ทม.), เทศบาลตำบล (ทต.), องค์การบริหารส่วนตำบล (อบต.), กรุงเทพมหานคร (กทม.), เมืองพัทยา, "
    "องค์กรปกครองส่วนท้องถิ่น (ไม่ระบุประเภท) (องค์กรปกครองส่วนท้องถิ่น, อปท.)"
)


def import_agencies(tmp_path, rows, header=AGENCY_HEADER):
    out = io.StringIO()
    call_command("import_agencies", str(write(tmp_path, factories.csv_bytes(rows, header), "agencies.csv")), stdout=out)
    return out.getvalue()


def test_agencies_are_imported_with_parents_from_the_same_file(tmp_path, db):
    rows = [
        ("PMO", "สำนักนายกรัฐมนตรี", "นร.", "ministry", ""),
        ("TCEB", "สำนักงานส่งเสริมการจัดประชุมและนิทรรศการ", "สสปน.", "public_organisation", "PMO"),
    ]

    out = import_agencies(tmp_path, rows)

    assert out.strip() == "Imported 2 agencies."
    tceb = Agency.objects.get(code="TCEB")
    assert (tceb.name_th, tceb.short_name, tceb.agency_type.code, tceb.parent.code) == (
        "สำนักงานส่งเสริมการจัดประชุมและนิทรรศการ",
        "สสปน.",
        "public_organisation",
        "PMO",
    )


def test_agency_parent_may_be_an_existing_agency(tmp_path, agency):
    import_agencies(tmp_path, [("UNIT", "กองทดสอบ", "", "other", "AG1")])

    assert Agency.objects.get(code="UNIT").parent == agency


def test_agency_type_by_thai_or_english_name_whatever_the_language(tmp_path, db):
    with translation.override("th"):
        import_agencies(
            tmp_path,
            [
                ("ANGTHONG-PROV", "จังหวัดอ่างทอง", "", "จังหวัด", ""),
                ("PTT", "บริษัท ปตท.", "", "State enterprise", ""),
                ("MOI", "กระทรวงมหาดไทย", "", " Ministry ", ""),
            ],
        )

    assert dict(Agency.objects.values_list("code", "agency_type__code")) == {
        "ANGTHONG-PROV": "province",
        "PTT": "state_enterprise",
        "MOI": "ministry",
    }


def test_agency_import_without_parent_column(tmp_path, db):
    import_agencies(tmp_path, [("X1", "หน่วยงานเอ็กซ์", "", "department")], header=AGENCY_HEADER[:4])

    assert Agency.objects.get(code="X1").parent is None


def test_agency_reimport_updates_names(tmp_path, agency):
    import_agencies(tmp_path, [("AG1", "ชื่อใหม่", "ใหม่", "department", "")])

    agency.refresh_from_db()
    assert (agency.name_th, agency.short_name) == ("ชื่อใหม่", "ใหม่")
    assert Agency.objects.count() == 1


def test_agency_file_with_an_unknown_parent_is_refused_whole(tmp_path, agency):
    rows = [
        ("AG1", "ชื่อใหม่", "", "department", ""),
        ("NEW", "หน่วยงานใหม่", "", "department", "AG1"),
        ("ORPHAN", "หน่วยงานกำพร้า", "", "department", "NOWHERE"),
        ("BAD", "", "", "department", ""),
        ("ODD", "หน่วยงานแปลก", "", "spaceship", ""),
        ("NEW", "ซ้ำ", "", "department", ""),
    ]

    with pytest.raises(CommandError) as info:
        import_agencies(tmp_path, rows)

    lines = str(info.value).splitlines()
    assert lines[0] == "Nothing imported."
    assert [english_of(line) for line in lines[1:]] == [
        "Row 4: unknown parent agency 'NOWHERE'",
        "Row 5: the Thai name is empty",
        f"Row 6: unknown agency type 'spaceship'; use one of: {NACC_TYPE_NAMES} (or the type's English name or code)",
        "Row 7: duplicate of row 3",
    ]
    assert list(Agency.objects.values_list("code", "name_th")) == [("AG1", "หน่วยงานทดสอบหนึ่ง")]


def test_agency_cannot_be_its_own_parent(tmp_path, agency):
    with pytest.raises(CommandError) as info:
        import_agencies(tmp_path, [("AG1", "หน่วยงานทดสอบหนึ่ง", "", "department", "AG1")])

    assert "Row 2: an agency cannot be above itself in the line of parents" in str(info.value)
    assert Agency.objects.get(code="AG1").parent is None


def test_two_agencies_cannot_be_each_others_parent(tmp_path, agency, other_agency):
    rows = [("AG1", "หน่วยงานทดสอบหนึ่ง", "", "department", "AG2"), ("AG2", "หน่วยงานทดสอบสอง", "", "department", "AG1")]

    with pytest.raises(CommandError) as info:
        import_agencies(tmp_path, rows)

    assert "Row 2: an agency cannot be above itself in the line of parents" in str(info.value)
    assert "Row 3: an agency cannot be above itself in the line of parents" in str(info.value)
    assert Agency.objects.filter(parent__isnull=False).count() == 0


def test_children_may_come_before_their_parent_in_the_file(tmp_path, db):
    rows = [("MUN", "เทศบาลทดสอบ", "", "local_government", "PROV"), ("PROV", "จังหวัดทดสอบ", "", "province", "")]

    import_agencies(tmp_path, rows)

    assert Agency.objects.get(code="MUN").parent.code == "PROV"


def test_an_import_that_stops_halfway_says_how_far_it_got_and_to_run_it_again(tmp_path, agency, monkeypatch):
    def stops_after_two(check, progress):
        progress(2)
        raise DatabaseError("disk I/O error")

    monkeypatch.setattr("assessments.management.commands.import_results.save_results_file", stops_after_two)
    path = write(tmp_path, factories.csv_bytes(GOOD_ROWS))

    with pytest.raises(CommandError) as info:
        import_results(path)

    assert str(info.value).startswith(
        "Stopped after 2 of 5 figures were written (disk I/O error). Run the same command again to complete the import"
    )
    assert "โปรดสั่งคำสั่งเดิมอีกครั้ง" in str(info.value)


def history_rows(agency):
    """The assessment history rows of an agency, as an audit page reads them (ids and dates apart)."""
    return [
        (h.fiscal_year, h.version_id, h.suggestions, h.tier_scheme, h.tier_target, h.tier_lower, h.tier_upper)
        + (h.history_type, h.history_user, h.history_change_reason, h.created == h.instance.created)
        + (h.history_date >= h.created,)
        for h in Assessment.history.filter(agency=agency).order_by("history_id")
    ]


def test_new_assessments_get_the_history_rows_bulk_create_with_history_writes(
    tmp_path, agency, other_agency, officer, rf
):
    # The import writes new assessments and their history with its own statements; the rows must be
    # the ones simple_history writes itself, the importing officer recorded as their author.
    request = rf.post("/")
    request.user = officer
    HistoricalRecords.context.request = request
    try:
        import_results(write(tmp_path, factories.csv_bytes([("AG1", "2565", "ITA", "", "97.04"), *GOOD_ROWS])))
        bulk_create_with_history(
            [
                Assessment(agency=other_agency, fiscal_year=year, version=FrameworkVersion.objects.for_year(year))
                for year in (2565, 2568)
            ],
            Assessment,
        )
    finally:
        del HistoricalRecords.context.request

    written = history_rows(agency)
    assert [row[0] for row in written] == [2565, 2568]
    assert written == history_rows(other_agency)
    assert {row[8] for row in written} == {officer}
    created = Assessment.objects.get(agency=agency, fiscal_year=2568)
    assert created.created <= created.updated
