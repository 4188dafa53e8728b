"""A deployment check: password reset needs a mail server."""

from django.core.checks import Tags, Warning, register

from accounts.mail import mail_configured


@register(Tags.security, deploy=True)
def mail_for_password_reset(app_configs, **kwargs):
    if mail_configured():
        return []
    return [
        Warning(
            "No mail server is configured (EMAIL_HOST is not set): password reset by e-mail is switched "
            "off and people who forget their password must ask an administrator.",
            hint="Set EMAIL_HOST (and EMAIL_PORT, EMAIL_HOST_USER, EMAIL_HOST_PASSWORD, EMAIL_USE_TLS).",
            id="accounts.W001",
        )
    ]
