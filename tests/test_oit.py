"""The OIT checklist through the test client: assigning an o item, filling it with a link and a
file, sending it, returning it, approving it; who may do what; the public ITA page, its exact
items and links, its headers, and a check that nothing private reaches any public URL."""

import datetime
import io
import re
import threading
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from notifications.models import Notification
from oit.checklist import o_items, version_for
from oit.models import ChecklistEvidence, ChecklistItem, ChecklistStepEvent, DocumentSnapshot, PublicPage, Status
from tests import factories, published
from tests.clock import pinned
from tests.entries_support import PDF

YEAR = 2569


def item_url(code="o1", agency="AG1", year=YEAR):
    return reverse("checklist_item", args=[agency, year, code])


def step_url(step, code="o1", agency="AG1", year=YEAR):
    return reverse("checklist_step", args=[agency, year, code, step])


def revision(code="o1", agency_code="AG1"):
    row = ChecklistItem.objects.filter(agency__code=agency_code, item__code=code, fiscal_year=YEAR).first()
    return row.revision if row else 0


def assign(client, unit, code="o1", person="นางสาวผู้รับผิดชอบ ทดสอบ", due="31/03/2570"):
    return client.post(item_url(code), {"assign": "1", "unit": unit.pk, "person": person, "due_date": due})


def add_link(client, label, url, code="o1"):
    return client.post(item_url(code), {"label": label, "url": url})


def approve(client, code="o1"):
    return client.post(step_url("approve", code), {"revision": revision(code)})


def submit(client, code="o1"):
    return client.post(step_url("submit", code), {"revision": revision(code)})


def test_the_cycle_assign_fill_submit_return_approve(client, agency, unit, officer, unit_staff):
    client.force_login(officer)
    response = assign(client, unit)
    assert response.status_code == 302
    row = ChecklistItem.objects.get(agency=agency, fiscal_year=YEAR, item__code="o1")
    assert (row.unit, row.person, row.due_date, row.status) == (
        unit,
        "นางสาวผู้รับผิดชอบ ทดสอบ",
        datetime.date(2027, 3, 31),
        Status.NOT_STARTED,
    )

    client.force_login(unit_staff)
    assert add_link(client, "โครงสร้างหน่วยงาน", "https://www.ag1.go.th/structure").status_code == 302
    upload = SimpleUploadedFile("ผังองค์กร.pdf", PDF, content_type="application/pdf")
    response = client.post(item_url(), {"label": "ผังองค์กร", "file": upload, "public": "on"})
    assert response.status_code == 302
    row.refresh_from_db()
    assert row.status == Status.IN_PROGRESS
    assert [(e.label, e.url, e.file_name, e.public) for e in row.evidence.all()] == [
        ("โครงสร้างหน่วยงาน", "https://www.ag1.go.th/structure", "", False),
        ("ผังองค์กร", "", "ผังองค์กร.pdf", True),
    ]
    assert submit(client).status_code == 302
    row.refresh_from_db()
    assert row.status == Status.READY
    # Under review: nothing more is added.
    add_link(client, "เพิ่มภายหลัง", "https://www.ag1.go.th/late")
    assert row.evidence.count() == 2

    client.force_login(officer)
    response = client.post(step_url("return"), {"revision": revision(), "comment": ""}, follow=True)
    assert "ระบุสิ่งที่ต้องแก้ไข" in response.content.decode()
    row.refresh_from_db()
    assert row.status == Status.READY  # a return without a reason does nothing
    client.post(step_url("return"), {"revision": revision(), "comment": "ลิงก์ต้องเป็นหน้าเว็บของหน่วยงาน"})
    row.refresh_from_db()
    assert row.status == Status.IN_PROGRESS

    client.force_login(unit_staff)
    add_link(client, "อำนาจหน้าที่", "https://www.ag1.go.th/duties")
    submit(client)
    client.force_login(officer)
    assert approve(client).status_code == 302
    row.refresh_from_db()
    assert row.status == Status.APPROVED
    assert list(
        ChecklistStepEvent.objects.filter(checklist_item=row).values_list("step", "user__username", "comment")
    ) == [
        ("submit", "unitstaff", ""),
        ("return", "officer", "ลิงก์ต้องเป็นหน้าเว็บของหน่วยงาน"),
        ("submit", "unitstaff", ""),
        ("approve", "officer", ""),
    ]
    page = client.get(item_url()).content.decode()
    assert "ลิงก์ต้องเป็นหน้าเว็บของหน่วยงาน" in page
    assert ">เปิดให้แก้ไขอีกครั้ง</button>" in page


