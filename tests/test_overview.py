"""The multi-agency overview: one fiscal year of the agencies a ministry, province or administrator oversees."""

import csv
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from assessments.downloads import text_widths
from assessments.models import Assessment
from assessments.scoring import round2
from assessments.tables import OVERVIEW_COLUMNS, overview_text_widths, streamed_overview_rows, two_places
from tests import factories, pages


def tools(score, **extra):
    """Official IIT, EIT and OIT all at `score`: the engine computes the same overall score."""
    return {"IIT": score, "EIT": score, "OIT": score, **extra}


def table_rows(response, css_class="overview"):
    return pages.table_rows(response, css_class)[1:]  # without the header row


def agencies_listed(response):
    return [row[1] for row in table_rows(response) if len(row) > 1]


COLUMNS = {"rank": 0, "agency": 1, "type": 2, "parent": 3, "overall": 4, "level": 5, "change": 9, "mismatches": 10}


def column(response, name):
    return [row[COLUMNS[name]] for row in table_rows(response) if len(row) > 1]


@pytest.fixture
def province(db):
    """A province overseeing a district and three municipalities (2564 and 2565); two municipalities elsewhere."""
    province = factories.agency("PROV", "จังหวัดทดสอบ", agency_type="province")
    district = factories.agency("DIST", "อำเภอทดสอบ", agency_type="other", parent=province)
    north = factories.agency("MUN-N", "เทศบาลตำบลเหนือ", agency_type="local_government", parent=district)
    south = factories.agency("MUN-S", "เทศบาลตำบลใต้", agency_type="local_government", parent=province)
    east = factories.agency("MUN-E", "เทศบาลเมืองตะวันออก", agency_type="local_government", parent=province)
    other_province = factories.agency("PROV2", "จังหวัดอื่น", agency_type="province")
    far = factories.agency("MUN-F", "เทศบาลนครไกล", agency_type="local_government", parent=other_province)
    nearby = factories.agency("MUN-X", "เทศบาลตำบลข้างเคียง", agency_type="local_government", parent=other_province)
    factories.summarised_assessment(north, 2564, tools("95.00"))
    factories.summarised_assessment(north, 2565, tools("90.28"))
    factories.summarised_assessment(south, 2564, tools("80.00"))
    factories.summarised_assessment(south, 2565, tools("85.00"))
    factories.summarised_assessment(east, 2565, tools("85.00", ITA="86.00"))  # published overall disagrees: a mismatch
    factories.summarised_assessment(far, 2565, tools("97.50"))
    factories.summarised_assessment(nearby, 2565, tools("85.00"))
    factories.summarised_assessment(district, 2565, tools("70.00"))
    return province


@pytest.fixture
def governor(province):
    return factories.member("governor", province, "executive", oversight=True)


