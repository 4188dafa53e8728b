"""Year-end bundles: every document of the agencies under an organisation as one ZIP, built by
the database-backed worker, with progress that survives a reload."""

import io
import os
import zipfile

import openpyxl
import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tasks_db.models import DBTaskResult

from measures.models import ProgressEntry, State, Status
from reports.models import Bundle, BundleStatus
from reports.tasks import build_bundle
from tests import factories, published
from tests.published import indicators
from tests.test_reports_analysis import compact, pdf_text

PAGE = "/bundles/"


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
    assert (bundle.status, bundle.done, bundle.total) == (BundleStatus.DONE, 10, 10)
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
            for extension in ("pdf", "xlsx")
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
    assert index[4:] == [
        "หน่วยงานทดสอบหนึ่ง (AG1)",
        "  รายงานผลการวิเคราะห์ผลการประเมิน ITA ปี 2565",
        "      AG1/ita-analysis-AG1-2565.pdf",
        "      AG1/ita-analysis-AG1-2565.xlsx",
        "  มาตรการส่งเสริมคุณธรรมและความโปร่งใสภายในหน่วยงาน",
        "      AG1/ita-plan-AG1-2566.pdf",
        "      AG1/ita-plan-AG1-2566.xlsx",
        "  แผนพัฒนาการส่งเสริมคุณธรรมและความโปร่งใส",
        "      AG1/ita-improvement-AG1-2566.pdf",
        "      AG1/ita-improvement-AG1-2566.xlsx",
        "  รายงานผลการดำเนินงานตามมาตรการ รอบ 6 เดือน",
        "      AG1/ita-progress-AG1-2566-6m.pdf",
        "      AG1/ita-progress-AG1-2566-6m.xlsx",
        "  รายงานผลการดำเนินงานตามมาตรการ รอบ 12 เดือน",
        "      AG1/ita-progress-AG1-2566-12m.pdf",
        "      AG1/ita-progress-AG1-2566-12m.xlsx",
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

    assert status == {"status": "running", "finished": False, "done": 3, "total": 10, "percent": 30,
                      "label": "เขียนแล้ว 3 จาก 10 ไฟล์"}
    assert english["label"] == "3 of 10 files written"


def test_asking_again_while_it_runs_queues_nothing(client, overseer, running):
    response = request_bundle(client, overseer)

    assert response.status_code == 302
    assert Bundle.objects.count() == 1 and not DBTaskResult.objects.exists()
    assert "กำลังสร้างชุดเอกสารนี้อยู่แล้ว" in client.get(PAGE).text


def test_a_new_bundle_replaces_the_finished_one_and_its_file(client, overseer, family, settings):
    old = Bundle.objects.create(organisation=family, fiscal_year=2566, requested_by=overseer, status=BundleStatus.DONE)
    old.file.save("ita-MIN-2566.zip", ContentFile(b"old"), save=True)
    path = old.file.path

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
    assert "เลือกตัวเลือกที่ถูกต้อง" in response.text  # Django's Thai "Select a valid choice"
    assert '<option value="2565" selected>' in response.text
    assert [o.code for o in response.context["form"].fields["organisation"].queryset] == ["AG2"]


def test_nobody_else_sees_or_downloads_a_bundle(client, overseer, family, outsider, superuser):
    bundle = Bundle.objects.create(organisation=family, fiscal_year=2566, requested_by=overseer, status=BundleStatus.DONE)
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
