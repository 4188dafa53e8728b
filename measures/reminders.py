"""Reminders to unit members about reports due soon or overdue (`manage.py send_reminders`).

One e-mail per unit and member, listing every open entry of the unit that is due within the
given number of days or overdue, with a link to each. What was sent is recorded, so that
running the command again the same day sends nothing twice.
"""

from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from measures.actions import overdue_days
from measures.models import ProgressEntry, ReminderLog, Unit, unit_memberships


@dataclass
class Reminder:
    user: object
    unit: Unit
    entries: list

    def message(self, today):
        """The e-mail, in the site's language (Thai)."""
        with translation.override(settings.LANGUAGE_CODE):
            agency = self.unit.agency
            subject = gettext("[ITA Tracker] Progress reports due soon or overdue – %(unit)s") % {
                "unit": f"{self.unit} ({agency.short_name or agency.code})"
            }
            body = render_to_string(
                "measures/reminder_email.txt",
                {"user": self.user, "unit": self.unit, "entries": self.entries, "today": today},
            )
        return EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [self.user.email])


@dataclass
class Plan:
    reminders: list = field(default_factory=list)
    without_email: list = field(default_factory=list)  # (user, unit)
    without_members: list = field(default_factory=list)  # units
    already_sent: int = 0  # (entry, member) pairs reminded earlier today

    @property
    def entry_count(self):
        return len({entry.pk for reminder in self.reminders for entry in reminder.entries})

    @property
    def people(self):
        return {reminder.user.pk for reminder in self.reminders}


def plan_reminders(*, today, days):
    """Who gets which entries today; a fixed number of queries however many units and entries."""
    entries = list(
        ProgressEntry.objects.needing_reminder(today, days)
        .select_related("measure__agency", "round", "unit__agency")
        .with_return_comment()
        .order_by("unit__agency__code", "unit__name", "round__due_date", "measure__order", "measure__pk")
    )
    for entry in entries:
        entry.days_late = overdue_days(entry, today)
        entry.days_left = -entry.days_late
        entry.link = settings.SITE_URL + reverse("entry", args=[entry.pk])
    by_unit = {}
    for entry in entries:
        by_unit.setdefault(entry.unit_id, (entry.unit, []))[1].append(entry)
    members = {}
    links = (
        unit_memberships()
        .filter(unit__in=by_unit, user__is_active=True)
        .select_related("user")
        .order_by("user__username")
    )
    for link in links:
        members.setdefault(link.unit_id, []).append(link.user)
    sent = set(ReminderLog.objects.filter(sent_on=today, entry__in=entries).values_list("entry_id", "user_id"))

    plan = Plan()
    for unit_id, (unit, unit_entries) in by_unit.items():
        if not members.get(unit_id):
            plan.without_members.append(unit)
        for user in members.get(unit_id, []):
            if not user.email:
                plan.without_email.append((user, unit))
                continue
            due = [entry for entry in unit_entries if (entry.pk, user.pk) not in sent]
            plan.already_sent += len(unit_entries) - len(due)
            if due:
                plan.reminders.append(Reminder(user, unit, due))
    return plan


def record(reminder, today):
    ReminderLog.objects.bulk_create(
        [ReminderLog(entry=entry, user=reminder.user, sent_on=today) for entry in reminder.entries],
        ignore_conflicts=True,
    )
