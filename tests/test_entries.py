"""Progress entries at /entries/<pk>/: who may read and change them, the form, evidence files,
no lost updates, Buddhist-Era dates, and a fixed number of queries per page."""

import datetime
import io
import re
import zipfile

import pytest
from django.core.files import uploadhandler
from django.core.files.base import ContentFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from PIL import Image

from measures import actions
from measures.actions import do_review_step, sync_entries
from measures.evidence import DOC, DOCX, PDF, PPT, XLS, XLSX, Refused, check_evidence, evidence_type
from measures.models import Activity, Evidence, Measure, ProgressEntry, ReviewEvent, State
from measures.views import entries
from tests import factories
from tests.entries_support import (
    CONTENT_TYPES,
    DOCUMENT,
    PDF as PDF_BYTES,
    WORD_MAIN,
    docx_bytes,
    form_data,
    ole2_bytes,
    package_bytes,
    plain_zip_bytes,
    png_bytes,
    revision_in,
    upload,
    visible,
    xlsx_bytes,
)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def measure(agency, unit, other_unit):
    """A measure of the 2566 plan for the weak item I20 of 2565, led by `unit`, supported by `other_unit`."""
    factories.assessment(agency, 2565, {"I20": "70.70"})
    return factories.measure(
        agency,
        2566,
        "สื่อสารขั้นตอนการขออนุญาตใช้ทรัพย์สินของราชการ",
        lead_unit=unit,
        supporting=[other_unit],
        items=["I20"],
        kpi="ร้อยละของผู้ปฏิบัติงานที่รับทราบ",
        target="ไม่น้อยกว่าร้อยละ 90",
        steps="ชี้แจงผู้ปฏิบัติงานในสังกัด\nรายงานผลส่งให้ ส.นผ.",
        months=[10, 11, 12],
    )


@pytest.fixture
def entry(measure, unit):
    return measure.entries.get(unit=unit, round__kind="q1")


@pytest.fixture
def other_entry(measure, other_unit):
    return measure.entries.get(unit=other_unit, round__kind="q1")


def add_evidence(entry, name="minutes.pdf"):
    return Evidence.objects.create(
        entry=entry, file=ContentFile(PDF_BYTES, name="x.pdf"), name=name, content_type=PDF, size=len(PDF_BYTES)
    )


def login(client, user):
    if user is not None:
        client.force_login(user)
    return client


# --- The permission ladder, for every URL ---------------------------------------------------

CAST = ["anonymous", "outsider", "other_unit_staff", "executive", "unit_staff", "officer", "superuser"]
READ = {
    "anonymous": 302,
    "outsider": 404,
    "other_unit_staff": 404,
    "executive": 200,
    "unit_staff": 200,
    "officer": 200,
    "superuser": 200,
}
# Saving redirects back to the page; refused writes are 403 for those who may read, 404 for those who may not.
EDIT = {**READ, "executive": 403, "unit_staff": 302, "officer": 302, "superuser": 302}
REVIEW = {**EDIT, "unit_staff": 403}
EDITORS, REVIEWERS = {"unit_staff", "officer", "superuser"}, {"officer", "superuser"}


def person(request, who):
    return None if who == "anonymous" else request.getfixturevalue(who)


@pytest.mark.parametrize("who", CAST)
def test_reading_the_entry_its_history_and_its_evidence(request, client, who, entry):
    item = add_evidence(entry)
    login(client, person(request, who))

    for url in (f"/entries/{entry.pk}/", f"/entries/{entry.pk}/history/", f"/entries/{entry.pk}/evidence/{item.pk}/"):
        response = client.get(url)
        assert response.status_code == READ[who], url
        if who == "anonymous":
            assert response.url.startswith("/accounts/login/")


@pytest.mark.parametrize("who", CAST)
def test_saving_the_entry(request, client, who, entry):
    login(client, person(request, who))

    response = client.post(f"/entries/{entry.pk}/", form_data(entry, result="ส่งหนังสือเวียนแล้ว"))

    assert response.status_code == EDIT[who]
    saved = ProgressEntry.objects.get(pk=entry.pk)
    assert (saved.result == "ส่งหนังสือเวียนแล้ว") == (who in EDITORS)


@pytest.mark.parametrize("who", CAST)
def test_uploading_evidence(request, client, who, entry):
    login(client, person(request, who))

    response = client.post(f"/entries/{entry.pk}/", {**form_data(entry), "files": [upload("minutes.pdf", PDF_BYTES)]})

    assert response.status_code == EDIT[who]
    assert Evidence.objects.filter(entry=entry).exists() == (who in EDITORS)


