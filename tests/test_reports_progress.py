"""The progress report of a reporting round as PDF and XLSX, after the FIO's report (DOMAIN §7 item 3)."""

import datetime
import io
from decimal import Decimal

import openpyxl
import pdfplumber
import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from measures.models import Activity, ProgressEntry, State, Status
from reports.pdf import render_pdf
from reports.progress_document import progress_document_for
from reports.xlsx import render_xlsx
from tests import factories, published
from tests.published import indicators
from tests.test_reports_analysis import compact, pdf_text

URL = "/agencies/AG1/2566/progress/6m/report"
OBSTACLES = "ผู้เข้าร่วมโครงการมีจำนวนน้อยกว่าเป้าหมายเนื่องจากติดภารกิจ"


@pytest.fixture
def plan(agency, unit, other_unit):
    """Plan 2566 of AG1 after the results of 2564 and 2565 (three tiers); indicator 4 fell."""
    factories.assessment(agency, 2564, indicators(published.TCEB_2564_INDICATORS))
    figures = {**published.TCEB_2565_ITEMS, **indicators({**published.TCEB_2565_INDICATORS, 4: "91.00"})}
    last = factories.assessment(agency, 2565, figures)
    last.tier_scheme, last.tier_lower, last.tier_upper = "three", Decimal("95"), Decimal("97.5")
    last.save()
    assets = factories.measure(
        agency, 2566, "มาตรการป้องกันการใช้ทรัพย์สินของราชการ", lead_unit=unit, items=("I20",), order=1
    )
    duties = factories.measure(agency, 2566, "มาตรการส่งเสริมการปฏิบัติหน้าที่", lead_unit=other_unit, items=("I1",), order=2)
    done = ProgressEntry.objects.get(measure=assets, round__kind="q2", unit=unit)
    done.result, done.obstacles, done.percent = "จัดอบรมครบทุกหน่วย", OBSTACLES, 100
    done.status, done.state = Status.DONE, State.APPROVED
    done.save()
    Activity.objects.create(entry=done, date=datetime.date(2022, 12, 22), text="ประชุมชี้แจงแนวทางการใช้ทรัพย์สินของราชการ")
    sent = ProgressEntry.objects.get(measure=duties, round__kind="q2", unit=other_unit)
    sent.result, sent.percent, sent.status, sent.state = "อยู่ระหว่างดำเนินการ", 45, Status.ON_TRACK, State.SUBMITTED
    sent.save()
    return agency


def test_pdf_follows_the_fio_report(plan, django_assert_max_num_queries):
    with CaptureQueriesContext(connection) as queries:
        document = progress_document_for(plan, 2566, "6m")
    fixed = len(queries)
    content = render_pdf(document, landscape=True)

    with pdfplumber.open(io.BytesIO(content)) as pdf:
        fonts = {char["fontname"] for page in pdf.pages for char in page.chars}
        assert pdf.pages[0].width > pdf.pages[0].height  # A4 landscape
    assert fonts and all("Sarabun" in font for font in fonts), fonts
    text = "".join(pdf_text(content))
    assert compact("รายงานผลการดำเนินงานตามมาตรการส่งเสริมคุณธรรมและความโปร่งใสภายในหน่วยงาน") in text
    assert compact("ประจำปีงบประมาณ พ.ศ. 2566 รอบ 6 เดือน") in text
    assert compact("ผลการดำเนินงานระหว่างวันที่ 1 ตุลาคม 2565 ถึงวันที่ 31 มีนาคม 2566") in text
    assert compact("รวมผลการดำเนินงานที่หน่วยงานรายงานในไตรมาสที่ 1 และไตรมาสที่ 2 เรียงตามวันที่ดำเนินการ") in text
    assert compact("92.13 91.00 (1.13)") in text  # indicator 4: 2564, 2565 and the fall
    assert compact("I20=87.77") in text  # urgent under the three tiers: a weakness
    assert compact("มาตรการป้องกันการใช้ทรัพย์สินของราชการ") in text
    assert compact("22 ธ.ค. 65 ประชุมชี้แจงแนวทางการใช้ทรัพย์สินของราชการ") in text
    assert compact(OBSTACLES) in text
    assert compact("ความคืบหน้า ร้อยละ 100") in text
    assert compact("กจ.: (ยังไม่ผ่านการตรวจสอบ)") in text
    assert compact("มาตรการทั้งหมด 2 มาตรการ ดำเนินการแล้วเสร็จ 1 มาตรการ คิดเป็นร้อยละ 50.00") in text

    # A third measure adds no query.
    factories.measure(plan, 2566, "มาตรการที่สาม", items=("I2",), order=3)
    with django_assert_max_num_queries(fixed):
        progress_document_for(plan, 2566, "6m")


