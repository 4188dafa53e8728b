"""Progress reports of a period from the demo (issue 12 items 1 and 8): the 6- and 12-month reports
of Ang Thong 2569, the NSM layout, the evidence annex and the report links of the rounds page,
checked in the PDF and XLSX files themselves."""

import io
import re
import subprocess

import openpyxl
import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile

from assessments.models import Agency
from measures.models import Evidence, Measure, ProgressEntry, State
from reports.pdf import render_pdf
from reports.progress_document import NOT_REPORTED, progress_document_for
from reports.xlsx import render_xlsx
from tests import clock, factories
from tests.test_reports_analysis import compact, pdf_text

# The demo's dates are real: on this day Ang Thong's 2569 Q4 is reviewed but for measures 6, 8 and 9.
pytestmark = clock.pinned(2026, 11, 21)

# Measure 1's step done in each quarter of 2569 (demo: 45 days into the quarter), in date order.
QUARTERS = [
    "15 พ.ย. 68 ปรับปรุงคู่มือปฏิบัติงานและคู่มือบริการประชาชน",
    "15 ก.พ. 69 กำชับให้เจ้าหน้าที่ถือปฏิบัติตามคู่มือหรือมาตรฐานการปฏิบัติงานอย่างเคร่งครัด",
    "16 พ.ค. 69 ประชาสัมพันธ์หรือเผยแพร่คู่มือดังกล่าวให้แก่บุคลากรภายในหน่วยงาน",
    "15 ส.ค. 69 ประชาสัมพันธ์หรือเผยแพร่ผ่านช่องทางออนไลน์",
]
PDF_BYTES = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def angthong(demo):
    return Agency.objects.get(code="ANGTHONG-MUN")


def workbook_rows(content):
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    return {sheet.title: [[c.value for c in row] for row in sheet.iter_rows()] for sheet in workbook.worksheets}


def whole_rows(table):
    """The sheet's rows with each row's continuation rows ("1 (ต่อ)") joined back to it, cell by cell."""
    rows = []
    for row in table:
        first = str(row[0] or "")
        if rows and first.endswith("(ต่อ)"):
            rows[-1] = [
                a if b is None or str(b).endswith("(ต่อ)") else f"{a or ''} {b}"
                for a, b in zip(rows[-1], row, strict=True)
            ]
        else:
            rows.append(list(row))
    return rows


def pdftotext(content, tmp_path):
    path = tmp_path / "report.pdf"
    path.write_bytes(content)
    return compact(
        subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True).stdout.decode()
    )


def positions(text, parts):
    return [text.find(compact(part)) for part in parts]


def test_the_12_month_report_holds_the_activities_of_all_four_quarters_in_date_order(angthong, tmp_path):
    document = progress_document_for(angthong, 2569, "12m")

    assert document.title_lines[2] == "ผลการดำเนินงานระหว่างวันที่ 1 ตุลาคม 2568 ถึงวันที่ 30 กันยายน 2569"
    assert document.sections[0].paragraphs == [
        "รวมผลการดำเนินงานที่หน่วยงานรายงานในไตรมาสที่ 1, ไตรมาสที่ 2, ไตรมาสที่ 3 และไตรมาสที่ 4 เรียงตามวันที่ดำเนินการ"
    ]
    text = "".join(pdf_text(render_pdf(document, landscape=True)))
    assert compact("ผลการดำเนินงานระหว่างวันที่ 1 ตุลาคม 2568 ถึงวันที่ 30 กันยายน 2569") in text
    assert compact("ไตรมาสที่ 4 แทน") not in text
    found = positions(text, QUARTERS)
    assert -1 not in found and found == sorted(found), found
    assert compact("มาตรการทั้งหมด 10 มาตรการ ดำเนินการแล้วเสร็จ 7 มาตรการ คิดเป็นร้อยละ 70.00") in text

    rows = workbook_rows(render_xlsx(document))
    cells = [v for sheet in rows.values() for row in whole_rows(sheet) for v in row if isinstance(v, str)]
    first = compact(next(v for v in cells if v.startswith("งานวิเคราะห์นโยบายและแผน, งานการเจ้าหน้าที่") and ":\n" in v))
    found = positions(first, QUARTERS)
    assert -1 not in found and found == sorted(found), found
    assert compact("ความคืบหน้า ร้อยละ 100") in first


