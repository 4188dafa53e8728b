"""The blank results template offered on the import page: every code of the year's framework, in
order, with the agency and year filled in; typed in, it imports through the page unchanged."""

import csv
import io
import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from assessments.models import Score

URL = "/results/template/"
COLUMNS = ["agency", "fiscal_year", "code", "part", "score", "level", "name_th"]


def download(client, agency="AG1", year=2568, file_format="csv"):
    return client.get(URL, {"agency": agency, "fiscal_year": year, "format": file_format})


def csv_rows(response):
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def xlsx_rows(response):
    sheet = load_workbook(io.BytesIO(response.content)).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def score_for(number):
    """A different score with two decimals for each row, e.g. 50.01, 51.02, ..."""
    return Decimal(50 + number % 50) + Decimal(number % 100) / 100


def upload_and_confirm(client, name, content):
    """Check the file through the import page, then save the preview; return the preview page."""
    response = client.post("/results/import/", {"file": SimpleUploadedFile(name, content)})
    assert response.status_code == 200
    assert "problems" not in response.context or not response.context["problems"], response.context["problems"]
    payload = re.search(r'name="payload" value="([^"]+)"', response.text)[1]
    saved = client.post("/results/import/", {"payload": payload})
    assert saved.status_code == 302
    return response


def saved_scores(agency="AG1", year=2568):
    return {
        (s.code, s.part): s.score
        for s in Score.objects.filter(assessment__agency__code=agency, assessment__fiscal_year=year)
    }


@pytest.fixture
def officer_client(client, officer):
    client.force_login(officer)
    return client


# What the file holds

IIT, EIT, OIT = (
    "แบบวัดการรับรู้ของผู้มีส่วนได้ส่วนเสียภายใน",
    "แบบวัดการรับรู้ของผู้มีส่วนได้ส่วนเสียภายนอก",
    "แบบตรวจการเปิดเผยข้อมูลสาธารณะ",
)


def test_csv_of_2568_lists_every_figure_of_its_framework_in_order(officer_client):
    response = download(officer_client)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="results-template-AG1-2568.csv"'
    rows = csv_rows(response)
    assert rows[0] == COLUMNS
    assert rows[1:9] == [
        ["AG1", "2568", "ITA", "", "", "", "คะแนน ITA ภาพรวม"],
        ["AG1", "2568", "IIT", "", "", "", IIT],
        ["AG1", "2568", "EIT", "", "", "", EIT],
        ["AG1", "2568", "EIT", "public", "", "", f"{EIT} (ส่วนที่ 1)"],
        ["AG1", "2568", "EIT", "survey", "", "", f"{EIT} (ส่วนที่ 2)"],
        ["AG1", "2568", "OIT", "", "", "", OIT],
        ["AG1", "2568", "IND1", "", "", "", "การปฏิบัติหน้าที่"],
        ["AG1", "2568", "IND2", "", "", "", "การใช้งบประมาณ"],
    ]
    codes = [(row[2], row[3]) for row in rows[1:]]
    # 1 overall, 3 tools and 2 EIT parts, 10 indicators and 6 EIT parts, 5 sub-topics, 15 + 28 items
    # and the 9 EIT items in two parts each.
    assert len(codes) == 88
    assert codes[19:33] == [("IND8", "survey"), ("IND9", ""), ("IND10", ""), ("SUB9.1", "")] + [
        ("SUB9.2", ""),
        ("SUB9.3", ""),
        ("SUB9.4", ""),
        ("SUB9.5", ""),
        ("i1", ""),
        ("i2", ""),
        ("i3", ""),
        ("i4", ""),
        ("i5", ""),
        ("i6", ""),
    ]
    assert codes[42:44] == [("e1", "public"), ("e1", "survey")]
    assert codes[-1] == ("o28", "")
    assert all(row[:2] == ["AG1", "2568"] and row[4] == row[5] == "" and row[6] for row in rows[1:])


def test_template_of_2565_follows_that_years_framework(officer_client):
    rows = csv_rows(download(officer_client, year=2565))
    assert rows[1:6] == [
        ["AG1", "2565", "ITA", "", "", "", "คะแนน ITA ภาพรวม"],
        ["AG1", "2565", "IIT", "", "", "", IIT],
        ["AG1", "2565", "EIT", "", "", "", EIT],
        ["AG1", "2565", "OIT", "", "", "", OIT],
        ["AG1", "2565", "IND1", "", "", "", "การปฏิบัติหน้าที่"],
    ]
    codes = [row[2] for row in rows[1:]]
    assert len(codes) == 149  # the most detailed framework (README, "The results template")
    assert codes[18:26] == ["SUB9.5", "SUB10.1", "SUB10.2", "I1", "I1.1", "I1.2", "I2", "I3"]
    assert all(row[3] == "" for row in rows[1:])  # no year before 2566 is scored in parts
    assert codes[-1] == "O43"


def test_xlsx_holds_the_same_rows_with_scores_as_number_cells(officer_client):
    response = download(officer_client, year=2565, file_format="xlsx")
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="results-template-AG1-2565.xlsx"'
    rows = xlsx_rows(response)
    expected = csv_rows(download(officer_client, year=2565))
    assert rows[0] == COLUMNS
    assert [[str(cell) if cell is not None else "" for cell in row] for row in rows] == expected
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet["E2"].number_format == "0.00"
    assert sheet["B2"].value == 2565


# Typed in, it imports unchanged