@pytest.mark.parametrize("who", CAST)
def test_removing_evidence(request, client, who, entry):
    item = add_evidence(entry)
    login(client, person(request, who))

    response = client.post(f"/entries/{entry.pk}/evidence/{item.pk}/delete/")

    assert response.status_code == EDIT[who]
    assert Evidence.objects.filter(pk=item.pk).exists() == (who not in EDITORS)


@pytest.mark.parametrize("who", CAST)
@pytest.mark.parametrize(
    "action, state, expected",
    [
        ("submit", State.DRAFT, EDIT),
        ("return", State.SUBMITTED, REVIEW),
        ("approve", State.SUBMITTED, REVIEW),
        ("reopen", State.APPROVED, REVIEW),
    ],
)
def test_review_steps(request, client, who, entry, action, state, expected):
    ProgressEntry.objects.filter(pk=entry.pk).update(state=state, result="ดำเนินการแล้ว")
    login(client, person(request, who))

    response = client.post(f"/entries/{entry.pk}/{action}/", {"comment": "เหตุผล", "revision": entry.revision})

    assert response.status_code == expected[who]
    allowed = EDITORS if expected is EDIT else REVIEWERS
    assert ReviewEvent.objects.filter(entry=entry, action=action).exists() == (who in allowed)


@pytest.mark.parametrize("who", CAST)
def test_results_history(request, client, who, agency):
    factories.assessment(agency, 2565, {"I20": "70.70"})
    login(client, person(request, who))

    response = client.get(f"/agencies/{agency.code}/2565/history/")

    assert response.status_code == {**READ, "other_unit_staff": 200}[who]


def test_unit_staff_cannot_reach_another_units_entry_by_editing_ids(client, unit_staff, entry, other_entry):
    theirs = add_evidence(other_entry, "theirs.pdf")
    mine = add_evidence(entry, "mine.pdf")
    client.force_login(unit_staff)

    attempts = [
        ("get", f"/entries/{other_entry.pk}/", None),
        ("post", f"/entries/{other_entry.pk}/", form_data(other_entry, result="แก้ของหน่วยอื่น")),
        ("post", f"/entries/{other_entry.pk}/", {**form_data(other_entry), "files": [upload("x.pdf", PDF_BYTES)]}),
        ("get", f"/entries/{other_entry.pk}/history/", None),
        ("get", f"/entries/{other_entry.pk}/evidence/{theirs.pk}/", None),
        # Their file through my entry's address, and my file through theirs.
        ("get", f"/entries/{entry.pk}/evidence/{theirs.pk}/", None),
        ("get", f"/entries/{other_entry.pk}/evidence/{mine.pk}/", None),
        ("post", f"/entries/{entry.pk}/evidence/{theirs.pk}/delete/", {}),
        ("post", f"/entries/{other_entry.pk}/submit/", {"revision": 0}),
        ("post", f"/entries/{other_entry.pk}/approve/", {"revision": 0}),
    ]
    for method, url, data in attempts:
        response = getattr(client, method)(url, data or {})
        assert response.status_code == 404, (method, url)

    other_entry.refresh_from_db()
    assert other_entry.result == "" and other_entry.state == State.DRAFT
    assert Evidence.objects.filter(entry=other_entry).count() == 1


def test_unit_staff_cannot_change_another_units_activities_through_their_own_form(
    client, unit_staff, entry, other_entry
):
    Activity.objects.create(entry=entry, date=datetime.date(2022, 11, 1), text="ของเรา")
    theirs = Activity.objects.create(entry=other_entry, date=datetime.date(2022, 11, 1), text="ของหน่วยอื่น")
    client.force_login(unit_staff)

    # Their row's id in place of one of ours, and in a new row.
    replaced = {**form_data(entry, result="ผล"), "activities-0-id": theirs.pk, "activities-0-text": "แก้"}
    added = form_data(entry, result="ผล", new_activities=[("2022-12-22", "แก้")])
    added["activities-1-id"] = theirs.pk

    # Django treats an id outside this entry's rows as a new row of this entry: theirs is untouched.
    for data in (replaced, added):
        assert client.post(f"/entries/{entry.pk}/", data).status_code in (200, 302)
        ProgressEntry.objects.filter(pk=entry.pk).update(revision=0)
    theirs.refresh_from_db()
    assert theirs.entry == other_entry and theirs.text == "ของหน่วยอื่น"


def test_an_unknown_step_is_not_found(client, officer, entry):
    client.force_login(officer)
    assert client.post(f"/entries/{entry.pk}/delete-everything/").status_code == 404


# --- The page ---------------------------------------------------------------------------------


