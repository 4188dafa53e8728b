"""The site in a real browser (Debian's Chromium), with the Content Security Policy enforced: the
key pages show without a single violation, and the bundles page's progress bar follows the worker
without a reload, the download link appearing when the bundle is ready.

The browser talks to the Django test client through Playwright's request routing (tests/browser.py),
so the test runs inside the usual test transaction and needs no live server. Each response reaches
the browser with its headers, the policy among them. `browser_page` comes before `db` in a test's
arguments (see tests/browser.py).

This module is also the URLconf of the test that shows a violation is seen: the project's URLs and
one page with inline code.
"""

import pytest
from django.contrib.auth.decorators import login_not_required
from django.core.files.base import ContentFile
from django.http import HttpResponse
from django.urls import path
from playwright.sync_api import expect

from ita_tracker import urls as site_urls
from measures.models import ProgressEntry
from reports.models import Bundle, BundleStatus
from tests import browser, factories
from tests.browser import SITE, visit


@login_not_required
def inline_code(request):
    return HttpResponse(
        "<!DOCTYPE html><html><body><script>window.inlineRan = true</script>"
        '<p style="color: red">styled</p><button onclick="window.clicked = true">press</button></body></html>'
    )


urlpatterns = [*site_urls.urlpatterns, path("test/inline/", inline_code)]

# The browser's fixtures (tests/browser.py), for this module's tests.
chromium, browser_page, violations = browser.chromium, browser.browser_page, browser.violations


def test_the_progress_bar_follows_the_worker_and_offers_the_download(
    browser_page, db, client, settings, tmp_path, violations
):
    settings.MEDIA_ROOT = tmp_path
    ministry = factories.agency("MIN", "กระทรวงทดสอบ", agency_type="ministry")
    officer = factories.member("officer", ministry, "officer", oversight=True)
    bundle = Bundle.objects.create(
        organisation=ministry, fiscal_year=2566, requested_by=officer, status=BundleStatus.RUNNING, done=3, total=10
    )
    client.force_login(officer)

    browser_page.goto(f"{SITE}/bundles/")
    assert browser_page.locator("progress").evaluate("bar => [bar.value, bar.max]") == [3, 10]

    Bundle.objects.filter(pk=bundle.pk).update(done=7)  # as the worker does after each file
    # Not wait_for_function: it evaluates a string in the page, which the policy rightly refuses.
    expect(browser_page.locator("progress")).to_have_js_property("value", 7, timeout=10_000)
    assert browser_page.locator("[data-progress-label]").inner_text() == "เขียนแล้ว 7 จาก 10 ไฟล์"

    bundle.file.save("ita-MIN-2566.zip", ContentFile(b"PK"), save=False)
    Bundle.objects.filter(pk=bundle.pk).update(status=BundleStatus.DONE, done=10, file=bundle.file.name)
    link = browser_page.get_by_role("link", name="ดาวน์โหลด ZIP")
    link.wait_for(timeout=10_000)  # the page reloads itself once the bundle is finished
    assert link.get_attribute("href") == f"/bundles/{bundle.pk}/download"
    assert browser_page.locator("progress").count() == 0
    assert violations == []


@pytest.mark.urls(__name__)
def test_the_browser_reports_inline_code_the_policy_refuses(browser_page, db, violations):
    """The check the other tests rely on can fail: a page with inline code is refused and reported."""
    assert visit(browser_page, "/test/inline/") == 200
    browser_page.get_by_role("button", name="press").click()
    browser_page.evaluate("() => new Promise((done) => setTimeout(done, 50))")
    assert browser_page.evaluate("[window.inlineRan, window.clicked]") == [None, None]
    refused = " ".join(violations)
    assert "script-src-elem" in refused
    assert "style-src-attr" in refused
    assert "script-src-attr" in refused


def test_the_key_pages_run_under_the_policy_without_a_violation(
    browser_page, db, client, agency, unit, officer, superuser, violations
):
    figures = {"i1": "70", "i2": "80", "IIT": "75", "ITA": "78"}
    factories.summarised_assessment(agency, 2567, figures)
    factories.summarised_assessment(agency, 2568, {**figures, "i1": "85", "ITA": "82"})
    measure = factories.measure(agency, 2569, "มาตรการทดสอบในเบราว์เซอร์", lead_unit=unit, items=["i1"])
    entry = ProgressEntry.objects.filter(measure=measure).order_by("round__due_date").first()

    assert visit(browser_page, "/accounts/login/") == 200
    client.force_login(officer)
    pages = [
        "/",
        "/agencies/AG1/",
        "/agencies/AG1/2568/",  # the analysis and its charts
        "/dashboard/",
        "/agencies/AG1/2569/plan/",
        f"/measures/{measure.pk}/",
        f"/measures/{measure.pk}/edit/",
        "/bundles/",
        "/no-such-page/",
    ]
    statuses = {url: visit(browser_page, url) for url in pages}

    assert visit(browser_page, f"/entries/{entry.pk}/") == 200
    rows = browser_page.locator(".activity-rows > *")
    before = rows.count()
    browser_page.get_by_role("button", name="+ เพิ่มกิจกรรม").click()  # activities.js adds a row
    assert rows.count() == before + 1

    client.force_login(superuser)
    admin_pages = [
        f"/admin/assessments/agency/{agency.pk}/change/",
        f"/admin/measures/measure/{measure.pk}/change/",
        f"/admin/measures/measure/{measure.pk}/history/",
        "/admin/measures/measure/",
    ]
    statuses |= {url: visit(browser_page, url) for url in admin_pages}

    assert statuses == {url: 404 if url == "/no-such-page/" else 200 for url in pages + admin_pages}
    assert violations == []
