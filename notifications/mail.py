"""The notifications' e-mails: one per notification, or one a day listing them (the digest), in
the recipient's language with a link to each entry. A notification is stamped before its mail
goes out, so two senders (the worker, the digest) never both send it, and unstamped again when
the mail server refuses it, so a later run sends it."""

import logging
import smtplib

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from accounts.models import Preferences
from notifications.models import Notification

log = logging.getLogger(__name__)

# What a mail server that is down or refuses the mail raises (SMTPException is an OSError).
MAIL_ERRORS = (OSError, smtplib.SMTPException)


def preferences_of(user):
    """The user's preferences, or the defaults (Thai, an e-mail for each event) when none are saved.
    Read the users with `select_related("preferences")`."""
    try:
        return user.preferences
    except Preferences.DoesNotExist:
        return Preferences(user=user)


def entry_link(notification):
    return settings.SITE_URL + notification.path()


def message(user, notifications, language):
    """The e-mail to `user` about `notifications` (one, or a day's for the digest)."""
    with translation.override(language):
        for notification in notifications:
            notification.text = notification.summary()
            notification.link = entry_link(notification)
        if len(notifications) == 1:
            subject = gettext("[ITA Tracker] %(summary)s") % {"summary": notifications[0].text}
        else:
            subject = gettext("[ITA Tracker] %(count)s notifications of the last day") % {"count": len(notifications)}
        body = render_to_string(
            "notifications/email.txt",
            {"user": user, "notifications": notifications, "list_link": settings.SITE_URL + reverse("notifications")},
        )
    return EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])


def send(user, notifications):
    """E-mail `user` one message about those of `notifications` not yet e-mailed; True if sent."""
    stamp = timezone.now()
    ids = [notification.pk for notification in notifications]
    Notification.objects.filter(pk__in=ids).not_emailed().update(emailed_at=stamp)
    # Those another sender stamped first are theirs to send.
    taken = set(Notification.objects.filter(pk__in=ids, emailed_at=stamp).values_list("pk", flat=True))
    mine = [notification for notification in notifications if notification.pk in taken]
    if not mine:
        return False
    try:
        message(user, mine, preferences_of(user).language).send()
    except MAIL_ERRORS:
        log.warning("The mail server refused notifications %s for %s; left for a later run", sorted(taken), user)
        Notification.objects.filter(pk__in=taken, emailed_at=stamp).update(emailed_at=None)
        return False
    return True
