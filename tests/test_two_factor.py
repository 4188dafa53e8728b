"""Two-step sign-in: administrators owe a code from an authenticator app after their password
(enrolling at their first sign-in); others may turn it on. Until the code is given no page opens.
These tests sign in as production does (`second_factor` marker: see tests/conftest.py)."""

import datetime
from binascii import unhexlify

import pytest
import time_machine
from django.urls import URLPattern, URLResolver, get_resolver
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import AccessEvent
from accounts.second_factor import secret_key
from assessments import access
from tests import factories
from tests.clock import BANGKOK

pytestmark = pytest.mark.second_factor

NOW = datetime.datetime(2026, 5, 15, 10, 0, tzinfo=BANGKOK)


def code_of(key, at=None):
    totp = TOTP(unhexlify(key))
    totp.time = (at or NOW).timestamp()
    return f"{totp.token():06d}"


def sign_in(client, user, next_page="/"):
    return client.post(
        f"/accounts/login/?next={next_page}", {"username": user.username, "password": factories.PASSWORD}
    )


@pytest.fixture
def enrolled_admin(superuser):
    device = TOTPDevice.objects.create(user=superuser, name="authenticator", confirmed=True)
    backup = StaticDevice.objects.create(user=superuser, name="backup", confirmed=True)
    StaticToken.objects.create(device=backup, token="abcd2345ef")
    return superuser, device


def test_who_needs_a_second_factor(superuser, officer, executive, agency, db):
    staff = factories.user("staffer", is_staff=True)
    agency_admin = factories.member("agencyadmin", agency, "agency_admin")

    assert [access.needs_second_factor(u) for u in (superuser, staff, agency_admin)] == [True, True, True]
    assert [access.needs_second_factor(u) for u in (officer, executive)] == [False, False]


def simple_urls():
    """Every GET URL of the resolver that needs no argument, plus a few with one."""

    def walk(patterns, prefix):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                route = prefix + str(pattern.pattern)
                if "<" not in route and "(" not in route and "^" not in route:
                    yield "/" + route

    return sorted(set(walk(get_resolver().url_patterns, "")))


OPEN = {"/accounts/login/", "/accounts/logout/", "/admin/logout/", "/i18n/setlang/", "/health/"}
OPEN |= {"/accounts/two-factor/enrol/", "/accounts/two-factor/verify/"}


@time_machine.travel(NOW, tick=False)
def test_an_enrolled_admin_with_only_the_password_reaches_no_page(client, enrolled_admin, agency):
    admin, _device = enrolled_admin
    factories.summarised_assessment(agency, 2568, {"ITA": "80"})
    response = sign_in(client, admin, "/dashboard/")
    assert response.status_code == 302
    assert response.url == "/dashboard/"  # the login page does not know; the next page does

    urls = [u for u in simple_urls() if u not in OPEN] + [
        "/agencies/AG1/2568/",
        "/agencies/AG1/2568/report.xlsx",
        "/admin/auth/user/",
        f"/admin/auth/user/{admin.pk}/change/",
        "/admin/otp_totp/totpdevice/",
    ]
    assert "/admin/" in urls and "/dashboard/" in urls and "/accounts/account/" in urls
    problems = {}
    for url in urls:
        response = client.get(url)
        if response.status_code != 302 or not response.url.startswith("/accounts/two-factor/verify/?next="):
            problems[url] = (response.status_code, response.get("Location"))
    assert problems == {}
    # JSON asked for by a script: refused, not redirected.
    json = client.get("/dashboard/", headers={"accept": "application/json"})
    assert json.status_code == 403 and "ยืนยันตัวตนขั้นที่สอง" in json.json()["error"]
    assert client.post("/accounts/account/sign-out-everywhere/").url == "/accounts/two-factor/verify/"
    # The way out stays open.
    assert client.get("/i18n/setlang/").status_code == 302
    assert client.post("/accounts/logout/").status_code == 302