def test_the_latest_reviewed_report_counts_and_what_is_not_yet_reviewed_is_marked(angthong):
    rows = progress_document_for(angthong, 2569, "12m").sections[0].table.rows
    # Measure 8: Q1–Q3 approved (75 %), Q4 sent and waiting for review (100 %).
    reviewed, waiting = rows[7][-1].split("\n(ยังไม่ผ่านการตรวจสอบ)\n")
    assert reviewed.split("\n")[-1] == "ความคืบหน้า ร้อยละ 75"
    assert waiting.startswith("15 ส.ค. 69 จัดประชุมประชาคมหรือสำรวจความเห็นผู้รับบริการออนไลน์สม่ำเสมอ")
    assert waiting.split("\n")[-3:] == ["ความคืบหน้า ร้อยละ 100", "", "ความคืบหน้าของมาตรการ ร้อยละ 100"]
    # Measure 6: the internal audit unit's Q4 is still its draft: its Q3 report is the latest reviewed.
    audit = rows[5][-1].split("\n\n")[1]
    assert audit.startswith("หน่วยตรวจสอบภายใน:\n15 พ.ย. 68 ") and audit.endswith("ความคืบหน้า ร้อยละ 75")


def test_the_6_month_report_holds_the_first_two_quarters_only(angthong, tmp_path):
    document = progress_document_for(angthong, 2569, "6m")

    assert document.title_lines[2] == "ผลการดำเนินงานระหว่างวันที่ 1 ตุลาคม 2568 ถึงวันที่ 31 มีนาคม 2569"
    text = "".join(pdf_text(render_pdf(document, landscape=True)))
    first, second, third, fourth = positions(text, QUARTERS)
    assert -1 < first < second and third == fourth == -1
    assert compact("ความคืบหน้าของมาตรการ ร้อยละ 50") in text
    quarter = progress_document_for(angthong, 2569, "q3").sections[0].table.rows[0][-1]
    assert [line[:10] for line in quarter.split("\n")[1:2]] == ["16 พ.ค. 69"]  # a quarter stays one quarter
    assert "15 ก.พ. 69" not in quarter


def test_unreported_entries_print_as_not_reported_never_as_0_percent(angthong, tmp_path):
    document = progress_document_for(angthong, 2570, "q1")  # drafts but for measures 2 (sent) and 10 (approved)
    rows = document.sections[0].table.rows

    units = ", ".join(
        str(u) for u in Measure.objects.get(agency=angthong, fiscal_year=2570, order=3).responsible_units()
    )
    assert rows[2][-1] == f"{units}:\n{NOT_REPORTED}"
    text = pdftotext(render_pdf(document, landscape=True), tmp_path)
    assert compact(NOT_REPORTED) in text
    assert not re.search(r"ร้อยละ(0|10)(?![.\d])", text), "a draft's percent"  # 0.00 is the summary's
    assert compact("ความคืบหน้า ร้อยละ 25") in text


def test_the_nsm_layout_prints_plan_method_results_and_units(client, angthong, tmp_path):
    client.force_login(get_user_model().objects.get(username="officer"))
    url = "/agencies/ANGTHONG-MUN/2569/progress/12m/report"

    rows = workbook_rows(client.get(url + ".xlsx?layout=nsm").content)
    table = next(
        sheet for sheet in rows.values() if ["แผนการ", "วิธีดำเนินการ", "ผลการดำเนินงาน", "หน่วยงานผู้รับผิดชอบ"] in sheet
    )
    header = table.index(["แผนการ", "วิธีดำเนินการ", "ผลการดำเนินงาน", "หน่วยงานผู้รับผิดชอบ"])
    plan, method, results, units = whole_rows(table[header + 1 :])[1]  # measure 2: one unit
    assert plan == "2. มาตรการรักษามาตรฐานความโปร่งใสในการใช้งบประมาณ (Score Retention Plan)"
    assert method.split("\n")[0].startswith("- จัดทำและปรับปรุงแผนการใช้จ่ายงบประมาณประจำปี")
    assert len(method.split("\n")) == 5
    assert results.startswith("งานวิเคราะห์นโยบายและแผน:\n15 พ.ย. 68 ") and "\n15 ส.ค. 69 " in results
    assert units == "งานวิเคราะห์นโยบายและแผน"

    text = "".join(pdf_text(client.get(url + ".pdf?layout=nsm").content))
    assert all(compact(h) in text for h in ("แผนการ", "วิธีดำเนินการ", "ผลการดำเนินงาน", "หน่วยงานผู้รับผิดชอบ"))
    assert compact("จุดอ่อน") not in text
    fio = pdftotext(client.get(url + ".pdf?layout=unknown").content, tmp_path)  # anything else: the agency's
    assert compact("จุดอ่อน") in fio


