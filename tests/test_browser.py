"""The site in a real browser (Debian's Chromium), with the Content Security Policy enforced: the
key pages show without a single violation, and the bundles page's progress bar follows the worker
without a reload, the download link appearing when the bundle is ready.

The browser talks to the Django test client through Playwright's request routing, so the test
runs inside the usual test transaction and needs no live server. Each response reaches the browser
with its headers, the policy among them. Playwright's sync API gives the code after it starts its
own context, so `browser_page` comes before `db` in a test's arguments (the transaction then opens
in that context) and the routes reuse the test's connection.

This module is also the URLconf of the test that shows a violation is seen: the project's URLs and
one page with inline code.
"""

import mimetypes
import shutil

import pytest
from django.contrib.auth.decorators import login_not_required
from django.contrib.staticfiles import finders
from django.core.files.base import ContentFile
from django.db import DEFAULT_DB_ALIAS, connections
from django.http import HttpResponse
from django.urls import path
from playwright.sync_api import expect, sync_playwright

from ita_tracker import urls as site_urls
from measures.models import ProgressEntry
from reports.models import Bundle, BundleStatus
from tests import factories


@login_not_required
def inline_code(request):
    return HttpResponse(
        "<!DOCTYPE html><html><body><script>window.inlineRan = true</script>"
        '<p style="color: red">styled</p><button onclick="window.clicked = true">press</button></body></html>'
    )


urlpatterns = [*site_urls.urlpatterns, path("test/inline/", inline_code)]

SITE = "http://testserver"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


# Every violation of the policy, as the browser reports it to the page, is handed to the test. Scripts
# Playwright adds run outside the page's policy.
REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.reportViolation(`${document.location.pathname}: ${event.violatedDirective} refused ${event.blockedURI}`
    + ` (${event.sourceFile}:${event.lineNumber})`);
});
"""


@pytest.fixture
def violations():
    """The policy violations of every page the test's browser opened, in order."""
    return []


@pytest.fixture
def browser_page(client, monkeypatch, violations):
    # Playwright's sync API runs an event loop in this thread; Django's ORM is only used synchronously here.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

    def serve(route):
        connections[DEFAULT_DB_ALIAS] = database  # requests see the test's uncommitted data
        path = route.request.url.removeprefix(SITE)
        if path.startswith("/static/"):
            name = path.removeprefix("/static/").partition("?")[0]
            with open(finders.find(name), "rb") as file:
                return route.fulfill(status=200, content_type=mimetypes.guess_type(name)[0], body=file.read())
        response = client.get(path)
        # The headers as Django sent them, so that Chromium enforces the page's policy.
        route.fulfill(status=response.status_code, headers=dict(response.items()), body=response.content)

    with sync_playwright() as playwright:
        database = connections[DEFAULT_DB_ALIAS]
        browser = playwright.chromium.launch(
            executable_path=shutil.which("chromium") or "/usr/bin/chromium", args=CHROMIUM_ARGS
        )
        page = browser.new_page()
        page.expose_function("reportViolation", lambda text: violations.append(text))
        page.add_init_script(REPORT_VIOLATIONS)
        page.on(
            "console", lambda message: "Content Security Policy" in message.text and violations.append(message.text)
        )
        page.route(f"{SITE}/**", serve)
        yield page
        browser.close()
        # The transaction is rolled back by now; this context's connection would outlive the test
        # database otherwise (PostgreSQL refuses to drop a database in use).
        database.close()


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


def visit(page, url):
    """Open `url` and let the browser finish reporting what the page did."""
    response = page.goto(f"{SITE}{url}")
    page.evaluate("() => new Promise((done) => setTimeout(done, 50))")
    return response.status


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