def test_a_step_on_a_version_already_changed_does_nothing(client, agency, unit, officer, unit_staff):
    client.force_login(unit_staff)
    assign_row = ChecklistItem.objects.create(
        agency=agency, fiscal_year=YEAR, item=factories_item("o2"), unit=unit, status=Status.IN_PROGRESS
    )
    ChecklistEvidence.objects.create(checklist_item=assign_row, label="ก", url="https://www.ag1.go.th/a")
    seen = assign_row.revision
    add_link(client, "ข", "https://www.ag1.go.th/b", code="o2")  # moves the revision on
    response = client.post(step_url("submit", "o2"), {"revision": seen}, follow=True)
    assert "มีผู้แก้ไขรายการนี้" in response.content.decode()
    assign_row.refresh_from_db()
    assert assign_row.status == Status.IN_PROGRESS


def factories_item(code, year=YEAR):
    return next(item for item in o_items(version_for(None, year)) if item.code == code)


def test_an_item_cannot_be_sent_without_evidence(client, agency, unit, unit_staff, officer):
    client.force_login(officer)
    assign(client, unit)
    client.force_login(unit_staff)
    response = submit(client)
    assert response.status_code == 302
    assert ChecklistItem.objects.get(item__code="o1").status == Status.NOT_STARTED


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"label": "ไม่มีลิงก์"}, "ใส่ลิงก์ ไฟล์ หรือทั้งสองอย่าง"),
        ({"label": "สคริปต์", "url": "javascript:alert(1)"}, "ที่อยู่เว็บ"),
    ],
)
def test_bad_evidence_is_refused_with_the_typed_label_kept(client, officer, agency, data, message):
    client.force_login(officer)
    response = client.post(item_url(), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert f'value="{data["label"]}"' in html
    assert ChecklistEvidence.objects.count() == 0


def test_a_web_page_is_refused_as_a_file(client, officer, agency):
    client.force_login(officer)
    upload = SimpleUploadedFile("page.html", b"<html><script>alert(1)</script></html>", content_type="text/html")
    response = client.post(item_url(), {"label": "หน้าเว็บ", "file": upload})
    assert response.status_code == 400
    assert ChecklistEvidence.objects.count() == 0


# --- Who may do what -------------------------------------------------------------------------


def test_unit_staff_see_only_their_units_items(client, agency, unit, other_unit, officer, unit_staff, other_unit_staff):
    client.force_login(officer)
    assign(client, unit, "o1")
    assign(client, other_unit, "o2")
    client.force_login(unit_staff)
    groups = client.get(reverse("checklist", args=["AG1", YEAR])).context["groups"]
    assert [line.item.code for group, _subs in groups for line in group.lines] == ["o1"]
    assert client.get(item_url("o2")).status_code == 404
    assert client.get(item_url("o3")).status_code == 404  # nobody's yet: the office's
    assert add_link(client, "ของหน่วยอื่น", "https://x.go.th", code="o2").status_code == 404
    assert ChecklistEvidence.objects.count() == 0


def test_unit_staff_do_not_assign_or_approve(client, agency, unit, officer, unit_staff):
    client.force_login(officer)
    assign(client, unit)
    client.force_login(unit_staff)
    assert assign(client, unit, person="ตัวเอง").status_code == 403
    add_link(client, "ก", "https://www.ag1.go.th/a")
    submit(client)
    assert approve(client).status_code == 403
    assert ChecklistItem.objects.get(item__code="o1").status == Status.READY


def test_executives_read_and_change_nothing(client, agency, unit, executive):
    client.force_login(executive)
    response = client.get(reverse("checklist", args=["AG1", YEAR]))
    assert response.status_code == 200
    assert len([line for group, _s in response.context["groups"] for line in group.lines]) == 28
    assert assign(client, unit).status_code == 403
    assert add_link(client, "ก", "https://www.ag1.go.th/a").status_code == 403
    assert client.post(reverse("public_page_settings", args=["AG1", YEAR]), {"publish": "on"}).status_code == 403
    assert ChecklistItem.objects.count() == 0 and PublicPage.objects.count() == 0


def test_another_agency_s_checklist_is_not_found(client, agency, outsider):
    client.force_login(outsider)
    assert client.get(reverse("checklist", args=["AG1", YEAR])).status_code == 404
    assert client.get(item_url()).status_code == 404
    assert client.get(reverse("nacc_download", args=["AG1", YEAR, "csv"])).status_code == 404


def test_an_item_not_in_the_year_s_framework_is_not_found(client, officer):
    client.force_login(officer)
    assert client.get(item_url("o29")).status_code == 404
    assert client.get(item_url("O43", year=2565)).status_code == 200  # the 2562-2565 framework's
    assert client.get(item_url("o1", year=2565)).status_code == 404


# --- The checklist's counts and queries -----------------------------------------------------


@pinned(2026, 12, 1)
def test_counts_per_indicator_and_sub_topic_and_overdue(client, agency, unit, officer, unit_staff):
    client.force_login(officer)
    assign(client, unit, "o1", due="30/11/2569")  # past on 1 December 2026
    assign(client, unit, "o2", due="31/03/2570")
    client.force_login(unit_staff)
    add_link(client, "ก", "https://www.ag1.go.th/a", code="o2")
    client.force_login(officer)
    response = client.get(reverse("checklist", args=["AG1", YEAR]))
    groups = response.context["groups"]
    nine, subs = groups[0]
    assert (nine.code, [line.item.code for line in subs[0].lines]) == ("9", ["o1", "o2", "o3", "o4"])
    assert subs[0].counts == [
        ("not_started", "ยังไม่เริ่ม", 3),
        ("in_progress", "กำลังดำเนินการ", 1),
        ("ready", "รอตรวจ", 0),
        ("approved", "อนุมัติแล้ว", 0),
    ]
    assert [group.code for group, _subs in groups] == ["9", "10"]
    assert len(groups[0][0].lines) + len(groups[1][0].lines) == 28
    assert [line.item.code for line in response.context["overdue"]] == ["o1"]


def checklist_queries(client, agency, year):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("checklist", args=[agency.code, year]))
    assert response.status_code == 200
    return len(queries)