def test_page_shows_the_measure_round_and_due_date_in_the_buddhist_era(client, unit_staff, entry):
    Activity.objects.create(entry=entry, date=datetime.date(2022, 12, 22), text="ประชุมชี้แจง")
    client.force_login(unit_staff)

    page = visible(client.get(f"/entries/{entry.pk}/"))

    assert "สื่อสารขั้นตอนการขออนุญาตใช้ทรัพย์สินของราชการ" in page
    assert "I20" in page and "ไม่น้อยกว่าร้อยละ 90" in page and "ชี้แจงผู้ปฏิบัติงานในสังกัด" in page
    assert "31 ธันวาคม 2565" in page  # Q1 of fiscal year 2566 is due on 31 December 2022
    assert "22 ธ.ค. 65" in page
    assert "สำนักงานบริหารกลาง" in page


def test_executive_reads_the_report_without_a_form(client, executive, entry):
    ProgressEntry.objects.filter(pk=entry.pk).update(result="ชักซ้อมความเข้าใจแล้ว", obstacles="ไม่มี", percent=40)
    Activity.objects.create(entry=entry, date=datetime.date(2022, 12, 22), text="ประชุมชี้แจง")
    client.force_login(executive)

    response = client.get(f"/entries/{entry.pk}/")

    assert 'name="result"' not in response.text
    page = visible(response)
    assert "ชักซ้อมความเข้าใจแล้ว" in page and "ประชุมชี้แจง" in page and "วันที่ 22 ธ.ค. 65" in page


def test_roll_up_shows_each_units_percent_and_the_measures_mean(client, officer, measure, entry, other_entry):
    # Sent reports count (the progress rule); the mean 62.5 is shown as a whole percent, halves up.
    ProgressEntry.objects.filter(pk=entry.pk).update(percent=50, state="submitted")
    ProgressEntry.objects.filter(pk=other_entry.pk).update(percent=75, state="approved")
    client.force_login(officer)

    response = client.get(f"/entries/{entry.pk}/")

    rollup = response.text.split('id="rollup"')[1].split("</section>")[0]
    assert ">50<" in rollup and ">75<" in rollup and "<strong>63%</strong>" in rollup


def test_measures_progress_is_the_mean_of_its_units_sent_entries_of_the_round(measure, entry, other_entry):
    ProgressEntry.objects.filter(pk=entry.pk).update(percent=100, state="approved")
    ProgressEntry.objects.filter(pk=other_entry.pk).update(percent=20, state="returned")
    other_round = measure.entries.exclude(round=entry.round).first().round

    assert Measure.objects.with_progress(entry.round).get(pk=measure.pk).progress == 60
    assert Measure.objects.with_progress(other_round).get(pk=measure.pk).progress is None  # drafts only
    ProgressEntry.objects.filter(pk=other_entry.pk).update(state="draft")
    assert Measure.objects.with_progress(entry.round).get(pk=measure.pk).progress == 100


# --- Saving -----------------------------------------------------------------------------------


def test_unit_staff_save_the_report_with_activities_evidence_and_links(client, unit_staff, entry):
    client.force_login(unit_staff)
    data = form_data(
        entry,
        new_activities=[("2022-12-22", "ประชุมชี้แจงผู้ปฏิบัติงาน"), ("2565-11-10", "ส่งหนังสือเวียน")],
        result="ชักซ้อมความเข้าใจผู้ปฏิบัติงานในสังกัดแล้ว",
        obstacles="ไม่มี",
        suggestions="ควรเพิ่มช่องทางการสื่อสาร",
        percent=60,
        status="on_track",
        kpi_actual="92.5",
        links="https://www.fio.co.th/ita\n\n http://example.go.th/o28 ",
        description="รายงานการประชุม",
    )
    data["files"] = [upload("รายงานการประชุม.pdf", PDF_BYTES), upload("ภาพกิจกรรม.png", png_bytes(), "image/png")]

    response = client.post(f"/entries/{entry.pk}/", data)

    assert response.status_code == 302 and response.url == f"/entries/{entry.pk}/"
    entry.refresh_from_db()
    assert entry.result == "ชักซ้อมความเข้าใจผู้ปฏิบัติงานในสังกัดแล้ว" and entry.percent == 60 and entry.status == "on_track"
    assert str(entry.kpi_actual) == "92.50"
    assert entry.links == "https://www.fio.co.th/ita\nhttp://example.go.th/o28"
    assert entry.updated_by == unit_staff and entry.revision == 1
    # A year typed in the Buddhist Era is read as one.
    assert [(a.date, a.text) for a in entry.activities.all()] == [
        (datetime.date(2022, 11, 10), "ส่งหนังสือเวียน"),
        (datetime.date(2022, 12, 22), "ประชุมชี้แจงผู้ปฏิบัติงาน"),
    ]
    files = {e.name: e for e in entry.evidence.all()}
    assert set(files) == {"รายงานการประชุม.pdf", "ภาพกิจกรรม.png"}
    pdf = files["รายงานการประชุม.pdf"]
    assert (pdf.content_type, pdf.size, pdf.uploaded_by, pdf.description) == (
        PDF,
        len(PDF_BYTES),
        unit_staff,
        "รายงานการประชุม",
    )
    assert pdf.file.name.startswith(f"evidence/AG1/2566/{entry.pk}/") and pdf.file.name.endswith(".pdf")


