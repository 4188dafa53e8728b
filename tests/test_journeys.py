"""The year's work end to end in a real browser (Debian's Chromium), as the people do it, one small
step after another, each leaving a numbered screenshot (folder printed; see tests/browser.py):
the integrity officer imports the results, reads the analysis and creates measures from two weak
items; the unit's staff report on one with two dated activities and a PDF and submit; the officer
returns it from the review queue with a comment; the staff fix and resubmit; the officer approves;
the staff find both steps under the bell; the executive's dashboard shows the measure done. Each
step is a function of the journey, so that new steps slot in."""

import re

from playwright.sync_api import expect

from measures.models import Measure, ProgressEntry
from tests import browser, factories
from tests.browser import Shots, accessibility_problems, signed_in
from tests.clock import pinned
from tests.entries_support import PDF

# 24 December 2568: the analysis of 2568 feeds the plan of 2569, whose first quarter (due on
# 31 December 2568) is being reported on.
pytestmark = pinned(2025, 12, 24)

# The browser's fixtures, for this module's tests.
chromium, screenshots, violations = browser.chromium, browser.screenshots, browser.violations

RESULTS = [
    ("AG1", 2568, code, 0, score)
    for code, score in [("i1", 90), ("i2", 60), ("i5", 55), ("IIT", 75), ("EIT", 68), ("ITA", 72)]
]


class Journey:
    """The people, each in a browser of their own, and what the steps found so far."""

    def __init__(self, pages, shots, tmp_path):
        self.pages, self.shots, self.tmp_path = pages, shots, tmp_path
        self.page = None
        self.problems = []  # axe-core's findings along the way

    def as_(self, who):
        self.page = self.pages[who]

    def go(self, url):
        response = self.page.goto(url)
        assert response.status == 200, url

    def press(self, name):
        self.page.get_by_role("button", name=name, exact=True).click()
        self.page.wait_for_load_state()

    def shot(self, name):
        self.problems += accessibility_problems(self.page)
        self.shots(name, self.page)

    def entry(self):
        return ProgressEntry.objects.get(pk=self.entry_pk)


def officer_imports_the_results(journey):
    journey.as_("officer")
    journey.go("/results/import/")
    results = journey.tmp_path / "ita-2568.csv"
    results.write_bytes(factories.csv_bytes(RESULTS))
    journey.page.get_by_label("ไฟล์ผลการประเมิน").set_input_files(results)
    journey.press("ตรวจสอบไฟล์")
    expect(journey.page.get_by_role("button", name="บันทึกคะแนนเหล่านี้")).to_be_visible()
    journey.shot("officer previews the import")
    journey.press("บันทึกคะแนนเหล่านี้")
    journey.shot("officer saved the results")


def officer_reads_the_analysis(journey):
    journey.go("/agencies/AG1/2568/")
    expect(journey.page.locator("body")).to_contain_text("72.00")
    journey.shot("officer reads the analysis")


def officer_creates_a_measure_from_a_weak_item(journey, code, name):
    journey.go("/agencies/AG1/2568/")
    weak = journey.page.locator("li", has_text=re.compile(rf"^{code}\b")).first
    weak.get_by_role("link", name="+ สร้างมาตรการ").click()
    journey.page.wait_for_load_state()
    journey.page.locator("#id_name").fill(name)
    journey.page.locator("#id_lead_unit").select_option(str(journey.unit.pk))
    journey.shot(f"officer fills the measure for {code}")
    journey.press("เพิ่มมาตรการในแผน")
    assert re.search(r"/measures/\d+/$", journey.page.url)
    journey.shot(f"officer created the measure for {code}")


def staff_enter_a_report(journey):
    journey.as_("unit_staff")
    journey.go("/my/updates/")
    journey.shot("staff open my updates")
    journey.page.get_by_role("link", name=journey.reported).first.click()
    journey.page.wait_for_load_state()
    journey.entry_pk = int(re.search(r"/entries/(\d+)/", journey.page.url)[1])
    page = journey.page
    # Typed the Thai way, day/month/Buddhist year, as a person types into the field.
    type_date(page.get_by_label("วันที่", exact=True).nth(0), "22/12/2568")
    page.get_by_label("สิ่งที่ดำเนินการ").nth(0).fill("ประชุมชี้แจงแนวทางการเปิดเผยข้อมูล")
    page.get_by_role("button", name="+ เพิ่มกิจกรรม").click()
    type_date(page.get_by_label("วันที่", exact=True).nth(1), "29/12/2568")
    page.get_by_label("สิ่งที่ดำเนินการ").nth(1).fill("เผยแพร่ประกาศบนเว็บไซต์หน่วยงาน")
    page.locator("#id_result").fill("เผยแพร่ข้อมูลครบทุกรายการ")
    page.locator("#id_percent").fill("100")
    page.get_by_label("ดำเนินการแล้วเสร็จ").check()
    evidence = journey.tmp_path / "รายงานการประชุม.pdf"
    evidence.write_bytes(PDF)
    page.locator("#id_files").set_input_files(evidence)
    journey.shot("staff fill the report")
    journey.press("บันทึกและส่งรายงาน")
    journey.shot("staff submitted the report")


def type_date(field, thai):
    """Type a date as 22/12/2568. A text field takes it as typed; Chromium's date input (type=date)
    takes the digits alone, in its locale's order (month first here), the year's field keeping
    the Buddhist year that ThaiDateField reads as such."""
    field.focus()  # on the first part of a date input
    if field.get_attribute("type") == "date":
        day, month, year = thai.split("/")
        field.press_sequentially(f"{month}{day}{year}")
    else:
        field.press_sequentially(thai)