def fill(agency, year, codes, unit=None, status=Status.APPROVED):
    items = {item.code: item for item in o_items(version_for(agency, year))}
    for code in codes:
        row = ChecklistItem.objects.create(agency=agency, fiscal_year=year, item=items[code], unit=unit, status=status)
        for n in range(2):
            ChecklistEvidence.objects.create(
                checklist_item=row, label=f"{code}-ลิงก์{n}", url=f"https://www.{agency.code.lower()}.go.th/{code}/{n}"
            )


def test_the_checklist_runs_the_same_queries_with_28_and_43_items_and_more_rows(client, agency, unit, officer):
    client.force_login(officer)
    fill(agency, YEAR, ["o1"], unit)
    fill(agency, 2565, ["O1"], unit)
    few = (checklist_queries(client, agency, YEAR), checklist_queries(client, agency, 2565))
    fill(agency, YEAR, [f"o{n}" for n in range(2, 29)], unit)
    fill(agency, 2565, [f"O{n}" for n in range(2, 44)], unit)
    for n in range(3, 7):  # other agencies' checklists change nothing
        fill(factories.agency(f"AG{n}"), YEAR, ["o1", "o2"])
    assert (checklist_queries(client, agency, YEAR), checklist_queries(client, agency, 2565)) == few
    assert few[0] == few[1]


# --- The public page --------------------------------------------------------------------------


def publish(client, sites=""):
    return client.post(reverse("public_page_settings", args=["AG1", YEAR]), {"publish": "on", "frame_ancestors": sites})


def public_url(agency="AG1", year=YEAR):
    return reverse("public_page", args=[agency, year])


