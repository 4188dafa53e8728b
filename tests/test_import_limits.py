"""Bounded input: a results file that would unpack or parse to gigabytes is refused within
seconds and megabytes, with a message saying why; at most 50 bad rows are listed.

The hostile files are built under tmp_path, the sheets written a chunk at a time, and read in
a subprocess whose address space is capped a few hundred MB above its size at start: a reader
that builds the whole file in memory dies there instead of passing.
"""

import html
import io
import os
import random
import re
import string
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.utils import translation

from assessments.importing import RESULT_COLUMNS, TemplateError, read_file, read_rows
from assessments.models import Assessment, Score
from tests import factories

ROOT = Path(__file__).resolve().parent.parent
HEADROOM_MB = 300
# The limits these files are made against, pinned here: the defaults are larger now (a national
# year goes through, tests/test_import_streaming.py), and the protections are the same at any size.
LIMITS = {
    "IMPORT_MAX_ROWS": 100_000,
    "IMPORT_MAX_FILE_BYTES": 4 * 1024 * 1024,
    "IMPORT_MAX_UNPACKED_BYTES": 64 * 1024 * 1024,
}


@pytest.fixture(autouse=True)
def limits(settings):
    for name, value in LIMITS.items():
        setattr(settings, name, value)


UNPACKED = "The workbook unpacks to more than 64 MB; a results file is much smaller."
TOO_MANY_ROWS = "The file has more than 100,000 rows below the header; split it into smaller files."
TOO_LARGE = "The file is larger than 4 MB; a results file is much smaller."


def columns_message(row):
    return f"Row {row} has more than 50 columns; remove the columns the import does not use."


# Building files


def header_cells():
    return "".join(f'<c t="inlineStr"><is><t>{name}</t></is></c>' for name in RESULT_COLUMNS)


GOOD_ROW = (
    '<c t="inlineStr"><is><t>AG1</t></is></c><c><v>2568</v></c>'
    '<c t="inlineStr"><is><t>ITA</t></is></c><c/><c><v>95.08</v></c>'
)


