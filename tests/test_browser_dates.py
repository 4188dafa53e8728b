"""The date picker and the error summary in a real browser (Chromium, as tests/test_browser.py
drives it): the picker writes dd/mm/BBBB and is usable from the keyboard, rows added later get
one too, and a failed form's summary takes the focus."""

from measures.models import ProgressEntry
from tests import browser, factories
from tests.browser import visit

# The browser's fixtures, for this module's tests.
chromium, browser_page, violations = browser.chromium, browser.browser_page, browser.violations


def test_the_picker_writes_a_buddhist_era_date_from_the_keyboard(browser_page, db, client, agency, unit, officer):
    measure = factories.measure(agency, 2569, "มาตรการทดสอบวันที่", lead_unit=unit)
    entry = ProgressEntry.objects.filter(measure=measure).order_by("round__due_date").first()
    client.force_login(officer)
    page = browser_page

    assert visit(page, f"/entries/{entry.pk}/") == 200
    field = page.locator("#id_activities-0-date")
    field.fill("22/12/2568")
    page.locator(".activity-row .datepicker-toggle").first.click()

    assert page.locator(".datepicker-title").inner_text() == "ธันวาคม 2568"
    assert page.evaluate("document.activeElement.textContent") == "22"
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowDown")
    assert page.evaluate("document.activeElement.textContent") == "30"
    page.keyboard.press("Enter")
    assert field.input_value() == "30/12/2568"
    assert page.locator(".datepicker").count() == 0

    page.locator(".activity-row .datepicker-toggle").first.click()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")  # into January
    assert page.locator(".datepicker-title").inner_text() == "มกราคม 2569"
    page.keyboard.press("Escape")
    assert page.locator(".datepicker").count() == 0 and field.input_value() == "30/12/2568"

    page.get_by_role("button", name="+ เพิ่มกิจกรรม").click()
    assert page.locator(".activity-row .datepicker-toggle").count() == 2  # the new row has its picker


def test_a_failed_forms_summary_takes_the_focus_and_leads_to_the_field(browser_page, db, client, superuser, violations):
    client.force_login(superuser)
    page = browser_page

    assert visit(page, "/accounts/access-log/?since=32/01/2569") == 200
    assert page.evaluate("document.activeElement.className") == "form-errors"
    page.locator(".form-errors a").click()
    assert page.evaluate("document.activeElement.id") == "id_since"
    assert violations == []