def test_the_right_code_lets_the_admin_in_and_a_wrong_one_does_not(client, enrolled_admin):
    admin, device = enrolled_admin
    with time_machine.travel(NOW, tick=False) as clock:
        sign_in(client, admin, "/dashboard/")
        page = client.get("/accounts/two-factor/verify/?next=/dashboard/")
        assert "การยืนยันตัวตนสองขั้นตอน" in page.text

        wrong = client.post("/accounts/two-factor/verify/", {"code": "000000", "next": "/dashboard/"})
        assert wrong.status_code == 200 and "รหัสไม่ถูกต้อง" in wrong.text
        assert client.get("/dashboard/").status_code == 302
        assert AccessEvent.objects.filter(kind=AccessEvent.Kind.SECOND_FACTOR_FAILED, user=admin).count() == 1

        clock.shift(2)  # the device makes one wait a second after a wrong code
        right = client.post("/accounts/two-factor/verify/", {"code": code_of(device.key), "next": "/dashboard/"})
        assert right.status_code == 302 and right.url == "/dashboard/"
        assert client.get("/dashboard/").status_code == 200
        assert client.get("/admin/").status_code == 200
        assert client.session["otp_device_id"] == device.persistent_id


def test_a_backup_code_works_once(client, enrolled_admin):
    admin, _device = enrolled_admin
    with time_machine.travel(NOW, tick=False):
        sign_in(client, admin)
        assert client.post("/accounts/two-factor/verify/", {"code": "ABCD 2345 EF"}).status_code == 302
        assert client.get("/").status_code == 200
        client.post("/accounts/logout/")

        sign_in(client, admin)
        again = client.post("/accounts/two-factor/verify/", {"code": "abcd2345ef"})
        assert again.status_code == 200 and "รหัสไม่ถูกต้อง" in again.text
        assert client.get("/").status_code == 302


def test_too_many_wrong_codes_sign_the_session_out(client, enrolled_admin, settings):
    admin, _device = enrolled_admin
    with time_machine.travel(NOW, tick=False) as clock:
        sign_in(client, admin)
        for _ in range(settings.SECOND_FACTOR_FAILURE_LIMIT - 1):
            clock.shift(120)  # past the device's own growing wait
            assert client.post("/accounts/two-factor/verify/", {"code": "123456"}).status_code == 200
        clock.shift(120)
        out = client.post("/accounts/two-factor/verify/", {"code": "123456"}, follow=True)

    assert out.redirect_chain[0][0] == "/accounts/login/"
    assert "ใส่รหัสผิดหลายครั้งเกินไป" in out.text
    assert "_auth_user_id" not in client.session
    assert AccessEvent.objects.filter(kind=AccessEvent.Kind.SECOND_FACTOR_FAILED).count() == 5


def test_a_new_admin_is_asked_to_enrol_at_first_sign_in(client, superuser):
    with time_machine.travel(NOW, tick=False):
        sign_in(client, superuser, "/dashboard/")
        sent = client.get("/dashboard/")
        assert sent.url == "/accounts/two-factor/enrol/?next=/dashboard/"
        assert client.get("/admin/").url.startswith("/accounts/two-factor/enrol/")

        page = client.get(sent.url)
        qr_code = page.text.split("<main", 1)[1].split("<svg", 1)[1].split("</svg>")[0]
        assert qr_code and "style=" not in qr_code
        assert "ผู้ดูแลระบบต้องเข้าสู่ระบบด้วยรหัสผ่านและรหัสจากแอปยืนยันตัวตน" in page.text
        signed = page.context["form"].initial["secret"]
        key = secret_key(superuser, signed)
        assert page.context["secret"].replace(" ", "") in page.text.replace(" ", "")

        wrong = client.post("/accounts/two-factor/enrol/", {"secret": signed, "code": "000000", "next": "/dashboard/"})
        assert wrong.status_code == 200 and "รหัสไม่ถูกต้อง" in wrong.text
        assert not TOTPDevice.objects.filter(user=superuser).exists()

        done = client.post(
            "/accounts/two-factor/enrol/", {"secret": signed, "code": code_of(key), "next": "/dashboard/"}
        )
        assert client.get("/dashboard/").status_code == 200

    assert done.status_code == 200
    codes = done.context["codes"]
    assert len(codes) == 10 and all(code in done.text for code in codes)
    device = TOTPDevice.objects.get(user=superuser, confirmed=True)
    assert device.key == key
    assert sorted(StaticToken.objects.filter(device__user=superuser).values_list("token", flat=True)) == sorted(codes)
    assert AccessEvent.objects.filter(kind=AccessEvent.Kind.SECOND_FACTOR_ADDED, user=superuser).count() == 1


