import datetime

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from accounts.models import EmailNotifications
from notifications import mail
from notifications.models import Notification

# The worker e-mails a notification within seconds; one still waiting after this long was refused
# by the mail server (or its task was lost), and goes out with the day's digest instead.
LEFT_OVER = datetime.timedelta(minutes=15)


class Command(BaseCommand):
    help = (
        "E-mail each person who chose the daily digest one message listing their notifications of "
        "the last day not yet e-mailed, in their language, with a link to each entry; also sends, "
        "the same way, what the mail server refused earlier to those who chose an e-mail for each "
        "event. Run daily; safe to repeat: no notification is e-mailed twice."
    )

    def handle(self, *args, **options):
        now = timezone.now()
        since = now - datetime.timedelta(days=1)
        people = (
            get_user_model()
            .objects.filter(is_active=True, notifications__created__gte=since, notifications__emailed_at=None)
            .exclude(email="")
            .select_related("preferences")
            .distinct()
            .order_by("username")
        )
        sent = failed = 0
        for user in people:
            preference = mail.preferences_of(user).email_notifications
            pending = Notification.objects.for_user(user).not_emailed().filter(created__gte=since)
            if preference == EmailNotifications.OFF:
                continue
            if preference == EmailNotifications.IMMEDIATELY:
                pending = pending.filter(created__lte=now - LEFT_OVER)
            notifications = list(pending.for_display())
            if not notifications:
                continue
            if mail.send(user, notifications):
                sent += 1
                self.stdout.write(f"Sent to {user.email}: {len(notifications)} notifications")
            else:
                failed += 1
                self.stdout.write(f"Not sent to {user.email}: the mail server refused it (see the log)")
        if failed:
            # A non-zero exit status, so scripts/daily logs it; the next run sends them.
            raise CommandError(f"Sent {sent} digests; the mail server refused {failed}, left for the next run.")
        self.stdout.write(self.style.SUCCESS(f"Sent {sent} digests."))
