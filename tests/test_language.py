"""Thai whatever the browser prefers; English only when the user chooses it, and the choice kept
with the user, so that it follows them to another browser."""

import pytest
from django.conf import settings
from django.test import Client

from accounts.models import Preferences
from tests import factories

ENGLISH_BROWSER = {"HTTP_ACCEPT_LANGUAGE": "en-US,en;q=0.9"}
COOKIE = settings.LANGUAGE_COOKIE_NAME


@pytest.fixture
def officer(agency):
    return factories.member("officer", agency, "officer")


def sign_in(client, username):
    return client.post("/accounts/login/", {"username": username, "password": factories.PASSWORD}, **ENGLISH_BROWSER)


def test_an_english_browser_gets_thai_pages(client, db):
    response = client.get("/accounts/login/", **ENGLISH_BROWSER)

    assert response["Content-Language"] == "th"
    assert "เข้าสู่ระบบ" in response.content.decode()
    assert "Accept-Language" not in response.get("Vary", "")


def test_the_switch_gives_english_and_back(client, db):
    client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"})
    english = client.get("/accounts/login/")
    client.post("/i18n/setlang/", {"language": "th", "next": "/accounts/login/"})
    thai = client.get("/accounts/login/", **ENGLISH_BROWSER)

    assert english["Content-Language"] == "en" and "Log in" in english.content.decode()
    assert thai["Content-Language"] == "th"
    assert not Preferences.objects.exists()  # nobody was signed in: the browser keeps it


def test_a_language_the_site_does_not_have_is_thai(client, db):
    client.cookies[COOKIE] = "fr"

    assert client.get("/accounts/login/", **ENGLISH_BROWSER)["Content-Language"] == "th"


def test_a_signed_in_users_choice_is_kept_and_follows_them_to_another_browser(client, officer):
    client.force_login(officer)
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})

    assert response.status_code == 302
    assert Preferences.objects.get(user=officer).language == "en"

    other_browser = Client()
    signed_in = sign_in(other_browser, "officer")
    assert signed_in.status_code == 302 and signed_in.cookies[COOKIE].value == "en"
    page = other_browser.get("/")
    assert page.status_code == 200 and page["Content-Language"] == "en"


def test_without_a_kept_choice_signing_in_leaves_the_language_alone(client, officer):
    signed_in = sign_in(client, "officer")

    assert signed_in.status_code == 302 and COOKIE not in signed_in.cookies
    assert client.get("/")["Content-Language"] == "th"


def test_choosing_thai_again_is_kept_too(client, officer):
    Preferences.objects.create(user=officer, language="en")
    client.force_login(officer)
    client.post("/i18n/setlang/", {"language": "th", "next": "/"})

    assert Preferences.objects.get(user=officer).language == "th"
    assert Client().get("/accounts/login/")["Content-Language"] == "th"
