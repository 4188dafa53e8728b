"""A year with indicator results only (every 2566–2567 year, and older years copied from the
NACC's national reports): the analysis works on indicators, on the page, in the downloads and in
the measures planned from it. Trat province 2564 as the NACC's national report prints it."""

import io
import re
from decimal import Decimal

import docx
import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assessments.analysis import build_analysis
from assessments.models import Assessment, FrameworkVersion
from measures.models import Measure
from reports.plan_document import plan_document_for
from reports.progress_document import progress_document_for
from tests import clock, factories
from tests.published import TRAT_2564, indicators
from tests.test_plan import form_data, visible
from tests.test_reports_analysis import compact, pdf_text

pytestmark = clock.pinned(2026, 11, 21)

# Trat province 2564: indicators 1–5 (IIT) | 6–8 (EIT) | 9–10 (OIT), NACC national report 2564, p. 168.
PAGE = "/agencies/TRAT/2564/"
NEW = "/agencies/TRAT/2565/plan/new/"


@pytest.fixture
def trat(db):
    return factories.agency("TRAT", "จังหวัดตราด", agency_type="province")


@pytest.fixture
def trat_2564(trat):
    return factories.assessment(trat, 2564, indicators(TRAT_2564))


@pytest.fixture
def trat_officer(trat):
    return factories.member("tratofficer", trat, "officer")


def analysis_of(assessment):
    history = list(Assessment.objects.filter(agency=assessment.agency).prefetch_related("scores"))
    return build_analysis(history[-1], history, FrameworkVersion.objects.by_id())


def tiered(report):
    """{tier: [(tool, indicator number, score)]} as the analysis lists them."""
    return {
        tier: [(tool, i.number, row.shown) for tool, by_indicator in tools for i, rows in by_indicator for row in rows]
        for tier, _label, tools in report.tiers
    }


# --- The analysis ---------------------------------------------------------------------------


def test_trat_2564_from_its_ten_indicators_scores_81_45_and_works_on_indicators(trat_2564):
    report = analysis_of(trat_2564)

    assert f"{report.overall.shown:.2f}" == "81.45"
    assert report.level == "B"
    assert report.works_on == "indicators"
    assert tiered(report) == {
        "weakness": [("OIT", 9, Decimal("72.89")), ("OIT", 10, Decimal("65.56"))],
        "strength": [("IIT", n, Decimal(TRAT_2564[n])) for n in range(1, 6)]
        + [("EIT", n, Decimal(TRAT_2564[n])) for n in range(6, 9)],
    }


def test_one_item_result_makes_the_analysis_work_on_items(trat):
    assessment = factories.assessment(trat, 2564, {**indicators(TRAT_2564), "O1": "0.00"})

    report = analysis_of(assessment)

    assert report.works_on == "items"
    assert tiered(report)["weakness"] == [("OIT", 9, Decimal("0.00"))]  # O1 under indicator 9, not IND9 itself
    assert tiered(report)["strength"] == []


def test_three_tiers_sort_the_indicators_too(trat_2564):
    trat_2564.tier_scheme, trat_2564.tier_lower, trat_2564.tier_upper = "three", Decimal("88"), Decimal("90")
    trat_2564.save()

    tiers = tiered(analysis_of(trat_2564))

    assert [n for _tool, n, _s in tiers["urgent"]] == [2, 4, 9, 10]
    assert [n for _tool, n, _s in tiers["improve"]] == [5, 7, 8]  # 88.58 to 90.00 (90.00 included)
    assert [n for _tool, n, _s in tiers["keep"]] == [1, 3, 6]


# --- The page -------------------------------------------------------------------------------


def tier_html(response, tier):
    """The HTML of one tier's box on the analysis page."""
    text = response.content.decode()
    start = text.index(f'<div class="tier tier-{tier}">')
    return text[start : text.index("</div>", start)]


def text_of(html):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_page_lists_indicators_9_and_10_as_weaknesses_with_a_create_link_each(client, trat_officer, trat_2564):
    client.force_login(trat_officer)

    response = client.get(PAGE)

    assert response.status_code == 200
    weak = text_of(tier_html(response, "weakness"))
    assert "ตัวชี้วัดที่ 9 การเปิดเผยข้อมูล 72.89" in weak
    assert "ตัวชี้วัดที่ 10 การป้องกันการทุจริต 65.56" in weak
    assert "ตัวชี้วัดที่ 8" not in weak and "ตัวชี้วัดที่ 1 " not in weak
    strong = text_of(tier_html(response, "strength"))
    assert "ตัวชี้วัดที่ 8 การปรับปรุงระบบการทำงาน 88.58" in strong
    assert "ผลการประเมินปี 2564 ไม่มีคะแนนรายประเด็น การวิเคราะห์นี้จึงทำตามคะแนนรายตัวชี้วัด" in visible(response)
    assert "81.45" in response.text
    assert "ปีนี้ไม่มีคะแนนรายประเด็นที่นำเข้า" in visible(response)  # the items section, empty
    assert 'href="/agencies/TRAT/2565/plan/new/?indicator=9"' in tier_html(response, "weakness")
    assert 'href="/agencies/TRAT/2565/plan/new/?indicator=10"' in tier_html(response, "weakness")
    assert "?indicator=8" not in response.text  # a strength
    assert "?item=" not in response.text