def test_anonymous_is_sent_to_login(client, db):
    response = client.get("/overview/2565/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_member_without_oversight_is_refused(client, executive):
    client.force_login(executive)

    assert client.get("/overview/").status_code == 403
    assert client.get("/overview/2565/").status_code == 403
    assert client.get("/overview/2565/download.csv").status_code == 403
    assert client.get("/overview/2565/download.xlsx").status_code == 403


def test_member_without_oversight_has_no_overview_link(client, executive):
    client.force_login(executive)

    response = client.get("/")

    assert "/overview/" not in response.text


def test_province_executive_sees_only_agencies_under_the_province(client, governor):
    client.force_login(governor)

    response = client.get("/overview/2565/")

    assert response.status_code == 200
    assert sorted(agencies_listed(response)) == sorted(
        ["เทศบาลตำบลเหนือ (MUN-N)", "เทศบาลตำบลใต้ (MUN-S)", "เทศบาลเมืองตะวันออก (MUN-E)", "อำเภอทดสอบ (DIST)"]
    )
    assert "เทศบาลนครไกล" not in response.text


def test_superuser_sees_every_agency(client, superuser, province):
    client.force_login(superuser)

    response = client.get("/overview/2565/")

    assert len(agencies_listed(response)) == 6
    assert "เทศบาลนครไกล" in response.text


def test_header_links_oversight_users_to_the_latest_year(client, governor):
    client.force_login(governor)

    home = client.get("/")
    response = client.get("/overview/")

    assert 'href="/overview/"' in home.text
    assert response.status_code == 302
    assert response["Location"] == "/overview/2565/"


def test_rows_link_to_each_agencys_analysis(client, governor):
    client.force_login(governor)

    response = client.get("/overview/2565/")

    assert 'href="/agencies/MUN-N/2565/"' in response.text


def test_year_selector_links_to_the_other_years(client, governor):
    client.force_login(governor)

    response = client.get("/overview/2565/")

    assert 'href="/overview/2564/"' in response.text
    assert '<strong aria-current="page">2565</strong>' in response.text


def test_rank_within_type_counts_agencies_the_user_cannot_see_and_ties_share_a_rank(client, governor):
    client.force_login(governor)

    response = client.get("/overview/2565/", {"sort": "agency"})

    ranks = dict(zip(column(response, "agency"), column(response, "rank"), strict=True))
    # Local governments in 2565: far 97.50 (invisible), north 90.28, east 86.00, south and nearby (invisible) 85.00.
    assert ranks == {
        "เทศบาลตำบลเหนือ (MUN-N)": "2",
        "เทศบาลเมืองตะวันออก (MUN-E)": "3",
        "เทศบาลตำบลใต้ (MUN-S)": "4",
        "อำเภอทดสอบ (DIST)": "1",  # the only agency of its type
    }


def test_rank_within_type_does_not_change_when_filtering(client, governor):
    client.force_login(governor)

    response = client.get("/overview/2565/", {"name": "ตะวันออก"})

    assert column(response, "agency") == ["เทศบาลเมืองตะวันออก (MUN-E)"]
    assert column(response, "rank") == ["3"]  # still counting the agencies filtered out


def test_ties_share_a_rank_and_the_next_rank_skips(db):
    parent = factories.agency("MIN", agency_type="ministry")
    for code, score in [("A", "90.00"), ("B", "80.00"), ("C", "80.00"), ("D", "70.00"), ("E", None)]:
        factories.summarised_assessment(factories.agency(code, parent=parent), 2565, tools(score) if score else None)

    ranks = dict(Assessment.objects.for_overview(2565).values_list("agency__code", "rank_in_type"))

    assert ranks == {"A": 1, "B": 2, "C": 2, "D": 4, "E": None}


def test_assessment_without_an_overall_score_has_no_rank(client, superuser):
    factories.summarised_assessment(factories.agency("NEW", "หน่วยงานใหม่"), 2565)
    client.force_login(superuser)

    response = client.get("/overview/2565/")

    assert table_rows(response)[0][:2] == ["–", "หน่วยงานใหม่ (NEW)"]


def test_scores_with_two_decimals_and_negative_change_in_parentheses(client, governor):
    client.force_login(governor)

    response = client.get("/overview/2565/", {"name": "MUN-N"})

    (row,) = table_rows(response)
    assert row[4:10] == ["90.28", "A", "90.28", "90.28", "90.28", "(4.72)"]


def test_positive_change_and_no_change_without_a_previous_year(client, governor):
    client.force_login(governor)

    response = client.get("/overview/2565/", {"sort": "agency"})

    changes = dict(zip(column(response, "agency"), column(response, "change"), strict=True))
    assert changes["เทศบาลตำบลใต้ (MUN-S)"] == "5.00"
    assert changes["อำเภอทดสอบ (DIST)"] == "–"


def test_mismatches_are_counted(client, governor):
    client.force_login(governor)

    response = client.get("/overview/2565/", {"sort": "agency"})

    mismatches = dict(zip(column(response, "agency"), column(response, "mismatches"), strict=True))
    assert mismatches["เทศบาลเมืองตะวันออก (MUN-E)"] == "1"
    assert mismatches["เทศบาลตำบลใต้ (MUN-S)"] == "0"


@pytest.mark.parametrize(
    "filters, expected",
    [
        ({"agency_type": "local_government"}, ["MUN-N", "MUN-E", "MUN-S"]),
        ({"level": "A"}, ["MUN-N", "MUN-E", "MUN-S"]),
        ({"level": "C"}, ["DIST"]),
        ({"min_score": "85.5"}, ["MUN-N", "MUN-E"]),
        ({"min_score": "80", "max_score": "86"}, ["MUN-E", "MUN-S"]),
        ({"name": "เทศบาลตำบล"}, ["MUN-N", "MUN-S"]),
        ({"name": "mun-s"}, ["MUN-S"]),
        ({"name": "dist"}, ["DIST"]),
    ],
)
def test_filters(client, governor, filters, expected):
    client.force_login(governor)

    response = client.get("/overview/2565/", {**filters, "sort": "-overall"})

    assert [name.split("(")[-1].rstrip(")") for name in agencies_listed(response)] == expected


def test_filter_by_parent_offers_only_parents_of_visible_agencies(client, governor, province):
    client.force_login(governor)

    response = client.get("/overview/2565/", {"parent": province.pk})

    assert agencies_listed(response) == ["เทศบาลเมืองตะวันออก (MUN-E)", "เทศบาลตำบลใต้ (MUN-S)", "อำเภอทดสอบ (DIST)"]
    assert f'<option value="{province.pk}" selected>จังหวัดทดสอบ (PROV)</option>' in response.text
    assert ">อำเภอทดสอบ (DIST)</option>" in response.text
    assert "จังหวัดอื่น" not in response.text


def test_level_choices_are_the_levels_of_that_years_framework(client, superuser):
    client.force_login(superuser)

    letters = client.get("/overview/2565/")
    passes = client.get("/overview/2568/")

    assert '<option value="AA">AA</option>' in letters.text
    assert '<option value="ผ่านดี">ผ่านดี</option>' in passes.text
    assert '<option value="AA">' not in passes.text


@pytest.mark.parametrize(
    "filters, field",
    [
        ({"min_score": "abc"}, "min_score"),
        ({"max_score": "101"}, "max_score"),
        ({"min_score": "90", "max_score": "80"}, "max_score"),
        ({"level": "Z"}, "level"),
        ({"parent": "999999"}, "parent"),
        ({"agency_type": "planet"}, "agency_type"),
    ],
)
def test_invalid_filter_shows_the_error_and_no_rows(client, governor, filters, field):
    client.force_login(governor)

    response = client.get("/overview/2565/", filters)

    assert response.status_code == 200
    assert 'class="errorlist' in response.text
    assert response.context["filter"].errors[field]
    assert agencies_listed(response) == []
    assert "download.csv" not in response.text


def test_sort_by_overall_both_ways(client, governor):
    client.force_login(governor)

    lowest_first = client.get("/overview/2565/", {"sort": "overall"})
    highest_first = client.get("/overview/2565/", {"sort": "-overall"})

    assert column(lowest_first, "overall") == ["70.00", "85.00", "86.00", "90.28"]
    assert column(highest_first, "overall") == ["90.28", "86.00", "85.00", "70.00"]


def test_sort_by_change_puts_agencies_without_a_change_last(client, governor):
    client.force_login(governor)

    falls_first = client.get("/overview/2565/", {"sort": "change"})
    rises_first = client.get("/overview/2565/", {"sort": "-change"})

    assert column(falls_first, "change") == ["(4.72)", "5.00", "–", "–"]
    assert column(rises_first, "change") == ["5.00", "(4.72)", "–", "–"]


def test_sort_by_rank_and_by_name(client, governor):
    client.force_login(governor)

    by_rank = client.get("/overview/2565/", {"sort": "rank_in_type"})
    by_name = client.get("/overview/2565/", {"sort": "agency"})
    by_name_reversed = client.get("/overview/2565/", {"sort": "-agency"})

    assert column(by_rank, "rank") == ["1", "2", "3", "4"]
    # The database's collation decides the order of Thai names; the two directions must mirror each other.
    assert column(by_name, "agency") == column(by_name_reversed, "agency")[::-1]


def test_score_headers_sort_highest_first_on_the_first_click(client, governor):
    client.force_login(governor)

    response = client.get("/overview/2565/", {"sort": "agency"})

    assert 'href="?sort=-overall"' in response.text
    assert 'href="?sort=-change"' in response.text
    assert 'href="?sort=rank_in_type"' in response.text


@pytest.fixture
def many_municipalities(governor, province):
    for n in range(60):
        municipality = factories.agency(f"M{n:02}", f"เทศบาลที่ {n:02}", agency_type="local_government", parent=province)
        factories.summarised_assessment(municipality, 2565, tools(f"{60 + n / 2:.2f}"))
    return governor


def test_pages_of_fifty(client, many_municipalities):
    client.force_login(many_municipalities)

    first = client.get("/overview/2565/", {"name": "เทศบาลที่", "sort": "agency"})
    second = client.get("/overview/2565/", {"name": "เทศบาลที่", "sort": "agency", "page": 2})

    assert len(agencies_listed(first)) == 50
    assert agencies_listed(second) == [f"เทศบาลที่ {n} (M{n})" for n in range(50, 60)]
    assert "60 หน่วยงาน" in first.text
    assert "&amp;sort=agency&amp;page=2" in first.text  # the next page keeps the filter and the sort


@pytest.mark.parametrize(
    "query", [{"page": "abc"}, {"page": "99"}, {"per_page": "-5"}, {"sort": "bogus"}, {"sort": "-level"}]
)
def test_odd_paging_and_sorting_input_still_shows_the_list(client, governor, query):
    client.force_login(governor)

    response = client.get("/overview/2565/", query)

    assert response.status_code == 200
    assert len(agencies_listed(response)) == 4


def test_level_distribution_counts_the_filtered_rows_in_level_order(client, governor):
    client.force_login(governor)

    everything = client.get("/overview/2565/")
    municipalities = client.get("/overview/2565/", {"agency_type": "local_government"})

    assert table_rows(everything, "levels") == [
        ["AA", "0"],
        ["A", "3"],
        ["B", "0"],
        ["C", "1"],
        ["D", "0"],
        ["E", "0"],
        ["F", "0"],
    ]
    assert table_rows(municipalities, "levels")[:3] == [["AA", "0"], ["A", "3"], ["B", "0"]]
    assert table_rows(municipalities, "levels")[3] == ["C", "0"]
    assert "<svg" in everything.text and "A: 3" in everything.text


def test_level_distribution_counts_assessments_without_a_level(client, superuser):
    factories.summarised_assessment(factories.agency("NEW"), 2568)
    client.force_login(superuser)

    response = client.get("/overview/2568/")

    assert table_rows(response, "levels")[-1] == ["ไม่มีระดับ", "1"]


def download_csv(client, query):
    response = client.get("/overview/2565/download.csv", query)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="ita-overview-2565.csv"'
    content = response.getvalue()  # streamed
    assert content.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def test_csv_download_has_exactly_the_filtered_rows_in_the_sort_order(client, governor):
    client.force_login(governor)

    header, *rows = download_csv(client, {"agency_type": "local_government", "sort": "change", "page": "2"})

    assert header[:6] == [
        "อันดับในกลุ่มประเภทหน่วยงาน",
        "รหัสหน่วยงาน",
        "หน่วยงาน",
        "ประเภทหน่วยงาน",
        "หน่วยงานต้นสังกัด",
        "คะแนน ITA",
    ]
    assert [row[1] for row in rows] == ["MUN-N", "MUN-S", "MUN-E"]
    assert rows[0] == [
        "2",
        "MUN-N",
        "เทศบาลตำบลเหนือ",
        "องค์กรปกครองส่วนท้องถิ่น (ไม่ระบุประเภท)",
        "อำเภอทดสอบ",
        "90.28",
        "A",
        "90.28",
        "90.28",
        "90.28",
        "95.00",
        "-4.72",
        "0",
        "",
    ]
    assert rows[2][10:] == ["", "", "1", ""]


def test_csv_download_has_every_page(client, many_municipalities):
    client.force_login(many_municipalities)

    header, *rows = download_csv(client, {"name": "เทศบาลที่"})

    assert len(rows) == 60
    assert rows[0][1] == "M59"  # highest score first, as on the page


def test_xlsx_download_stores_scores_as_numbers(client, many_municipalities):
    client.force_login(many_municipalities)

    response = client.get("/overview/2565/download.xlsx", {"name": "เทศบาลที่", "sort": "overall"})

    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="ita-overview-2565.xlsx"'
    sheet = load_workbook(io.BytesIO(response.content)).active
    header, *rows = list(sheet.values)
    assert header[0] == "อันดับในกลุ่มประเภทหน่วยงาน" and header[5] == "คะแนน ITA"
    assert len(rows) == 60
    assert rows[0][:3] == (65, "M00", "เทศบาลที่ 00")  # lowest first: the 64 other local governments score higher
    assert rows[0][5] == 60 and rows[1][5] == 60.5 and isinstance(rows[1][5], float)
    assert rows[0][10] is None
    first_score = sheet.cell(row=2, column=6)
    assert first_score.number_format == "0.00"
    assert first_score.font.name == "TH SarabunPSK" and first_score.font.sz == 14
    assert sheet.cell(row=1, column=1).font.bold
    assert sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["C"].width > sheet.column_dimensions["F"].width


def test_xlsx_change_shows_negatives_in_parentheses(client, governor):
    client.force_login(governor)

    response = client.get("/overview/2565/download.xlsx", {"name": "MUN-N"})

    sheet = load_workbook(io.BytesIO(response.content)).active
    change = sheet.cell(row=2, column=12)
    assert change.value == pytest.approx(-4.72)
    assert change.number_format == "0.00;(0.00)"


def test_download_with_an_invalid_filter_goes_back_to_the_page(client, governor):
    client.force_login(governor)

    response = client.get("/overview/2565/download.csv", {"min_score": "abc"})

    assert response.status_code == 302
    assert response["Location"] == "/overview/2565/?min_score=abc"


def test_unknown_download_format_is_not_found(client, governor):
    client.force_login(governor)

    assert client.get("/overview/2565/download.pdf").status_code == 404


def test_thai_by_default_and_english_when_chosen(client, governor):
    client.force_login(governor)

    thai = client.get("/overview/2565/")
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    english = client.get("/overview/2565/")

    assert "<title>ภาพรวมหลายหน่วยงาน 2565" in thai.text
    assert "อันดับในกลุ่มประเภทหน่วยงาน" in thai.text
    assert "ช่วงคะแนน" in thai.text
    assert "องค์กรปกครองส่วนท้องถิ่น" in thai.text
    assert "<title>Multi-agency overview 2565" in english.text
    assert "Rank within type" in english.text
    assert "Score range" in english.text
    assert "Local government" in english.text


def overview_queries(client, user, url="/overview/2565/", query=None):
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, query or {})
    assert response.status_code == 200
    return len(queries)


