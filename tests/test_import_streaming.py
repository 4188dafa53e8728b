"""The national import (issue 14): a results file is read as a stream, its memory does not grow
with its rows, it stays all-or-nothing, and each batch costs the same queries.

Sizes are small (hundreds of agencies, not 8,323) so that the tests run in seconds; what they
show is the shape: four times the rows, the same peak memory. The time of a national-size
import is measured in benchmarks/national_import.py, never asserted here.
"""

import io
import re
import tracemalloc
from decimal import Decimal

import pytest
from django.core.files.uploadhandler import TemporaryFileUploadHandler
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from assessments import importing
from assessments.importing import ResultsFile, check_results_file, save_results_file
from assessments.models import Agency, AgencyType, Assessment, AssessmentQuerySet, Score
from tests.test_import_limits import write_xlsx

pytestmark = pytest.mark.django_db

# The 61 item figures of 2568 that a national file carries for every agency.
ITEMS = (
    [(f"i{n}", "") for n in range(1, 16)]
    + [(f"e{n}", part) for n in range(1, 10) for part in ("public", "survey")]
    + [(f"o{n}", "") for n in range(1, 29)]
)


def agencies(prefix, count):
    kind = AgencyType.objects.get(code="department")
    codes = [f"{prefix}{number:04d}" for number in range(count)]
    Agency.objects.bulk_create(Agency(code=code, name_th=f"หน่วยงาน {code}", agency_type=kind) for code in codes)
    return codes


def score(agency_number, item_number):
    return f"{50 + (agency_number * 7 + item_number * 13) % 5000 / 100:.2f}"


def result_rows(codes):
    for a, code in enumerate(codes):
        for i, (item, part) in enumerate(ITEMS):
            yield (code, "2568", item, part, score(a, i))


def write_csv(path, rows, extra=b""):
    with path.open("wb") as file:
        file.write(b"agency,fiscal_year,code,part,score\r\n")
        for row in rows:
            file.write((",".join(row) + "\r\n").encode())
        file.write(extra)
    return path


def import_file(path):
    out = io.StringIO()
    call_command("import_results", str(path), stdout=out)
    return out.getvalue()


