"""The improvement plan (DOMAIN §7 item 4): header block and month grid, as rows, PDF and XLSX."""

import datetime
import io
import re

import openpyxl
import pdfplumber
import pytest
from django.core.management import call_command

from measures.models import Activity, ImprovementHeader, ProgressEntry, State
from reports.improvement_document import improvement_document_for
from reports.pdf import render_pdf
from reports.xlsx import render_xlsx
from tests import factories, published

YEAR = 2569
URL = f"/agencies/AG1/{YEAR}/improvement/report.pdf"
OWN = "มาตรการยกระดับการเปิดเผยข้อมูลสาธารณะ"
OTHERS = "มาตรการกำกับดูแลและตรวจสอบทรัพย์สิน"
DATES = "มาตรการตรวจสอบพัสดุ"


def compact(text):
    """Text as the PDF gives it back: "ำ" extracts as "า" and spaces fall where marks are positioned."""
    return re.sub(r"\s+", "", text.replace("\u0e33", "\u0e32"))


THAI_MARKS = re.compile("[\u0e31\u0e34-\u0e3a\u0e47-\u0e4e]")


def letters(text):
    """Text without spaces and Thai marks: pdfplumber's table cells give marks back out of order ("ม่นั")."""
    return THAI_MARKS.sub("", compact(text))


@pytest.fixture
def plan_2569(agency, unit, other_unit):
    """A quarters measure (Q1–Q2), a months measure (ม.ค., ก.พ.) and a dates measure (15 พ.ย. – 10 ก.พ.)."""
    factories.assessment(agency, 2568, published.angthong_2568_figures())
    factories.measure(
        agency,
        YEAR,
        OWN,
        lead_unit=unit,
        supporting=[other_unit],
        items=("o12", "i10"),
        months=[10, 11, 12, 1, 2, 3],
        steps="แต่งตั้งผู้ตรวจทานคนที่สอง\nจัดทำหน้ารวมลิงก์ข้อมูล",
        kpi="ร้อยละของรายการที่เปิดเผยครบถ้วน",
        target="ร้อยละ 100",
        confidence="high",
        risks="ข้อมูลไม่ทันเวลา",
        strategy="SO-5",
    )
    factories.measure(
        agency, YEAR, OTHERS, lead_unit=other_unit, items=("i10",), period="months", months=[1, 2], confidence="high"
    )
    factories.measure(
        agency,
        YEAR,
        DATES,
        lead_unit=other_unit,
        items=("i11",),
        period="dates",
        confidence="medium",
        start_date=datetime.date(2025, 11, 15),
        end_date=datetime.date(2026, 2, 10),
    )
    return agency


def improvement_sections(agency):
    """{heading: section} of the year's improvement plan."""
    return {section.heading: section for section in improvement_document_for(agency, YEAR).sections}