def test_overview_runs_a_fixed_number_of_queries_however_many_agencies(client, db):
    ministry = factories.agency("MIN", "กระทรวงทดสอบ", agency_type="ministry")
    minister = factories.member("minister", ministry, "executive", oversight=True)
    factories.summarised_assessment(factories.agency("A0", parent=ministry), 2565, tools("90.00"))
    query = {"parent": ministry.pk, "level": "A", "min_score": "50", "sort": "-change"}
    one = [
        overview_queries(client, minister, url, query) for url in ("/overview/2565/", "/overview/2565/download.xlsx")
    ]

    for n in range(1, 50):
        child = factories.agency(f"A{n}", parent=ministry)
        factories.summarised_assessment(child, 2564, tools("80.00"))
        factories.summarised_assessment(child, 2565, tools(f"{80 + n / 5:.2f}"))
        factories.summarised_assessment(child, 2568, tools("90.00"))
    many = [
        overview_queries(client, minister, url, query) for url in ("/overview/2565/", "/overview/2565/download.xlsx")
    ]

    assert one == many


def test_csv_download_is_streamed(client, governor):
    client.force_login(governor)

    response = client.get("/overview/2565/download.csv")

    assert response.streaming
    assert response["Content-Disposition"] == 'attachment; filename="ita-overview-2565.csv"'
    header, *rows = list(csv.reader(io.StringIO(response.getvalue().decode("utf-8-sig"))))
    assert [row[1] for row in rows] == ["MUN-N", "MUN-E", "MUN-S", "DIST"]  # highest first, as on the page


