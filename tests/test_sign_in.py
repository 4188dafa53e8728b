"""Signing in resists guessing: failed sign-ins are counted per account and, separately, per
address (django-axes); past LOGIN_FAILURE_LIMIT the account or the address is refused, even with
the right password, until LOGIN_LOCKOUT_MINUTES have passed. The login page speaks Thai."""

import datetime

import pytest
import time_machine
from axes.models import AccessAttempt, AccessFailureLog
from django.conf import settings

from tests import factories
from tests.clock import BANGKOK

START = datetime.datetime(2026, 5, 15, 10, 0, tzinfo=BANGKOK)
LIMIT = settings.LOGIN_FAILURE_LIMIT


def sign_in(client, username, password, address="10.0.0.1", **headers):
    return client.post("/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR=address, **headers)


@pytest.fixture
def people(db):
    return [factories.user(name) for name in ("somchai", "somsri", "malee")]


def test_the_limits_come_from_the_environment():
    assert (settings.LOGIN_FAILURE_LIMIT, settings.LOGIN_LOCKOUT_MINUTES) == (5, 15)
    assert settings.AXES_FAILURE_LIMIT == 5
    assert settings.AXES_COOLOFF_TIME == datetime.timedelta(minutes=15)
    assert settings.AXES_LOCKOUT_PARAMETERS == ["username", "ip_address"]
    assert settings.AUTHENTICATION_BACKENDS[0] == "axes.backends.AxesStandaloneBackend"


@pytest.mark.time_machine(START, tick=False)
def test_one_account_guessed_from_many_addresses_is_locked(client, people):
    for n in range(LIMIT - 1):
        assert sign_in(client, "somchai", "wrong", address=f"10.0.1.{n}").status_code == 200

    locked = sign_in(client, "somchai", "wrong", address="10.0.1.99")

    assert locked.status_code == 429
    assert "กรุณารอ 15 นาที" in locked.text
    assert '<header class="site-header">' in locked.text  # the site's layout
    refused = sign_in(client, "somchai", factories.PASSWORD, address="10.0.2.1")
    assert refused.status_code == 429
    assert "_auth_user_id" not in client.session
    # Another account, from another address, signs in.
    assert sign_in(client, "somsri", factories.PASSWORD, address="10.0.3.1").status_code == 302


@pytest.mark.time_machine(START, tick=False)
def test_one_address_guessing_many_accounts_is_locked(client, people):
    names = [f"guess{n}" for n in range(LIMIT)]
    for name in names[:-1]:
        assert sign_in(client, name, "wrong", address="192.0.2.7").status_code == 200

    assert sign_in(client, names[-1], "wrong", address="192.0.2.7").status_code == 429
    assert sign_in(client, "malee", factories.PASSWORD, address="192.0.2.7").status_code == 429
    # The accounts themselves are not locked: from elsewhere they sign in.
    assert sign_in(client, "malee", factories.PASSWORD, address="198.51.100.1").status_code == 302


def test_the_lock_is_lifted_after_the_cool_off(client, people):
    with time_machine.travel(START, tick=False) as clock:
        for n in range(LIMIT):
            sign_in(client, "somchai", "wrong", address=f"10.0.1.{n}")
        clock.move_to(START + datetime.timedelta(minutes=14))
        assert sign_in(client, "somchai", factories.PASSWORD, address="10.0.9.9").status_code == 429

        clock.move_to(START + datetime.timedelta(minutes=14 + 16))
        assert sign_in(client, "somchai", factories.PASSWORD, address="10.0.9.9").status_code == 302


@pytest.mark.time_machine(START, tick=False)
def test_failures_are_recorded_and_a_success_resets_them(client, people):
    sign_in(client, "somchai", "wrong", address="10.0.0.5")
    sign_in(client, "somchai", "wrong-again", address="10.0.0.6")

    attempts = AccessAttempt.objects.filter(username="somchai")
    assert sum(attempt.failures_since_start for attempt in attempts) == 2
    assert {attempt.ip_address for attempt in attempts} == {"10.0.0.5", "10.0.0.6"}
    assert AccessFailureLog.objects.filter(username="somchai").count() == 2
    assert all("wrong" not in str(attempt.post_data) for attempt in attempts)  # no password kept

    assert sign_in(client, "somchai", factories.PASSWORD, address="10.0.0.5").status_code == 302
    assert not AccessAttempt.objects.filter(username="somchai").exists()


def test_x_forwarded_for_is_ignored_without_a_trusted_proxy(client, people):
    for n in range(LIMIT):
        sign_in(client, f"guess{n}", "wrong", address="10.0.0.1", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}")

    # Every attempt was counted against the address it really came from.
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"10.0.0.1"}


@pytest.mark.parametrize(
    "proxies, forwarded, expected",
    [
        (1, "203.0.113.9", "203.0.113.9"),
        # What the client wrote itself stays left of what the proxy appended.
        (1, "198.51.100.66, 203.0.113.9", "203.0.113.9"),
        (2, "198.51.100.66, 203.0.113.9, 10.0.0.2", "203.0.113.9"),
        (2, "203.0.113.9", "10.0.0.254"),  # not through both proxies: the nearest address
        (1, "not-an-address", "10.0.0.254"),
    ],
)
def test_behind_trusted_proxies_the_client_is_the_address_the_outermost_saw(
    client, people, settings, proxies, forwarded, expected
):
    settings.TRUSTED_PROXY_COUNT = proxies

    sign_in(client, "somchai", "wrong", address="10.0.0.254", HTTP_X_FORWARDED_FOR=forwarded)

    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {expected}


def test_the_login_page_speaks_thai_and_offers_a_reset(client, people):
    response = sign_in(client, "somchai", "wrong")

    assert "กรุณาใส่" in response.text and "รหัสผ่านที่ถูกต้อง" in response.text
    assert 'href="/accounts/password_reset/"' in response.text
    assert "ลืมรหัสผ่าน" in response.text


def test_the_demo_password_still_signs_in(client, db):
    factories.user("demo").set_password("ita-demo-2568")  # the demo loader sets it unvalidated
    user = factories.user("demo2")
    user.set_password("ita-demo-2568")
    user.save()

    assert sign_in(client, "demo2", "ita-demo-2568").status_code == 302
