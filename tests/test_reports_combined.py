"""The combined document: introduction, the analysis of N − 1 (portrait), the plan of N (landscape)."""

import io

import openpyxl
import pdfplumber

from reports.combined_document import ANALYSIS_PART, PLAN_PART, combined_document_for
from reports.pdf import render_pdf
from tests import factories, test_reports_plan
from tests.test_reports_plan import OWN, YEAR, compact, pdf_text

plan_2569 = test_reports_plan.plan_2569  # the plan's fixture: Ang Thong's 2568 results and three 2569 measures

URL = f"/agencies/AG1/{YEAR}/combined/report"


def test_parts_in_order_with_their_orientations(plan_2569):
    document = combined_document_for(plan_2569, YEAR)

    headings = [s.heading for s in document.sections]
    analysis_part = headings.index(ANALYSIS_PART.format(year=2568))
    plan_part = headings.index(PLAN_PART.format(year=YEAR))
    assert headings[0] == "บทนำ" and 0 < analysis_part < plan_part
    assert headings[plan_part + 1 :] == ["มาตรการและขั้นตอนการดำเนินงาน", "การกำกับติดตามและการรายงานผล"]
    assert headings[analysis_part + 1] == "สรุปผลการประเมิน ITA ประจำปีงบประมาณ พ.ศ. 2568"
    assert [s.new_page for s in document.sections].count(True) == 2
    assert document.sections[analysis_part].new_page and document.sections[plan_part].new_page
    assert {s.landscape for s in document.sections[analysis_part:plan_part]} == {False}
    assert {s.landscape for s in document.sections[plan_part:]} == {True}
    assert document.sections[0].landscape is None  # on the title's page
    assert document.filename == f"ita-combined-AG1-{YEAR}"
    introduction = document.sections[0].paragraphs
    assert introduction[0].startswith(
        "หน่วยงานทดสอบหนึ่ง ได้รับการประเมินคุณธรรมและความโปร่งใสในการดำเนินงานของหน่วยงานภาครัฐ (ITA) "
        "ประจำปีงบประมาณ พ.ศ. 2568 ได้คะแนน 95.08 คะแนน"
    )
    assert "จำนวน 3 มาตรการ" in introduction[1]
    assert "ตัวชี้วัดที่ 4 การใช้ทรัพย์สินของราชการ (95.05 คะแนน)" in introduction[1]

    content = render_pdf(document, landscape=False)
    with pdfplumber.open(io.BytesIO(content)) as pdf:
        shapes = ["landscape" if page.width > page.height else "portrait" for page in pdf.pages]
        texts = [compact(page.extract_text(use_text_flow=True)) for page in pdf.pages]
    first_landscape = shapes.index("landscape")
    # Portrait pages, then landscape ones only: the plan starts on the first landscape page.
    assert set(shapes[:first_landscape]) == {"portrait"} and set(shapes[first_landscape:]) == {"landscape"}
    assert compact("บทนำ") in texts[0]
    assert compact(PLAN_PART.format(year=YEAR)) in texts[first_landscape]
    assert compact("ผลการประเมินรายตัวชี้วัด") in "".join(texts[:first_landscape])
    assert compact(OWN) in "".join(texts[first_landscape:])


def test_none_without_last_years_results_or_this_years_plan(agency, unit):
    factories.measure(agency, YEAR, OWN, lead_unit=unit, items=("i10",))
    assert combined_document_for(agency, YEAR) is None  # no 2568 results
    assert combined_document_for(agency, YEAR + 1) is None  # no plan


def test_download_every_format_and_404s(client, plan_2569, officer, outsider, unit_staff):
    client.force_login(officer)
    response = client.get(URL + ".pdf")
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="ita-combined-AG1-{YEAR}.pdf"'
    assert compact(PLAN_PART.format(year=YEAR)) in pdf_text(response.content)
    workbook = openpyxl.load_workbook(io.BytesIO(client.get(URL + ".xlsx?layout=tceb").content))
    values = {c.value for sheet in workbook for row in sheet.iter_rows() for c in row}
    assert "บทนำ" in values and "แนวทางการกำกับติดตาม" in values
    assert client.get(URL + ".doc").status_code == 404
    assert client.get(URL + ".pdf?layout=nope").status_code == 404
    assert client.get(f"/agencies/AG1/{YEAR + 1}/combined/report.pdf").status_code == 404
    page = client.get(f"/agencies/AG1/{YEAR}/plan/").content.decode()
    assert f'href="/agencies/AG1/{YEAR}/combined/report.pdf"' in page
    assert f'href="/agencies/AG1/{YEAR}/plan/report.pdf?layout=tceb"' in page

    client.force_login(outsider)
    assert client.get(URL + ".pdf").status_code == 404