def test_the_public_page_shows_approved_items_links_only(client, agency, unit, officer, unit_staff):
    client.force_login(officer)
    assign(client, unit, "o1")
    assign(client, unit, "o2")
    client.force_login(unit_staff)
    add_link(client, "โครงสร้างหน่วยงาน", "https://www.ag1.go.th/structure", "o1")
    client.post(item_url("o1"), {"label": "ผังภายใน", "file": SimpleUploadedFile("ผัง.pdf", PDF)})  # not public
    client.post(item_url("o1"), {"label": "ผังเผยแพร่", "file": SimpleUploadedFile("ผังเผยแพร่.pdf", PDF), "public": "on"})
    add_link(client, "ร่างข้อมูลผู้บริหาร", "https://www.ag1.go.th/draft", "o2")
    submit(client, "o1")
    client.force_login(officer)
    approve(client, "o1")
    client.logout()
    assert client.get(public_url()).status_code == 404  # not published yet

    client.force_login(officer)
    assert publish(client).status_code == 302
    client.logout()
    response = client.get(public_url())
    assert response.status_code == 200
    html = response.content.decode()
    links = re.findall(r'<a href="([^"]+)"[^>]*>([^<]+)</a>', html)
    public_file = ChecklistEvidence.objects.get(label="ผังเผยแพร่")
    assert links == [
        ("https://www.ag1.go.th/structure", "โครงสร้างหน่วยงาน"),
        (reverse("public_file", args=["AG1", YEAR, public_file.pk]), "ผังเผยแพร่"),
    ]
    assert re.findall(r'<th scope="row">(o\d+)</th>', html) == ["o1"]
    assert response["Cache-Control"] == "public, max-age=300"
    assert "Set-Cookie" not in response
    assert response["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
    assert client.get(reverse("public_file", args=["AG1", YEAR, public_file.pk])).status_code == 200
    private = ChecklistEvidence.objects.get(label="ผังภายใน")
    assert client.get(reverse("public_file", args=["AG1", YEAR, private.pk])).status_code == 404


def test_the_embedded_page_may_be_framed_by_the_agency_s_own_sites_only(client, agency, officer):
    client.force_login(officer)
    publish(client, "https://www.ag1.go.th https://intranet.ag1.go.th")
    client.logout()
    response = client.get(reverse("public_embed", args=["AG1", YEAR]))
    assert response.status_code == 200
    assert "X-Frame-Options" not in response
    assert "frame-ancestors https://www.ag1.go.th https://intranet.ag1.go.th" in response["Content-Security-Policy"]


def test_a_bad_frame_ancestor_is_refused_and_nothing_published(client, agency, officer):
    client.force_login(officer)
    response = publish(client, "https://www.ag1.go.th; script-src *")
    assert response.status_code == 302
    assert PublicPage.objects.count() == 0


def test_the_public_page_runs_the_same_queries_with_more_items_and_agencies(client, agency, other_agency, officer):
    PublicPage.objects.create(
        agency=agency, fiscal_year=YEAR, published=datetime.datetime(2026, 11, 1, tzinfo=datetime.UTC)
    )
    fill(agency, YEAR, ["o1"])
    with CaptureQueriesContext(connection) as few:
        client.get(public_url())
    fill(agency, YEAR, [f"o{n}" for n in range(2, 29)])
    for n in range(3, 8):
        fill(factories.agency(f"AG{n}"), YEAR, ["o1", "o2"])
    fill(other_agency, YEAR, ["o1", "o2", "o3"])
    with CaptureQueriesContext(connection) as many:
        response = client.get(public_url())
    assert len(many) == len(few)
    assert len(re.findall(r'<th scope="row">(o\d+)</th>', response.content.decode())) == 28
    # The 2562-2565 framework's 43 items: the same queries again.
    PublicPage.objects.create(
        agency=agency, fiscal_year=2565, published=datetime.datetime(2022, 9, 1, tzinfo=datetime.UTC)
    )
    fill(agency, 2565, [f"O{n}" for n in range(1, 44)])
    with CaptureQueriesContext(connection) as older:
        response = client.get(public_url(year=2565))
    assert len(older) == len(few)
    assert len(re.findall(r'<th scope="row">(O\d+)</th>', response.content.decode())) == 43


PRIVATE = [
    "นางสาวผู้รับผิดชอบ ทดสอบ",  # the responsible person
    "ความเห็นผู้ตรวจลับ",  # a reviewer's comment
    "ร่างที่ยังไม่อนุมัติ",  # evidence of an item in progress
    "https://www.ag1.go.th/draft-only",
    "ไฟล์ภายในเท่านั้น",  # a file not marked public
    "สำนักงานบริหารกลาง",  # a unit's name
    "unitstaff",
    "ลับของหน่วยงานสอง",  # another agency's approved evidence, its page unpublished
]


def public_urls(*, codes, years, pks):
    """Every URL the resolver answers without a sign-in (but the sign-in pages, the language switch
    and the health check), with each agency code, year and object id given."""
    private_free = {"accounts", "admin", "i18n", "health"}
    urls = []
    for pattern in get_resolver().url_patterns:
        if not isinstance(pattern, URLResolver):
            continue
        for view in pattern.url_patterns:
            if not isinstance(view, URLPattern) or getattr(view.callback, "login_required", True):
                continue
            route = str(pattern.pattern) + str(view.pattern)
            if route.split("/")[0] in private_free:
                continue
            for code in codes:
                for year in years:
                    for pk in pks if "<int:pk>" in route else [None]:
                        kwargs = {"code": code, "year": year} | ({"pk": pk} if pk else {})
                        urls.append(reverse(view.name, kwargs=kwargs))
    return urls


def test_nothing_private_reaches_any_public_url(client, agency, other_agency, unit, officer, unit_staff):
    client.force_login(officer)
    assign(client, unit, "o1")
    assign(client, unit, "o2")
    client.force_login(unit_staff)
    add_link(client, "เผยแพร่ได้", "https://www.ag1.go.th/public", "o1")
    client.post(item_url("o1"), {"label": "ไฟล์ภายในเท่านั้น", "file": SimpleUploadedFile("ไฟล์ภายในเท่านั้น.pdf", PDF)})
    client.post(item_url("o1"), {"label": "ไฟล์สาธารณะ", "file": SimpleUploadedFile("public.pdf", PDF), "public": "on"})
    add_link(client, "ร่างที่ยังไม่อนุมัติ", "https://www.ag1.go.th/draft-only", "o2")
    submit(client, "o1")
    client.force_login(officer)
    client.post(step_url("return", "o1"), {"revision": revision("o1"), "comment": "ความเห็นผู้ตรวจลับ"})
    client.force_login(unit_staff)
    submit(client, "o1")
    client.force_login(officer)
    approve(client, "o1")
    publish(client, "https://www.ag1.go.th")
    fill(other_agency, YEAR, ["o1"])
    ChecklistEvidence.objects.filter(checklist_item__agency=other_agency).update(label="ลับของหน่วยงานสอง")
    o27 = next(item for item in o_items(version_for(agency, YEAR)) if item.code == "o27")
    for owner, text in ((agency, b"%PDF plan of AG1"), (other_agency, "%PDF ลับของหน่วยงานสอง".encode())):
        DocumentSnapshot.objects.create(
            agency=owner, fiscal_year=YEAR, item=o27, kind="plan", version=1, file=ContentFile(text, name="plan.pdf")
        )
    client.logout()

    urls = public_urls(
        codes=["AG1", "AG2"],
        years=[YEAR, YEAR - 1],
        pks=[
            *ChecklistEvidence.objects.values_list("pk", flat=True),
            *DocumentSnapshot.objects.values_list("pk", flat=True),
        ],
    )
    assert len(urls) == 2 * 2 * (2 + 2 * (ChecklistEvidence.objects.count() + DocumentSnapshot.objects.count()))
    served = {}
    for url in urls:
        response = client.get(url)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        served[url] = response.status_code
        text = body.decode("utf-8", "replace")
        assert [secret for secret in PRIVATE if secret in text] == [], url
    public_file = ChecklistEvidence.objects.get(label="ไฟล์สาธารณะ")
    assert sorted(url for url, status in served.items() if status == 200) == sorted(
        [
            reverse("public_page", args=["AG1", YEAR]),
            reverse("public_embed", args=["AG1", YEAR]),
            reverse("public_file", args=["AG1", YEAR, public_file.pk]),
            reverse("public_document", args=["AG1", YEAR, DocumentSnapshot.objects.get(agency=agency).pk]),
        ]
    )


# --- What the NACC asks for -------------------------------------------------------------------


def test_the_nacc_download_lists_approved_links_in_the_framework_s_order(client, agency, officer):
    fill(agency, YEAR, ["o3", "o1"])
    fill(agency, YEAR, ["o2"], status=Status.IN_PROGRESS)
    client.force_login(officer)
    response = client.get(reverse("nacc_download", args=["AG1", YEAR, "csv"]))
    lines = response.content.decode("utf-8-sig").splitlines()
    assert [line.split(",")[0] for line in lines] == ["ข้อคำถาม", "o1", "o1", "o3", "o3"]
    assert lines[1].endswith(",o1-ลิงก์0,https://www.ag1.go.th/o1/0")
    xlsx = client.get(reverse("nacc_download", args=["AG1", YEAR, "xlsx"]))
    assert xlsx.status_code == 200 and xlsx.content.startswith(b"PK")


def test_once_published_the_nacc_download_adds_public_files_and_documents(client, settings, agency, officer):
    settings.SITE_URL = "https://ita.example.go.th"
    fill(agency, YEAR, ["o1"])
    row = ChecklistItem.objects.get(item__code="o1")
    chart = ChecklistEvidence.objects.create(
        checklist_item=row, label="ผังองค์กร", file=ContentFile(PDF, name="chart.pdf"), public=True, order=5
    )
    ChecklistEvidence.objects.create(checklist_item=row, label="ภายใน", file=ContentFile(PDF, name="x.pdf"), order=6)
    o27 = next(item for item in o_items(version_for(agency, YEAR)) if item.code == "o27")
    plans = [
        DocumentSnapshot.objects.create(
            agency=agency, fiscal_year=YEAR, item=o27, kind="plan", version=n, file=ContentFile(PDF, name="p.pdf")
        )
        for n in (1, 2)
    ]
    client.force_login(officer)

    def links():
        response = client.get(reverse("nacc_download", args=["AG1", YEAR, "csv"]))
        return [line.split(",")[-2:] for line in response.content.decode("utf-8-sig").splitlines()[1:]]

    assert links() == [["o1-ลิงก์0", "https://www.ag1.go.th/o1/0"], ["o1-ลิงก์1", "https://www.ag1.go.th/o1/1"]]
    publish(client)
    assert links()[2:] == [
        ["ผังองค์กร", f"https://ita.example.go.th/p/AG1/{YEAR}/files/{chart.pk}/"],
        ["แผนปฏิบัติการส่งเสริมคุณธรรมและความโปร่งใส", f"https://ita.example.go.th/p/AG1/{YEAR}/documents/{plans[1].pk}/"],
    ]


# --- Link checks ------------------------------------------------------------------------------


class Site(BaseHTTPRequestHandler):
    def do_HEAD(self):
        if self.path == "/good":
            self.send_response(200)
        elif self.path == "/moved":
            self.send_response(301)
            self.send_header("Location", "/good")
        else:
            self.send_response(404)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def site():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Site)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_the_link_check_records_each_answer(client, agency, officer, site):
    item = o_items(version_for(agency, YEAR))[0]
    row = ChecklistItem.objects.create(agency=agency, fiscal_year=YEAR, item=item)
    for label in ("good", "missing", "moved"):
        ChecklistEvidence.objects.create(checklist_item=row, label=label, url=f"{site}/{label}")
    ChecklistEvidence.objects.create(checklist_item=row, label="file only", file="oit/x.pdf")
    call_command("check_evidence_links", "--timeout", "2", stdout=(out := io.StringIO()))
    answers = {e.label: (e.check_status, e.check_error, e.final_url) for e in ChecklistEvidence.objects.all()}
    assert answers == {
        "good": (200, "", ""),
        "missing": (404, "", ""),
        "moved": (200, "", f"{site}/good"),
        "file only": (None, "", ""),
    }
    assert out.getvalue().splitlines()[-1] == "3 links checked: 1 broken, 1 moved."
    client.force_login(officer)
    assert "เสีย" in client.get(item_url()).content.decode()
    # The item has no unit: the office is told, once; the next day's run finds nothing new.
    step = ChecklistStepEvent.objects.get(step="links")
    assert step.comment.splitlines()[1:] == [f"{site}/missing (404)", f"{site}/moved → {site}/good"]
    assert [n.user.username for n in Notification.objects.filter(checklist_step=step)] == ["officer"]
    call_command("check_evidence_links", "--timeout", "2", stdout=io.StringIO())
    assert ChecklistStepEvent.objects.filter(step="links").count() == 1


