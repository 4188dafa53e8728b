"""Whether the site can send e-mail at all."""

from django.conf import settings

SMTP = "django.core.mail.backends.smtp.EmailBackend"


def mail_configured() -> bool:
    """True when the default mailer can send: an SMTP server named by EMAIL_HOST, or a backend
    that needs none (the console in development, memory in tests). SMTP with no host would try
    localhost:25, which a production server rarely has."""
    mailer = settings.MAILERS.get("default", {})
    if mailer.get("BACKEND", SMTP) != SMTP:
        return True
    return bool(mailer.get("OPTIONS", {}).get("host"))