def test_rows_are_removed_by_ticking_remove(client, unit_staff, entry):
    Activity.objects.create(entry=entry, date=datetime.date(2022, 12, 1), text="ลบแถวนี้")
    Activity.objects.create(entry=entry, date=datetime.date(2022, 12, 2), text="เก็บแถวนี้")
    client.force_login(unit_staff)

    response = client.post(f"/entries/{entry.pk}/", form_data(entry, remove=["ลบแถวนี้"]))

    assert response.status_code == 302
    assert list(entry.activities.values_list("text", flat=True)) == ["เก็บแถวนี้"]


def test_a_blank_row_is_offered_to_add_an_activity(client, unit_staff, entry):
    Activity.objects.create(entry=entry, date=datetime.date(2022, 12, 1), text="มีแล้ว")
    client.force_login(unit_staff)

    response = client.get(f"/entries/{entry.pk}/")

    assert 'name="activities-TOTAL_FORMS" value="2"' in response.text
    assert 'name="activities-1-text"' in response.text


def test_evidence_downloads_as_an_attachment_with_its_stored_type(client, executive, entry):
    item = add_evidence(entry, "รายงานการประชุม.pdf")
    client.force_login(executive)

    response = client.get(f"/entries/{entry.pk}/evidence/{item.pk}/")

    assert response["Content-Type"] == PDF
    assert response["Content-Disposition"].startswith("attachment;")
    assert "filename*=utf-8''" in response["Content-Disposition"]
    assert b"".join(response.streaming_content) == PDF_BYTES


@pytest.mark.parametrize(
    "state, message",
    [
        (State.APPROVED, "รายงานนี้ได้รับอนุมัติแล้วในระหว่างนี้ จึงลบไฟล์ไม่ได้อีก"),
        (State.SUBMITTED, "หากต้องการลบไฟล์ กรุณาถอนการส่งก่อน"),
    ],
)
def test_evidence_removed_from_a_locked_entry_is_refused_with_a_message(client, officer, entry, state, message):
    item = add_evidence(entry)
    ProgressEntry.objects.filter(pk=entry.pk).update(state=state)
    client.force_login(officer)

    response = client.post(f"/entries/{entry.pk}/evidence/{item.pk}/delete/", follow=True)

    assert response.redirect_chain == [(f"/entries/{entry.pk}/", 302)]
    assert message in visible(response)
    assert Evidence.objects.filter(pk=item.pk).exists()


# --- Evidence types ---------------------------------------------------------------------------


def test_evidence_type_is_read_from_the_content():
    assert evidence_type(PDF_BYTES) == PDF
    assert evidence_type(png_bytes()) == "image/png"
    assert evidence_type(xlsx_bytes()) == XLSX
    assert evidence_type(docx_bytes()) == DOCX
    assert evidence_type(ole2_bytes({"Workbook": b"\x09\x08"})) == XLS
    assert evidence_type(ole2_bytes({"WordDocument": b"\xec\xa5", "1Table": b""})) == DOC
    assert evidence_type(ole2_bytes({"PowerPoint Document": b"\0"})) == PPT
    assert evidence_type(ole2_bytes({"SummaryInformation": b"\0"})) is None  # an installer shares the container
    assert evidence_type(plain_zip_bytes()) is None
    assert evidence_type(b"<!DOCTYPE html><html><body>hello</body></html>") is None
    assert evidence_type(b"MZ\x90\x00" + b"\0" * 200) is None
    assert evidence_type(b"") is None


def test_an_ole2_file_that_only_contains_the_word_of_a_stream_is_not_a_word_document():
    # "WordDocument" inside a stream's bytes, not as a stream of the directory.
    data = ole2_bytes({"Contents": b"\0" * 100 + "WordDocument".encode("utf-16-le") + "Workbook".encode("utf-16-le")})
    assert evidence_type(data) is None
    assert evidence_type(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 500 + "WordDocument".encode("utf-16-le")) is None


@pytest.mark.parametrize(
    "members, main_type",
    [
        ({"word/document.xml": "<w:document/>"}, None),  # [Content_Types].xml declares no main part
        ({"word/evil.html": "<html/>"}, WORD_MAIN),  # declares one that is not there
        ({"word/document.xml": "<w:document/>"}, "application/xml"),  # as plain XML, not as a document
    ],
)
def test_a_zip_with_a_fake_content_types_and_no_main_part_is_not_an_office_document(members, main_type):
    assert evidence_type(package_bytes(members, main_type)) is None