def test_document_header_block_and_month_grid(plan_2569):
    document = improvement_document_for(plan_2569, YEAR)

    assert document.filename == f"ita-improvement-AG1-{YEAR}"
    block, risk, risks, grid = document.sections
    assert [s.heading for s in document.sections] == [
        "ข้อมูลแผน",
        "8. การบริหารความเสี่ยง",
        "8.2 ความเสี่ยงที่อาจส่งผลกระทบต่อความสำเร็จของแผน",
        "กิจกรรมและระยะเวลาดำเนินการ",
    ]
    assert [s.sheet for s in document.sections] == ["ข้อมูลแผน", "ข้อมูลแผน", "ข้อมูลแผน", "กิจกรรม"]
    # Nothing saved: every value is the one computed from the measures.
    values = dict(block.table.rows)
    assert values["1. ชื่อแผน"] == f"แผนพัฒนาการส่งเสริมคุณธรรมและความโปร่งใส ประจำปีงบประมาณ พ.ศ. {YEAR}"
    assert values["2. วัตถุประสงค์"].startswith("ยกระดับผลการประเมิน ITA") and "ตัวชี้วัดที่ 4" in values["2. วัตถุประสงค์"]
    assert values["3. เป้าหมาย"] == "ระดับดีเยี่ยม"
    assert values["4. ผู้รับผิดชอบหลัก"] == "กองการเจ้าหน้าที่ (กจ.)"  # leads two of the three
    assert values["5. สนับสนุนกลยุทธ์"] == "SO-5"
    assert values["6. ระยะเวลาดำเนินการ"] == "ต.ค. 68 – ก.ย. 69"
    assert values["7. ประเภทของแผน"] == "แผนปฏิบัติการ"
    assert risk.paragraphs == ["8.1 ระดับความมั่นใจในความสำเร็จของแผน"]
    assert [h.text for h in risk.table.header_rows[0]] == [
        "ระดับความมั่นใจ",
        "มากที่สุด >90%",
        "มาก >80%",
        "ปานกลาง ≥70%",
        "น้อย <70%",
        "น้อยที่สุด <60%",
    ]
    assert risk.table.rows == [["ระดับที่เลือก", "", "√", "", "", ""]]  # two of the three are "high"
    assert risks.table.rows == [[f"{OWN}: ข้อมูลไม่ทันเวลา"]]

    assert [h.text for h in grid.table.header_rows[1]][:3] == ["ต.ค.", "พ.ย.", "ธ.ค."]
    assert grid.table.header_rows[0][2].text == "ระยะเวลาดำเนินการ" and grid.table.header_rows[0][2].colspan == 12
    marks = {row[1].split("\n")[0]: [i for i, v in enumerate(row[2:14]) if v] for row in grid.table.rows}
    assert marks == {OWN: [0, 1, 2, 3, 4, 5], OTHERS: [3, 4], DATES: [1, 2, 3, 4]}
    own = grid.table.rows[0]
    assert own[1] == f"{OWN}\n1. แต่งตั้งผู้ตรวจทานคนที่สอง\n2. จัดทำหน้ารวมลิงก์ข้อมูล"
    assert own[14] == "ร้อยละของรายการที่เปิดเผยครบถ้วน\nค่าเป้าหมาย: ร้อยละ 100"


MWA = {
    "plan_name": "แผนปรับปรุงกระบวนการดำเนินงานเพื่อยกระดับคะแนน ITA",
    "objective": "เพื่อยกระดับการประเมินคุณธรรมและความโปร่งใสในการดำเนินงาน",
    "strategy": "SO-5 พัฒนาความสัมพันธ์-ความร่วมมือที่ดีกับผู้มีส่วนได้ส่วนเสีย ด้วยหลักธรรมาภิบาล",
    "period": "ม.ค. 69 - ก.ย. 69",
    "plan_type": "แผนปรับปรุงกระบวนการดำเนินงานเพื่อยกระดับคะแนน ITA",
    "confidence": "lowest",
    "risks": "ข้อคำถามในการตอบแบบประเมินมีความซับซ้อนอาจเกิดความเข้าใจคลาดเคลื่อนได้",
}


def test_saved_header_values_are_printed_and_the_rest_computed(plan_2569, unit):
    ImprovementHeader.objects.create(agency=plan_2569, fiscal_year=YEAR, lead_unit=unit, **MWA)
    sections = improvement_sections(plan_2569)

    values = dict(sections["ข้อมูลแผน"].table.rows)
    assert values == {
        "1. ชื่อแผน": MWA["plan_name"],
        "2. วัตถุประสงค์": MWA["objective"],
        "3. เป้าหมาย": "ระดับดีเยี่ยม",  # not saved: computed
        "4. ผู้รับผิดชอบหลัก": "สำนักงานบริหารกลาง (ส.บก.)",  # the office's choice, not the computed กจ.
        "5. สนับสนุนกลยุทธ์": MWA["strategy"],
        "6. ระยะเวลาดำเนินการ": MWA["period"],
        "7. ประเภทของแผน": MWA["plan_type"],
    }
    assert sections["8. การบริหารความเสี่ยง"].table.rows == [["ระดับที่เลือก", "", "", "", "", "√"]]
    assert sections["8.2 ความเสี่ยงที่อาจส่งผลกระทบต่อความสำเร็จของแผน"].table.rows == [[MWA["risks"]]]
    # Another year's header is not this one's.
    other = improvement_document_for(plan_2569, YEAR + 1).sections[0].table.rows
    assert dict(other)["1. ชื่อแผน"] == f"แผนพัฒนาการส่งเสริมคุณธรรมและความโปร่งใส ประจำปีงบประมาณ พ.ศ. {YEAR + 1}"


def approve(measure_name, unit_abbreviation, round_kind, *, percent, status, result="", activities=()):
    entry = ProgressEntry.objects.get(
        measure__name=measure_name, unit__abbreviation=unit_abbreviation, round__kind=round_kind
    )
    ProgressEntry.objects.filter(pk=entry.pk).update(
        state=State.APPROVED, percent=percent, status=status, result=result
    )
    for date, text in activities:
        Activity.objects.create(entry=entry, date=date, text=text)
    return entry