def test_the_button_checks_the_agency_s_links_in_the_background(
    client, settings, agency, unit, officer, unit_staff, site
):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    row = ChecklistItem.objects.create(
        agency=agency, fiscal_year=YEAR, item=o_items(version_for(agency, YEAR))[0], unit=unit
    )
    ChecklistEvidence.objects.create(checklist_item=row, label="หาย", url=f"{site}/missing")
    client.force_login(unit_staff)
    assert client.post(reverse("checklist_check_links", args=["AG1", YEAR])).status_code == 403
    client.force_login(officer)
    response = client.post(reverse("checklist_check_links", args=["AG1", YEAR]), follow=True)
    assert "กำลังตรวจลิงก์" in response.content.decode()
    assert ChecklistEvidence.objects.get().check_status == 404
    # The unit is told, not the office.
    assert [n.user.username for n in Notification.objects.all()] == ["unitstaff"]


# --- Notifications ----------------------------------------------------------------------------


def test_each_step_notifies_as_a_progress_report_s_do(client, agency, unit, officer, unit_staff):
    client.force_login(officer)
    assign(client, unit)
    client.force_login(unit_staff)
    add_link(client, "ก", "https://www.ag1.go.th/a")
    submit(client)
    client.force_login(officer)
    client.post(step_url("return"), {"revision": revision(), "comment": "เพิ่มคำอธิบายหน้าเว็บ"})
    told = Notification.objects.order_by("pk")
    assert [(n.user.username, n.checklist_step.step) for n in told] == [("officer", "submit"), ("unitstaff", "return")]

    client.force_login(unit_staff)
    page = client.get(reverse("notifications")).content.decode()
    assert "ส่งคืนหลักฐาน OIT ข้อ o1 (2569) ของ ส.บก. ให้แก้ไข" in page
    assert "เพิ่มคำอธิบายหน้าเว็บ" in page
    mine = told.get(user=unit_staff)
    response = client.post(reverse("notification_open", args=[mine.pk]))
    assert response.status_code == 302 and response["Location"] == item_url()
    mine.refresh_from_db()
    assert mine.read_at is not None