def test_an_office_document_with_macros_is_refused_whatever_its_name():
    macro = "application/vnd.ms-word.document.macroEnabled.main+xml"
    data = package_bytes({"word/document.xml": "<w:document/>", "word/vbaProject.bin": "VBA"}, macro)
    for name in ("minutes.docx", "minutes.docm"):
        with pytest.raises(Refused):
            check_evidence(name, data)
    with pytest.raises(Refused):
        check_evidence("budget.xls", ole2_bytes({"Workbook": b"\x09\x08"}, storages=["_VBA_PROJECT_CUR"]))


def test_an_office_document_that_unpacks_too_large_is_refused_before_it_is_unpacked():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        main = f'<Override PartName="/word/document.xml" ContentType="{WORD_MAIN}"/>'
        archive.writestr("[Content_Types].xml", CONTENT_TYPES.format(overrides=main))
        archive.writestr("word/document.xml", DOCUMENT)
        with archive.open("word/media/image1.png", "w", force_zip64=True) as member:
            for _ in range(260):
                member.write(b"\0" * (1024 * 1024))
    data = buffer.getvalue()
    assert len(data) < 1024 * 1024  # a small file …
    with pytest.raises(Refused) as refused:  # … that claims 260 MB
        evidence_type(data)
    assert refused.value.params == {"limit": 250}


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("minutes.html", PDF_BYTES, "ไม่รับไฟล์หน้าเว็บ"),  # PDF bytes under a web page's name
        ("setup.exe", PDF_BYTES, "ไม่รับไฟล์หน้าเว็บ"),
        ("drawing.svg", PDF_BYTES, "ไม่รับไฟล์หน้าเว็บ"),
        ("run.ps1", PDF_BYTES, "ไม่รับไฟล์หน้าเว็บ"),
        ("minutes.pdf", PDF_BYTES[:9] + b"<script>alert(1)</script>" + PDF_BYTES[9:], "ไม่รับไฟล์หน้าเว็บ"),
        ("photo.png", PDF_BYTES, "ชื่อไฟล์ต้องลงท้ายด้วย .pdf"),  # a PDF under an image's name
        ("minutes", PDF_BYTES, "ชื่อไฟล์ต้องลงท้ายด้วย .pdf"),
        ("minutes.doc", ole2_bytes({"Contents": "WordDocument".encode("utf-16-le")}), "ไม่ใช่ไฟล์ PDF"),
        ("minutes.docx", package_bytes({"word/evil.html": "x"}), "ไม่ใช่ไฟล์ PDF"),
        ("budget.docx", xlsx_bytes(), "ชื่อไฟล์ต้องลงท้ายด้วย .xlsx"),
    ],
)
def test_evidence_is_refused_when_its_name_or_content_is_not_acceptable(
    client, unit_staff, entry, name, content, message
):
    client.force_login(unit_staff)
    data = {**form_data(entry, result="ข้อความที่พิมพ์"), "files": [upload(name, content)]}

    response = client.post(f"/entries/{entry.pk}/", data)

    assert response.status_code == 200
    page = visible(response)
    assert f"“{name}”" in page and message in page
    assert not Evidence.objects.exists()
    entry.refresh_from_db()
    assert entry.result == "" and entry.revision == 0
    assert "ข้อความที่พิมพ์" in response.text


@pytest.mark.parametrize(
    "name, content, content_type",
    [
        ("SCAN.PDF", PDF_BYTES, PDF),
        ("รายงาน.docx", docx_bytes(), DOCX),
        ("งบประมาณ.xls", ole2_bytes({"Workbook": b"\x09\x08"}), XLS),
        ("บันทึก.doc", ole2_bytes({"WordDocument": b"\xec\xa5", "1Table": b""}), DOC),
        ("photo.jpeg", None, "image/jpeg"),
    ],
)
def test_evidence_under_its_own_name_is_accepted(client, unit_staff, entry, name, content, content_type):
    if content is None:
        buffer = io.BytesIO()
        Image.new("RGB", (4, 4), "white").save(buffer, "JPEG")
        content = buffer.getvalue()
    client.force_login(unit_staff)

    response = client.post(
        f"/entries/{entry.pk}/", {**form_data(entry), "files": [upload(name, content, "application/octet-stream")]}
    )

    assert response.status_code == 302
    saved = Evidence.objects.get()
    assert (saved.name, saved.content_type) == (name, content_type)


