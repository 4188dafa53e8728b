"""A save the database cannot take in time keeps the user's text and says so, never a 500; a save
made during a large import waits for one batch and goes through (issue 8, point 3).

Another connection holds the write lock a save needs (SQLite: the database's; PostgreSQL: the
table's), with the wait cut from 20 s to a second or two for the test."""

import threading
import time
from contextlib import contextmanager

import pytest
from django.db import connection

from assessments.importing import check_results, save_results
from measures.models import Measure, ProgressEntry, Unit
from tests import factories, published
from tests.concurrency import at_once, client_for
from tests.entries_support import form_data, visible

pytestmark = pytest.mark.usefixtures("threads_db")

BUSY_TH = "ฐานข้อมูลกำลังบันทึกการเปลี่ยนแปลงอื่นอยู่"
BUSY_EN = "The database is busy with another change"


@pytest.fixture
def wait_at_most():
    """Set how long a save waits for a lock, in seconds, on this test's connections."""
    options = connection.settings_dict["OPTIONS"]
    saved = dict(options)

    def wait(seconds):
        if connection.vendor == "sqlite":
            options["timeout"] = seconds
        else:
            options["options"] = f"-c lock_timeout={int(seconds * 1000)}"
        connection.close()  # the next query connects with it

    yield wait
    options.clear()
    options.update(saved)
    connection.close()


@contextmanager
def write_lock_held(model):
    """While inside, another connection holds the lock that a write to `model` needs. Yields an
    event that releases it early when set."""
    locked, release = threading.Event(), threading.Event()

    def hold():
        holder = connection.copy()
        try:
            with holder.cursor() as cursor:
                if holder.vendor == "sqlite":
                    cursor.execute("BEGIN IMMEDIATE")
                else:
                    cursor.execute("BEGIN")
                    cursor.execute(f"LOCK TABLE {model._meta.db_table} IN EXCLUSIVE MODE")
                locked.set()
                release.wait(120)
                cursor.execute("ROLLBACK")
        finally:
            holder.close()
            connection.close()

    thread = threading.Thread(target=hold)
    thread.start()
    assert locked.wait(10)
    try:
        yield release
    finally:
        release.set()
        thread.join()


@contextmanager
def released_once_a_write_waits(release, seconds):
    """Set `release` `seconds` after this thread's first write begins (and waits for the lock)."""
    timers = []

    def wrapper(execute, sql, params, many, context):
        if not timers and sql.lstrip().upper().startswith(("BEGIN", "UPDATE", "INSERT")):
            timers.append(threading.Timer(seconds, release.set))
            timers[0].start()
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        yield
    assert timers, "no write was made"


@pytest.fixture
def entry(agency, unit):
    factories.assessment(agency, 2565, {"I20": "70.70"})
    measure = factories.measure(agency, 2566, "สื่อสารขั้นตอนการขออนุญาตใช้ทรัพย์สินของราชการ", lead_unit=unit, items=["I20"])
    return measure.entries.get(unit=unit, round__kind="q1")


def english(client):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    return client


TYPED = "ชี้แจงผู้ปฏิบัติงานครบทุกคนแล้ว"


def test_a_report_saved_while_the_database_stays_locked_keeps_the_text_with_a_message(wait_at_most, unit_staff, entry):
    wait_at_most(1)
    client = client_for(unit_staff)
    with write_lock_held(ProgressEntry):
        response = client.post(
            f"/entries/{entry.pk}/",
            form_data(
                entry, new_activities=[("2565-11-10", "ส่งหนังสือเวียน")], result=TYPED, percent=40, status="on_track"
            ),
        )

    assert response.status_code == 503
    assert BUSY_TH in visible(response)
    assert TYPED in response.text and "ส่งหนังสือเวียน" in response.text
    entry.refresh_from_db()
    assert (entry.result, entry.percent, entry.revision, entry.activities.count()) == ("", 0, 0, 0)


def test_the_busy_message_is_in_english_when_english_is_selected(wait_at_most, unit_staff, entry):
    wait_at_most(1)
    client = english(client_for(unit_staff))
    with write_lock_held(ProgressEntry):
        response = client.post(f"/entries/{entry.pk}/", form_data(entry, result=TYPED))

    assert response.status_code == 503
    assert BUSY_EN in visible(response) and TYPED in response.text


