import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from accounts.models import AccessEvent


class Command(BaseCommand):
    help = (
        "Delete the access-log events older than --older-than-days days (the only way they are ever "
        "deleted: no page or admin screen does). Run it from cron with the retention your agency's "
        "rules set, e.g. 400 days; --dry-run counts them and deletes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--older-than-days", type=int, required=True, help="Delete events older than this many days (1 or more)."
        )
        parser.add_argument("--dry-run", action="store_true", help="Count the events that would go; delete nothing.")

    def handle(self, *args, older_than_days, dry_run, **options):
        if older_than_days < 1:
            raise CommandError("--older-than-days must be 1 or more.")
        cutoff = timezone.now() - datetime.timedelta(days=older_than_days)
        old = AccessEvent.objects.filter(at__lt=cutoff)
        # No row points at an event, so this is one DELETE, however many go.
        count = old.count() if dry_run else old.delete()[0]
        kept = AccessEvent.objects.count() - (count if dry_run else 0)
        verb = "Would delete" if dry_run else "Deleted"
        self.stdout.write(
            f"{verb} {count} access events from before {timezone.localtime(cutoff):%Y-%m-%d %H:%M}; {kept} kept."
        )