def test_twelve_files_of_nearly_ten_megabytes_are_refused_before_any_is_stored(
    client, unit_staff, entry, settings, monkeypatch
):
    assert (settings.EVIDENCE_MAX_BYTES, settings.EVIDENCE_MAX_REQUEST_BYTES) == (10 * 1024 * 1024, 20 * 1024 * 1024)
    stored = []
    for handler in (uploadhandler.MemoryFileUploadHandler, uploadhandler.TemporaryFileUploadHandler):
        monkeypatch.setattr(handler, "receive_data_chunk", lambda self, raw, start: stored.append(len(raw)))
    client.force_login(unit_staff)
    big = PDF_BYTES + b"0" * int(9.9 * 1024 * 1024 - len(PDF_BYTES))
    data = form_data(entry, result="ข้อความที่พิมพ์", new_activities=[("2022-12-05", "กิจกรรมที่พิมพ์")])
    data["files"] = [upload(f"ภาพ{i}.pdf", big) for i in range(12)]

    response = client.post(f"/entries/{entry.pk}/", data)

    assert response.status_code == 200
    assert "ไฟล์ที่เลือกรวมกันเกิน 20 MB" in visible(response)
    assert stored == []  # not a byte of them was kept, in memory or on disk
    assert not Evidence.objects.exists()
    entry.refresh_from_db()
    assert entry.result == "" and entry.revision == 0 and not entry.activities.exists()
    assert "ข้อความที่พิมพ์" in response.text and "กิจกรรมที่พิมพ์" in response.text


def test_files_beyond_the_entrys_total_are_refused(client, unit_staff, entry, settings):
    assert settings.EVIDENCE_MAX_ENTRY_BYTES == 50 * 1024 * 1024
    for i in range(5):  # 45 MB already on the report
        Evidence.objects.create(
            entry=entry,
            file=ContentFile(PDF_BYTES, name="x.pdf"),
            name=f"{i}.pdf",
            content_type=PDF,
            size=9 * 1024 * 1024,
        )
    client.force_login(unit_staff)
    six = PDF_BYTES + b"0" * (6 * 1024 * 1024)

    response = client.post(
        f"/entries/{entry.pk}/", {**form_data(entry, result="ผล"), "files": [upload("เพิ่ม.pdf", six)]}
    )

    assert response.status_code == 200
    assert "รายงานหนึ่งมีหลักฐานได้ไม่เกิน 50 MB" in visible(response)
    assert Evidence.objects.count() == 5
    small = client.post(
        f"/entries/{entry.pk}/", {**form_data(entry, result="ผล"), "files": [upload("เพิ่ม.pdf", PDF_BYTES)]}
    )
    assert small.status_code == 302 and Evidence.objects.count() == 6


def test_evidence_is_served_as_a_download_that_never_runs_as_a_page(client, executive, entry):
    item = add_evidence(entry, "minutes.pdf")
    client.force_login(executive)

    response = client.get(f"/entries/{entry.pk}/evidence/{item.pk}/")

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "sandbox; default-src 'none'"


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("archive.zip", plain_zip_bytes(), "“archive.zip”"),
        ("report.pdf", b"<!DOCTYPE html><html><script>alert(1)</script></html>", "“report.pdf”"),
        ("setup.pdf", b"MZ\x90\x00" + b"\0" * 200, "“setup.pdf”"),
    ],
)
def test_a_file_that_is_not_evidence_is_refused_by_name_and_nothing_is_saved(
    client, unit_staff, entry, name, content, message
):
    client.force_login(unit_staff)
    data = {**form_data(entry, result="ข้อความที่พิมพ์"), "files": [upload("ok.pdf", PDF_BYTES), upload(name, content)]}

    response = client.post(f"/entries/{entry.pk}/", data)

    assert response.status_code == 200
    assert message in visible(response)
    assert not Evidence.objects.exists()
    entry.refresh_from_db()
    assert entry.result == "" and entry.revision == 0
    assert "ข้อความที่พิมพ์" in response.text


def test_a_file_over_the_limit_is_refused_with_the_limit(client, unit_staff, entry, settings):
    settings.EVIDENCE_MAX_BYTES = 1024 * 1024
    client.force_login(unit_staff)
    big = PDF_BYTES + b"0" * (1024 * 1024)

    response = client.post(f"/entries/{entry.pk}/", {**form_data(entry), "files": [upload("big.pdf", big)]})

    assert response.status_code == 200
    page = visible(response)
    assert "“big.pdf”" in page and "1 MB" in page
    assert not Evidence.objects.exists()


def test_real_office_files_are_accepted(client, unit_staff, entry):
    client.force_login(unit_staff)
    data = {**form_data(entry), "files": [upload("สรุป.xlsx", xlsx_bytes(), "application/octet-stream")]}

    assert client.post(f"/entries/{entry.pk}/", data).status_code == 302
    assert Evidence.objects.get().content_type == XLSX


# --- No lost updates ------------------------------------------------------------------------


