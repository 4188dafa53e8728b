"""The documents an agency publishes: its letterhead (a logo checked by content), the signature
blocks and the executive's acknowledgement, read back from the PDF; the documents page and who
may post on it."""

import io
import re

import pdfplumber
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from accounts.models import AccessEvent, Preferences
from assessments.models import Membership, Role
from measures.models import Action, Measure, ProgressEntry, ReviewEvent
from reports.layout import Signature
from reports.models import Acknowledgement, AgencyProfile, SignOff
from reports.pdf import render_pdf
from reports.plan_document import plan_document_for
from reports.progress_document import progress_document_for
from reports.signoff import sign_off
from tests import factories
from tests.clock import pinned

pytestmark = pinned(2026, 5, 15)

YEAR = 2569
PROFILE_URL = "/agencies/AG1/profile/"
DOCUMENTS_URL = f"/agencies/AG1/{YEAR}/documents/"
FULL_NAME = "สำนักงานทดสอบการจัดทำเอกสาร (องค์การมหาชน)"
NOT_A_PICTURE = "โลโก้ต้องเป็นภาพ PNG หรือ JPEG"


# The vowels and tone marks above and below the line, which the text layer gives back in another
# order ("ตำแหน่ง" as "ตาแหนง่"), and ำ, which it gives back as า.
MARKS = re.compile("[\u0e31\u0e34-\u0e3a\u0e47-\u0e4e\\s]")


def compact(text):
    """Text as the PDF gives it back, compared without spaces and marks."""
    return MARKS.sub("", text.replace("\u0e33", "\u0e32"))


def pdf_pages(content):
    with pdfplumber.open(io.BytesIO(content)) as pdf:
        return [(compact(page.extract_text() or ""), len(page.images)) for page in pdf.pages]


def picture(fmt="PNG", size=(120, 90), mode="RGB"):
    buffer = io.BytesIO()
    Image.new(mode, size, 1 if mode in ("1", "P") else (200, 30, 30)).save(buffer, format=fmt)
    return buffer.getvalue()


@pytest.fixture
def agency_admin(agency):
    return factories.member("agencyadmin", agency, Role.AGENCY_ADMIN)


@pytest.fixture
def plan(agency, unit, officer):
    """A 2569 measure that the officer edited last (its history names them)."""
    measure = factories.measure(agency, YEAR, "มาตรการทดสอบการลงนาม", lead_unit=unit)
    measure._history_user = officer
    measure.save()
    return measure


def upload(client, logo, name="logo.png", content_type="image/png", **fields):
    data = {"full_name": FULL_NAME, "address": "99 ถนนทดสอบ", "telephone": "0 2123 4567", "progress_layout": "fio"}
    data |= fields
    if logo is not None:
        data["logo_file"] = SimpleUploadedFile(name, logo, content_type=content_type)
    return client.post(PROFILE_URL, data)


# --- The profile and its logo ------------------------------------------------------------------


def test_an_agency_administrator_saves_the_letterhead_with_a_png_logo_kept_as_png(client, agency_admin, agency):
    client.force_login(agency_admin)
    response = upload(client, picture("PNG"))
    assert response.status_code == 302
    profile = AgencyProfile.objects.get(agency=agency)
    assert (profile.full_name, profile.address, profile.telephone) == (FULL_NAME, "99 ถนนทดสอบ", "0 2123 4567")
    assert profile.logo_type == "image/png"
    with Image.open(io.BytesIO(bytes(profile.logo))) as kept:
        assert (kept.format, kept.size) == ("PNG", (120, 90))
    assert AccessEvent.objects.filter(kind=AccessEvent.Kind.PROFILE_CHANGED, agency=agency).count() == 1
    logo = client.get("/agencies/AG1/profile/logo.png")
    assert (logo.status_code, logo["Content-Type"], logo.content) == (200, "image/png", bytes(profile.logo))


def test_a_jpeg_logo_is_re_encoded_as_png_without_its_metadata(client, agency_admin, agency):
    client.force_login(agency_admin)
    buffer = io.BytesIO()
    exif = Image.Exif()
    exif[0x010E] = "<script>alert(1)</script>"  # ImageDescription
    Image.new("RGB", (50, 40), (0, 0, 200)).save(buffer, format="JPEG", exif=exif.tobytes())
    assert b"<script>" in buffer.getvalue()
    assert upload(client, buffer.getvalue(), name="logo.jpg", content_type="image/jpeg").status_code == 302
    kept = bytes(AgencyProfile.objects.get(agency=agency).logo)
    assert kept.startswith(b"\x89PNG") and b"<script>" not in kept


SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect width="10" height="10"/></svg>'
HTML = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF"


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(PDF, id="a PDF named logo.png"),
        pytest.param(HTML, id="an HTML page named logo.png"),
        pytest.param(SVG, id="an SVG drawing named logo.png"),
        pytest.param(picture("GIF", mode="P"), id="a GIF picture"),
        pytest.param(picture("PNG")[:60], id="a cut-off PNG"),
        pytest.param(picture("PNG")[:-20] + b"\0" * 20, id="a PNG with a damaged end"),
        pytest.param(b"", id="an empty file"),
    ],
)
def test_a_file_that_is_not_a_sound_png_or_jpeg_is_refused_and_nothing_is_saved(client, agency_admin, content):
    client.force_login(agency_admin)
    response = upload(client, content, full_name="ชื่อที่พิมพ์ไว้")
    assert response.status_code == 400
    html = response.content.decode()
    assert NOT_A_PICTURE in html
    assert 'value="ชื่อที่พิมพ์ไว้"' in html  # what was typed stays in the form
    assert not AgencyProfile.objects.exists()
    assert not AccessEvent.objects.filter(kind=AccessEvent.Kind.PROFILE_CHANGED).exists()


def test_a_logo_over_one_megabyte_or_too_many_pixels_is_refused(client, agency_admin, agency):
    client.force_login(agency_admin)
    noise = Image.frombytes(
        "RGB", (700, 700), bytes(range(256)) * (700 * 700 * 3 // 256) + b"\0" * (700 * 700 * 3 % 256)
    )
    big = io.BytesIO()
    noise.save(big, format="PNG", compress_level=0)
    assert len(big.getvalue()) > 1024 * 1024
    response = upload(client, big.getvalue())
    assert response.status_code == 400 and "ใหญ่กว่า 1 MB" in response.content.decode()
    response = upload(client, picture("PNG", size=(5000, 4000), mode="1"))
    assert response.status_code == 400 and "4000 × 4000" in response.content.decode()
    assert not AgencyProfile.objects.exists()


def test_only_the_agencys_administrators_and_system_administrators_edit_the_letterhead(
    client, agency, officer, executive, unit_staff, outsider, superuser, agency_admin
):
    for user, status in ((officer, 403), (executive, 403), (unit_staff, 403), (outsider, 404)):
        client.force_login(user)
        assert client.get(PROFILE_URL).status_code == status
        assert upload(client, picture()).status_code == status
    assert not AgencyProfile.objects.exists()
    for user in (agency_admin, superuser):
        client.force_login(user)
        assert client.get(PROFILE_URL).status_code == 200
        assert upload(client, picture()).status_code == 302


def test_a_large_logo_is_kept_at_600_pixels_a_side(client, agency_admin, agency):
    client.force_login(agency_admin)
    assert (
        upload(client, picture("JPEG", size=(1800, 1200)), name="logo.jpg", content_type="image/jpeg").status_code
        == 302
    )
    with Image.open(io.BytesIO(bytes(AgencyProfile.objects.get(agency=agency).logo))) as kept:
        assert (kept.format, kept.size) == ("PNG", (600, 400))


def test_a_saved_logo_stays_when_the_form_is_saved_without_one_and_goes_when_removed(client, agency_admin, agency):
    client.force_login(agency_admin)
    upload(client, picture())
    assert upload(client, None, telephone="0 2999 9999").status_code == 302
    profile = AgencyProfile.objects.get(agency=agency)
    assert profile.logo and profile.telephone == "0 2999 9999"
    assert upload(client, None, remove_logo="on").status_code == 302
    profile.refresh_from_db()
    assert (profile.logo, profile.logo_type) == (None, "")
    assert client.get("/agencies/AG1/profile/logo.png").status_code == 404


# --- What sign_off() puts on a document --------------------------------------------------------


def test_an_agency_that_configured_nothing_gets_its_document_unchanged_in_three_queries(
    agency, plan, django_assert_num_queries
):
    document = plan_document_for(agency, YEAR)
    with django_assert_num_queries(3):
        sign_off(document, agency, YEAR, "plan")
    assert (document.letterhead, document.signatures, document.acknowledgement) == (None, [], None)


def test_the_blocks_take_the_people_of_the_recorded_steps_in_four_queries(
    agency, plan, officer, executive, django_assert_num_queries
):
    Preferences.objects.create(user=officer, position="นักวิเคราะห์นโยบายและแผนชำนาญการ")
    officer.first_name, officer.last_name = "สมศรี", "ตั้งใจ"
    officer.save()
    entry = ProgressEntry.objects.filter(measure=plan, round__kind="q1").get()
    ReviewEvent.objects.create(entry=entry, action=Action.APPROVE, user=officer)
    SignOff.objects.create(agency=agency, fiscal_year=YEAR, kind="progress", round_kind="q1")
    Acknowledgement.objects.create(
        agency=agency,
        fiscal_year=YEAR,
        kind="progress",
        round_kind="q1",
        user=executive,
        name="นายผู้บริหาร ทดสอบ",
        position="ผู้อำนวยการ",
        text="เห็นชอบ",
        acknowledged_on="2026-05-14",
    )
    document = progress_document_for(agency, YEAR, "q1")
    with django_assert_num_queries(4):
        sign_off(document, agency, YEAR, "progress", "q1")
    assert [(s.role, s.name, s.position) for s in document.signatures] == [
        ("ผู้จัดทำ", "สมศรี ตั้งใจ", "นักวิเคราะห์นโยบายและแผนชำนาญการ"),
        ("ผู้ตรวจสอบ", "สมศรี ตั้งใจ", "นักวิเคราะห์นโยบายและแผนชำนาญการ"),
        ("ผู้อนุมัติ", "นายผู้บริหาร ทดสอบ", "ผู้อำนวยการ"),
    ]
    assert [str(s.date) for s in document.signatures] == ["2026-05-15", "2026-05-15", "2026-05-14"]
    assert (document.acknowledgement.text, document.acknowledgement.name) == ("เห็นชอบ", "นายผู้บริหาร ทดสอบ")


def test_a_plan_nobody_reviews_leaves_checked_by_to_sign_by_hand_and_an_unedited_plan_names_the_officer(
    agency, unit, officer
):
    factories.measure(agency, YEAR, "มาตรการที่ไม่มีประวัติผู้แก้ไข", lead_unit=unit)  # no history user
    SignOff.objects.create(agency=agency, fiscal_year=YEAR, kind="plan", approved=False)
    document = sign_off(plan_document_for(agency, YEAR), agency, YEAR, "plan")
    assert document.signatures == [Signature("ผู้จัดทำ", "officer", "", None), Signature("ผู้ตรวจสอบ", "", "", None)]


def test_typed_names_replace_the_recorded_people_and_switched_off_blocks_do_not_print(
    agency, plan, django_assert_num_queries
):
    SignOff.objects.create(
        agency=agency,
        fiscal_year=YEAR,
        kind="plan",
        prepared_name="นางสาวผู้จัดทำ ตัวอย่าง",
        prepared_position="เจ้าหน้าที่",
        checked=False,
        approved_name="นายผู้อนุมัติ ตัวอย่าง",
        approved_position="ผู้อำนวยการ",
        acknowledgement=False,
    )
    Acknowledgement.objects.create(
        agency=agency, fiscal_year=YEAR, kind="plan", name="ไม่ควรพิมพ์", text="รับทราบ", acknowledged_on="2026-05-01"
    )
    document = plan_document_for(agency, YEAR)
    with django_assert_num_queries(3):  # no one to look up
        sign_off(document, agency, YEAR, "plan")
    assert document.signatures == [
        Signature("ผู้จัดทำ", "นางสาวผู้จัดทำ ตัวอย่าง", "เจ้าหน้าที่"),
        Signature("ผู้อนุมัติ", "นายผู้อนุมัติ ตัวอย่าง", "ผู้อำนวยการ"),
    ]
    assert document.acknowledgement is None


# --- The PDF ------------------------------------------------------------------------------------


def test_the_pdf_prints_the_letterhead_with_its_logo_the_signatures_and_the_acknowledgement(agency, plan, officer):
    AgencyProfile.objects.create(
        agency=agency,
        full_name=FULL_NAME,
        address="99 ถนนทดสอบ แขวงทดสอบ กรุงเทพมหานคร 10400",
        telephone="0 2123 4567",
        website="www.example.go.th",
        logo=picture(),
        logo_type="image/png",
    )
    SignOff.objects.create(
        agency=agency, fiscal_year=YEAR, kind="plan", checked_name="นายผู้ตรวจ ละเอียด", checked_position="หัวหน้ากลุ่มงาน"
    )
    Acknowledgement.objects.create(
        agency=agency,
        fiscal_year=YEAR,
        kind="plan",
        name="นายผู้บริหาร ทดสอบ",
        position="ผู้อำนวยการสำนักงาน",
        text="เห็นชอบ ให้ดำเนินการตามแผน",
        acknowledged_on="2026-05-14",
    )
    pages = pdf_pages(render_pdf(plan_document_for(agency, YEAR), landscape=True))
    first_text, first_images = pages[0]
    assert first_images == 1  # the logo, embedded
    letterhead = compact(FULL_NAME) + compact("99 ถนนทดสอบ แขวงทดสอบ กรุงเทพมหานคร 10400")
    assert letterhead in first_text
    assert first_text.index(letterhead) < first_text.index(compact("มาตรการส่งเสริมคุณธรรม"))  # above the title
    assert compact("โทรศัพท์ 0 2123 4567 · www.example.go.th") in first_text
    assert sum(images for _text, images in pages) == 1  # on the first page only
    last = "".join(text for text, _images in pages)
    # The three blocks stand side by side, so their lines come back interleaved: each piece alone.
    for piece in (
        "(ลงชื่อ) ........................................ ผู้จัดทำ",
        "(officer)",  # the officer edited the plan last
        "วันที่ 15 พฤษภาคม 2569",  # the day of that edit, in the Buddhist Era
        "(นายผู้ตรวจ ละเอียด)",
        "ตำแหน่ง หัวหน้ากลุ่มงาน",
        "วันที่ ........ / ........ / ........",  # a typed name: dated by hand
        "ผู้อนุมัติ",
        "ตำแหน่ง ผู้อำนวยการสำนักงาน",
    ):
        assert compact(piece) in last, piece
    # The acknowledgement stands alone under them.
    assert (
        compact(
            "ความเห็นของผู้บริหาร เห็นชอบ ให้ดำเนินการตามแผน (ลงชื่อ) ........................................ "
            "(นายผู้บริหาร ทดสอบ) ตำแหน่ง ผู้อำนวยการสำนักงาน วันที่ 14 พฤษภาคม 2569"
        )
        in last
    )
    assert last.count(compact("(นายผู้บริหาร ทดสอบ)")) == 2  # approved by, and the acknowledgement


def test_a_pdf_without_a_profile_or_sign_off_prints_none_of_them(agency, plan):
    pages = pdf_pages(render_pdf(plan_document_for(agency, YEAR), landscape=True))
    text = "".join(page for page, _images in pages)
    assert sum(images for _text, images in pages) == 0
    for absent in ("ลงชื่อ", "ผู้จัดทำ", "ความเห็นของผู้บริหาร", compact(FULL_NAME)):
        assert absent not in text


def test_thai_digits_reach_the_signature_dates(agency, plan):
    SignOff.objects.create(agency=agency, fiscal_year=YEAR, kind="plan", checked=False, approved=False)
    pages = pdf_pages(render_pdf(plan_document_for(agency, YEAR), landscape=True, thai_digits=True))
    assert compact("วันที่ ๑๕ พฤษภาคม ๒๕๖๙") in pages[-1][0]


# --- The documents page -------------------------------------------------------------------------


def test_the_documents_page_lists_the_years_documents_with_every_format(client, agency, plan, officer):
    client.force_login(officer)
    html = client.get(DOCUMENTS_URL).content.decode()
    for url in (
        f"/agencies/AG1/{YEAR}/plan/report.pdf",
        f"/agencies/AG1/{YEAR}/plan/report.xlsx",
        f"/agencies/AG1/{YEAR}/improvement/report.pdf",
        f"/agencies/AG1/{YEAR}/progress/q1/report.pdf",
        f"/agencies/AG1/{YEAR}/progress/q4/report.xlsx",
        f"/agencies/AG1/{YEAR}/progress/6m/report.pdf",  # quarterly reporting: the 6- and 12-month reports too
        f"/agencies/AG1/{YEAR}/progress/12m/report.docx",
    ):
        assert f'href="{url}"' in html
    assert f"/agencies/AG1/{YEAR}/report.pdf" not in html  # no 2569 results: no analysis
    assert html.count('class="unit-form sign-off-form"') == 8  # plan, improvement, four quarters, 6 and 12 months
    assert f"/agencies/AG1/{YEAR}/combined/report.pdf" not in html  # no results of the year before
    assert "acknowledge-form" not in html  # an officer does not acknowledge
    assert f'href="{DOCUMENTS_URL}"' in client.get(f"/agencies/AG1/{YEAR}/plan/").content.decode()


def test_the_documents_page_offers_the_combined_document_once_last_years_results_are_loaded(
    client, agency, plan, officer
):
    factories.assessment(agency, YEAR - 1)
    client.force_login(officer)
    html = client.get(DOCUMENTS_URL).content.decode()
    assert 'id="document-combined"' in html
    for file_format in ("pdf", "xlsx", "docx"):
        assert f'href="/agencies/AG1/{YEAR}/combined/report.{file_format}"' in html


@pytest.mark.parametrize(("who", "queries"), [("officer", 13), ("executive", 13), ("unit_staff", 12)])
def test_the_documents_page_runs_a_fixed_number_of_queries(
    client, agency, plan, officer, executive, unit_staff, who, queries, django_assert_num_queries
):
    user = {"officer": officer, "executive": executive, "unit_staff": unit_staff}[who]
    client.force_login(user)
    client.get(DOCUMENTS_URL)
    for kind in ("plan", "improvement"):
        SignOff.objects.create(agency=agency, fiscal_year=YEAR, kind=kind)
        Acknowledgement.objects.create(
            agency=agency, fiscal_year=YEAR, kind=kind, name="ก", text="รับทราบ", acknowledged_on="2026-05-01"
        )
    with django_assert_num_queries(queries):
        response = client.get(DOCUMENTS_URL)
    assert response.status_code == 200
    assert response.content.decode().count("รับทราบ</strong>") == 2


def test_an_executive_acknowledges_a_report_and_the_page_and_access_log_record_it(client, agency, plan, executive):
    Preferences.objects.create(user=executive, position="ผู้อำนวยการ")
    client.force_login(executive)
    html = client.get(DOCUMENTS_URL).content.decode()
    assert 'value="ผู้อำนวยการ"' in html and 'value="15/05/2569"' in html
    response = client.post(
        f"{DOCUMENTS_URL}acknowledge/",
        {
            "kind": "progress",
            "round_kind": "q1",
            "document-progress-q1-decision": "เห็นชอบ",
            "document-progress-q1-note": "ให้เร่งรัดมาตรการที่ล่าช้า",
            "document-progress-q1-name": "นายผู้บริหาร ทดสอบ",
            "document-progress-q1-position": "ผู้อำนวยการ",
            "document-progress-q1-acknowledged_on": "14/05/2569",
        },
    )
    assert response.status_code == 302 and response["Location"].endswith("#document-progress-q1")
    acknowledgement = Acknowledgement.objects.get()
    assert (acknowledgement.kind, acknowledgement.round_kind, acknowledgement.user) == ("progress", "q1", executive)
    assert (acknowledgement.text, str(acknowledgement.acknowledged_on)) == ("เห็นชอบ ให้เร่งรัดมาตรการที่ล่าช้า", "2026-05-14")
    event = AccessEvent.objects.get(kind=AccessEvent.Kind.DOCUMENT_ACKNOWLEDGED)
    assert (event.agency, event.what) == (agency, "progress q1 AG1 2569: เห็นชอบ ให้เร่งรัดมาตรการที่ล่าช้า")
    page = client.get(DOCUMENTS_URL).content.decode()
    assert "14 พ.ค. 2569" in page or "14 พฤษภาคม 2569" in page
    assert "ให้เร่งรัดมาตรการที่ล่าช้า" in page


def test_a_bad_acknowledgement_is_refused_with_what_was_typed_and_nothing_recorded(client, agency, plan, executive):
    client.force_login(executive)
    response = client.post(
        f"{DOCUMENTS_URL}acknowledge/",
        {
            "kind": "plan",
            "document-plan-decision": "รับทราบ",
            "document-plan-note": "หมายเหตุที่พิมพ์ไว้",
            "document-plan-name": "นายผู้บริหาร ทดสอบ",
            "document-plan-acknowledged_on": "16/05/2569",  # tomorrow
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "วันที่ต้องไม่เลยวันนี้" in html
    assert 'value="หมายเหตุที่พิมพ์ไว้"' in html and 'value="16/05/2569"' in html
    assert not Acknowledgement.objects.exists()
    assert not AccessEvent.objects.filter(kind=AccessEvent.Kind.DOCUMENT_ACKNOWLEDGED).exists()


def test_a_forged_document_is_refused_and_nothing_recorded(client, agency, plan, executive, officer):
    client.force_login(executive)
    response = client.post(f"{DOCUMENTS_URL}acknowledge/", {"kind": "progress", "round_kind": "q9"}, follow=True)
    assert "ไม่มีเอกสารนี้" in response.content.decode()
    client.force_login(officer)
    client.post(f"{DOCUMENTS_URL}sign-off/", {"kind": "letter"})
    assert not Acknowledgement.objects.exists() and not SignOff.objects.exists()


def test_an_officer_saves_the_signature_blocks_of_a_document(client, agency, plan, officer):
    client.force_login(officer)
    response = client.post(
        f"{DOCUMENTS_URL}sign-off/",
        {
            "kind": "improvement",
            "document-improvement-prepared": "on",
            "document-improvement-prepared_name": "นางสาวผู้จัดทำ ตัวอย่าง",
            "document-improvement-approved": "on",
            "document-improvement-acknowledgement": "on",
        },
    )
    assert response.status_code == 302
    saved = SignOff.objects.get()
    assert (saved.kind, saved.prepared_name, saved.checked, saved.approved, saved.updated_by) == (
        "improvement",
        "นางสาวผู้จัดทำ ตัวอย่าง",
        False,
        True,
        officer,
    )
    # Saved again: the same row changes.
    client.post(f"{DOCUMENTS_URL}sign-off/", {"kind": "improvement", "document-improvement-checked": "on"})
    assert SignOff.objects.get().checked and not SignOff.objects.get().prepared
    assert AccessEvent.objects.filter(kind=AccessEvent.Kind.SIGN_OFF_CHANGED).count() == 2


def test_who_may_post_on_the_documents_page(
    client, agency, plan, officer, executive, unit_staff, outsider, superuser, agency_admin
):
    overseer_agency = factories.agency("MIN", agency_type="ministry")
    agency.parent = overseer_agency
    agency.save()
    overseer = factories.member("overseer", overseer_agency, Role.EXECUTIVE, oversight=True)
    acknowledgement = {
        "kind": "plan",
        "document-plan-decision": "รับทราบ",
        "document-plan-name": "ผู้ลงนาม",
        "document-plan-acknowledged_on": "15/05/2569",
    }
    sign_off_post = {"kind": "plan", "document-plan-prepared": "on"}
    expected = {
        # who: (acknowledge, sign-off)
        unit_staff: (403, 403),
        officer: (403, 302),
        executive: (302, 403),
        agency_admin: (302, 302),
        overseer: (403, 403),
        superuser: (403, 302),
        outsider: (404, 404),
    }
    for user, (acknowledges, signs) in expected.items():
        client.force_login(user)
        assert client.post(f"{DOCUMENTS_URL}acknowledge/", acknowledgement).status_code == acknowledges, user
        assert client.post(f"{DOCUMENTS_URL}sign-off/", sign_off_post).status_code == signs, user
    assert Acknowledgement.objects.count() == 2
    assert SignOff.objects.count() == 1
    assert Membership.objects.filter(user=overseer).get().oversight


def test_my_account_keeps_the_position_the_documents_print(client, officer):
    client.force_login(officer)
    response = client.post(
        "/accounts/account/preferences/",
        {"language": "th", "email_notifications": "immediately", "position": "นักวิเคราะห์นโยบายและแผน"},
    )
    assert response.status_code == 302
    assert Preferences.objects.get(user=officer).position == "นักวิเคราะห์นโยบายและแผน"


def test_the_history_of_a_measure_names_whoever_edited_it(plan, officer):
    # The fixture's edit is what "prepared by" reads.
    assert Measure.history.filter(id=plan.pk).latest().history_user == officer
