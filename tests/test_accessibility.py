"""Every key page, as the users who see it, on a 390 px wide phone in Debian's Chromium: axe-core
finds no serious or critical problem, and the page does not scroll sideways (wide tables scroll in
their own box). A screenshot of each page is kept (see tests/browser.py)."""

import datetime

import pytest
from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse
from django.urls import path

from ita_tracker import urls as site_urls
from measures.actions import do_review_step
from measures.models import Action, ProgressEntry
from oit.checklist import o_items, version_for
from oit.models import ChecklistEvidence, ChecklistItem, PublicPage
from people.actions import do_invite
from tests import browser, factories
from tests.browser import PHONE, accessibility_problems, report, sideways_scroll, visit

# The browser's fixtures, for this module's tests.
chromium, browser_page, screenshots, violations = (
    browser.chromium,
    browser.browser_page,
    browser.screenshots,
    browser.violations,
)


@login_not_required
def careless_page(request):
    return HttpResponse(
        "<!DOCTYPE html><html><head><title>t</title></head><body><main><button></button>"
        "<table><tr><td>" + "x" * 600 + "</td></tr></table></main></body></html>"
    )


# This module is also the URLconf of the test that shows the checks can fail.
urlpatterns = [*site_urls.urlpatterns, path("test/careless/", careless_page)]


@pytest.mark.urls(__name__)
def test_the_checks_see_a_nameless_button_no_language_and_a_page_too_wide(browser_page, db):
    browser_page.set_viewport_size(PHONE)
    assert visit(browser_page, "/test/careless/") == 200
    problems = accessibility_problems(browser_page)
    assert sorted(line.split(" (")[0] for line in problems) == [
        "/test/careless/: critical button-name",
        "/test/careless/: serious html-has-lang",
    ]
    assert sideways_scroll(browser_page) > 0


def check(page, folder, who, url, status=200):
    """The page's status, what axe-core finds on it and how far it scrolls sideways."""
    got = visit(page, url)
    name = f"{who}{url.replace('/', '-')}".strip("-")
    page.screenshot(path=folder / f"{name}.png", full_page=True)
    return got, status, accessibility_problems(page), sideways_scroll(page)


def test_every_key_page_is_accessible_and_fits_a_phone(
    browser_page, db, client, agency, unit, unit_staff, executive, superuser, screenshots, violations
):
    browser_page.set_viewport_size(PHONE)
    figures = {"i1": "70", "i2": "80", "i5": "55", "IIT": "75", "EIT": "68", "ITA": "78"}
    factories.summarised_assessment(agency, 2567, figures)
    factories.summarised_assessment(agency, 2568, {**figures, "i1": "85", "ITA": "82"})
    measure = factories.measure(agency, 2569, "มาตรการเปิดเผยข้อมูลการจัดซื้อจัดจ้าง", lead_unit=unit, items=["i1"])
    entry = ProgressEntry.objects.filter(measure=measure).order_by("round__due_date").first()
    officer = factories.member("overseer", agency, "officer", oversight=True)
    # A second report, sent: the review queue lists it and the officer's bell counts it.
    sent = ProgressEntry.objects.filter(measure=measure).order_by("round__due_date")[1]
    do_review_step(entry=sent, action=Action.SUBMIT, user=unit_staff)
    invitation, token = do_invite(
        agency=agency,
        email="new@example.org",
        name="",
        role="unit_staff",
        units=[unit],
        language="th",
        invited_by=superuser,
    )

    results = {}
    client.logout()
    for url in ["/accounts/login/", "/accounts/password_reset/", f"/accounts/invitation/{token}/"]:
        results[("anonymous", url)] = check(browser_page, screenshots, "anonymous", url)

    client.force_login(officer)
    officer_pages = [
        "/",
        "/dashboard/",
        "/agencies/AG1/",
        "/agencies/AG1/2568/",  # the analysis and its charts
        "/agencies/AG1/2569/plan/",
        f"/measures/{measure.pk}/",
        f"/measures/{measure.pk}/edit/",
        f"/entries/{entry.pk}/",
        "/agencies/AG1/2569/rounds/",
        "/agencies/AG1/units/",
        "/results/import/",
        "/overview/2568/",
        "/bundles/",
        "/accounts/account/",
        "/review/",
        f"/entries/{sent.pk}/?queue=",
        "/notifications/",
    ]
    for url in officer_pages:
        results[("officer", url)] = check(browser_page, screenshots, "officer", url)
    results[("officer", "/no-such-page/")] = check(browser_page, screenshots, "officer", "/no-such-page/", 404)

    client.force_login(unit_staff)
    for url in ["/my/updates/", f"/entries/{entry.pk}/"]:
        results[("unit-staff", url)] = check(browser_page, screenshots, "unit-staff", url)

    client.force_login(executive)
    results[("executive", "/dashboard/")] = check(browser_page, screenshots, "executive", "/dashboard/")

    client.force_login(superuser)
    for url in [
        "/accounts/access-log/",
        "/agencies/AG1/people/",
        "/agencies/AG1/people/invite/",
        f"/agencies/AG1/people/{unit_staff.pk}/",
    ]:
        results[("admin", url)] = check(browser_page, screenshots, "admin", url)

    wrong_status = {key: got for key, (got, status, _, _) in results.items() if got != status}
    problems = [line for _, _, found, _ in results.values() for line in found]
    too_wide = {key: pixels for key, (_, _, _, pixels) in results.items() if pixels > 0}
    assert wrong_status == {}
    assert problems == [], report(problems)
    assert too_wide == {}
    assert violations == []


# A fixed day, printed at the foot of the page: the screenshots read the same on any date.
PUBLISHED = datetime.datetime(2026, 11, 20, 3, 0, tzinfo=datetime.UTC)


@pytest.mark.parametrize("width", [390, 1366])
def test_the_public_ita_page_is_accessible_and_fits_a_phone_and_a_desktop(
    browser_page, db, agency, unit, screenshots, violations, width
):
    """Nobody signs in: the agency's public page as a visitor of its website sees it."""
    browser_page.set_viewport_size({"width": width, "height": 900})
    items = {item.code: item for item in o_items(version_for(agency, 2569))}
    for code in ("o1", "o2", "o21"):
        row = ChecklistItem.objects.create(
            agency=agency, fiscal_year=2569, item=items[code], unit=unit, status="approved"
        )
        ChecklistEvidence.objects.create(
            checklist_item=row,
            label=f"ข้อมูลประกอบข้อ {code} ที่เผยแพร่บนเว็บไซต์ของหน่วยงานพร้อมคำอธิบายยาวพอให้ตัดบรรทัด",
            url=f"https://www.ag1.go.th/ita/2569/{code}/a-rather-long-path-to-the-published-document.pdf",
        )
    PublicPage.objects.create(agency=agency, fiscal_year=2569, published=PUBLISHED)
    status, expected, problems, scroll = check(browser_page, screenshots, f"visitor-{width}", "/p/AG1/2569/")
    assert (status, problems, scroll) == (expected, [], 0), report(problems)
    links = browser_page.get_by_role("link")
    assert links.count() == 3
    assert (
        links.first.get_attribute("href")
        == "https://www.ag1.go.th/ita/2569/o1/a-rather-long-path-to-the-published-document.pdf"
    )
    assert violations == []