def test_the_second_of_two_concurrent_saves_is_refused_and_keeps_its_text(client, unit_staff, officer, entry):
    first, second = client, Client()
    first.force_login(unit_staff)
    second.force_login(officer)
    first_form, second_form = first.get(f"/entries/{entry.pk}/"), second.get(f"/entries/{entry.pk}/")
    assert revision_in(first_form) == revision_in(second_form) == 0

    saved = first.post(f"/entries/{entry.pk}/", form_data(entry, result="ข้อความของหน่วยงาน", revision=0))
    refused = second.post(
        f"/entries/{entry.pk}/",
        form_data(
            entry,
            result="ข้อความของเจ้าหน้าที่",
            obstacles="อุปสรรคที่พิมพ์",
            revision=0,
            new_activities=[("2022-12-05", "กิจกรรมที่พิมพ์")],
        ),
    )

    assert saved.status_code == 302
    assert refused.status_code == 409
    page = visible(refused)
    assert "มีผู้อื่นบันทึกรายงานนี้ระหว่างที่คุณแก้ไข" in page
    assert "ข้อความของเจ้าหน้าที่" in refused.text and "อุปสรรคที่พิมพ์" in refused.text and "กิจกรรมที่พิมพ์" in refused.text
    assert "ข้อความของหน่วยงาน" in page  # the saved version, to compare
    entry.refresh_from_db()
    assert entry.result == "ข้อความของหน่วยงาน" and entry.obstacles == "" and entry.revision == 1
    assert not entry.activities.exists()

    # The form now carries the new revision: after comparing, saving again goes through.
    assert revision_in(refused) == 1
    again = second.post(f"/entries/{entry.pk}/", form_data(entry, result="ข้อความของเจ้าหน้าที่", revision=1))
    assert again.status_code == 302
    entry.refresh_from_db()
    assert entry.result == "ข้อความของเจ้าหน้าที่" and entry.revision == 2


def test_a_review_step_in_between_also_refuses_a_stale_save(client, unit_staff, officer, entry):
    client.force_login(unit_staff)
    ProgressEntry.objects.filter(pk=entry.pk).update(result="ผลเดิม")
    stale = form_data(entry, result="ผลใหม่")

    do_review_step(entry=entry, action="submit", user=unit_staff)

    assert client.post(f"/entries/{entry.pk}/", stale).status_code == 409
    entry.refresh_from_db()
    assert entry.result == "ผลเดิม" and entry.state == State.SUBMITTED


def test_a_save_racing_an_approval_keeps_the_text_and_offers_no_save(client, unit_staff, officer, entry, monkeypatch):
    client.force_login(unit_staff)
    ProgressEntry.objects.filter(pk=entry.pk).update(result="ผลเดิม", state=State.RETURNED)

    def approved_just_before(**kwargs):
        # Sent again by a colleague and approved between the view's check and the save.
        actions.do_review_step(entry=entry, action="submit", user=unit_staff)
        actions.do_review_step(entry=entry, action="approve", user=officer)
        return actions.do_save_entry(**kwargs)

    monkeypatch.setattr(entries, "do_save_entry", approved_just_before)
    response = client.post(f"/entries/{entry.pk}/", form_data(entry, result="ผลที่พิมพ์ค้างไว้"))

    assert response.status_code == 409
    assert "ผลที่พิมพ์ค้างไว้" in response.text
    assert "อนุมัติแล้วระหว่างที่คุณแก้ไข" in visible(response)
    assert "บันทึกและส่งรายงาน" not in response.text and 'class="button primary">บันทึก<' not in response.text
    entry.refresh_from_db()
    assert entry.result == "ผลเดิม" and entry.state == State.APPROVED


# --- Failed forms -----------------------------------------------------------------------------


def test_a_failed_form_keeps_every_field_typed(client, unit_staff, entry):
    client.force_login(unit_staff)
    data = form_data(
        entry,
        new_activities=[("2022-12-22", "ประชุมชี้แจงผู้ปฏิบัติงาน"), ("2022-12-23", "")],
        result="ผลที่พิมพ์ไว้",
        obstacles="อุปสรรคที่พิมพ์ไว้",
        suggestions="ข้อเสนอที่พิมพ์ไว้",
        percent=150,
        status="delayed",
        kpi_actual="88.5",
        links="https://ok.example.go.th\nftp://bad.example",
        description="คำอธิบายไฟล์",
    )

    response = client.post(f"/entries/{entry.pk}/", data)

    assert response.status_code == 200
    for typed in (
        "ผลที่พิมพ์ไว้",
        "อุปสรรคที่พิมพ์ไว้",
        "ข้อเสนอที่พิมพ์ไว้",
        'value="150"',
        'value="88.5"',
        "https://ok.example.go.th",
        "ftp://bad.example",
        "ประชุมชี้แจงผู้ปฏิบัติงาน",
        'value="22/12/2565"',  # a valid date is shown back the Thai way
        'value="23/12/2565"',
        'value="คำอธิบายไฟล์"',
    ):
        assert typed in response.text, typed
    assert re.search(r'<input[^>]*value="delayed"[^>]*checked', response.text)
    page = visible(response)
    assert "ไม่ใช่ที่อยู่เว็บ (ต้องขึ้นต้นด้วย http:// หรือ https://): ftp://bad.example" in page
    assert "ร้อยละ" in page and "100" in page
    entry.refresh_from_db()
    assert entry.result == "" and not entry.activities.exists()