def test_page_in_english_says_the_analysis_is_made_on_indicators(client, trat_officer, trat_2564):
    client.force_login(trat_officer)
    client.cookies["django_language"] = "en"

    page = visible(client.get(PAGE, headers={"accept-language": "en"}))

    assert "The results of 2564 have no item scores, so this analysis is made on the indicators." in page
    assert "Indicators by tier" in page


def test_read_only_users_see_the_weak_indicators_but_no_create_link(client, trat, trat_2564):
    executive = factories.member("tratexecutive", trat, "executive")
    client.force_login(executive)

    response = client.get(PAGE)

    assert "ตัวชี้วัดที่ 9 การเปิดเผยข้อมูล" in tier_html(response, "weakness")
    assert "/plan/new/" not in response.text


def test_other_agency_gets_not_found(client, outsider, trat_2564):
    client.force_login(outsider)

    assert client.get(PAGE).status_code == 404
    assert client.get("/agencies/TRAT/2564/report.pdf").status_code == 404


def test_a_measure_answering_a_weak_indicator_is_linked_beside_it(client, trat_officer, trat, trat_2564):
    measure = factories.measure(trat, 2565, name="มาตรการเปิดเผยข้อมูลครบถ้วน")
    measure.indicators.set(FrameworkVersion.objects.for_year(2564).indicators.filter(number=9))
    client.force_login(trat_officer)

    weak = tier_html(client.get(PAGE), "weakness")

    link = f'<a class="answered" href="/measures/{measure.pk}/">'
    assert weak.count(link) == 1
    assert weak.index(link) < weak.index("ตัวชี้วัดที่ 10")  # beside indicator 9, not 10


def page_queries(client, user):
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(PAGE).status_code == 200
    return len(queries)


def test_page_runs_a_fixed_number_of_queries_however_many_indicators_and_measures(client, trat_officer, trat):
    version = FrameworkVersion.objects.for_year(2564)
    factories.assessment(trat, 2564, indicators({9: "72.89"}))
    factories.measure(trat, 2565).indicators.set(version.indicators.filter(number=9))
    one = page_queries(client, trat_officer)

    Assessment.objects.all().delete()
    factories.assessment(trat, 2563, indicators(TRAT_2564))
    factories.assessment(trat, 2564, indicators(TRAT_2564))
    for number in range(1, 11):
        measure = factories.measure(trat, 2565, name=f"มาตรการ {number}")
        measure.indicators.set(version.indicators.filter(number__in=(number, 9)))
    many = page_queries(client, trat_officer)

    assert one == many


# --- The downloads --------------------------------------------------------------------------


def weak_part(text):
    """The weaknesses section of a document's text, up to the strengths."""
    start = text.index(compact("จุดอ่อน (ต่ำกว่าค่าเป้าหมาย)"))
    return text[start : text.index(compact("จุดแข็ง (ตั้งแต่ค่าเป้าหมายขึ้นไป)"), start)]


def test_pdf_lists_indicators_9_and_10_as_weaknesses(client, trat_officer, trat_2564):
    client.force_login(trat_officer)

    response = client.get("/agencies/TRAT/2564/report.pdf")

    text = "".join(pdf_text(response.content))
    assert compact("ได้คะแนน 81.45 คะแนน อยู่ในระดับ B") in text
    assert compact("มีผลการประเมินรายตัวชี้วัดเท่านั้น ไม่มีผลรายประเด็นการประเมิน") in text
    weak = weak_part(text)
    assert compact("ตัวชี้วัดที่ 9 การเปิดเผยข้อมูล 72.89") in weak
    assert compact("ตัวชี้วัดที่ 10 การป้องกันการทุจริต 65.56") in weak
    assert compact("ตัวชี้วัดที่ 8") not in weak and "87.72" not in weak
    assert compact("ไม่มีประเด็นในกลุ่มนี้") not in text


def word_text(opened):
    """The text of a Word file's body, paragraphs and tables in the order they are printed."""
    texts = []
    for block in opened.iter_inner_content():
        if isinstance(block, docx.table.Table):
            texts += [" ".join(cell.text for cell in row.cells) for row in block.rows]
        else:
            texts.append(block.text)
    return " ".join(texts)