def test_results_carry_each_units_dated_narrative(plan_2569):
    approve(
        OWN,
        "กจ.",
        "q1",
        percent=40,
        status="on_track",
        result="เปิดเผยแล้ว 12 รายการ",
        activities=[(datetime.date(2025, 12, 3), "ประชุมคณะทำงาน"), (datetime.date(2025, 11, 20), "แต่งตั้งผู้ตรวจทาน")],
    )
    approve(
        OWN,
        "กจ.",
        "q2",
        percent=60,
        status="on_track",
        result="เปิดเผยแล้ว 30 รายการ",
        # the Q1 activity carried into Q2 is printed once
        activities=[(datetime.date(2026, 1, 12), "จัดทำหน้ารวมลิงก์"), (datetime.date(2025, 12, 3), "ประชุมคณะทำงาน")],
    )
    approve(OWN, "ส.บก.", "q1", percent=100, status="done", result="ตรวจทานครบทุกรายการ")
    # A submitted report is not yet approved: left out.
    submitted = ProgressEntry.objects.get(measure__name=OWN, unit__abbreviation="ส.บก.", round__kind="q2")
    ProgressEntry.objects.filter(pk=submitted.pk).update(state=State.SUBMITTED, result="ยังไม่ตรวจ")

    grid = improvement_sections(plan_2569)["กิจกรรมและระยะเวลาดำเนินการ"]
    assert grid.table.rows[0][16].split("\n") == [
        "กองการเจ้าหน้าที่ (กจ.): ร้อยละ 60 (เป็นไปตามแผน)",
        "- 20 พ.ย. 68 แต่งตั้งผู้ตรวจทาน",
        "- 3 ธ.ค. 68 ประชุมคณะทำงาน",
        "- 12 ม.ค. 69 จัดทำหน้ารวมลิงก์",
        "เปิดเผยแล้ว 30 รายการ",  # the results to date: Q2's, which hold Q1's
        "สำนักงานบริหารกลาง (ส.บก.): ร้อยละ 100 (ดำเนินการแล้วเสร็จ)",
        "ตรวจทานครบทุกรายการ",
    ]
    assert grid.table.rows[1][16] == ""  # nothing approved yet

    content = render_pdf(improvement_document_for(plan_2569, YEAR), landscape=True)
    with pdfplumber.open(io.BytesIO(content)) as pdf:
        text = "".join(compact(page.extract_text(use_text_flow=True)) for page in pdf.pages)
    for line in ("12 ม.ค. 69 จัดทำหน้ารวมลิงก์", "เปิดเผยแล้ว 30 รายการ", "ตรวจทานครบทุกรายการ"):
        assert compact(line) in text, line


def test_units_at_the_same_point_are_named_once(plan_2569):
    q1 = ProgressEntry.objects.filter(measure__name=OWN, round__kind="q1")
    q1.update(state=State.APPROVED, percent=100, status="done")

    grid = improvement_sections(plan_2569)["กิจกรรมและระยะเวลาดำเนินการ"]
    assert grid.table.rows[0][16] == "กองการเจ้าหน้าที่ (กจ.), สำนักงานบริหารกลาง (ส.บก.): ร้อยละ 100 (ดำเนินการแล้วเสร็จ)"

    q1.filter(unit__abbreviation="กจ.").update(percent=80, status="on_track")
    grid = improvement_sections(plan_2569)["กิจกรรมและระยะเวลาดำเนินการ"]
    assert grid.table.rows[0][16].split("\n") == [
        "กองการเจ้าหน้าที่ (กจ.): ร้อยละ 80 (เป็นไปตามแผน)",
        "สำนักงานบริหารกลาง (ส.บก.): ร้อยละ 100 (ดำเนินการแล้วเสร็จ)",
    ]


def confidence_rows(content):
    """The rows of the PDF's confidence table as pdfplumber finds them from its ruled cells."""
    with pdfplumber.open(io.BytesIO(content)) as pdf:
        for page in pdf.pages:
            for table in page.extract_tables():
                cells = [[letters(cell or "") for cell in row] for row in table]
                if cells and cells[0][0] == letters("ระดับความมั่นใจ"):
                    return cells
    raise AssertionError("no confidence table in the PDF")


