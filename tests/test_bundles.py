"""Year-end bundles: every document of the agencies under an organisation as one ZIP, built by
the database-backed worker, with progress that survives a reload."""

import io
import os
import signal
import subprocess
import sys
import time
import zipfile
from datetime import timedelta
from functools import partial

import openpyxl
import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from assessments.models import Membership
from measures.models import ProgressEntry, State, Status
from reports.models import Bundle, BundleStatus
from reports.tasks import build_bundle
from tests import factories, published
from tests.concurrency import at_once, client_for
from tests.published import indicators
from tests.test_reports_analysis import compact, pdf_text

PAGE = "/bundles/"
ALREADY = "กำลังสร้างชุดเอกสารนี้อยู่แล้ว"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def ministry(db):
    return factories.agency("MIN", "กระทรวงทดสอบ", agency_type="ministry")


@pytest.fixture
def family(ministry, agency, other_agency, unit):
    """AG1 sits under the ministry with the results of 2565 and a plan of 2566; AG2 is elsewhere."""
    agency.parent = ministry
    agency.save()
    factories.assessment(agency, 2565, {**published.TCEB_2565_ITEMS, **indicators(published.TCEB_2565_INDICATORS)})
    factories.assessment(other_agency, 2565, indicators(published.TCEB_2565_INDICATORS))
    measure = factories.measure(agency, 2566, "มาตรการป้องกันการใช้ทรัพย์สินของราชการ", lead_unit=unit, items=("I20",))
    entry = ProgressEntry.objects.get(measure=measure, round__kind="q4", unit=unit)
    entry.result, entry.percent, entry.status, entry.state = "จัดอบรมครบทุกหน่วย", 100, Status.DONE, State.APPROVED
    entry.save()
    return ministry


@pytest.fixture
def overseer(family):
    return factories.member("overseer", family, "officer", oversight=True)


def request_bundle(client, user, organisation="MIN", year=2566):
    client.force_login(user)
    return client.post(PAGE, {"organisation": organisation, "fiscal_year": year})


def run_worker(monkeypatch):
    """Run `manage.py db_worker` until the queue is empty, inside the test's transaction."""
    # The worker drops connections it thinks stale; the test's open transaction looks like one.
    monkeypatch.setattr("django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None)
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)