def test_the_notifications_list_costs_the_same_queries_for_one_or_ten_items(client, agency, unit, officer, unit_staff):
    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("notifications")).status_code == 200
        return len(captured)

    fill(agency, YEAR, ["o1"], unit, status=Status.IN_PROGRESS)
    client.force_login(unit_staff)
    submit(client, "o1")
    client.force_login(officer)
    one = queries()
    fill(agency, YEAR, [f"o{n}" for n in range(2, 11)], unit, status=Status.IN_PROGRESS)
    client.force_login(unit_staff)
    for n in range(2, 11):
        submit(client, f"o{n}")
    client.force_login(officer)
    assert Notification.objects.filter(user=officer).count() == 10
    assert queries() == one


# --- A new year from last year's ---------------------------------------------------------------


def test_last_year_s_checklist_is_copied_to_the_items_of_the_same_code_marked_to_check(client, agency, unit, officer):
    fill(agency, 2568, ["o1", "o2"], unit)
    ChecklistItem.objects.filter(fiscal_year=2568, item__code="o2").update(person="นายผู้ดูแล เว็บ")
    fill(agency, YEAR, ["o1"], unit, status=Status.IN_PROGRESS)  # already begun: left alone
    client.force_login(officer)
    assert client.get(reverse("checklist", args=["AG1", YEAR])).context["can_copy"]
    response = client.post(reverse("checklist_copy", args=["AG1", YEAR]), follow=True)
    assert "คัดลอกจากปีก่อน 1 ข้อ" in response.content.decode()
    copied = ChecklistItem.objects.get(fiscal_year=YEAR, item__code="o2")
    assert (copied.unit, copied.person, copied.status, copied.to_check, copied.due_date) == (
        unit,
        "นายผู้ดูแล เว็บ",
        Status.NOT_STARTED,
        True,
        None,
    )
    assert [(e.label, e.url) for e in copied.evidence.all()] == [
        ("o2-ลิงก์0", "https://www.ag1.go.th/o2/0"),
        ("o2-ลิงก์1", "https://www.ag1.go.th/o2/1"),
    ]
    assert copied.item.version.first_year == 2568 and copied.item.code == "o2"
    kept = ChecklistItem.objects.get(fiscal_year=YEAR, item__code="o1")
    assert (kept.status, kept.to_check) == (Status.IN_PROGRESS, False)
    # Adding evidence is looking at the item: it is no longer "to check".
    add_link(client, "ใหม่", "https://www.ag1.go.th/new", code="o2")
    copied.refresh_from_db()
    assert copied.to_check is False