def test_units_reporting_the_same_words_are_printed_once(agency, unit, other_unit):
    measure = factories.measure(agency, 2566, "มาตรการร่วม", lead_unit=unit, supporting=[other_unit], items=("I1",))
    entries = ProgressEntry.objects.filter(measure=measure, round__kind="q2")
    entries.update(result="ชี้แจงทุกสำนักแล้ว", percent=100, status=Status.DONE, state=State.APPROVED)

    cell = progress_document_for(agency, 2566, "q2").sections[0].table.rows[0][-1]
    assert cell == "ส.บก., กจ.:\nชี้แจงทุกสำนักแล้ว\nความคืบหน้า ร้อยละ 100\n\nความคืบหน้าของมาตรการ ร้อยละ 100"

    entries.filter(unit=other_unit).update(state=State.SUBMITTED)  # same words, not yet reviewed
    cell = progress_document_for(agency, 2566, "q2").sections[0].table.rows[0][-1]
    assert cell.split("\n\n") == [
        "ส.บก.:\nชี้แจงทุกสำนักแล้ว\nความคืบหน้า ร้อยละ 100",
        "กจ.: (ยังไม่ผ่านการตรวจสอบ)\nชี้แจงทุกสำนักแล้ว\nความคืบหน้า ร้อยละ 100",
        "ความคืบหน้าของมาตรการ ร้อยละ 100",
    ]


def test_xlsx_keeps_scores_as_numbers(plan):
    workbook = openpyxl.load_workbook(io.BytesIO(render_xlsx(progress_document_for(plan, 2566, "q2"))))

    rows = [[c.value for c in row] for sheet in workbook.worksheets for row in sheet.iter_rows()]
    assets = next(row for row in rows if "มาตรการป้องกันการใช้ทรัพย์สินของราชการ" in row)
    assert assets[2:5] == [92.13, 91.0, pytest.approx(-1.13)]
    assert "ไตรมาสที่ 2" in " ".join(str(v) for row in rows for v in row if v)


def test_view_permission_ladder(client, plan, outsider, unit_staff, officer):
    response = client.get(URL + ".pdf")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")

    client.force_login(outsider)
    assert client.get(URL + ".pdf").status_code == 404

    client.force_login(unit_staff)
    response = client.get(URL + ".xlsx")
    assert response.status_code == 200
    values = {
        c.value
        for sheet in openpyxl.load_workbook(io.BytesIO(response.content)).worksheets
        for row in sheet.iter_rows()
        for c in row
    }
    assert "มาตรการป้องกันการใช้ทรัพย์สินของราชการ" in values
    assert "มาตรการส่งเสริมการปฏิบัติหน้าที่" not in values

    client.force_login(officer)
    response = client.get(URL + ".pdf?digits=thai")
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="ita-progress-AG1-2566-6m.pdf"'
    assert "๙๒.๑๓" in "".join(pdf_text(response.content))
    assert client.get("/agencies/AG1/2566/progress/q5/report.pdf").status_code == 404
    assert client.get(URL + ".doc").status_code == 404

    rounds = client.get("/agencies/AG1/2566/rounds/").content.decode()
    assert 'href="/agencies/AG1/2566/progress/q2/report.pdf"' in rounds


def test_command_needs_the_round(plan, tmp_path):
    output = tmp_path / "progress.xlsx"
    with pytest.raises(CommandError, match="--round"):
        call_command("export_report", "progress", "--agency", "AG1", "--year", "2566", "-o", str(output))
    assert not output.exists()

    call_command(
        "export_report",
        "progress",
        "--agency",
        "AG1",
        "--year",
        "2566",
        "--round",
        "q2",
        "--format",
        "xlsx",
        "-o",
        str(output),
        stdout=io.StringIO(),
    )

    workbook = openpyxl.load_workbook(output)
    assert any(c.value == 92.13 for sheet in workbook.worksheets for row in sheet.iter_rows() for c in row)