def test_the_chosen_confidence_level_is_ticked_in_the_pdf_and_the_workbook(plan_2569, unit):
    ImprovementHeader.objects.create(agency=plan_2569, fiscal_year=YEAR, confidence="medium")
    document = improvement_document_for(plan_2569, YEAR)

    content = render_pdf(document, landscape=True)
    rows = confidence_rows(content)
    assert rows == [
        [letters(t) for t in ("ระดับความมั่นใจ", "มากที่สุด >90%", "มาก >80%", "ปานกลาง ≥70%", "น้อย <70%", "น้อยที่สุด <60%")],
        [letters("ระดับที่เลือก"), "", "", "√", "", ""],
    ]
    with pdfplumber.open(io.BytesIO(content)) as pdf:
        ticks = [c for page in pdf.pages for c in page.chars if c["text"] == "√"]
    assert len(ticks) == 1 and "Sarabun" in ticks[0]["fontname"]  # drawn in Sarabun, not a fallback font

    workbook = openpyxl.load_workbook(io.BytesIO(render_xlsx(document)))
    cells = {cell.value: cell for sheet in workbook for row in sheet.iter_rows() for cell in row if cell.value}
    medium = cells["ปานกลาง ≥70%"]
    below = medium.parent.cell(medium.row + 1, medium.column)
    assert below.value == "√"
    assert [medium.parent.cell(medium.row + 1, medium.column + i).value for i in (-3, -2, -1, 1, 2)] == [
        "ระดับที่เลือก",
        None,
        None,
        None,
        None,
    ]


def test_pdf_in_sarabun_and_xlsx_month_cells(plan_2569):
    document = improvement_document_for(plan_2569, YEAR)
    content = render_pdf(document, landscape=True)
    with pdfplumber.open(io.BytesIO(content)) as pdf:
        fonts = {char["fontname"] for page in pdf.pages for char in page.chars}
        assert pdf.pages[0].width > pdf.pages[0].height
        text = "".join(compact(page.extract_text(use_text_flow=True)) for page in pdf.pages)
    assert fonts and all("Sarabun" in font for font in fonts), fonts
    for expected in (
        f"แผนพัฒนาการส่งเสริมคุณธรรมและความโปร่งใส ประจำปีงบประมาณ พ.ศ. {YEAR}",
        OWN,
        "ต.ค.",
        "ระดับดีเยี่ยม",
        "√",
        "■",
    ):
        assert compact(expected) in text, expected

    workbook = openpyxl.load_workbook(io.BytesIO(render_xlsx(document)))
    sheet = workbook.worksheets[-1]
    cells = {cell.value: cell for row in sheet.iter_rows() for cell in row if cell.value}
    period = cells["ระยะเวลาดำเนินการ"]
    assert any(
        str(r) == f"{period.coordinate}:{sheet.cell(period.row, period.column + 11).coordinate}"
        for r in sheet.merged_cells.ranges
    )
    october = cells["ต.ค."]
    others = next(c for c in cells.values() if isinstance(c.value, str) and c.value.startswith(OTHERS))
    row = [sheet.cell(others.row, october.column + i).value for i in range(12)]
    assert row == [None, None, None, "■", "■"] + [None] * 7


def test_view_permission_ladder_and_command(client, plan_2569, outsider, officer, tmp_path):
    xlsx = URL.replace(".pdf", ".xlsx")
    response = client.get(xlsx)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")

    client.force_login(outsider)
    assert client.get(xlsx).status_code == 404

    client.force_login(officer)
    response = client.get(xlsx)
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="ita-improvement-AG1-{YEAR}.xlsx"'
    assert client.get(f"/agencies/AG1/{YEAR}/improvement/report.doc").status_code == 404
    page = client.get(f"/agencies/AG1/{YEAR}/plan/").content.decode()
    assert f'href="/agencies/AG1/{YEAR}/improvement/report.pdf"' in page

    output = tmp_path / "improvement.xlsx"
    call_command(
        "export_report",
        "improvement",
        "--agency",
        "AG1",
        "--year",
        str(YEAR),
        "--format",
        "xlsx",
        "-o",
        str(output),
        stdout=io.StringIO(),
    )
    values = {c.value for sheet in openpyxl.load_workbook(output) for row in sheet.iter_rows() for c in row}
    assert f"แผนพัฒนาการส่งเสริมคุณธรรมและความโปร่งใส ประจำปีงบประมาณ พ.ศ. {YEAR}" in values