def test_the_annex_lists_each_measures_evidence_with_links(client, angthong, tmp_path):
    entry = ProgressEntry.objects.get(
        measure__agency=angthong, measure__fiscal_year=2569, measure__order=2, round__kind="q4"
    )
    assert entry.state == State.APPROVED
    evidence = Evidence.objects.create(
        entry=entry,
        file=ContentFile(PDF_BYTES, name="minutes.pdf"),
        name="รายงานการใช้จ่ายงบประมาณ.pdf",
        content_type="application/pdf",
        size=len(PDF_BYTES),
    )
    entry.links = "https://angthong.example/budget"
    entry.save(update_fields=["links"])
    # Sent in Q3 too: listed once, from the round that sent it first.
    ProgressEntry.objects.filter(measure=entry.measure, round__kind="q3").update(links=entry.links)
    link = f"{settings.SITE_URL}/entries/{entry.pk}/evidence/{evidence.pk}/"

    document = progress_document_for(angthong, 2569, "12m")
    annex = document.sections[-1]
    assert (annex.heading, annex.sheet, annex.new_page) == ("ภาคผนวก หลักฐานการดำเนินงาน", "หลักฐาน", True)
    measure = "มาตรการรักษามาตรฐานความโปร่งใสในการใช้งบประมาณ (Score Retention Plan)"
    assert annex.table.rows == [
        ["2", measure, "งานวิเคราะห์นโยบายและแผน", "ลิงก์ที่แนบในรายงาน", "", "https://angthong.example/budget"],
        ["", "", "", "รายงานการใช้จ่ายงบประมาณ.pdf", "21 พ.ย. 69", link],
    ]

    client.force_login(get_user_model().objects.get(username="officer"))
    pages = pdf_text(client.get("/agencies/ANGTHONG-MUN/2569/progress/12m/report.pdf").content)
    annex_page = next(page for page in pages if compact("ภาคผนวก") in page)
    assert compact("รายงานการใช้จ่ายงบประมาณ.pdf") in annex_page and compact("21 พ.ย. 69") in annex_page
    assert link.replace("/", "") in annex_page.replace("/", "")
    assert compact("ภาคผนวก") not in pages[0]  # the annex starts a page of its own
    rows = workbook_rows(client.get("/agencies/ANGTHONG-MUN/2569/progress/12m/report.xlsx").content)
    assert any(link in row for sheet in rows.values() for row in sheet)

    without = "".join(pdf_text(client.get("/agencies/ANGTHONG-MUN/2569/progress/12m/report.pdf?annex=0").content))
    assert compact("ภาคผนวก") not in without and compact("รายงานการใช้จ่ายงบประมาณ.pdf") not in without


def test_the_loader_runs_a_fixed_number_of_queries_however_many_measures(angthong, django_assert_num_queries):
    # 19 for the plan, its rounds, entries and evidence, 1 for the agency's layout, 3 for its sign-off
    unit = angthong.units.get(name="งานการเจ้าหน้าที่")
    with django_assert_num_queries(23):
        progress_document_for(angthong, 2569, "12m")
    for n in range(3):
        factories.measure(angthong, 2569, f"มาตรการเพิ่ม {n}", lead_unit=unit, order=20 + n)
    with django_assert_num_queries(23):
        document = progress_document_for(angthong, 2569, "12m")
    assert len(document.sections[0].table.rows) == 13
    with django_assert_num_queries(22):  # no evidence to load
        progress_document_for(angthong, 2569, "12m", annex=False)


def test_the_rounds_page_offers_reports_only_for_rounds_in_use(client, demo):
    client.force_login(get_user_model().objects.get(username="officer"))

    def offered(code, year):
        html = client.get(f"/agencies/{code}/{year}/rounds/").content.decode()
        return set(re.findall(rf'href="/agencies/{code}/{year}/progress/(\w+)/report.pdf"', html))

    assert offered("ANGTHONG-MUN", 2569) == {"q1", "q2", "q3", "q4", "6m", "12m"}
    assert offered("FIO", 2564) == {"6m", "12m"}  # FIO reports in the 6-month round only
    assert offered("FIO", 2565) == set()  # nothing saved for that year
    html = client.get("/agencies/FIO/2564/rounds/").content.decode()
    assert html.count("ไม่ได้ใช้รอบนี้") == 4
