"""Background tasks, run by `manage.py db_worker` (django-tasks-db): the request that took a
review step never waits for, nor fails on, the mail server."""

from django.contrib.auth import get_user_model
from django.tasks import task

from accounts.models import EmailNotifications
from notifications import mail
from notifications.models import Notification


@task
def send_notification_mail(notification_ids):
    """E-mail each notification to its person, one message each, unless already e-mailed, the
    person has since chosen the digest or no e-mail, or may no longer see the entry. A refused
    mail is logged and left un-e-mailed for the next daily run (`send_notification_digest`)."""
    people = (
        get_user_model()
        .objects.filter(notifications__in=notification_ids)
        .exclude(email="")
        .select_related("preferences")
        .distinct()
    )
    for user in people:
        if mail.preferences_of(user).email_notifications != EmailNotifications.IMMEDIATELY:
            continue
        pending = Notification.objects.for_user(user).not_emailed().filter(pk__in=notification_ids).for_display()
        for notification in pending:
            mail.send(user, [notification])
