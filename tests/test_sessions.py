"""Sessions end after SESSION_IDLE_MINUTES without a request and SESSION_MAX_HOURS after the
sign-in; "sign out everywhere" and a new password end the others."""

import datetime

import pytest
import time_machine
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.models import AccessEvent, Session
from tests import factories
from tests.clock import BANGKOK

START = datetime.datetime(2026, 5, 15, 8, 0, tzinfo=BANGKOK)


def at(minutes):
    return START + datetime.timedelta(minutes=minutes)


def test_the_limits_and_the_cookie_agree():
    assert (settings.SESSION_IDLE_MINUTES, settings.SESSION_MAX_HOURS) == (30, 12)
    assert settings.SESSION_COOKIE_AGE == 12 * 3600


def test_a_session_idle_for_31_minutes_is_signed_out(client, officer):
    with time_machine.travel(START, tick=False) as clock:
        client.force_login(officer)
        assert client.get("/").status_code == 200
        clock.move_to(at(31))
        response = client.get("/dashboard/", follow=True)

    assert response.redirect_chain[0][0] == "/accounts/login/?next=/dashboard/"
    assert "ไม่มีการใช้งานเป็นเวลา 30 นาที" in response.text
    assert "_auth_user_id" not in client.session


def test_a_session_idle_for_29_minutes_is_still_in(client, officer):
    with time_machine.travel(START, tick=False) as clock:
        client.force_login(officer)
        for minute in (29, 58, 87):  # each request counts as activity
            clock.move_to(at(minute))
            assert client.get("/").status_code == 200


def test_thirteen_hours_of_activity_end_the_session(client, officer):
    with time_machine.travel(START, tick=False) as clock:
        client.force_login(officer)
        minute = 0
        while minute <= 13 * 60:
            minute += 20
            clock.move_to(at(minute))
            response = client.get("/")
            if response.status_code != 200:
                break

    assert minute == 12 * 60 + 20 and response.url == "/accounts/login/?next=/"
    assert "_auth_user_id" not in client.session


def test_reading_pages_writes_the_session_at_most_once_a_minute(client, officer):
    with time_machine.travel(START, tick=False) as clock:
        client.force_login(officer)
        clock.move_to(START + datetime.timedelta(seconds=50))
        with CaptureQueriesContext(connection) as queries:
            client.get("/")
        assert not [q for q in queries if "UPDATE" in q["sql"] and "accounts_session" in q["sql"]]

        clock.move_to(START + datetime.timedelta(seconds=70))
        with CaptureQueriesContext(connection) as queries:
            client.get("/")
        assert [q for q in queries if "UPDATE" in q["sql"] and "accounts_session" in q["sql"]]


def test_sign_out_everywhere_ends_the_other_browsers_session(officer, executive):
    laptop, phone, colleague = Client(), Client(), Client()
    with time_machine.travel(START, tick=False):
        for browser in (laptop, phone):
            browser.force_login(officer)
        colleague.force_login(executive)
        page = laptop.get("/accounts/account/")
        assert "ท่านเข้าสู่ระบบอยู่ใน 2 เบราว์เซอร์" in page.text

        response = laptop.post("/accounts/account/sign-out-everywhere/", follow=True)

        assert "ออกจากระบบในทุกเครื่องแล้ว" in response.text
        assert phone.get("/").url == "/accounts/login/?next=/"
        assert laptop.get("/").url == "/accounts/login/?next=/"
        assert colleague.get("/").status_code == 200
    assert not Session.objects.filter(user=officer).exists()
    assert AccessEvent.objects.filter(kind=AccessEvent.Kind.SIGNED_OUT_EVERYWHERE, user=officer).count() == 1


def test_sign_out_everywhere_takes_a_post(client, officer):
    client.force_login(officer)

    assert client.get("/accounts/account/sign-out-everywhere/").status_code == 405
    assert Session.objects.filter(user=officer).exists()


def test_changing_the_password_ends_the_other_sessions_and_keeps_this_one(officer):
    here, elsewhere = Client(), Client()
    with time_machine.travel(START, tick=False):
        here.force_login(officer)
        elsewhere.force_login(officer)
        new = "ผักบุ้งไฟแดง-2569"
        response = here.post(
            "/accounts/password_change/",
            {"old_password": factories.PASSWORD, "new_password1": new, "new_password2": new},
        )

        assert response.url == "/accounts/password_change/done/"
        assert here.get("/").status_code == 200
        assert elsewhere.get("/").url == "/accounts/login/?next=/"


@pytest.mark.parametrize("password", ["TCEB2568!", "ita-tracker", "25682568256825"])
def test_a_weak_password_is_refused_in_thai(client, officer, password):
    client.force_login(officer)

    response = client.post(
        "/accounts/password_change/",
        {"old_password": factories.PASSWORD, "new_password1": password, "new_password2": password},
    )

    assert response.status_code == 200
    messages = {
        "TCEB2568!": "รหัสผ่านนี้สั้นเกินไป ต้องมีความยาวอย่างน้อย 12 ตัวอักษร",
        "ita-tracker": "รหัสผ่านนี้สั้นเกินไป",
        "25682568256825": "รหัสผ่านนี้เป็นตัวเลขทั้งหมด",
    }
    assert messages[password] in response.text
    officer.refresh_from_db()
    assert officer.check_password(factories.PASSWORD)


def test_the_account_page_links_from_the_menu(client, officer):
    client.force_login(officer)

    home = client.get("/")
    page = client.get("/accounts/account/")

    assert 'href="/accounts/account/"' in home.text and "บัญชีของฉัน" in home.text
    assert "officer" in page.text and 'href="/accounts/password_change/"' in page.text