def write_xlsx(path, sheet_chunks, strings=None, sheets=1):
    """A minimal workbook: the first sheet's XML is written from `sheet_chunks` as it comes,
    so a sheet of hundreds of megabytes never sits in the test's memory."""
    ns = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    rel_ns = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    sheet_list = "".join(f'<sheet name="S{i}" sheetId="{i}" r:id="rId{i}"/>' for i in range(1, sheets + 1))
    sheet_rels = "".join(
        f'<Relationship Id="rId{i}" Type="{rel_ns}/worksheet" Target="worksheets/sheet{i}.xml"/>'
        for i in range(1, sheets + 1)
    )
    if strings is not None:
        sheet_rels += f'<Relationship Id="rIdS" Type="{rel_ns}/sharedStrings" Target="sharedStrings.xml"/>'
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        main = "application/vnd.openxmlformats-officedocument.spreadsheetml"
        archive.writestr(
            "[Content_Types].xml",
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{main}.sheet.main+xml"/>'
            f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{main}.worksheet+xml"/>'
            + (
                f'<Override PartName="/xl/sharedStrings.xml" ContentType="{main}.sharedStrings+xml"/>'
                if strings is not None
                else ""
            )
            + "</Types>",
        )
        archive.writestr(
            "_rels/.rels",
            f'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{rel_ns}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        )
        archive.writestr(
            "xl/workbook.xml", f'<workbook {ns} xmlns:r="{rel_ns}"><sheets>{sheet_list}</sheets></workbook>'
        )
        archive.writestr(
            "xl/_rels/workbook.xml.rels",
            f'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">{sheet_rels}</Relationships>',
        )
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(f"<worksheet {ns}>".encode())
            for chunk in sheet_chunks:
                sheet.write(chunk.encode())
            sheet.write(b"</worksheet>")
        if strings is not None:
            with archive.open("xl/sharedStrings.xml", "w", force_zip64=True) as table:
                table.write(f"<sst {ns}>".encode())
                for chunk in strings:
                    table.write(chunk.encode())
                table.write(b"</sst>")
    return path


def sheet_data(*chunks):
    yield "<sheetData>"
    yield from chunks
    yield "</sheetData>"


def repeated(text, times, per_chunk=10_000):
    chunk = text * per_chunk
    for _ in range(times // per_chunk):
        yield chunk


def zip_bomb(tmp_path):
    """4 million rows: about 250 KB that unpack to 100 MB."""
    return write_xlsx(
        tmp_path / "bomb.xlsx",
        sheet_data(f"<row>{header_cells()}</row>", *repeated("<row><c><v>1</v></c></row>", 4_000_000)),
    )


def unpacked_size(path):
    with zipfile.ZipFile(path) as archive:
        return sum(member.file_size for member in archive.infolist())


# Reading under a memory limit

READER = """
import os, resource, sys
import django
django.setup()
from django.utils import translation

def size():
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) * 1024 for line in status if line.startswith("VmSize:"))

from assessments.importing import RESULT_COLUMNS, TemplateError, read_file, read_rows
limit = size() + int(sys.argv[2]) * 1024 * 1024
resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
if sys.argv[1] == "allocate":
    try:
        bytearray(2 * int(sys.argv[2]) * 1024 * 1024)
    except MemoryError:
        print("out of memory")
    sys.exit()
try:
    rows = read_rows(read_file(sys.argv[1]), os.path.basename(sys.argv[1]), RESULT_COLUMNS)
except TemplateError as exc:
    with translation.override("en"):
        print("refused:", exc.args[0])
else:
    print("rows:", len(rows), rows[0][0], rows[-1][0])
"""


def read_with_memory_limit(path, headroom_mb=HEADROOM_MB):
    env = {
        **os.environ,
        **{name: str(value) for name, value in LIMITS.items()},
        "DJANGO_SETTINGS_MODULE": "ita_tracker.settings",
        "SECRET_KEY": "test-only-secret-key",
    }
    result = subprocess.run(
        [sys.executable, "-c", READER, str(path), str(headroom_mb)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout.strip()


def test_the_memory_limit_of_the_reader_is_real():
    assert read_with_memory_limit("allocate") == "out of memory"


def test_zip_bomb_is_refused_by_its_declared_size_before_parsing(tmp_path):
    path = zip_bomb(tmp_path)

    assert path.stat().st_size < 400 * 1024
    assert unpacked_size(path) > 96 * 1024 * 1024
    assert read_with_memory_limit(path) == f"refused: {UNPACKED}"


def test_zip_bomb_of_millions_of_rows_under_the_unpacked_limit_stops_at_the_row_limit(tmp_path):
    # 2.4 million one-cell rows unpack to 60 MB, under the 64 MB limit: the row count stops them.
    path = write_xlsx(
        tmp_path / "rows.xlsx",
        sheet_data(f"<row>{header_cells()}</row>", *repeated("<row><c><v>1</v></c></row>", 2_400_000)),
    )

    assert path.stat().st_size < 1024 * 1024
    assert 50 * 1024 * 1024 < unpacked_size(path) < 64 * 1024 * 1024
    assert read_with_memory_limit(path) == f"refused: {TOO_MANY_ROWS}"


def test_forged_dimension_does_not_pad_rows(tmp_path):
    # openpyxl's read-only sheet pads every row to the declared 16,384 columns: 2.6 GB here.
    rows = (f'<row r="{n}">{GOOD_ROW}</row>' for n in range(2, 20_002))
    chunks = ['<dimension ref="A1:XFD1048576"/>', *sheet_data(f'<row r="1">{header_cells()}</row>', *rows)]
    path = write_xlsx(tmp_path / "dimension.xlsx", chunks)

    assert read_with_memory_limit(path) == "rows: 20000 2 20001"


def test_cell_beyond_the_column_limit_is_refused(tmp_path):
    chunks = [
        '<dimension ref="A1:XFD1048576"/>',
        *sheet_data(f"<row>{header_cells()}</row>", f'<row>{GOOD_ROW}<c r="XFD2"><v>1</v></c></row>'),
    ]
    path = write_xlsx(tmp_path / "wide.xlsx", chunks)

    assert read_with_memory_limit(path) == f"refused: {columns_message(2)}"


def test_row_of_a_million_empty_cells_is_refused(tmp_path):
    path = write_xlsx(
        tmp_path / "cells.xlsx", sheet_data(f"<row>{header_cells()}</row><row>", *repeated("<c/>", 1_000_000), "</row>")
    )

    assert read_with_memory_limit(path) == f"refused: {columns_message(2)}"


def test_sparse_row_numbered_1048576_is_refused_without_filling_the_gap(tmp_path):
    # openpyxl yields a million empty rows for the gap.
    path = write_xlsx(
        tmp_path / "sparse.xlsx", sheet_data(f'<row r="1">{header_cells()}</row>', f'<row r="1048576">{GOOD_ROW}</row>')
    )

    assert read_with_memory_limit(path) == f"refused: {TOO_MANY_ROWS}"


def test_huge_table_of_texts_is_refused(tmp_path):
    strings = repeated("<si><t>AG1</t></si>", 1_010_000, per_chunk=10_000)
    path = write_xlsx(tmp_path / "strings.xlsx", sheet_data(f"<row>{header_cells()}</row>"), strings=strings)

    expected = "The workbook holds more than 1,000,000 different texts; a results file holds far fewer."
    assert read_with_memory_limit(path) == f"refused: {expected}"


def test_workbook_of_many_sheets_is_refused(tmp_path):
    path = write_xlsx(tmp_path / "sheets.xlsx", sheet_data(f"<row>{header_cells()}</row>"), sheets=1_500)

    assert read_with_memory_limit(path) == "refused: The workbook has more than 1,000 sheets."


def test_entity_declarations_are_refused(tmp_path):
    lol = '<!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
    path = tmp_path / "lol.xlsx"
    write_xlsx(path, sheet_data(f"<row>{header_cells()}</row>"))
    with zipfile.ZipFile(path) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    parts["xl/worksheets/sheet1.xml"] = lol.encode() + parts["xl/worksheets/sheet1.xml"]
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in parts.items():
            archive.writestr(name, data)

    assert read_with_memory_limit(path) == "refused: The file is not a readable .xlsx workbook."


def test_huge_csv_file_is_refused_by_its_size_unread(tmp_path):
    path = tmp_path / "huge.csv"
    with path.open("wb") as file:
        file.write(b"agency,fiscal_year,code,part,score\r\n")
        file.truncate(2 * 1024 * 1024 * 1024)  # 2 GB, sparse on disk

    assert read_with_memory_limit(path) == f"refused: {TOO_LARGE}"


def test_csv_of_a_million_rows_under_the_size_limit_stops_at_the_row_limit(tmp_path):
    path = tmp_path / "rows.csv"
    path.write_bytes(b"agency,fiscal_year,code,part,score\r\n" + b"A,1,I,,9\n" * 400_000)

    assert path.stat().st_size < 4 * 1024 * 1024
    assert read_with_memory_limit(path) == f"refused: {TOO_MANY_ROWS}"


def test_csv_of_one_huge_field_is_refused(tmp_path):
    path = tmp_path / "field.csv"
    path.write_bytes(b'agency,fiscal_year,code,part,score\r\nAG1,2568,ITA,,"' + b"9" * (3 * 1024 * 1024))

    assert read_with_memory_limit(path) == "refused: The file is not a readable CSV file."


def test_csv_row_of_a_million_columns_is_refused(tmp_path):
    path = tmp_path / "wide.csv"
    path.write_bytes(b"agency,fiscal_year,code,part,score\r\nAG1,2568,ITA,,95" + b",1" * 1_000_000 + b"\r\n")

    assert read_with_memory_limit(path) == f"refused: {columns_message(2)}"


# Limits in process: exact edges


def csv_of(rows):
    return b"agency,fiscal_year,code,part,score\r\n" + b"".join(rows)


def english(exc_info):
    with translation.override("en"):
        return str(exc_info.value.args[0])


def test_csv_of_exactly_the_row_limit_is_read_and_one_more_is_refused():
    content = csv_of(
        f"LAO{n // 80:04d},2568,o{n % 28 + 1},,{n % 10_000 / 100:.2f}\r\n".encode() for n in range(100_000)
    )
    assert len(content) < 4 * 1024 * 1024

    rows = read_rows(content, "results.csv", RESULT_COLUMNS)

    assert len(rows) == 100_000
    assert rows[-1] == (
        100_001,
        {"agency": "LAO1249", "fiscal_year": "2568", "code": "o12", "part": "", "score": "99.99"},
    )
    with pytest.raises(TemplateError) as info:
        read_rows(content + b"LAO9999,2568,o1,,1\r\n", "results.csv", RESULT_COLUMNS)
    assert english(info) == TOO_MANY_ROWS


def test_xlsx_of_exactly_the_row_limit_is_read_with_its_texts(tmp_path):
    # As Excel saves it: texts in the shared table, numbers as numbers, cells with references.
    strings = ["agency", "fiscal_year", "code", "part", "score", "AG1", "ITA", "public"]
    rows = (
        f'<row r="{n}"><c r="A{n}" t="s"><v>5</v></c><c r="B{n}"><v>2568</v></c><c r="C{n}" t="s"><v>6</v></c>'
        f'<c r="D{n}" t="s"><v>7</v></c><c r="E{n}"><v>95.049999999999997</v></c></row>'
        for n in range(2, 100_002)
    )
    header = '<row r="1">' + "".join(f'<c r="{c}1" t="s"><v>{i}</v></c>' for i, c in enumerate("ABCDE")) + "</row>"
    path = write_xlsx(
        tmp_path / "limit.xlsx", sheet_data(header, *rows), strings=[f"<si><t>{s}</t></si>" for s in strings]
    )

    table = read_rows(path.read_bytes(), "limit.xlsx", RESULT_COLUMNS)

    assert len(table) == 100_000
    assert table[-1] == (
        100_001,
        {"agency": "AG1", "fiscal_year": "2568", "code": "ITA", "part": "public", "score": "95.05"},
    )


def test_long_cell_is_refused_with_its_row_and_column():
    content = csv_of([b"AG1,2568,ITA,,95.08\r\n", b"AG1,2568,IIT,," + b"9" * 1001 + b"\r\n"])

    with pytest.raises(TemplateError) as info:
        read_rows(content, "results.csv", RESULT_COLUMNS)

    assert english(info) == "Row 3: the score cell is longer than 1,000 characters."


def test_limits_are_settings(settings):
    settings.IMPORT_MAX_ROWS = 2
    content = csv_of([b"AG1,2568,ITA,,95.08\r\n"] * 3)

    with pytest.raises(TemplateError) as info:
        read_rows(content, "results.csv", RESULT_COLUMNS)

    assert english(info) == "The file has more than 2 rows below the header; split it into smaller files."


def test_command_reads_no_further_than_the_size_limit(tmp_path):
    path = tmp_path / "big.csv"
    path.write_bytes(b"x" * (5 * 1024 * 1024))

    assert len(read_file(path)) == 4 * 1024 * 1024 + 1


# Through the web view

URL = "/results/import/"


@pytest.fixture
def officer_client(client, officer):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    client.force_login(officer)
    return client


def visible(response):
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())))


def post_file(client, path):
    return client.post(URL, {"file": SimpleUploadedFile(path.name, path.read_bytes())})


def test_zip_bomb_upload_answers_a_small_page_with_the_reason(officer_client, tmp_path):
    response = post_file(officer_client, zip_bomb(tmp_path))

    assert response.status_code == 200
    assert UNPACKED in visible(response)
    assert len(response.content) < 20_000
    assert 'name="payload"' not in response.text
    assert (Score.objects.count(), Assessment.objects.count()) == (0, 0)


def test_sparse_row_upload_answers_a_small_page_with_the_reason(officer_client, tmp_path):
    path = write_xlsx(
        tmp_path / "sparse.xlsx", sheet_data(f'<row r="1">{header_cells()}</row>', f'<row r="1048576">{GOOD_ROW}</row>')
    )

    response = post_file(officer_client, path)

    assert response.status_code == 200
    assert TOO_MANY_ROWS in visible(response)
    assert len(response.content) < 20_000
    assert (Score.objects.count(), Assessment.objects.count()) == (0, 0)


def test_huge_csv_upload_answers_a_small_page_with_the_reason(officer_client, tmp_path):
    path = tmp_path / "rows.csv"
    path.write_bytes(b"agency,fiscal_year,code,part,score\r\n" + b"AG1,2568,ITA,,95.08\n" * 190_000)

    response = post_file(officer_client, path)

    assert response.status_code == 200
    assert TOO_MANY_ROWS in visible(response)
    assert len(response.content) < 20_000
    assert (Score.objects.count(), Assessment.objects.count()) == (0, 0)


def test_message_is_thai_by_default(client, officer, tmp_path):
    client.force_login(officer)
    path = tmp_path / "rows.csv"
    path.write_bytes(b"agency,fiscal_year,code,part,score\r\n" + b"AG1,2568,ITA,,95.08\n" * 100_001)

    response = post_file(client, path)

    assert "ไฟล์มีข้อมูลเกิน 100,000 แถวต่อจากแถวหัวตาราง โปรดแบ่งเป็นหลายไฟล์ที่เล็กลง" in visible(response)


def bad_rows(count):
    return [("AG1", "2568", "ITA", "", f"x{n}") for n in range(count)]


def test_5000_bad_rows_show_the_first_50_and_the_total(officer_client):
    upload = SimpleUploadedFile("results.csv", factories.csv_bytes(bad_rows(5_000)))

    response = officer_client.post(URL, {"file": upload})

    page = visible(response)
    assert response.status_code == 200
    assert "5,000 bad rows: nothing was saved" in page
    assert len(re.findall(r"<li>Score &#x27;x\d+&#x27; is not a number", response.text)) == 50
    assert "Score 'x49' is not a number (row 51)" in page
    assert "'x50'" not in page
    assert "And 4,950 more rows with problems; 5,000 in all" in page
    assert len(response.content) < 30_000
    assert Score.objects.count() == 0


def test_one_more_bad_row_than_shown_is_counted_in_the_singular(officer_client):
    upload = SimpleUploadedFile("results.csv", factories.csv_bytes(bad_rows(51)))

    page = visible(officer_client.post(URL, {"file": upload}))

    assert "And 1 more row with problems; 51 in all" in page


def test_50_bad_rows_are_all_shown_with_no_count_line(officer_client):
    upload = SimpleUploadedFile("results.csv", factories.csv_bytes(bad_rows(50)))

    page = visible(officer_client.post(URL, {"file": upload}))

    assert "50 bad rows: nothing was saved" in page
    assert "Score 'x49' is not a number" in page
    assert "more row" not in page


def test_command_lists_the_first_50_bad_rows_and_the_total(tmp_path, agency):
    path = tmp_path / "bad.csv"
    path.write_bytes(factories.csv_bytes(bad_rows(5_000)))

    with pytest.raises(CommandError) as info:
        call_command("import_results", str(path), stdout=io.StringIO())

    lines = str(info.value).splitlines()
    assert lines[0] == "Nothing imported: 5,000 bad rows. / ไม่ได้นำเข้าข้อมูล: มี 5,000 แถวที่ไม่ถูกต้อง"
    assert len(lines) == 52
    assert lines[50].endswith("| Row 51: score 'x49' is not a number")
    assert (
        lines[51] == "และแถวที่ไม่ถูกต้องอีก 4,950 แถว รวมทั้งหมด 5,000 แถว | and 4,950 more rows with problems; 5,000 in all"
    )
    assert Score.objects.count() == 0


def test_agency_command_lists_the_first_50_bad_rows_and_the_total(tmp_path, db):
    path = tmp_path / "agencies.csv"
    rows = [(f"A{n}", "", "", "ministry", "") for n in range(120)]
    path.write_bytes(factories.csv_bytes(rows, ("code", "name_th", "short_name", "agency_type", "parent")))

    with pytest.raises(CommandError) as info:
        call_command("import_agencies", str(path), stdout=io.StringIO())

    lines = str(info.value).splitlines()
    assert len(lines) == 52
    assert lines[-1] == "และแถวที่ไม่ถูกต้องอีก 70 แถว รวมทั้งหมด 120 แถว | and 70 more rows with problems; 120 in all"


def test_large_good_file_previews_500_rows_and_saves_every_figure(officer_client, agency):
    codes = [f"o{n}" for n in range(1, 29)] + [f"i{n}" for n in range(1, 16)]
    rows = [("AG1", str(year), code, "", "90.00") for year in (2568, 2569) for code in codes]
    upload = SimpleUploadedFile("results.csv", factories.csv_bytes(rows))

    preview = officer_client.post(URL, {"file": upload})

    page = visible(preview)
    assert f"{len(rows)} new, 0 changed, 0 unchanged." in page
    assert "more figure" not in page
    payload = re.search(r'name="payload" value="([^"]+)"', preview.text)[1]
    officer_client.post(URL, {"payload": payload})
    assert Score.objects.filter(assessment__agency=agency).count() == len(rows)


def test_preview_of_many_figures_shows_the_first_and_counts_the_rest(officer_client, monkeypatch, agency):
    monkeypatch.setattr("assessments.views.results.PREVIEW_ROWS", 10)
    rows = [("AG1", "2568", f"o{n}", "", "90.00") for n in range(1, 29)]
    upload = SimpleUploadedFile("results.csv", factories.csv_bytes(rows))

    preview = officer_client.post(URL, {"file": upload})

    page = visible(preview)
    assert "28 new, 0 changed, 0 unchanged." in page
    assert len(re.findall(r'<tr class="new">', preview.text)) == 10
    assert "and 18 more figures, saved with the others" in page
    payload = re.search(r'name="payload" value="([^"]+)"', preview.text)[1]
    officer_client.post(URL, {"payload": payload})
    assert Score.objects.count() == 28


def test_preview_carries_the_checked_figures_not_the_raw_cells(officer_client, agency):
    noise = "".join(random.Random(8).choices(string.ascii_letters, k=900))
    rows = [("AG1", "2568", "ITA", "", "0" * 900 + "95.08", noise)]
    upload = SimpleUploadedFile("results.csv", factories.csv_bytes(rows, RESULT_COLUMNS + ("source",)))

    preview = officer_client.post(URL, {"file": upload})

    payload = re.search(r'name="payload" value="([^"]+)"', preview.text)[1]
    assert len(payload) < 300
    officer_client.post(URL, {"payload": payload})
    assert [(s.code, str(s.score)) for s in Score.objects.all()] == [("ITA", "95.08")]