# --- The header page: agencies/<code>/<year>/improvement/ ------------------------------------------

PAGE = f"/agencies/AG1/{YEAR}/improvement/"
QUERIES = 24  # the page's queries, however many measures and units


def posted(form_values, **changes):
    """The form as the browser posts it: every field, as it opened, with `changes`."""
    data = {name: "" if value is None else value for name, value in form_values.items()}
    data.update(changes)
    return data


def opened(client):
    response = client.get(PAGE)
    assert response.status_code == 200
    form = response.context["form"]
    return {name: form.initial.get(name) for name in form.fields}


def test_the_form_opens_with_the_computed_values_in_a_fixed_number_of_queries(
    client, plan_2569, officer, other_unit, django_assert_num_queries
):
    client.force_login(officer)
    values = opened(client)
    assert values == {
        "plan_name": f"แผนพัฒนาการส่งเสริมคุณธรรมและความโปร่งใส ประจำปีงบประมาณ พ.ศ. {YEAR}",
        "objective": values["objective"],
        "target": "ระดับดีเยี่ยม",
        "lead_unit": other_unit.pk,
        "strategy": "SO-5",
        "period": "ต.ค. 68 – ก.ย. 69",
        "plan_type": "แผนปฏิบัติการ",
        "confidence": "high",
        "risks": f"{OWN}: ข้อมูลไม่ทันเวลา",
    }
    assert values["objective"].startswith("ยกระดับผลการประเมิน ITA โดยพัฒนาตัวชี้วัดที่ได้คะแนนต่ำ")
    page = client.get(PAGE).content.decode()
    assert re.search(r'<input type="radio" name="confidence" value="high"[^>]* checked>', page)
    assert f'<option value="{other_unit.pk}" selected>กองการเจ้าหน้าที่ (กจ.)</option>' in page

    with django_assert_num_queries(QUERIES):
        client.get(PAGE)
    for n in range(3):
        factories.measure(plan_2569, YEAR, f"มาตรการเพิ่ม {n}", lead_unit=other_unit, items=("i10",), confidence="low")
    ImprovementHeader.objects.create(agency=plan_2569, fiscal_year=YEAR, lead_unit=other_unit, plan_name="แผน")
    with django_assert_num_queries(QUERIES):
        client.get(PAGE)


def test_saving_stores_only_what_the_office_chose_and_the_document_prints_it(client, plan_2569, officer, unit):
    client.force_login(officer)
    values = opened(client)
    response = client.post(
        PAGE,
        posted(values, plan_name=f"  {MWA['plan_name']} ", lead_unit=unit.pk, confidence="lowest", risks=MWA["risks"]),
    )
    assert response.status_code == 302 and response["Location"] == PAGE

    saved = ImprovementHeader.objects.get(agency=plan_2569, fiscal_year=YEAR)
    assert (saved.plan_name, saved.lead_unit, saved.confidence, saved.risks) == (
        MWA["plan_name"],
        unit,
        "lowest",
        MWA["risks"],
    )
    # Left as they opened: nothing stored, so they keep following the measures.
    assert (saved.objective, saved.target, saved.strategy, saved.period, saved.plan_type) == ("", "", "", "", "")
    assert saved.updated_by == officer
    assert "บันทึกข้อมูลแผนพัฒนาแล้ว" in client.get(PAGE).content.decode()

    workbook = openpyxl.load_workbook(io.BytesIO(client.get(URL.replace(".pdf", ".xlsx")).content))
    rows = {
        row[0]: row[1]
        for sheet in workbook
        for row in sheet.iter_rows(values_only=True)
        if len(row) > 1 and isinstance(row[0], str) and row[0][:1].isdigit()
    }
    assert rows["1. ชื่อแผน"] == MWA["plan_name"]
    assert rows["4. ผู้รับผิดชอบหลัก"] == "สำนักงานบริหารกลาง (ส.บก.)"
    assert rows["5. สนับสนุนกลยุทธ์"] == "SO-5"  # computed
    with pdfplumber.open(io.BytesIO(client.get(URL).content)) as pdf:
        text = "".join(compact(page.extract_text(use_text_flow=True)) for page in pdf.pages)
    assert compact(MWA["plan_name"]) in text and compact(MWA["risks"]) in text
    assert confidence_rows(client.get(URL).content)[1] == [letters("ระดับที่เลือก"), "", "", "", "", "√"]

    # Emptying a field goes back to the computed value; saving the form unchanged writes nothing.
    values = opened(client)
    assert values["plan_name"] == MWA["plan_name"]
    client.post(PAGE, posted(values, plan_name=""))
    saved.refresh_from_db()
    assert saved.plan_name == "" and saved.lead_unit == unit
    before = ImprovementHeader.history.count()
    client.post(PAGE, posted(opened(client)))
    assert ImprovementHeader.history.count() == before