def officer_returns_it_from_the_queue(journey, comment):
    journey.as_("officer")
    journey.go("/")
    # The menu counts what waits; the queue lists it, and the report opens from there.
    expect(journey.page.locator(".site-header")).to_contain_text("ตรวจรายงาน")
    journey.page.locator(".site-header").get_by_role("link", name=re.compile("ตรวจรายงาน")).click()
    journey.page.wait_for_load_state()
    assert journey.page.url.endswith("/review/")
    expect(journey.page.locator("main")).to_contain_text(journey.reported)
    journey.shot("officer opens the review queue")
    journey.page.locator("main").get_by_role("link", name=journey.reported).click()
    journey.page.wait_for_load_state()
    assert f"/entries/{journey.entry_pk}/?queue=" in journey.page.url
    journey.page.locator("#comment-return").fill(comment)
    journey.shot("officer writes why it goes back")
    journey.press("ส่งกลับแก้ไข")
    # Nothing else waits: back on the queue.
    assert "/review/" in journey.page.url
    journey.shot("officer returned the report, back on the queue")


def staff_fix_and_resubmit(journey):
    journey.as_("unit_staff")
    journey.go(f"/entries/{journey.entry().pk}/")
    journey.page.locator("#id_result").fill("เผยแพร่ข้อมูลครบทุกรายการ พร้อมลิงก์ประกาศ")
    journey.page.locator("#id_links").fill("https://example.go.th/announcement")
    journey.shot("staff fix the report")
    journey.press("บันทึกและส่งรายงาน")
    journey.shot("staff resubmitted the report")


def officer_approves(journey):
    journey.as_("officer")
    journey.go(f"/entries/{journey.entry().pk}/")
    journey.press("อนุมัติ")
    journey.shot("officer approved the report")


def staff_see_both_steps_under_the_bell(journey):
    journey.as_("unit_staff")
    journey.go("/my/updates/")
    bell = journey.page.locator(".site-header .bell")
    expect(bell).to_have_text("2")  # the return and the approval, neither read yet
    journey.shot("staff see two unread under the bell")
    bell.click()
    journey.page.wait_for_load_state()
    unread = journey.page.locator("li.notification.unread .summary")
    expect(unread).to_have_count(2)
    # Newest first: the approval, then the return with the officer's reason.
    expect(unread.nth(0)).to_contain_text("อนุมัติรายงานผลการดำเนินงาน")
    expect(unread.nth(1)).to_contain_text("ส่งกลับรายงานผลการดำเนินงาน")
    expect(journey.page.locator("li.notification .comment")).to_contain_text(journey.return_comment)
    journey.shot("staff read the notifications")
    journey.press("ทำเครื่องหมายว่าอ่านแล้วทั้งหมด")
    expect(journey.page.locator(".site-header .bell")).to_have_text("0")
    journey.shot("staff marked them read")


def executive_sees_the_dashboard(journey, done):
    journey.as_("executive")
    journey.go("/dashboard/")
    expect(journey.page.locator("#measure-progress")).to_contain_text(done)
    journey.shot(f"executive sees {done}")


def test_a_year_of_results_measures_and_reports(
    chromium, threads_db, live_server, agency, unit, unit_staff, officer, executive, screenshots, tmp_path, violations
):
    factories.summarised_assessment(agency, 2567, {"i1": "70", "i2": "80", "i5": "60", "ITA": "78"})
    pages = {
        who: signed_in(chromium, live_server, person.username, factories.PASSWORD, violations)
        for who, person in [("officer", officer), ("unit_staff", unit_staff), ("executive", executive)]
    }
    journey = Journey(pages, Shots(screenshots), tmp_path)
    journey.unit = unit
    journey.reported = "มาตรการเปิดเผยข้อมูลการจัดซื้อจัดจ้าง"

    officer_imports_the_results(journey)
    officer_reads_the_analysis(journey)
    officer_creates_a_measure_from_a_weak_item(journey, "i2", journey.reported)
    officer_creates_a_measure_from_a_weak_item(journey, "i5", "มาตรการป้องกันการรับสินบน")
    assert sorted(Measure.objects.filter(agency=agency, fiscal_year=2569).values_list("items__code", flat=True)) == [
        "i2",
        "i5",
    ]
    executive_sees_the_dashboard(journey, "0 จาก 2 มาตรการ")

    staff_enter_a_report(journey)
    entry = journey.entry()
    assert entry.state == "submitted"
    assert sorted(str(activity.date) for activity in entry.activities.all()) == ["2025-12-22", "2025-12-29"]
    assert [item.file.name.rpartition(".")[2] for item in entry.evidence.all()] == ["pdf"]

    journey.return_comment = "โปรดแนบลิงก์ประกาศบนเว็บไซต์"
    officer_returns_it_from_the_queue(journey, journey.return_comment)
    assert journey.entry().state == "returned"
    staff_fix_and_resubmit(journey)
    assert journey.entry().state == "submitted"
    officer_approves(journey)
    assert journey.entry().state == "approved"
    staff_see_both_steps_under_the_bell(journey)
    executive_sees_the_dashboard(journey, "1 จาก 2 มาตรการ")

    assert journey.problems == []
    assert violations == []
