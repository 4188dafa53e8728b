import datetime

from django.core.mail import mailers
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from measures import reminders


def iso_date(value):
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--today must be a Christian-era date YYYY-MM-DD, e.g. 2026-11-21, not {value!r}") from None


class Command(BaseCommand):
    help = (
        "E-mail the members of each unit, in Thai, the progress reports it still has to send that are "
        "due within --days days or overdue, with a link to each. Run daily (cron); safe to repeat: "
        "nobody is reminded of the same entry twice on the same day."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--days", type=int, default=7, help="Remind of reports due within this many days (default 7)."
        )
        parser.add_argument(
            "--today", type=iso_date, help="Run as if today were this date (YYYY-MM-DD, Christian era)."
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="List the reminders that would be sent; send and record nothing."
        )

    def handle(self, *args, days, today, dry_run, **options):
        if days < 0:
            raise CommandError("--days must be 0 or more.")
        today = today or timezone.localdate()
        plan = reminders.plan_reminders(today=today, days=days)

        for reminder in plan.reminders:
            message = reminder.message(today)
            if not dry_run:
                # One message at a time, recorded as soon as it is sent: a failure half-way
                # leaves the log true, and the next run sends only what is still missing.
                mailers.default.send_messages([message])
                reminders.record(reminder, today)
            sent = "Would send" if dry_run else "Sent"
            self.stdout.write(f"{sent} to {reminder.user.email}: {reminder.unit}, {len(reminder.entries)} entries")
        for user, unit in plan.without_email:
            self.stdout.write(f"Skipped {user.get_username()} ({unit}): no e-mail address")
        for unit in plan.without_members:
            self.stdout.write(f"Nobody to remind in {unit} ({unit.agency.code}): the unit has no members")

        skipped = [
            f"{len(plan.without_email)} members without an e-mail address",
            f"{len(plan.without_members)} units without members",
        ]
        if plan.already_sent:
            skipped.append(f"{plan.already_sent} reminders already sent today")
        summary = (
            f"{'Dry run: would send' if dry_run else 'Sent'} {len(plan.reminders)} reminders "
            f"to {len(plan.people)} people; {plan.entry_count} entries due by "
            f"{today + datetime.timedelta(days=days):%Y-%m-%d} or overdue; skipped {', '.join(skipped)}."
        )
        self.stdout.write(self.style.SUCCESS(summary))