def test_the_worker_builds_every_document_of_the_agencies_under_the_organisation(client, overseer, monkeypatch):
    response = request_bundle(client, overseer)

    assert response.status_code == 302
    bundle = Bundle.objects.get()
    assert list(bundle.agencies.values_list("code", flat=True).order_by("code")) == ["AG1", "MIN"]
    assert bundle.status == BundleStatus.QUEUED
    assert str(DBTaskResult.objects.get().id) == bundle.task_id

    run_worker(monkeypatch)

    bundle.refresh_from_db()
    assert (bundle.status, bundle.done, bundle.total) == (BundleStatus.DONE, 15, 15)
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"
    download = client.get(f"/bundles/{bundle.pk}/download")
    assert download.status_code == 200
    assert download["Content-Disposition"] == 'attachment; filename="ita-MIN-2566.zip"'
    archive = zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content)))
    names = sorted(archive.namelist())
    assert names == sorted(
        ["MIN-2566/index.txt"]
        + [
            f"MIN-2566/AG1/{name}.{extension}"
            for name in (
                "ita-analysis-AG1-2565",
                "ita-plan-AG1-2566",
                "ita-improvement-AG1-2566",
                "ita-progress-AG1-2566-6m",
                "ita-progress-AG1-2566-12m",
            )
            for extension in ("pdf", "xlsx", "docx")
        ]
    )

    analysis = "".join(pdf_text(archive.read("MIN-2566/AG1/ita-analysis-AG1-2565.pdf")))
    assert compact("หน่วยงานทดสอบหนึ่ง") in analysis
    assert compact("87.77") in analysis  # item I20 of 2565, as published
    report = "".join(pdf_text(archive.read("MIN-2566/AG1/ita-progress-AG1-2566-12m.pdf")))
    assert compact("มาตรการป้องกันการใช้ทรัพย์สินของราชการ") in report
    assert compact("มาตรการทั้งหมด 1 มาตรการ ดำเนินการแล้วเสร็จ 1 มาตรการ คิดเป็นร้อยละ 100.00") in report
    plan = openpyxl.load_workbook(io.BytesIO(archive.read("MIN-2566/AG1/ita-plan-AG1-2566.xlsx")))
    cells = [str(cell.value) for row in plan.active.iter_rows() for cell in row if cell.value is not None]
    assert "มาตรการป้องกันการใช้ทรัพย์สินของราชการ" in cells

    index = archive.read("MIN-2566/index.txt").decode("utf-8").split("\r\n")
    assert index[0] == "ชุดเอกสาร ITA ปีงบประมาณ พ.ศ. 2566"
    assert index[1] == "กระทรวงทดสอบ และหน่วยงานในกำกับ (2 หน่วยงาน)"
    assert index[3] == (
        "เอกสารแต่ละฉบับมี 3 แบบ: PDF สำหรับเผยแพร่ Excel (.xlsx) สำหรับใช้ตัวเลข และ Word (.docx) สำหรับแก้ไขและลงนาม"
    )
    assert index[5:] == [
        "หน่วยงานทดสอบหนึ่ง (AG1)",
        "  รายงานผลการวิเคราะห์ผลการประเมิน ITA ปี 2565",
        "      AG1/ita-analysis-AG1-2565.pdf",
        "      AG1/ita-analysis-AG1-2565.xlsx",
        "      AG1/ita-analysis-AG1-2565.docx",
        "  มาตรการส่งเสริมคุณธรรมและความโปร่งใสภายในหน่วยงาน",
        "      AG1/ita-plan-AG1-2566.pdf",
        "      AG1/ita-plan-AG1-2566.xlsx",
        "      AG1/ita-plan-AG1-2566.docx",
        "  แผนพัฒนาการส่งเสริมคุณธรรมและความโปร่งใส",
        "      AG1/ita-improvement-AG1-2566.pdf",
        "      AG1/ita-improvement-AG1-2566.xlsx",
        "      AG1/ita-improvement-AG1-2566.docx",
        "  รายงานผลการดำเนินงานตามมาตรการ รอบ 6 เดือน",
        "      AG1/ita-progress-AG1-2566-6m.pdf",
        "      AG1/ita-progress-AG1-2566-6m.xlsx",
        "      AG1/ita-progress-AG1-2566-6m.docx",
        "  รายงานผลการดำเนินงานตามมาตรการ รอบ 12 เดือน",
        "      AG1/ita-progress-AG1-2566-12m.pdf",
        "      AG1/ita-progress-AG1-2566-12m.xlsx",
        "      AG1/ita-progress-AG1-2566-12m.docx",
        "  - ยังไม่มีผลการประเมินปี 2566 จึงไม่มีรายงานผลการวิเคราะห์ของปีนั้น",
        "",
        "กระทรวงทดสอบ (MIN)",
        "  - ยังไม่มีผลการประเมินปี 2565 จึงไม่มีรายงานผลการวิเคราะห์ของปีนั้น",
        "  - ยังไม่มีผลการประเมินปี 2566 จึงไม่มีรายงานผลการวิเคราะห์ของปีนั้น",
        "  - ยังไม่มีมาตรการปีงบประมาณ 2566 จึงไม่มีแผนและรายงานผลการดำเนินงาน",
        "",
    ]


def test_a_failed_build_says_so_and_keeps_no_file(client, overseer, monkeypatch):
    request_bundle(client, overseer)
    bundle = Bundle.objects.get()

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr("reports.bundles.render", broken)
    with pytest.raises(RuntimeError):
        build_bundle.call(bundle.pk)

    bundle.refresh_from_db()
    assert bundle.status == BundleStatus.FAILED and not bundle.file
    assert bundle.failure == "RuntimeError: disk full"
    page = client.get(PAGE)
    assert "สร้างชุดเอกสารไม่สำเร็จ" in page.text
    assert client.get(f"/bundles/{bundle.pk}/download").status_code == 404


# Progress that survives a reload