def peak_of(work):
    """The peak of memory traced while `work()` runs, in bytes."""
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        work()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_importing_four_times_the_rows_takes_no_more_memory(tmp_path):
    # A first import loads what every import loads once (frameworks, translations, query plans).
    import_file(write_csv(tmp_path / "warm.csv", result_rows(agencies("W", 5))))
    # Two batches' worth against eight: a file within one batch would measure the batch instead.
    count = 2 * -(-importing.RESULTS_BATCH // len(ITEMS))
    small = write_csv(tmp_path / "small.csv", result_rows(agencies("S", count)))
    large = write_csv(tmp_path / "large.csv", result_rows(agencies("L", 4 * count)))

    small_peak = peak_of(lambda: import_file(small))
    large_peak = peak_of(lambda: import_file(large))

    assert Score.objects.filter(assessment__agency__code__startswith="L").count() == 4 * count * 61
    assert Score.objects.filter(assessment__agency__code__startswith="S").count() == count * 61
    # Every row of the large file held at once would be several megabytes more.
    assert large_peak <= 1.2 * small_peak, (small_peak, large_peak)


def sheet_of(codes):
    yield "<sheetData><row>"
    yield "".join(f'<c t="inlineStr"><is><t>{name}</t></is></c>' for name in importing.RESULT_COLUMNS)
    yield "</row>"
    for row in result_rows(codes):
        agency, year, code, part, value = row
        yield (
            f'<row><c t="inlineStr"><is><t>{agency}</t></is></c><c><v>{year}</v></c>'
            f'<c t="inlineStr"><is><t>{code}</t></is></c><c t="inlineStr"><is><t>{part}</t></is></c>'
            f"<c><v>{value}</v></c></row>"
        )
    yield "</sheetData>"


def test_reading_an_xlsx_of_four_times_the_rows_takes_no_more_memory(tmp_path):
    small = write_xlsx(tmp_path / "small.xlsx", sheet_of([f"S{n:04d}" for n in range(100)]))
    large = write_xlsx(tmp_path / "large.xlsx", sheet_of([f"L{n:04d}" for n in range(400)]))
    counted = {}

    def read(path):
        counted[path.name] = sum(1 for _row in ResultsFile(path))

    read(small)  # warm
    small_peak, large_peak = peak_of(lambda: read(small)), peak_of(lambda: read(large))

    assert counted == {"small.xlsx": 100 * 61, "large.xlsx": 400 * 61}
    assert large_peak <= 1.2 * small_peak, (small_peak, large_peak)


def test_a_bad_row_at_the_end_of_a_large_file_writes_nothing(tmp_path):
    codes = agencies("B", 200)  # 12,200 rows: six batches' worth
    path = write_csv(tmp_path / "results.csv", result_rows(codes), extra=b"B0199,2568,o28,,101\r\n")

    with pytest.raises(CommandError) as info:
        import_file(path)

    assert str(info.value).splitlines()[1].endswith("| Row 12202: score 101 is outside 0–100")
    assert (Assessment.objects.count(), Score.objects.count(), Score.history.count()) == (0, 0, 0)


def test_a_duplicate_at_the_end_of_a_large_file_names_its_first_row_and_writes_nothing(tmp_path):
    codes = agencies("D", 100)
    path = write_csv(tmp_path / "results.csv", result_rows(codes), extra=b"D0000,2568,i1,,90.00\r\n")

    with pytest.raises(CommandError) as info:
        import_file(path)

    assert str(info.value).splitlines()[1].endswith("| Row 6102: duplicate of row 2 (same agency, year, code and part)")
    assert (Assessment.objects.count(), Score.objects.count()) == (0, 0)


def test_a_large_file_is_saved_whole_with_its_history_and_summaries(tmp_path):
    codes = agencies("G", 70)  # three batches of 2,000 figures and one of 270
    path = write_csv(tmp_path / "results.csv", result_rows(codes))

    output = import_file(path)

    assert "Imported 4270 figures: 4270 new, 0 changed, 0 unchanged." in output
    assert Score.objects.count() == Score.history.filter(history_type="+").count() == 4270
    assessment = Assessment.objects.get(agency__code="G0003", fiscal_year=2568)
    assert sorted(assessment.scores.values_list("code", "part", "score"))[:2] == [
        ("e1", 1, Decimal(score(3, 15))),
        ("e1", 2, Decimal(score(3, 16))),
    ]
    assessment.refresh_from_db()
    stored = (assessment.overall, assessment.level)
    assessment.refresh_summary(ranks=False)
    assert (assessment.overall, assessment.level) == stored  # the import stored what the engine gives
    assert assessment.overall is not None
    assert Assessment.objects.filter(fiscal_year=2568, rank_in_type__isnull=True).count() == 0
    assert "Imported 4270 figures: 0 new, 0 changed, 4270 unchanged." in import_file(path)


def queries_per_import(codes, path, batch_size, monkeypatch):
    """Queries the import itself makes, apart from those of refresh_summaries (the models' own)."""
    summaries = []
    refresh = AssessmentQuerySet.refresh_summaries

    def counted_refresh(queryset, *args, **kwargs):
        before = len(connection.queries)
        refresh(queryset, *args, **kwargs)
        summaries.append(len(connection.queries) - before)

    monkeypatch.setattr(AssessmentQuerySet, "refresh_summaries", counted_refresh)
    check = check_results_file(ResultsFile(path))
    assert check.problems == []
    with CaptureQueriesContext(connection) as queries:
        save_results_file(check, batch_size=batch_size)
    return len(queries) - sum(summaries), len(summaries)


def test_each_batch_makes_the_same_queries_however_many_agencies_it_holds(tmp_path, monkeypatch):
    one_each = agencies("A", 4)
    four_each = agencies("F", 16)
    eight = agencies("E", 8)

    small = queries_per_import(one_each, write_csv(tmp_path / "a.csv", result_rows(one_each)), 61, monkeypatch)
    large = queries_per_import(four_each, write_csv(tmp_path / "f.csv", result_rows(four_each)), 244, monkeypatch)
    longer = queries_per_import(eight, write_csv(tmp_path / "e.csv", result_rows(eight)), 61, monkeypatch)

    assert small[1] == large[1] == 4  # four batches each
    assert small[0] == large[0]  # four times the agencies and figures in each batch, the same queries
    per_batch = (longer[0] - small[0]) // 4
    assert longer[0] == small[0] + 4 * per_batch
    # Lock the agencies, read and create the assessments (and their history), read the saved scores,
    # insert the new ones and their history, and the transaction's own statements.
    assert per_batch == 9


# Through the web upload


class RecordedUploads(TemporaryFileUploadHandler):
    """Django's handler for large uploads, noting what each upload became."""

    kinds: list[str] = []

    def file_complete(self, file_size):
        file = super().file_complete(file_size)
        self.kinds.append(type(file).__name__)
        return file


@pytest.fixture
def admin_client(client, django_user_model, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"}}
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    client.force_login(django_user_model.objects.create_superuser("national", password="x-national-2570"))
    return client


def test_a_large_upload_is_streamed_from_a_temporary_file_kept_until_confirmed(
    admin_client, tmp_path, monkeypatch, settings
):
    # 500 agencies × 61 items: 30,500 figures, 0.9 MB, past FILE_UPLOAD_MAX_MEMORY_SIZE set low
    # and past PAYLOAD_FIGURES: the path of a national file (a temporary file, kept in storage).
    monkeypatch.setattr("assessments.views.results.PAYLOAD_FIGURES", 20_000)
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 256 * 1024
    codes = agencies("U", 500)
    path = write_csv(tmp_path / "national.csv", result_rows(codes))
    RecordedUploads.kinds = []

    with override_settings(FILE_UPLOAD_HANDLERS=[f"{__name__}.RecordedUploads"]), path.open("rb") as file:
        preview = admin_client.post("/results/import/", {"file": file})

    assert RecordedUploads.kinds == ["TemporaryUploadedFile"]  # on disk, not in memory
    assert re.search(r"30,?500 new, 0 changed, 0 unchanged\.", preview.text)
    assert "and 30,000 more figures, saved with the others" in preview.text
    assert len(preview.content) < 400_000  # 500 rows previewed, not 30,500 carried in the page
    payload = re.search(r'name="payload" value="([^"]+)"', preview.text)[1]
    assert len(payload) < 300
    assert Score.objects.count() == 0

    saved = admin_client.post("/results/import/", {"payload": payload})

    assert saved.status_code == 302
    assert Score.objects.count() == 30_500
    assert list((tmp_path / "media" / "imports").iterdir()) == []  # the kept upload is removed once saved
    again = admin_client.post("/results/import/", {"payload": payload}, follow=True)
    assert "The preview has expired; upload the file again." in again.text
    assert Score.objects.count() == 30_500