def test_saving_the_opened_form_unchanged_creates_no_header(client, plan_2569, officer):
    client.force_login(officer)
    assert client.post(PAGE, posted(opened(client))).status_code == 302
    assert not ImprovementHeader.objects.exists()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"lead_unit": "foreign"}, "โปรดเลือกหน่วยงานผู้รับผิดชอบของหน่วยงานนี้"),
        ({"confidence": "certain"}, "โปรดเลือกระดับความมั่นใจหนึ่งในห้าระดับ"),
        ({"strategy": "ก" * 256}, "ช่องนี้พิมพ์ได้ไม่เกิน 255 ตัวอักษร (ที่พิมพ์ไว้มี 256 ตัวอักษร)"),
    ],
)
def test_bad_input_saves_nothing_and_keeps_what_was_typed(client, plan_2569, officer, other_agency, changes, message):
    foreign = factories.unit(other_agency, "กองคลังของหน่วยงานอื่น", "กค.")
    changes = {k: foreign.pk if v == "foreign" else v for k, v in changes.items()}
    client.force_login(officer)
    typed = "วัตถุประสงค์ที่พิมพ์ไว้ <ไม่หาย>"
    response = client.post(PAGE, posted(opened(client), objective=typed, **changes))

    assert response.status_code == 200
    page = response.content.decode()
    assert message in page and "ระบบยังไม่ได้บันทึก และข้อมูลที่พิมพ์ไว้ยังอยู่ครบ" in page
    assert "วัตถุประสงค์ที่พิมพ์ไว้ &lt;ไม่หาย&gt;" in page
    assert not ImprovementHeader.objects.exists()


def test_bad_input_reads_in_english_too(client, plan_2569, officer, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(officer)
    response = client.post(PAGE, posted(opened(client), confidence="certain"))
    assert "Choose one of the five levels of confidence." in response.content.decode()
    assert not ImprovementHeader.objects.exists()


def test_posts_from_those_who_do_not_edit_the_plan_are_refused(
    client, plan_2569, officer, executive, unit_staff, outsider
):
    client.force_login(officer)
    data = posted(opened(client), plan_name="แผนของคนอื่น")
    client.logout()

    response = client.post(PAGE, data)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    for user, status in ((outsider, 404), (executive, 403), (unit_staff, 403)):
        client.force_login(user)
        assert client.post(PAGE, data).status_code == status, user
    assert not ImprovementHeader.objects.exists()


def test_readers_see_the_header_as_printed_without_a_form(client, plan_2569, executive, unit):
    ImprovementHeader.objects.create(agency=plan_2569, fiscal_year=YEAR, lead_unit=unit, **MWA)
    client.force_login(executive)
    page = client.get(PAGE).content.decode()
    assert f'action="{PAGE}"' not in page
    assert "<dt>ชื่อแผน</dt><dd>แผนปรับปรุงกระบวนการดำเนินงานเพื่อยกระดับคะแนน ITA</dd>" in page
    assert "<dt>ผู้รับผิดชอบหลัก</dt>" not in page  # the field's own label
    assert "<dd>สำนักงานบริหารกลาง (ส.บก.)</dd>" in page and "<dd>น้อยที่สุด &lt;60%</dd>" in page
    assert "<dd>ระดับดีเยี่ยม</dd>" in page  # not saved: computed

    plan = client.get(f"/agencies/AG1/{YEAR}/plan/").content.decode()
    assert f'<a href="{PAGE}" id="improvement-header">ข้อมูลแผนพัฒนา</a>' in plan


def test_the_plan_page_links_editors_to_the_header(client, plan_2569, officer):
    client.force_login(officer)
    plan = client.get(f"/agencies/AG1/{YEAR}/plan/").content.decode()
    assert f'<a href="{PAGE}" id="improvement-header">แก้ไขข้อมูลแผนพัฒนา</a>' in plan
