"""The 400, 403, 404 and 500 pages and the expired-form page: in the site's layout and the user's
language, and a plain page when even that cannot be drawn (the database is down).

This module is also the URLconf of its tests: the project's URLs, the project's error handlers and
three views that fail on purpose.
"""

import logging
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.db import OperationalError
from django.db.backends.utils import CursorWrapper
from django.test import Client
from django.urls import path

from ita_tracker import urls as site_urls


def denied(request):
    raise PermissionDenied


def suspicious(request):
    raise SuspiciousOperation("a forged request")


def broken(request):
    raise RuntimeError("a bug in a view")


urlpatterns = [
    *site_urls.urlpatterns,
    path("test/denied/", denied),
    path("test/suspicious/", suspicious),
    path("test/broken/", broken),
]
handler400, handler403 = site_urls.handler400, site_urls.handler403
handler404, handler500 = site_urls.handler404, site_urls.handler500

pytestmark = pytest.mark.urls(__name__)

HEADER = '<header class="site-header">'


@pytest.fixture(autouse=True)
def production(settings):
    settings.DEBUG = False  # Django shows its technical pages instead when DEBUG is on


@pytest.fixture
def browser(officer):
    """A signed-in officer's browser that gets error responses rather than the exceptions behind them."""
    client = Client(raise_request_exception=False)
    client.force_login(officer)
    return client


def text(response):
    return response.content.decode()


def test_a_missing_page_says_so_in_thai_with_the_sites_header(browser):
    response = browser.get("/no-such-page/")
    assert response.status_code == 404
    page = text(response)
    assert '<html lang="th">' in page
    assert HEADER in page and "ออกจากระบบ (officer)" in page
    assert "<h1>ไม่พบหน้าที่ต้องการ</h1>" in page
    assert 'href="/"' in page


def test_a_missing_page_is_in_english_for_who_chose_english(browser, settings):
    browser.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = browser.get("/agencies/NOPE/")
    assert response.status_code == 404
    page = text(response)
    assert '<html lang="en">' in page
    assert HEADER in page
    assert "<h1>Page not found</h1>" in page


def test_an_anonymous_visitor_gets_the_404_page_too(db):
    response = Client().get("/no-such-page/")
    assert response.status_code == 404
    assert "<h1>ไม่พบหน้าที่ต้องการ</h1>" in text(response)


def test_a_refused_step_shows_the_403_page(browser):
    response = browser.get("/test/denied/")
    assert response.status_code == 403
    page = text(response)
    assert HEADER in page
    assert "<h1>ท่านไม่มีสิทธิ์เข้าถึงหน้านี้</h1>" in page


def test_a_bad_request_shows_the_400_page(browser):
    response = browser.get("/test/suspicious/")
    assert response.status_code == 400
    page = text(response)
    assert HEADER in page
    assert "<h1>ระบบไม่เข้าใจคำขอนี้</h1>" in page


def test_an_unknown_host_shows_the_400_page(db):
    response = Client().get("/", HTTP_HOST="not-our-site.example")
    assert response.status_code == 400
    assert "<h1>ระบบไม่เข้าใจคำขอนี้</h1>" in text(response)


def test_a_failing_view_shows_the_500_page_in_the_layout(browser, caplog):
    with caplog.at_level(logging.ERROR):
        response = browser.get("/test/broken/")
    assert response.status_code == 500
    page = text(response)
    assert HEADER in page and "ออกจากระบบ (officer)" in page
    assert "<h1>เกิดข้อผิดพลาดในระบบ</h1>" in page
    assert "a bug in a view" not in page  # the details go to the log only
    assert "a bug in a view" in caplog.text


def test_a_500_while_the_database_is_down_is_still_a_page(browser, caplog):
    """The session, the user and the header's menu all need the database: the layout cannot be
    drawn, so the plain page stands in, in Thai, rather than a second failure."""
    with (
        mock.patch.object(CursorWrapper, "execute", side_effect=OperationalError("server closed the connection")),
        caplog.at_level(logging.ERROR),
    ):
        response = browser.get("/test/broken/")
    assert response.status_code == 500
    page = text(response)
    assert HEADER not in page
    assert "<h1>เกิดข้อผิดพลาดในระบบ</h1>" in page
    assert "ขณะนี้ระบบไม่สามารถแสดงหน้านี้ได้" in page
    assert "The 500 page could not be drawn" in caplog.text


def test_a_404_while_the_database_is_down_keeps_its_status(browser):
    with mock.patch.object(CursorWrapper, "execute", side_effect=OperationalError("server closed the connection")):
        response = browser.get("/no-such-page/")
    assert response.status_code == 404
    assert "<h1>ไม่พบหน้าที่ต้องการ</h1>" in text(response)
    assert HEADER not in text(response)


def test_an_expired_form_says_to_reload_in_the_sites_layout(officer):
    client = Client(enforce_csrf_checks=True)
    client.force_login(officer)
    response = client.post("/accounts/logout/")
    assert response.status_code == 403
    page = text(response)
    assert HEADER in page
    assert "<h1>แบบฟอร์มหมดอายุแล้ว</h1>" in page
    assert "โปรดย้อนกลับ โหลดหน้าใหม่ แล้วส่งแบบฟอร์มอีกครั้ง" in page
    assert "CSRF" not in page
