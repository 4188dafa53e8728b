"""The bundles page in a real browser (Debian's Chromium): the progress bar follows the worker
without a reload, and the download link appears when the bundle is ready.

The browser talks to the Django test client through Playwright's request routing, so the test
runs inside the usual test transaction and needs no live server. Playwright's sync API gives the
code after it starts its own context, so `browser_page` comes before `db` in a test's arguments
(the transaction then opens in that context) and the routes reuse the test's connection.
"""

import shutil

import pytest
from django.contrib.staticfiles import finders
from django.core.files.base import ContentFile
from django.db import DEFAULT_DB_ALIAS, connections
from playwright.sync_api import sync_playwright

from reports.models import Bundle, BundleStatus
from tests import factories

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


@pytest.fixture
def browser_page(client, monkeypatch):
    # Playwright's sync API runs an event loop in this thread; Django's ORM is only used synchronously here.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

    def serve(route):
        connections[DEFAULT_DB_ALIAS] = database  # requests see the test's uncommitted data
        path = route.request.url.removeprefix(SITE)
        if path.startswith("/static/"):
            with open(finders.find(path.removeprefix("/static/")), "rb") as file:
                return route.fulfill(status=200, content_type="text/javascript", body=file.read())
        response = client.get(path)
        route.fulfill(status=response.status_code, content_type=response["Content-Type"], body=response.content)

    with sync_playwright() as playwright:
        database = connections[DEFAULT_DB_ALIAS]
        browser = playwright.chromium.launch(
            executable_path=shutil.which("chromium") or "/usr/bin/chromium", args=CHROMIUM_ARGS
        )
        page = browser.new_page()
        page.route(f"{SITE}/**", serve)
        yield page
        browser.close()
        # The transaction is rolled back by now; this context's connection would outlive the test
        # database otherwise (PostgreSQL refuses to drop a database in use).
        database.close()


def test_the_progress_bar_follows_the_worker_and_offers_the_download(browser_page, db, client, settings, tmp_path):
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
    browser_page.wait_for_function("document.querySelector('progress').value === 7", timeout=10_000)
    assert browser_page.locator("[data-progress-label]").inner_text() == "เขียนแล้ว 7 จาก 10 ไฟล์"

    bundle.file.save("ita-MIN-2566.zip", ContentFile(b"PK"), save=False)
    Bundle.objects.filter(pk=bundle.pk).update(status=BundleStatus.DONE, done=10, file=bundle.file.name)
    link = browser_page.get_by_role("link", name="ดาวน์โหลด ZIP")
    link.wait_for(timeout=10_000)  # the page reloads itself once the bundle is finished
    assert link.get_attribute("href") == f"/bundles/{bundle.pk}/download"
    assert browser_page.locator("progress").count() == 0
