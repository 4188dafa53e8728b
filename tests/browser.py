"""What the browser tests share: Debian's Chromium driven by Playwright, its requests served by the
Django test client (no live server, inside the test's transaction), the Content Security Policy
enforced and its violations collected, axe-core's accessibility check, the small-screen check and
screenshots kept as the run's artifacts.

One Chromium per test module (`chromium`); each test gets a fresh page (`browser_page`), which it
must ask for before `db` (the transaction then opens in Playwright's context, and the page's
connection is closed after the transaction is rolled back).

The browser's requests go to the test client, which keeps the session: sign a user in with
`client.force_login` and the browser is that user. Forms post through it too (uploads included);
redirects come back to the browser, which follows them.
"""

import html
import json
import mimetypes
import re
import shutil
from pathlib import Path
from urllib.parse import urljoin

import pytest
from django.contrib.staticfiles import finders
from django.db import DEFAULT_DB_ALIAS, connections
from playwright.sync_api import sync_playwright

SITE = "http://testserver"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# `npm ci` at the repository's root puts it there (package.json pins the version, the lock its hash).
AXE = Path(__file__).resolve().parent.parent / "node_modules" / "axe-core" / "axe.min.js"
# What fails a page; minor and moderate findings are left to judgement.
AXE_FAILS = ("serious", "critical")

# Every violation of the policy, as the browser reports it to the page, is handed to the test. Scripts
# Playwright adds run outside the page's policy.
REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.reportViolation(`${document.location.pathname}: ${event.violatedDirective} refused ${event.blockedURI}`
    + ` (${event.sourceFile}:${event.lineNumber})`);
});
"""

RUN_AXE = """
async (fails) => {
  const results = await window.axe.run(document, {resultTypes: ["violations"]});
  return results.violations.filter((rule) => fails.includes(rule.impact)).map((rule) => ({
    id: rule.id, impact: rule.impact, help: rule.help,
    nodes: rule.nodes.slice(0, 5).map((node) => node.target.join(" ") + "  " + node.failureSummary),
  }));
}
"""


@pytest.fixture(scope="module")
def chromium():
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run `npm ci` at the repository's root (make suite does)")
    # Playwright's sync API runs an event loop in this thread; Django's ORM is only used synchronously here.
    with pytest.MonkeyPatch.context() as patch, sync_playwright() as playwright:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        browser = playwright.chromium.launch(
            executable_path=shutil.which("chromium") or "/usr/bin/chromium", args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def violations():
    """The policy violations of every page the test's browser opened, in order."""
    return []


@pytest.fixture
def browser_page(chromium, client, violations):
    database = connections[DEFAULT_DB_ALIAS]
    pending = set()  # the addresses the browser was redirected to and has not asked for yet

    def serve(route):
        connections[DEFAULT_DB_ALIAS] = database  # requests see the test's uncommitted data
        request = route.request
        path = request.url.removeprefix(SITE)
        if path.startswith("/static/"):
            name = path.removeprefix("/static/").partition("?")[0]
            with open(finders.find(name), "rb") as file:
                return route.fulfill(status=200, content_type=mimetypes.guess_type(name)[0], body=file.read())
        headers = request.headers
        response = client.generic(
            request.method,
            path,
            data=request.post_data_buffer or b"",
            content_type=headers.get("content-type", "application/octet-stream"),
            headers={"referer": headers["referer"]} if "referer" in headers else None,
        )
        pending.discard(path)
        if "Location" in response:
            # Chromium does not bring the request after a fulfilled redirect back to the route (it goes
            # to the network), so the browser is sent on by a page of its own, outside the site's policy.
            target = urljoin(request.url, response["Location"])
            pending.add(target.removeprefix(SITE))
            body = f'<!DOCTYPE html><meta http-equiv="refresh" content="0;url={html.escape(target)}">'
            return route.fulfill(status=200, content_type="text/html", body=body)
        # The headers as Django sent them, so that Chromium enforces the page's policy.
        route.fulfill(status=response.status_code, headers=dict(response.items()), body=response.content)

    context = chromium.new_context(viewport=DESKTOP, locale="th-TH")
    context.add_init_script(REPORT_VIOLATIONS)
    # axe-core on every page, as Playwright adds it: outside the page's policy, which refuses inline code.
    context.add_init_script(path=AXE)
    page = context.new_page()
    page.expose_function("reportViolation", lambda text: violations.append(text))
    page.on("console", lambda message: "Content Security Policy" in message.text and violations.append(message.text))
    context.route(f"{SITE}/**", serve)
    page.redirects_pending = pending
    yield page
    context.close()
    # The transaction is rolled back by now; this context's connection would outlive the test
    # database otherwise (PostgreSQL refuses to drop a database in use).
    database.close()


def settle(page):
    """Wait for the browser to follow redirects and load the page, then let it finish reporting what
    the page did."""
    for _ in range(200):
        if not page.redirects_pending:
            break
        page.wait_for_timeout(25)
    page.wait_for_load_state()
    page.evaluate("() => new Promise((done) => setTimeout(done, 50))")


def visit(page, url):
    """Open `url`; its status."""
    response = page.goto(f"{SITE}{url}")
    redirected = bool(page.redirects_pending)
    settle(page)
    return 302 if redirected else response.status


def accessibility_problems(page):
    """axe-core's serious and critical findings on the page as it is now, one line per rule and node."""
    found = page.evaluate(RUN_AXE, list(AXE_FAILS))
    path = page.evaluate("document.location.pathname")
    return [
        f"{path}: {rule['impact']} {rule['id']} ({rule['help']}): {node}" for rule in found for node in rule["nodes"]
    ]


def sideways_scroll(page):
    """How many pixels the page is wider than the window (0 when it does not scroll sideways)."""
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


@pytest.fixture(scope="module")
def screenshots(request, tmp_path_factory):
    """The module's screenshot folder, under pytest's base temporary folder (.ci/run puts that in
    artifacts/), named after the module."""
    folder = tmp_path_factory.getbasetemp() / "screenshots" / request.module.__name__.rpartition(".")[2]
    folder.mkdir(parents=True, exist_ok=True)
    print(f"\nscreenshots: {folder}")
    return folder


class Shots:
    """Numbered screenshots of one test, so that the folder reads as the story the test tells."""

    def __init__(self, folder):
        self.folder, self.count = folder, 0

    def __call__(self, name, page):
        self.count += 1
        slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
        path = self.folder / f"{self.count:02d}-{slug}.png"
        page.screenshot(path=path, full_page=True)
        return path


def report(problems):
    return json.dumps(problems, ensure_ascii=False, indent=1)


# --- A live server, for journeys that upload files ----------------------------------------------
# Chromium hands a routed request's body to Playwright without the files a form uploads, so the
# journeys run against pytest-django's live server in its own thread (committed data: `threads_db`)
# and each person signs in through the login page in a browser context of their own.


def signed_in(chromium, live_server, username, password, violations, viewport=DESKTOP):
    """A page of a fresh browser context, signed in as `username` through the login form."""
    context = chromium.new_context(viewport=viewport, locale="th-TH", base_url=live_server.url)
    context.add_init_script(REPORT_VIOLATIONS)
    context.add_init_script(path=AXE)
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.expose_function("reportViolation", lambda text: violations.append(text))
    page.on("console", lambda message: "Content Security Policy" in message.text and violations.append(message.text))
    page.goto("/accounts/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(password)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    if "/accounts/login/" in page.url:
        pytest.fail(f"{username} could not sign in")
    return page