@pytest.fixture
def running(family, overseer):
    bundle = Bundle.objects.create(
        organisation=family, fiscal_year=2566, requested_by=overseer, status=BundleStatus.RUNNING, done=3, total=10
    )
    return bundle


def test_a_reload_shows_the_progress_the_worker_recorded(client, overseer, running):
    client.force_login(overseer)

    response = client.get(PAGE)

    row = response.text.split(f'id="bundle-{running.pk}"')[1].split("</tr>")[0]
    assert f'data-status-url="/bundles/{running.pk}/status"' in row
    assert '<progress max="10" value="3">30%</progress>' in row
    assert "เขียนแล้ว 3 จาก 10 ไฟล์" in row
    assert 'src="/static/js/bundles.js"' in response.text


def test_the_status_answers_with_the_figures_and_in_english(client, overseer, running):
    client.force_login(overseer)

    status = client.get(f"/bundles/{running.pk}/status").json()
    client.post("/i18n/setlang/", {"language": "en", "next": PAGE})
    english = client.get(f"/bundles/{running.pk}/status").json()

    assert status == {
        "status": "running",
        "finished": False,
        "done": 3,
        "total": 10,
        "percent": 30,
        "label": "เขียนแล้ว 3 จาก 10 ไฟล์",
    }
    assert english["label"] == "3 of 10 files written"


def test_asking_again_while_it_runs_queues_nothing(client, overseer, running):
    response = request_bundle(client, overseer)

    assert response.status_code == 302
    assert Bundle.objects.count() == 1 and not DBTaskResult.objects.exists()
    assert "กำลังสร้างชุดเอกสารนี้อยู่แล้ว" in client.get(PAGE).text


def test_a_new_bundle_replaces_the_finished_one_and_its_file(
    client, overseer, family, django_capture_on_commit_callbacks
):
    old = Bundle.objects.create(organisation=family, fiscal_year=2566, requested_by=overseer, status=BundleStatus.DONE)
    old.file.save("ita-MIN-2566.zip", ContentFile(b"old"), save=True)
    path = old.file.path

    with django_capture_on_commit_callbacks(execute=True):
        request_bundle(client, overseer)

    assert list(Bundle.objects.values_list("status", flat=True)) == [BundleStatus.QUEUED]
    assert not Bundle.objects.filter(pk=old.pk).exists()
    assert not os.path.exists(path)


def test_the_page_runs_a_fixed_number_of_queries(client, overseer, family):
    client.force_login(overseer)
    Bundle.objects.create(organisation=family, fiscal_year=2566, requested_by=overseer)
    with CaptureQueriesContext(connection) as one:
        client.get(PAGE)
    for year in (2563, 2564, 2565, 2567):
        Bundle.objects.create(organisation=family, fiscal_year=year, requested_by=overseer, status=BundleStatus.RUNNING)

    with CaptureQueriesContext(connection) as five:
        response = client.get(PAGE)

    assert response.text.count("<progress") == 5
    assert len(five) == len(one)


# Who may ask for a bundle, and of what


