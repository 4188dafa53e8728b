"""The results upload at /results/import/: check, preview, then save all rows or none."""

import html
import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from assessments.models import Assessment, Score
from tests import factories

URL = "/results/import/"

GOOD_ROWS = [
    ("AG1", "2568", "ITA", "", "95.08"),
    ("AG1", "2568", "EIT", "public", "93.20"),
    ("AG1", "2568", "e1", "ส่วนที่ 2", "86.67"),
]


def upload(rows, name="results.csv", content=None):
    return SimpleUploadedFile(
        name, content if content is not None else factories.csv_bytes(rows), content_type="text/csv"
    )


def visible(response):
    """The page as a reader sees it: tags dropped, entities decoded, spaces collapsed."""
    text = re.sub(r"<[^>]+>", " ", response.content.decode("utf-8"))
    return re.sub(r"\s+", " ", html.unescape(text))


def payload_of(response):
    return re.search(r'name="payload" value="([^"]+)"', response.text)[1]


def scores():
    return {
        (s.assessment.agency.code, s.assessment.fiscal_year, s.code, s.part): s.score
        for s in Score.objects.select_related("assessment__agency")
    }


@pytest.fixture
def english(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    return client


@pytest.fixture
def officer_client(english, officer):
    english.force_login(officer)
    return english


# Who may upload


def test_anonymous_is_sent_to_login(client, db):
    response = client.get(URL)

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/results/import/"


def test_read_only_executive_is_forbidden(client, executive):
    client.force_login(executive)

    assert client.get(URL).status_code == 403
    assert client.post(URL, {"file": upload(GOOD_ROWS)}).status_code == 403
    assert Score.objects.count() == 0


def test_unit_staff_is_forbidden(client, agency):
    client.force_login(factories.member("clerk", agency, "unit_staff"))

    assert client.get(URL).status_code == 403


def test_officer_sees_the_upload_form(officer_client):
    response = officer_client.get(URL)

    assert response.status_code == 200
    assert "Import official results" in visible(response)
    assert 'type="file" name="file"' in response.text


# Preview, then save


def test_good_file_is_previewed_and_nothing_is_saved_yet(officer_client):
    response = officer_client.post(URL, {"file": upload(GOOD_ROWS)})

    assert response.status_code == 200
    page = visible(response)
    assert "Preview of results.csv" in page
    assert "3 new, 0 changed, 0 unchanged." in page
    assert "2 AG1 2568 ITA 95.08 new" in page
    assert "3 AG1 2568 EIT public 93.20 new" in page
    assert "4 AG1 2568 e1 survey 86.67 new" in page
    assert "Save these figures" in page
    assert Score.objects.count() == 0
    assert Assessment.objects.count() == 0


def test_confirming_the_preview_saves_every_figure(officer_client):
    preview = officer_client.post(URL, {"file": upload(GOOD_ROWS)})

    response = officer_client.post(URL, {"payload": payload_of(preview)}, follow=True)

    assert response.redirect_chain == [("/", 302)]
    assert "Saved 3 figures: 3 new, 0 changed, 0 unchanged." in visible(response)
    assert scores() == {
        ("AG1", 2568, "ITA", 0): Decimal("95.08"),
        ("AG1", 2568, "EIT", 1): Decimal("93.20"),
        ("AG1", 2568, "e1", 2): Decimal("86.67"),
    }


def test_preview_labels_new_changed_and_unchanged_figures(officer_client, agency):
    factories.assessment(agency, 2568, {"ITA": "95.08", ("EIT", 1): "90.00"})

    response = officer_client.post(URL, {"file": upload(GOOD_ROWS)})

    page = visible(response)
    assert "1 new, 1 changed, 1 unchanged." in page
    assert "2 AG1 2568 ITA 95.08 unchanged" in page
    assert "3 AG1 2568 EIT public 93.20 changed" in page
    assert scores()[("AG1", 2568, "EIT", 1)] == Decimal("90.00")


def test_xlsx_upload_is_previewed(officer_client):
    content = factories.xlsx_bytes([("AG1", 2568, "ITA", None, 95.08), ("AG1", 2568, "IIT", None, 98.19)])

    response = officer_client.post(URL, {"file": upload(None, "results.xlsx", content)})

    assert "Preview of results.xlsx" in visible(response)
    assert "2 new, 0 changed, 0 unchanged." in visible(response)


def test_superuser_may_upload_for_any_agency(english, superuser, agency, other_agency):
    english.force_login(superuser)
    rows = [("AG1", "2568", "ITA", "", "95.08"), ("AG2", "2565", "ITA", "", "97.04")]

    preview = english.post(URL, {"file": upload(rows)})
    english.post(URL, {"payload": payload_of(preview)})

    assert scores() == {("AG1", 2568, "ITA", 0): Decimal("95.08"), ("AG2", 2565, "ITA", 0): Decimal("97.04")}


# Refused files


def test_bad_file_lists_every_problem_with_its_row_and_saves_nothing(officer_client, agency):
    factories.assessment(agency, 2568, {"ITA": "95.08"})
    rows = [
        ("AG1", "2568", "ITA", "", "50.00"),
        ("NOPE", "2568", "ITA", "", "95.08"),
        ("AG1", "2568", "E12", "", "90.00"),
        ("AG1", "2568", "IIT", "", "101"),
        ("AG1", "2568", "ita", "", "50.00"),
    ]

    response = officer_client.post(URL, {"file": upload(rows)})

    assert response.status_code == 200
    page = visible(response)
    assert "4 bad rows: nothing was saved" in page
    assert "Unknown agency 'NOPE', or not one you may enter results for (row 3)" in page
    assert "The framework of that fiscal year has no item E12 (row 4)" in page
    assert "Score 101 is outside 0–100 (row 5)" in page
    assert "Duplicate of row 2 (same agency, year, code and part) (row 6)" in page
    assert 'name="payload"' not in response.text
    assert scores() == {("AG1", 2568, "ITA", 0): Decimal("95.08")}


def test_problems_are_shown_in_thai_by_default(client, officer):
    client.force_login(officer)

    response = client.post(URL, {"file": upload([("AG1", "2568", "ITA", "", "ninety")])})

    assert response.status_code == 200
    assert '<html lang="th">' in response.text
    page = visible(response)
    assert "ninety" in page
    assert re.search(r"\(\S+ 2\)", page)  # "(row 2)" in the language of the page
    assert Score.objects.count() == 0


def test_officer_cannot_enter_results_for_another_agency(officer_client, other_agency):
    rows = [("AG1", "2568", "ITA", "", "95.08"), ("AG2", "2568", "ITA", "", "95.08")]

    response = officer_client.post(URL, {"file": upload(rows)})

    assert "Unknown agency 'AG2', or not one you may enter results for (row 3)" in visible(response)
    assert Score.objects.count() == 0


def test_confirmation_is_checked_again_for_the_user_who_sends_it(english, superuser, officer, other_agency):
    english.force_login(superuser)
    preview = english.post(URL, {"file": upload([("AG2", "2568", "ITA", "", "95.08")])})
    english.force_login(officer)

    response = english.post(URL, {"payload": payload_of(preview)})

    assert response.status_code == 200
    assert "Unknown agency 'AG2', or not one you may enter results for (row 2)" in visible(response)
    assert Score.objects.count() == 0


def test_tampered_preview_is_refused_and_nothing_saved(officer_client):
    preview = officer_client.post(URL, {"file": upload(GOOD_ROWS)})
    payload = payload_of(preview)
    tampered = payload[:10] + ("A" if payload[10] != "A" else "B") + payload[11:]

    response = officer_client.post(URL, {"payload": tampered}, follow=True)

    assert response.redirect_chain == [(URL, 302)]
    assert "The preview has expired; upload the file again." in visible(response)
    assert Score.objects.count() == 0


@pytest.mark.parametrize(
    "name, content, error",
    [
        ("results.txt", b"agency,fiscal_year,code,part,score\nAG1,2568,ITA,,95.08\n", "Upload a .csv or .xlsx file."),
        ("results.pdf", b"%PDF-1.4", "Upload a .csv or .xlsx file."),
        ("results.csv", b"agency,code,score\nAG1,ITA,95.08\n", "Missing columns: fiscal_year, part."),
        ("results.csv", b"agency,fiscal_year,code,part,score\n", "The file has no rows below the header."),
        ("results.xlsx", b"not a workbook", "The file is not a readable .xlsx workbook."),
        ("results.csv", b"", "The submitted file is empty."),
        (
            "results.csv",
            b'agency,fiscal_year,code,part,score\nAG1,2568,ITA,,"' + b"9" * 140_000,
            "The file is not a readable CSV file.",
        ),
    ],
)
def test_file_that_is_not_a_results_template_gets_a_form_error(officer_client, name, content, error):
    response = officer_client.post(URL, {"file": upload(None, name, content)})

    assert response.status_code == 200
    assert error in visible(response)
    assert 'name="payload"' not in response.text
    assert Score.objects.count() == 0


def test_file_over_4_mb_is_refused(officer_client, settings):
    settings.IMPORT_MAX_FILE_BYTES = 4 * 1024 * 1024  # the limit set lower than its default (64 MB)
    content = factories.csv_bytes(GOOD_ROWS) + b"#" * (4 * 1024 * 1024)

    response = officer_client.post(URL, {"file": upload(None, "results.csv", content)})

    assert "The file is larger than 4 MB; a results file is much smaller." in visible(response)
    assert Score.objects.count() == 0


def test_page_is_in_english_after_switching_language(officer_client):
    response = officer_client.get(URL)

    assert '<html lang="en">' in response.text
    assert "Import official results" in visible(response)
    assert "Check the file" in visible(response)