def test_word_and_excel_list_indicators_9_and_10_as_weaknesses(client, trat_officer, trat_2564):
    client.force_login(trat_officer)

    opened = docx.Document(io.BytesIO(client.get("/agencies/TRAT/2564/report.docx").content))
    workbook = openpyxl.load_workbook(io.BytesIO(client.get("/agencies/TRAT/2564/report.xlsx").content))

    weak = weak_part(compact(word_text(opened)))
    assert compact("ตัวชี้วัดที่ 9 การเปิดเผยข้อมูล 72.89") in weak
    assert compact("ตัวชี้วัดที่ 10 การป้องกันการทุจริต 65.56") in weak
    assert compact("ตัวชี้วัดที่ 8") not in weak
    sheet = workbook["จุดอ่อนจุดแข็ง"]
    rows = [[c for c in row if c is not None] for row in sheet.iter_rows(values_only=True) if any(row)]
    weak_rows = rows[rows.index(["จุดอ่อน (ต่ำกว่าค่าเป้าหมาย)"]) : rows.index(["จุดแข็ง (ตั้งแต่ค่าเป้าหมายขึ้นไป)"])]
    assert weak_rows[1:] == [
        ["ตัวชี้วัด", "คะแนน", "ระดับ"],
        ["OIT แบบตรวจการเปิดเผยข้อมูลสาธารณะ"],
        ["ตัวชี้วัดที่ 9 การเปิดเผยข้อมูล", 72.89, "C"],  # numbers stay numbers, with the letter of 2564
        ["ตัวชี้วัดที่ 10 การป้องกันการทุจริต", 65.56, "C"],
    ]


# --- A measure from a weak indicator --------------------------------------------------------


def test_create_link_of_indicator_9_prefills_the_form_and_saving_ties_the_measure_to_it(
    client, trat_officer, trat, trat_2564
):
    unit = factories.unit(trat, "สำนักงานจังหวัดตราด", "สนจ.ตร.")
    client.force_login(trat_officer)

    response = client.get(NEW + "?indicator=9")
    form = response.context["form"]

    assert response.status_code == 200
    assert form["name"].value() == "มาตรการยกระดับผลการประเมินตัวชี้วัดที่ 9 การเปิดเผยข้อมูล"
    assert form["kpi"].value() == "คะแนนตัวชี้วัดที่ 9 การเปิดเผยข้อมูล"
    assert form["target"].value() == "ไม่น้อยกว่า 85 คะแนน"
    assert form["analysis"].value().startswith("ผลคะแนนตัวชี้วัดที่ 9 การเปิดเผยข้อมูล ได้ 72.89 คะแนน ต่ำกว่าค่าเป้าหมาย (85 คะแนน)")
    indicator_9 = form.fields["indicators"].queryset.get(number=9)
    assert [str(v) for v in form["indicators"].value()] == [str(indicator_9.pk)]

    saved = client.post(NEW, form_data(form, lead_unit=str(unit.pk)))

    measure = Measure.objects.get()
    assert saved.status_code == 302 and saved["Location"] == f"/measures/{measure.pk}/"
    assert [i.number for i in measure.indicators.all()] == [9]
    assert list(measure.items.all()) == []
    assert (measure.fiscal_year, measure.target) == (2565, "ไม่น้อยกว่า 85 คะแนน")

    # The plan document lists it under indicator 9 with the score it answers.
    document = plan_document_for(trat, 2565)
    rows = [
        " ".join(str(cell) for cell in row)
        for section in document.sections
        if section.table
        for row in section.table.rows
    ]
    row = next(r for r in rows if measure.name in r)
    assert "ตัวชี้วัดที่ 9 การเปิดเผยข้อมูล" in row and "72.89" in row
    # The progress report too, with indicator 9 as the weakness it answers.
    progress = progress_document_for(trat, 2565, "6m")
    row = next(r for section in progress.sections if section.table for r in section.table.rows if measure.name in r)
    assert row[1] == "ตัวชี้วัดที่ 9 การเปิดเผยข้อมูล"
    assert (row[3], row[5], row[6]) == (Decimal("72.89"), "ตัวชี้วัดที่ 9=72.89", "")
    # And the analysis page now links it beside indicator 9.
    assert f'href="/measures/{measure.pk}/"' in tier_html(client.get(PAGE), "weakness")


def test_with_three_tiers_the_target_is_the_next_bound_up(client, trat_officer, trat_2564):
    trat_2564.tier_scheme, trat_2564.tier_lower, trat_2564.tier_upper = "three", Decimal("95"), Decimal("97.5")
    trat_2564.save()
    client.force_login(trat_officer)

    form = client.get(NEW + "?indicator=10").context["form"]

    assert form["target"].value() == "ไม่น้อยกว่า 95 คะแนน"
    assert "ต่ำกว่า 95 คะแนน ถือเป็นข้อบกพร่องหรือจุดอ่อนที่ต้องแก้ไขโดยเร่งด่วน" in form["analysis"].value()