def test_anonymous_is_sent_to_login(client, db):
    for url in (PAGE, "/bundles/1/status", "/bundles/1/download"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("role", ["unit_staff", "executive"])
def test_readers_and_unit_staff_may_not_ask(client, family, role):
    client.force_login(factories.member("reader", family, role, oversight=True))

    assert client.get(PAGE).status_code == 403
    assert client.post(PAGE, {"organisation": "MIN", "fiscal_year": 2566}).status_code == 403
    assert not Bundle.objects.exists()


def test_an_officer_without_oversight_bundles_only_their_own_agency(client, family, officer):
    response = request_bundle(client, officer, organisation="AG1")

    assert response.status_code == 302
    assert list(Bundle.objects.get().agencies.values_list("code", flat=True)) == ["AG1"]


def test_another_organisation_is_refused_and_the_choice_kept(client, family, outsider):
    response = request_bundle(client, outsider, organisation="MIN", year=2565)

    assert response.status_code == 200
    assert not Bundle.objects.exists() and not DBTaskResult.objects.exists()
    assert "MIN ไม่ใช่หน่วยงานที่ท่านขอชุดเอกสารได้" in response.text
    assert '<option value="2565" selected>' in response.text
    assert [o.code for o in response.context["form"].fields["organisation"].queryset] == ["AG2"]


def test_nobody_else_sees_or_downloads_a_bundle(client, overseer, family, outsider, superuser):
    bundle = Bundle.objects.create(
        organisation=family, fiscal_year=2566, requested_by=overseer, status=BundleStatus.DONE
    )
    bundle.file.save("ita-MIN-2566.zip", ContentFile(b"zip"), save=True)

    for other in (outsider, superuser):
        client.force_login(other)
        assert client.get(f"/bundles/{bundle.pk}/status").status_code == 404
        assert client.get(f"/bundles/{bundle.pk}/download").status_code == 404
        assert f'id="bundle-{bundle.pk}"' not in client.get(PAGE).text
    client.force_login(overseer)
    assert client.get(f"/bundles/{bundle.pk}/download").status_code == 200


def test_the_menu_offers_bundles_to_officers_only(client, family, officer, unit_staff):
    client.force_login(officer)
    assert 'href="/bundles/"' in client.get("/").text
    client.force_login(unit_staff)
    assert 'href="/bundles/"' not in client.get("/").text


# Two quick requests queue one bundle


def test_two_quick_requests_queue_one_bundle(threads_db, family, overseer):
    clients = [client_for(overseer), client_for(overseer)]

    responses = at_once(
        *(partial(client.post, PAGE, {"organisation": "MIN", "fiscal_year": 2566}, follow=True) for client in clients)
    )

    assert [response.status_code for response in responses] == [200, 200]
    assert Bundle.objects.count() == 1 and DBTaskResult.objects.count() == 1
    assert str(DBTaskResult.objects.get().id) == Bundle.objects.get().task_id
    assert sorted(ALREADY in response.text for response in responses) == [False, True]


def test_a_bundle_queued_just_after_the_check_is_kept_and_the_late_request_queues_nothing(
    client, family, overseer, monkeypatch, django_capture_on_commit_callbacks
):
    # What PostgreSQL allows: the other request commits its bundle after this one found none
    # building and before this one replaces the finished ones.
    theirs = Bundle.objects.create(organisation=family, fiscal_year=2566, requested_by=overseer, task_id="theirs")
    monkeypatch.setattr("reports.models.BundleQuerySet.building", lambda self: self.none())

    with django_capture_on_commit_callbacks(execute=True):
        response = request_bundle(client, overseer)

    assert response.status_code == 302
    assert list(Bundle.objects.values_list("pk", "status", "task_id")) == [(theirs.pk, BundleStatus.QUEUED, "theirs")]
    assert DBTaskResult.objects.count() == 0


def test_the_database_holds_one_bundle_being_built_per_person_organisation_and_year(family, overseer):
    for status in (BundleStatus.DONE, BundleStatus.FAILED, BundleStatus.QUEUED):
        Bundle.objects.create(organisation=family, fiscal_year=2566, requested_by=overseer, status=status)
    Bundle.objects.create(organisation=family, fiscal_year=2565, requested_by=overseer, status=BundleStatus.RUNNING)

    with pytest.raises(IntegrityError), transaction.atomic():
        Bundle.objects.create(organisation=family, fiscal_year=2566, requested_by=overseer, status=BundleStatus.RUNNING)
    assert Bundle.objects.count() == 4


class LostRace:
    """Stands in for the task when a simultaneous request has just queued the same bundle: the
    database refuses the second one at the end of its transaction."""

    def enqueue(self, *args):
        raise IntegrityError("duplicate key value violates unique constraint one_bundle_building_per_request")


def test_a_request_that_is_rolled_back_keeps_the_old_bundle_and_its_file(
    client, overseer, family, monkeypatch, django_capture_on_commit_callbacks
):
    old = Bundle.objects.create(organisation=family, fiscal_year=2566, requested_by=overseer, status=BundleStatus.DONE)
    old.file.save("ita-MIN-2566.zip", ContentFile(b"old zip"), save=True)
    monkeypatch.setattr("reports.actions.build_bundle", LostRace())

    with django_capture_on_commit_callbacks(execute=True):
        response = request_bundle(client, overseer)
    page = client.get(PAGE)

    assert response.status_code == 302
    assert list(Bundle.objects.values_list("pk", "status")) == [(old.pk, BundleStatus.DONE)]
    assert os.path.exists(old.file.path)
    assert page.status_code == 200
    assert ALREADY in page.text
    assert f'href="/bundles/{old.pk}/download"' in page.text
    assert b"".join(client.get(f"/bundles/{old.pk}/download").streaming_content) == b"old zip"


# A missing file


def test_a_bundle_whose_file_is_gone_shows_as_missing_and_its_download_is_a_404(client, overseer, family):
    gone = Bundle.objects.create(
        organisation=family, fiscal_year=2566, requested_by=overseer, status=BundleStatus.DONE, file="bundles/gone.zip"
    )
    kept = Bundle.objects.create(organisation=family, fiscal_year=2565, requested_by=overseer, status=BundleStatus.DONE)
    kept.file.save("ita-MIN-2565.zip", ContentFile(b"zip"), save=True)
    client.force_login(overseer)

    page = client.get(PAGE)
    download = client.get(f"/bundles/{gone.pk}/download")
    client.post("/i18n/setlang/", {"language": "en", "next": PAGE})
    english = client.get(f"/bundles/{gone.pk}/download")

    assert page.status_code == 200
    row = page.text.split(f'id="bundle-{gone.pk}"')[1].split("</tr>")[0]
    assert "ไฟล์ของชุดเอกสารนี้ไม่มีอยู่ในเซิร์ฟเวอร์แล้ว โปรดขอใหม่อีกครั้ง" in row
    assert "/download" not in row
    assert f'href="/bundles/{kept.pk}/download"' in page.text
    assert download.status_code == 404
    assert "ไฟล์ของชุดเอกสารนี้ไม่มีอยู่ในเซิร์ฟเวอร์แล้ว โปรดขอใหม่อีกครั้ง" in download.text
    assert english.status_code == 404
    assert "The file of this bundle is no longer on the server. Please ask for it again." in english.text


def test_a_bundle_whose_file_is_gone_can_be_asked_again(client, overseer, family, django_capture_on_commit_callbacks):
    Bundle.objects.create(
        organisation=family, fiscal_year=2566, requested_by=overseer, status=BundleStatus.DONE, file="bundles/gone.zip"
    )

    with django_capture_on_commit_callbacks(execute=True):
        response = request_bundle(client, overseer)

    assert response.status_code == 302
    assert list(Bundle.objects.values_list("status", flat=True)) == [BundleStatus.QUEUED]


# A worker that died


STOPPED = "ระบบงานเบื้องหลังหยุดทำงานระหว่างสร้างชุดเอกสารนี้ โปรดขอใหม่อีกครั้ง"


def writes_to_bundles(queries):
    return [
        q["sql"]
        for q in queries
        if q["sql"].startswith(("UPDATE", "INSERT", "DELETE")) and "reports_bundle" in q["sql"]
    ]


@pytest.mark.parametrize(("seconds_ago", "stalled"), [(299, False), (301, True)])
def test_a_bundle_not_stamped_for_the_stall_time_shows_as_stopped_without_a_write(
    client, overseer, running, settings, seconds_ago, stalled
):
    settings.BUNDLE_STALL_SECONDS = 300
    Bundle.objects.filter(pk=running.pk).update(heartbeat_at=timezone.now() - timedelta(seconds=seconds_ago))
    client.force_login(overseer)

    with CaptureQueriesContext(connection) as queries:
        page = client.get(PAGE)
        status = client.get(f"/bundles/{running.pk}/status").json()

    row = page.text.split(f'id="bundle-{running.pk}"')[1].split("</tr>")[0]
    assert (STOPPED in row) is stalled
    assert ("<progress" in row, "data-status-url" in row) == (not stalled, not stalled)
    assert (status["status"], status["finished"]) == (("failed", True) if stalled else ("running", False))
    assert status["label"] == (STOPPED if stalled else "เขียนแล้ว 3 จาก 10 ไฟล์")
    assert writes_to_bundles(queries) == []
    assert Bundle.objects.get().status == BundleStatus.RUNNING


def test_asking_again_after_the_worker_died_gives_the_bundle_up_and_queues_a_new_one(
    client, overseer, running, caplog, django_capture_on_commit_callbacks
):
    heartbeat = timezone.now() - timedelta(seconds=301)
    Bundle.objects.filter(pk=running.pk).update(heartbeat_at=heartbeat)

    with django_capture_on_commit_callbacks(execute=True):
        response = request_bundle(client, overseer)

    assert response.status_code == 302
    new = Bundle.objects.get()
    assert new.pk != running.pk and new.status == BundleStatus.QUEUED
    assert str(DBTaskResult.objects.get().id) == new.task_id
    assert f"Year-end bundle {running.pk} lost its worker (last stamped {heartbeat})" in caplog.text
    assert ALREADY not in client.get(PAGE).text


def fake_write_bundle(during):
    """A build that writes one file and calls `during` at the given moment."""

    def write(bundle, out, on_start, on_file):
        on_start(1)
        if during == "a file":
            ask_again(bundle)
        out.write(b"zip")
        on_file()
        if during == "saving":
            ask_again(bundle)

    return write


def ask_again(bundle):
    """The worker seems dead to the page, and the user asks again while it is in fact paused."""
    Bundle.objects.filter(pk=bundle.pk).update(heartbeat_at=timezone.now() - timedelta(seconds=301))
    request_bundle(Client(), bundle.requested_by)


@pytest.mark.parametrize("during", ["a file", "saving"])
def test_a_worker_that_resumes_after_its_bundle_was_asked_again_leaves_the_new_one_alone(
    client, overseer, family, monkeypatch, settings, during
):
    request_bundle(client, overseer)
    old = Bundle.objects.get()
    monkeypatch.setattr("reports.tasks.write_bundle", fake_write_bundle(during))

    build_bundle.call(old.pk)

    new = Bundle.objects.get()
    assert new.pk != old.pk
    assert (new.status, new.done, new.file.name) == (BundleStatus.QUEUED, 0, "")
    assert list((settings.MEDIA_ROOT / "bundles").iterdir() if (settings.MEDIA_ROOT / "bundles").exists() else []) == []


def test_a_second_worker_given_the_same_bundle_does_nothing(client, overseer, family, monkeypatch):
    request_bundle(client, overseer)
    bundle = Bundle.objects.get()
    monkeypatch.setattr("reports.tasks.write_bundle", fake_write_bundle(during=None))
    build_bundle.call(bundle.pk)
    built = Bundle.objects.get()

    def never(*args, **kwargs):
        raise AssertionError("the bundle was built twice")

    monkeypatch.setattr("reports.tasks.write_bundle", never)
    build_bundle.call(bundle.pk)
    Bundle.objects.filter(pk=bundle.pk).update(status=BundleStatus.RUNNING)
    build_bundle.call(bundle.pk)

    assert (built.status, built.done, built.total) == (BundleStatus.DONE, 1, 1)
    assert Bundle.objects.get().file.name == built.file.name
    assert built.file.read() == b"zip"


# A worker killed for real: `manage.py db_worker` in its own process, killed with SIGKILL


BLOCKING_WORKER = """
import time

import django

django.setup()

import reports.bundles
from django.core.management import call_command

written = []


def render(document, file_format, landscape=False):
    # The first file is written at once; the worker is killed while it "renders" the second.
    if written:
        time.sleep(3600)
    written.append(file_format)
    return b"content", "application/pdf", f"first.{file_format}"


reports.bundles.render = render
call_command("db_worker", "--no-startup-delay", "--interval", "0.2", "--no-reload")
"""


def database_url():
    database = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{database['NAME']}"
    return (
        f"postgres://{database['USER']}:{database['PASSWORD']}@{database['HOST']}:{database['PORT']}/{database['NAME']}"
    )


def wait_for(condition, seconds=120):
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "the worker did not get there in time"
        time.sleep(0.2)


def test_a_worker_killed_mid_build_is_seen_as_stopped_and_the_bundle_can_be_asked_again(
    threads_db, family, overseer, settings, tmp_path
):
    client = client_for(overseer)
    client.post(PAGE, {"organisation": "MIN", "fiscal_year": 2566})
    bundle = Bundle.objects.get()
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "ita_tracker.settings",
        "DATABASE_URL": database_url(),
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
    }
    with open(tmp_path / "worker.log", "wb") as log:
        worker = subprocess.Popen(
            [sys.executable, "-c", BLOCKING_WORKER],
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=settings.BASE_DIR,
        )
        try:
            wait_for(lambda: Bundle.objects.get(pk=bundle.pk).done == 1 or worker.poll() is not None)
        finally:
            worker.kill()  # SIGKILL: no handler, no clean-up, as the OOM killer does
            worker.wait()
    assert worker.returncode == -signal.SIGKILL, (tmp_path / "worker.log").read_text()

    killed = Bundle.objects.get(pk=bundle.pk)
    assert (killed.status, killed.done, killed.total) == (BundleStatus.RUNNING, 1, 15)
    assert "<progress" in client.get(PAGE).text  # too soon to tell a dead worker from a slow one
    assert ALREADY in client.post(PAGE, {"organisation": "MIN", "fiscal_year": 2566}, follow=True).text

    # The stall time passes without a sign of the worker.
    Bundle.objects.filter(pk=bundle.pk).update(
        heartbeat_at=killed.heartbeat_at - timedelta(seconds=settings.BUNDLE_STALL_SECONDS)
    )
    assert STOPPED in client.get(PAGE).text
    assert client.get(f"/bundles/{bundle.pk}/status").json()["finished"] is True

    again = client.post(PAGE, {"organisation": "MIN", "fiscal_year": 2566}, follow=True)

    assert ALREADY not in again.text
    new = Bundle.objects.get()
    assert new.pk != bundle.pk and new.status == BundleStatus.QUEUED
    assert DBTaskResult.objects.get(id=new.task_id).status == "READY"