@pytest.mark.parametrize(
    "changes",
    [
        {"percent": "abc"},
        {"percent": "-1"},
        {"percent": "101"},
        {"kpi_actual": "เก้าสิบ"},
        {"kpi_actual": "100.001"},
        {"status": "finished"},
        {"revision": "abc"},
        {"revision": ""},
        {"links": "javascript:alert(1)"},
        {"activities-0-date": "31/02/2565"},
        {"activities-0-date": "2568-02-29"},
        {"activities-TOTAL_FORMS": "x"},
        {"activities-0-id": "999999"},
        {"status": "done", "percent": "80"},
    ],
)
def test_bad_input_is_a_form_error_never_a_500(client, unit_staff, entry, changes):
    Activity.objects.create(entry=entry, date=datetime.date(2022, 12, 1), text="มีแล้ว")
    client.force_login(unit_staff)

    response = client.post(f"/entries/{entry.pk}/", {**form_data(entry, result="ผล"), **changes})

    assert response.status_code == 200
    entry.refresh_from_db()
    assert entry.result == "" and entry.revision == 0


def test_a_rejected_link_is_never_shown_as_a_link(client, unit_staff, entry):
    client.force_login(unit_staff)

    response = client.post(f"/entries/{entry.pk}/", form_data(entry, links="javascript:alert(1)"))

    assert response.status_code == 200
    assert 'href="javascript:' not in response.text
    assert "javascript:alert(1)" in response.text  # kept in the form, to correct


def test_a_missing_management_form_is_a_form_error(client, unit_staff, entry):
    client.force_login(unit_staff)
    data = {k: v for k, v in form_data(entry, result="ผล").items() if not k.startswith("activities-")}

    assert client.post(f"/entries/{entry.pk}/", data).status_code == 200


# --- Queries ----------------------------------------------------------------------------------


def count_queries(client, url):
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    return len(context.captured_queries)


def grow(entry, agency, measure, n):
    """Add n activities, files and review steps to the entry and n more responsible units to its measure."""
    for i in range(n):
        Activity.objects.create(entry=entry, date=datetime.date(2022, 12, 1 + i), text=f"กิจกรรม {i}")
        add_evidence(entry, f"file{i}.pdf")
        ReviewEvent.objects.create(entry=entry, action="submit", user=None)
        measure.supporting_units.add(factories.unit(agency, f"หน่วยที่ {entry.activities.count()}"))

    sync_entries(measure=measure)


@pytest.mark.parametrize("who", ["unit_staff", "officer", "executive"])
def test_entry_page_queries_do_not_grow_with_its_contents(request, client, agency, measure, entry, who):
    client.force_login(request.getfixturevalue(who))
    url = f"/entries/{entry.pk}/"
    grow(entry, agency, measure, 1)
    few = count_queries(client, url)
    grow(entry, agency, measure, 6)
    assert count_queries(client, url) == few
    assert few <= 20, few


def test_history_pages_queries_do_not_grow_with_the_trail(client, officer, agency, measure, entry):
    client.force_login(officer)
    assessment = factories.assessment(agency, 2567)
    url, results_url = f"/entries/{entry.pk}/history/", f"/agencies/{agency.code}/2567/history/"
    grow(entry, agency, measure, 1)
    few, results_few = count_queries(client, url), count_queries(client, results_url)
    grow(entry, agency, measure, 5)
    for code in ("IIT", "EIT", "OIT", "ITA"):
        assessment.scores.create(code=code, score=90)
    assert count_queries(client, url) == few
    assert count_queries(client, results_url) == results_few


def test_the_entry_form_still_checks_the_csrf_token(unit_staff, entry):
    # The form's view sets its own upload handlers, so it runs the CSRF check itself (see
    # measures.evidence.bounded_uploads): a post without the token is still refused.

    client = Client(enforce_csrf_checks=True)
    client.force_login(unit_staff)

    response = client.post(f"/entries/{entry.pk}/", form_data(entry, result="ผล"))

    assert response.status_code == 403
    assert ProgressEntry.objects.get(pk=entry.pk).result == ""