def test_a_report_saved_while_the_lock_is_held_briefly_waits_and_is_saved(wait_at_most, unit_staff, entry):
    wait_at_most(5)
    client = client_for(unit_staff)
    with write_lock_held(ProgressEntry) as release, released_once_a_write_waits(release, 0.5):
        response = client.post(f"/entries/{entry.pk}/", form_data(entry, result=TYPED))

    assert response.status_code == 302
    entry.refresh_from_db()
    assert (entry.result, entry.revision) == (TYPED, 1)


def measure_data(unit, **changes):
    return {
        "name": "มาตรการยกระดับการเปิดเผยข้อมูลสาธารณะ",
        "analysis": "บางรายการเปิดเผยข้อมูลไม่ครบถ้วน",
        "steps": "แต่งตั้งผู้ตรวจทาน",
        "period": "quarters",
        "quarters": ["1"],
        "lead_unit": str(unit.pk),
        "report_frequency": "quarterly",
        "kpi": "ร้อยละของข้อที่ครบองค์ประกอบ",
        **changes,
    }


def test_a_new_measure_saved_while_the_database_stays_locked_keeps_the_text(wait_at_most, officer, agency, unit):
    factories.assessment(agency, 2568, published.angthong_2568_figures())
    wait_at_most(1)
    client = client_for(officer)
    with write_lock_held(Measure):
        response = client.post("/agencies/AG1/2569/plan/new/", measure_data(unit))

    assert response.status_code == 503
    assert BUSY_TH in visible(response)
    assert "มาตรการยกระดับการเปิดเผยข้อมูลสาธารณะ" in response.text and "บางรายการเปิดเผยข้อมูลไม่ครบถ้วน" in response.text
    assert Measure.objects.filter(fiscal_year=2569).count() == 0


def test_a_measure_edited_while_the_database_stays_locked_keeps_the_text(wait_at_most, officer, agency, unit):
    factories.assessment(agency, 2568, published.angthong_2568_figures())
    measure = factories.measure(agency, 2569, "ชื่อเดิม", lead_unit=unit)
    wait_at_most(1)
    client = client_for(officer)
    with write_lock_held(Measure):
        response = client.post(f"/measures/{measure.pk}/edit/", measure_data(unit, name="ชื่อใหม่ที่พิมพ์ไว้", revision="0"))

    assert response.status_code == 503
    assert BUSY_TH in visible(response) and "ชื่อใหม่ที่พิมพ์ไว้" in response.text
    measure.refresh_from_db()
    assert (measure.name, measure.revision) == ("ชื่อเดิม", 0)


@pytest.mark.parametrize("language, text", [("th", "โปรดลองอีกครั้งในอีกสักครู่"), ("en", "Please try again in a moment")])
def test_any_other_save_while_the_database_stays_locked_answers_try_again(
    wait_at_most, officer, agency, language, text
):
    wait_at_most(1)
    client = client_for(officer)
    if language == "en":
        english(client)
    with write_lock_held(Unit):
        response = client.post("/agencies/AG1/units/", {"name": "งานใหม่", "abbreviation": "งม."})

    assert response.status_code == 503
    assert text in visible(response)
    assert Unit.objects.count() == 0


def figures_of(agencies):
    """Ang Thong's 87 figures of 2568 for each agency, checked as an import checks them."""
    parts = {0: "", 1: "public", 2: "survey"}
    rows = []
    for agency in agencies:
        for key, score in published.angthong_2568_figures().items():
            code, part = key if isinstance(key, tuple) else (key, 0)
            rows.append(
                {"agency": agency.code, "fiscal_year": "2568", "code": code, "part": parts[part], "score": str(score)}
            )
    figures, problems = check_results(list(enumerate(rows, start=2)))
    assert problems == []
    return figures


def test_a_save_made_during_a_large_import_waits_for_one_batch_and_goes_through(wait_at_most, unit_staff, entry):
    figures = figures_of([factories.agency(f"B{number:03d}") for number in range(60)])
    wait_at_most(2)  # the import as a whole takes longer; one of its batches much less
    first_batch, finished = threading.Event(), {}

    def import_all():
        counts = save_results(figures, progress=lambda written: first_batch.set())
        finished["import"] = time.monotonic()
        return counts

    def save():
        assert first_batch.wait(60)
        finished["save started"] = time.monotonic()
        return client_for(unit_staff).post(f"/entries/{entry.pk}/", form_data(entry, result=TYPED))

    counts, response = at_once(import_all, save)

    assert counts == {"created": len(figures), "updated": 0, "unchanged": 0}
    assert finished["save started"] < finished["import"]
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.result == TYPED