# Scoping: checked on every request


def test_a_member_removed_from_the_organisation_no_longer_sees_or_downloads_its_bundles(client, family, other_agency):
    member = factories.member("member", family, "officer", oversight=True)
    Membership.objects.create(user=member, agency=other_agency, role="officer")
    bundle = Bundle.objects.create(organisation=family, fiscal_year=2566, requested_by=member, status=BundleStatus.DONE)
    bundle.file.save("ita-MIN-2566.zip", ContentFile(b"zip"), save=True)
    client.force_login(member)
    assert client.get(f"/bundles/{bundle.pk}/download").status_code == 200

    Membership.objects.filter(user=member, agency=family).delete()

    assert f'id="bundle-{bundle.pk}"' not in client.get(PAGE).text
    assert client.get(f"/bundles/{bundle.pk}/status").status_code == 404
    assert client.get(f"/bundles/{bundle.pk}/download").status_code == 404


def test_a_member_who_lost_oversight_no_longer_downloads_a_bundle_of_the_agencies_under(client, family, agency):
    member = factories.member("member", family, "officer", oversight=True)
    bundle = Bundle.objects.create(organisation=family, fiscal_year=2566, requested_by=member, status=BundleStatus.DONE)
    bundle.agencies.set([family, agency])
    bundle.file.save("ita-MIN-2566.zip", ContentFile(b"zip"), save=True)
    own = Bundle.objects.create(organisation=family, fiscal_year=2565, requested_by=member, status=BundleStatus.DONE)
    own.agencies.set([family])
    own.file.save("ita-MIN-2565.zip", ContentFile(b"zip"), save=True)
    client.force_login(member)

    Membership.objects.filter(user=member).update(oversight=False)

    page = client.get(PAGE).text
    assert f'id="bundle-{bundle.pk}"' not in page and f'id="bundle-{own.pk}"' in page
    assert client.get(f"/bundles/{bundle.pk}/download").status_code == 404
    assert client.get(f"/bundles/{own.pk}/download").status_code == 200
