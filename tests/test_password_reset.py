"""Password reset never says "sent" when nothing went: without a mail server the page says to
ask an administrator; a mail the server refuses is an error on the page and in the log."""

import logging
import smtplib
from unittest import mock

import pytest
from django.core import mail
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from accounts.mail import mail_configured
from tests import factories

SMTP = "django.core.mail.backends.smtp.EmailBackend"


@pytest.fixture
def person(db):
    return factories.user("somsri", email="somsri@example.go.th")


@pytest.mark.parametrize(
    "mailer, configured",
    [
        ({"BACKEND": SMTP}, False),
        ({"BACKEND": SMTP, "OPTIONS": {"host": ""}}, False),
        ({"BACKEND": SMTP, "OPTIONS": {"host": "smtp.example.go.th"}}, True),
        ({"BACKEND": "django.core.mail.backends.console.EmailBackend"}, True),
        ({"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}, True),
    ],
)
def test_what_configured_means(settings, mailer, configured):
    settings.MAILERS = {"default": mailer}

    assert mail_configured() is configured


def test_without_a_mail_server_the_page_sends_people_to_an_administrator(client, person, settings):
    settings.MAILERS = {"default": {"BACKEND": SMTP}}

    page = client.get("/accounts/password_reset/")
    posted = client.post("/accounts/password_reset/", {"email": "somsri@example.go.th"})

    for response in (page, posted):
        assert response.status_code == 200
        assert "ไม่สามารถรีเซ็ตรหัสผ่านทางอีเมลได้" in response.text
        assert "กรุณาติดต่อผู้ดูแลระบบ" in response.text
        assert 'name="email"' not in response.text
    assert mail.outbox == []


def test_with_mail_the_link_is_sent(client, person):
    response = client.post("/accounts/password_reset/", {"email": "somsri@example.go.th"})

    assert response.url == "/accounts/password_reset/done/"
    assert len(mail.outbox) == 1 and "/accounts/reset/" in mail.outbox[0].body
    assert "กรุณาตรวจสอบอีเมล" in client.get(response.url).text


def test_a_refused_mail_is_an_error_not_sent(client, person, settings, caplog):
    settings.MAILERS = {"default": {"BACKEND": SMTP, "OPTIONS": {"host": "smtp.example.go.th"}}}
    refused = smtplib.SMTPRecipientsRefused({"somsri@example.go.th": (550, b"no")})

    with mock.patch("smtplib.SMTP") as smtp, caplog.at_level(logging.ERROR, logger="accounts.forms"):
        smtp.return_value.sendmail.side_effect = refused
        smtp.return_value.send_message.side_effect = refused
        response = client.post("/accounts/password_reset/", {"email": "somsri@example.go.th"})

    assert response.status_code == 200
    assert "ส่งอีเมลไม่สำเร็จ" in response.text and "ยังไม่มีอีเมลใดถูกส่งออกไป" in response.text
    assert "could not be sent" in caplog.text


def test_the_deployment_check_warns_without_a_mail_server(settings):
    settings.MAILERS = {"default": {"BACKEND": SMTP}}

    with pytest.raises(SystemCheckError, match="accounts.W001"):
        call_command("check", "--deploy", "--fail-level", "WARNING", "--tag", "security")

    settings.MAILERS = {"default": {"BACKEND": SMTP, "OPTIONS": {"host": "smtp.example.go.th"}}}
    from accounts.checks import mail_for_password_reset  # noqa: PLC0415

    assert mail_for_password_reset(None) == []