def test_copying_is_for_editors(client, agency, unit, executive):
    fill(agency, 2568, ["o1"], unit)
    client.force_login(executive)
    assert client.post(reverse("checklist_copy", args=["AG1", YEAR])).status_code == 403
    assert not ChecklistItem.objects.filter(fiscal_year=YEAR).exists()


@pinned(2026, 12, 1)
def test_the_dashboard_counts_items_by_status_and_lists_the_overdue(client, agency, other_agency, unit, officer):
    fill(agency, YEAR, ["o1", "o2"], unit)  # approved
    fill(agency, YEAR, ["o3"], unit, status=Status.READY)
    fill(agency, YEAR, ["o21"], unit, status=Status.IN_PROGRESS)
    ChecklistItem.objects.filter(item__code__in=["o3", "o21"]).update(due_date=datetime.date(2026, 11, 30))
    ChecklistItem.objects.filter(item__code="o1").update(due_date=datetime.date(2026, 11, 1))  # approved: not late
    fill(other_agency, YEAR, ["o4"], status=Status.IN_PROGRESS)  # not the officer's
    client.force_login(officer)
    html = client.get("/dashboard/").content.decode()
    oit = re.search(r'<section id="oit-evidence">.*?</section>', html, re.S).group(0)
    rows = [
        [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
        for row in re.findall(r"<tr>(.*?)</tr>", oit.split("<tbody>")[1], re.S)
    ]
    assert rows == [
        ["9", "9.1 ข้อมูลพื้นฐาน", "0", "0", "1", "2", "1"],
        ["10", "–", "0", "1", "0", "0", "1"],
    ]
    assert "เลยกำหนด 2 ข้อ" in oit
    assert re.findall(r">(o\d+)</a>", oit) == ["o3", "o21"]


# --- The readiness forecast ---------------------------------------------------------------------


def forecast_of(client):
    return client.get(reverse("checklist", args=["AG1", YEAR])).context["forecast"]


def test_the_forecast_scores_approved_items_100_with_the_latest_iit_and_eit(client, agency, officer):
    factories.summarised_assessment(agency, 2568, published.angthong_2568_figures())  # IIT 98.19, EIT 90.41
    client.force_login(officer)
    nothing = forecast_of(client)
    assert (nothing.indicators, nothing.oit, nothing.overall, nothing.level, nothing.based_on) == (
        [(9, Decimal("0.00")), (10, Decimal("0.00"))],
        Decimal("0.00"),
        Decimal("56.58"),
        "ต้องปรับปรุงโดยด่วน",
        2568,
    )
    fill(agency, YEAR, [f"o{n}" for n in range(2, 29)])
    fill(agency, YEAR, ["o1"], status=Status.READY)  # not approved yet: 0
    ready = forecast_of(client)
    # 9.1 = mean(0, 100, 100, 100) = 75; indicator 9 = mean(75, 100, 100, 100, 100) = 95; OIT = 97.5;
    # 0.3 × 98.19 + 0.3 × 90.41 + 0.4 × 97.5 = 95.58, EIT Survey 87.61 below 95: ผ่านดี
    assert (ready.indicators, ready.oit, ready.overall, ready.level) == (
        [(9, Decimal("95.00")), (10, Decimal("100.00"))],
        Decimal("97.50"),
        Decimal("95.58"),
        "ผ่านดี",
    )
    html = client.get(reverse("checklist", args=["AG1", YEAR])).content.decode()
    assert "95.58" in html and "ผ่านดี" in html


def test_unit_staff_get_no_forecast(client, agency, unit, unit_staff):
    fill(agency, YEAR, ["o1"], unit)
    client.force_login(unit_staff)
    assert forecast_of(client) is None