def download_queries(client, user, file_format):
    """Queries of a whole download, the streamed rows' reads included."""
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/overview/2565/download.{file_format}")
        assert response.status_code == 200
        response.getvalue()
    return len(queries)


def test_downloads_run_a_fixed_number_of_queries_however_many_agencies(client, superuser, province):
    small = [download_queries(client, superuser, file_format) for file_format in ("csv", "xlsx")]

    for n in range(40):
        town = factories.agency(f"T{n:02}", f"เทศบาลตำบลที่ {n:02}", agency_type="local_government", parent=province)
        factories.summarised_assessment(town, 2564, tools("80.00"))
        factories.summarised_assessment(town, 2565, tools(f"{70 + n / 4:.2f}", ITA="99.00"))
    larger = [download_queries(client, superuser, file_format) for file_format in ("csv", "xlsx")]

    assert small == larger
    assert Assessment.objects.filter(fiscal_year=2565).count() == 46


def test_xlsx_columns_are_as_wide_as_their_longest_text(client, superuser, province):
    long_name = "องค์การบริหารส่วนตำบลที่มีชื่อยาวมากเป็นพิเศษ"
    factories.summarised_assessment(
        factories.agency("LONG-NAME", long_name, agency_type="local_government", parent=province),
        2565,
        tools("85.00", ITA="86.00"),
    )
    client.force_login(superuser)

    response = client.get("/overview/2565/download.xlsx")

    sheet = load_workbook(io.BytesIO(response.content)).active
    widths = {letter: sheet.column_dimensions[letter].width for letter in "BCDEGN"}
    assert widths == {
        "B": len("รหัสหน่วยงาน") + 2,  # the label is longer than any code
        "C": len(long_name) + 2,
        "D": len("องค์กรปกครองส่วนท้องถิ่น (ไม่ระบุประเภท)") + 2,
        "E": len("หน่วยงานต้นสังกัด") + 2,
        "G": len(sheet["G1"].value) + 2,  # the label ("ระดับผล...") is longer than "A"
        "N": len("ระดับที่ประกาศต่างจากที่คำนวณ") + 2,
    }
    assert sheet.column_dimensions["F"].width == 11
    assert sheet.auto_filter.ref == "A1:N8"  # the header and 7 agencies
    assert sheet.cell(row=8, column=3).font.name == "TH SarabunPSK"


