"""The agency's own documents as OIT evidence: the acknowledged measures plan and 6-month progress
report published from an o item's page as frozen PDF files; a later change makes a new version and
never rewrites a published one; the public page links the latest of each."""

import datetime
import io
import re

import pdfplumber
import pytest
from django.urls import reverse

from measures.models import Measure
from oit.checklist import o_items, version_for
from oit.models import DocumentSnapshot, PublicPage
from reports.models import Acknowledgement
from tests import factories

YEAR = 2569


@pytest.fixture
def plan(agency, unit):
    return factories.measure(agency, YEAR, "มาตรการเปิดเผยข้อมูลฉบับแรก", lead_unit=unit, items=["o1"])


def acknowledge(agency, kind, round_kind=""):
    Acknowledgement.objects.create(
        agency=agency,
        fiscal_year=YEAR,
        kind=kind,
        round_kind=round_kind,
        name="นายผู้บริหาร ทดสอบ",
        text="รับทราบ",
        acknowledged_on=datetime.date(2026, 11, 20),
    )


def publish(client, document, item="o27"):
    url = reverse("publish_document", args=["AG1", YEAR, item])
    return client.post(url, {"document": document}, follow=True)


def pdf_text(snapshot):
    with snapshot.file.open("rb") as stored, pdfplumber.open(io.BytesIO(stored.read())) as pdf:
        return "".join(page.extract_text() or "" for page in pdf.pages)


def test_a_document_not_acknowledged_is_not_published(client, officer, plan):
    client.force_login(officer)
    response = publish(client, "plan")
    assert "ผู้บริหารยังไม่ได้รับทราบเอกสารนี้" in response.content.decode()
    assert DocumentSnapshot.objects.count() == 0


def test_the_plan_is_frozen_and_a_change_makes_a_new_version(client, officer, agency, plan):
    acknowledge(agency, "plan")
    client.force_login(officer)
    response = publish(client, "plan")
    assert "เผยแพร่ฉบับที่ 1 แล้ว" in response.content.decode()
    first = DocumentSnapshot.objects.get()
    assert (first.kind, first.round_kind, first.version, first.item.code) == ("plan", "", 1, "o27")
    with first.file.open("rb") as stored:
        frozen = stored.read()
    assert frozen.startswith(b"%PDF")
    assert "มาตรการเปิดเผยข้อมูลฉบับแรก" in pdf_text(first)

    Measure.objects.filter(pk=plan.pk).update(name="มาตรการเปิดเผยข้อมูลฉบับปรับปรุง")
    publish(client, "plan")
    second = DocumentSnapshot.objects.get(version=2)
    assert "มาตรการเปิดเผยข้อมูลฉบับปรับปรุง" in pdf_text(second)
    first.refresh_from_db()
    with first.file.open("rb") as stored:
        assert stored.read() == frozen  # the published version is as it was
    assert first.file.name != second.file.name


def test_a_six_month_report_is_published_and_the_public_page_links_the_latest(client, officer, agency, plan):
    acknowledge(agency, "plan")
    acknowledge(agency, "progress", "6m")
    client.force_login(officer)
    publish(client, "plan")
    publish(client, "plan")
    publish(client, "progress-6m", item="o28")
    report = DocumentSnapshot.objects.get(kind="progress")
    assert (report.round_kind, report.version, report.item.code) == ("6m", 1, "o28")
    assert "รายงาน" in pdf_text(report)
    PublicPage.objects.create(
        agency=agency, fiscal_year=YEAR, published=datetime.datetime(2026, 12, 1, tzinfo=datetime.UTC)
    )
    client.logout()
    html = client.get(reverse("public_page", args=["AG1", YEAR])).content.decode()
    latest_plan = DocumentSnapshot.objects.get(kind="plan", version=2)
    links = re.findall(r'<a href="(/p/AG1/2569/documents/\d+/)"', html)
    assert links == [
        reverse("public_document", args=["AG1", YEAR, latest_plan.pk]),
        reverse("public_document", args=["AG1", YEAR, report.pk]),
    ]
    assert re.findall(r'<th scope="row">(o\d+)</th>', html) == ["o27", "o28"]
    assert "ฉบับที่ 2" in html
    served = client.get(reverse("public_document", args=["AG1", YEAR, report.pk]))
    assert served.status_code == 200 and b"".join(served.streaming_content).startswith(b"%PDF")


def test_only_editors_publish(client, executive, unit_staff, agency, plan):
    acknowledge(agency, "plan")
    for user in (executive, unit_staff):
        client.force_login(user)
        assert publish(client, "plan").status_code == 403
    assert DocumentSnapshot.objects.count() == 0


def test_a_document_of_an_unpublished_page_is_not_served(client, agency):
    o27 = next(item for item in o_items(version_for(agency, YEAR)) if item.code == "o27")
    snapshot = DocumentSnapshot.objects.create(
        agency=agency, fiscal_year=YEAR, item=o27, kind="plan", version=1, file="oit/none.pdf"
    )
    assert client.get(reverse("public_document", args=["AG1", YEAR, snapshot.pk])).status_code == 404