def test_xlsx_filled_in_imports_through_the_page(officer_client):
    book = load_workbook(io.BytesIO(download(officer_client, file_format="xlsx").content))
    sheet = book.active
    expected = {}
    for number, row in enumerate(sheet.iter_rows(min_row=2), start=1):
        row[4].value = float(score_for(number))  # as a spreadsheet stores a typed number
        expected[(row[2].value, {"": 0, None: 0, "public": 1, "survey": 2}[row[3].value])] = score_for(number)
    buffer = io.BytesIO()
    book.save(buffer)
    preview = upload_and_confirm(officer_client, "results-template-AG1-2568.xlsx", buffer.getvalue())
    assert preview.context["counts"] == {"new": 88, "changed": 0, "unchanged": 0}
    assert saved_scores() == expected
    assert saved_scores()[("e1", 2)] == Decimal("94.44")


def test_csv_filled_in_imports_through_the_page(officer_client):
    rows = csv_rows(download(officer_client, year=2565))
    for number, row in enumerate(rows[1:], start=1):
        row[4] = str(score_for(number))
    buffer = io.StringIO()
    buffer.write("\ufeff")
    csv.writer(buffer).writerows(rows)
    upload_and_confirm(officer_client, "results-template-AG1-2565.csv", buffer.getvalue().encode("utf-8"))
    saved = saved_scores(year=2565)
    assert len(saved) == 149
    assert saved[("ITA", 0)] == Decimal("51.01")
    assert saved[("I1.2", 0)] == Decimal("74.24")
    assert all(score.as_tuple().exponent == -2 for score in saved.values())


def test_the_published_level_typed_on_the_ita_row_imports_with_it(officer_client):
    rows = csv_rows(download(officer_client, year=2566))
    assert [row[2] for row in rows[1:3]] == ["ITA", "IIT"]
    rows[1][4:6] = ["86.78", "ผ่าน"]
    rows = rows[:2]  # only the overall score and its level were published
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    upload_and_confirm(officer_client, "results-template-AG1-2566.csv", buffer.getvalue().encode("utf-8"))

    score = Score.objects.get(assessment__agency__code="AG1", assessment__fiscal_year=2566)
    assert (score.code, score.score, score.level) == ("ITA", Decimal("86.78"), "ผ่าน")
    assert score.assessment.level == "ผ่าน"


# What is refused


def test_year_without_a_framework_is_refused_in_thai(officer_client):
    response = download(officer_client, year=2570)
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    assert "ไม่มีกรอบการประเมินสำหรับปีงบประมาณ 2570 โปรดเลือกปีงบประมาณจากรายการ" in response.text
    assert not Score.objects.exists()


def test_year_that_is_not_a_number_is_refused_with_the_same_message(officer_client):
    response = download(officer_client, year="๒๕๖๘x")
    assert response.status_code == 400
    assert "ไม่มีกรอบการประเมินสำหรับปีงบประมาณ" in response.text


def test_unknown_format_is_refused(officer_client):
    assert download(officer_client, file_format="pdf").status_code == 400


def test_agency_of_someone_else_is_not_found(officer_client, other_agency):
    assert download(officer_client, agency="AG2").status_code == 404
    assert download(officer_client, agency="NOPE").status_code == 404
    assert download(officer_client, agency="").status_code == 404


@pytest.mark.parametrize("who", ["executive", "unit_staff"])
def test_readers_and_unit_staff_of_the_agency_are_forbidden(client, db, who, request):
    client.force_login(request.getfixturevalue(who))
    assert download(client).status_code == 403


def test_anonymous_is_sent_to_sign_in(client, agency):
    response = download(client)
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


def test_superuser_downloads_for_any_agency(client, superuser, other_agency):
    client.force_login(superuser)
    rows = csv_rows(download(client, agency="AG2", year=2566))
    assert rows[1] == ["AG2", "2566", "ITA", "", "", "", "คะแนน ITA ภาพรวม"]
    assert len(rows) - 1 == 22


# The import page


@pytest.mark.time_machine("2026-05-15 10:00 +07:00")  # fiscal year 2569
def test_import_page_offers_the_users_agencies_and_the_framework_years(officer_client, other_agency):
    response = officer_client.get("/results/import/")
    form = response.context["template_form"]
    assert [code for code, _label in form.fields["agency"].choices] == ["AG1"]
    assert [year for year, _label in form.fields["fiscal_year"].choices] == list(range(2562, 2570))
    assert form["fiscal_year"].value() == 2569
    assert 'action="/results/template/"' in response.text
    assert 'name="format" value="csv"' in response.text
    assert "เริ่มจากแบบฟอร์มผลการประเมิน" in response.text


def test_download_runs_a_fixed_number_of_queries(officer_client, django_assert_num_queries):
    """However many figures: 88 in 2568, 149 (with sub-questions) in 2565."""
    with django_assert_num_queries(15):
        smaller = download(officer_client, year=2568)
    with django_assert_num_queries(15):
        larger = download(officer_client, year=2565, file_format="xlsx")
    assert smaller.status_code == larger.status_code == 200


def test_year_without_a_framework_is_refused_in_english_when_chosen(officer_client):
    assert officer_client.post("/i18n/setlang/", {"language": "en", "next": "/"}).status_code == 302
    response = download(officer_client, year=2561)
    assert response.status_code == 400
    assert "No assessment framework covers fiscal year 2561; choose one of the years listed." in response.text
    assert "Start from the template" in response.text