def test_a_forged_secret_is_refused(client, superuser):
    sign_in(client, superuser)
    forged = "0" * 40
    response = client.post("/accounts/two-factor/enrol/", {"secret": forged, "code": code_of(forged)})

    assert response.status_code == 200
    assert not TOTPDevice.objects.exists()


def test_others_sign_in_with_the_password_alone_and_may_turn_it_on_and_off(client, officer):
    with time_machine.travel(NOW, tick=False) as clock:
        sign_in(client, officer)
        assert client.get("/").status_code == 200
        account = client.get("/accounts/account/")
        assert "ปิดใช้งาน" in account.text and 'href="/accounts/two-factor/enrol/"' in account.text

        page = client.get("/accounts/two-factor/enrol/")
        assert "ผู้ดูแลระบบต้อง" not in page.text
        signed = page.context["form"].initial["secret"]
        key = secret_key(officer, signed)
        client.post("/accounts/two-factor/enrol/", {"secret": signed, "code": code_of(key)})
        assert TOTPDevice.objects.filter(user=officer).exists()

        client.post("/accounts/logout/")
        clock.shift(60)
        sign_in(client, officer)
        assert client.get("/").url.startswith("/accounts/two-factor/verify/")
        client.post("/accounts/two-factor/verify/", {"code": code_of(key, NOW + datetime.timedelta(seconds=60))})
        assert client.get("/").status_code == 200

        client.post("/accounts/two-factor/remove/")
    assert not TOTPDevice.objects.filter(user=officer).exists()
    assert not StaticDevice.objects.filter(user=officer).exists()


def test_an_admin_cannot_remove_their_own_second_factor(client, enrolled_admin):
    admin, device = enrolled_admin
    client.force_login(admin)  # (the marker: this session still owes the code)
    with time_machine.travel(NOW, tick=False):
        client.post("/accounts/two-factor/verify/", {"code": code_of(device.key)})
        response = client.post("/accounts/two-factor/remove/", follow=True)

    assert "ผู้ดูแลระบบต้องใช้การยืนยันตัวตนขั้นที่สองเสมอ" in response.text
    assert TOTPDevice.objects.filter(user=admin).exists()


def test_an_administrator_resets_someones_second_factor_in_the_admin(client, superuser, officer, db):
    device = TOTPDevice.objects.create(user=officer, name="authenticator", confirmed=True)
    admin_device = TOTPDevice.objects.create(user=superuser, name="authenticator", confirmed=True)
    client.force_login(superuser)
    with time_machine.travel(NOW, tick=False):
        client.post("/accounts/two-factor/verify/", {"code": code_of(admin_device.key)})
        listed = client.get("/admin/otp_totp/totpdevice/")
        assert listed.status_code == 200 and "officer" in listed.text
        # Nobody reads another person's secret from the admin.
        assert client.get(f"/admin/otp_totp/totpdevice/{device.pk}/config/").status_code == 403
        assert device.key not in client.get(f"/admin/otp_totp/totpdevice/{device.pk}/change/").text
        client.post(f"/admin/otp_totp/totpdevice/{device.pk}/delete/", {"post": "yes"})

    assert not TOTPDevice.objects.filter(user=officer).exists()