def test_the_databases_longest_texts_are_those_of_the_rows(superuser, province):
    factories.summarised_assessment(
        factories.agency("A-VERY-LONG-CODE", "ก", agency_type="local_government"), 2565, tools("85.00")
    )
    Assessment.objects.filter(agency__code="A-VERY-LONG-CODE").update(level_mismatch=True)
    assessments = Assessment.objects.for_overview(2565)

    from_rows = text_widths(OVERVIEW_COLUMNS, list(streamed_overview_rows(assessments)))

    assert overview_text_widths(assessments) == from_rows
    assert from_rows[:5] == [None, len("A-VERY-LONG-CODE"), len("เทศบาลเมืองตะวันออก"), from_rows[3], len("จังหวัดทดสอบ")]
    assert from_rows[13] == len("ไม่ตรงกัน")


@pytest.mark.parametrize(
    "value, shown",
    [
        (86.585, "86.58"),  # the float is a little under 86.585
        (Decimal("86.585"), "86.59"),
        (Decimal("-86.585"), "-86.59"),
        (-4.719999999999999, "-4.72"),  # SQLite's 90.28 − 95.00
        (Decimal("-0.004"), "0.00"),
        (95, "95.00"),
        (None, None),
    ],
)
def test_downloaded_figures_round_half_up_as_the_engine_does(value, shown):
    assert two_places(value) == (None if shown is None else round2(value))
    assert (None if two_places(value) is None else str(two_places(value))) == shown
