"""Notifications of the review steps, of progress reports and of OIT checklist items alike: a unit
submits → the agency's reviewers are told; the integrity office returns, approves or reopens → the
unit's members are told. In the app (the bell, the list) always; by e-mail as each person chose
(`accounts.Preferences.email_notifications`).
"""

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy as _

from measures.models import Action, ProgressEntry, ReviewEvent, RoundKind
from oit.models import ChecklistItem, ChecklistStepEvent, Step


class NotificationQuerySet(models.QuerySet):
    def for_user(self, user):
        """The user's own notifications whose entry or checklist item they may still see: someone
        who lost access to the agency or left the unit is not sent back to it."""
        # Two EXISTS on the steps' primary keys rather than an OR across two outer joins, which
        # the bell, on every page, would pay for every notification of the user.
        entries = ReviewEvent.objects.filter(pk=OuterRef("event_id"), entry__in=ProgressEntry.objects.visible_to(user))
        items = ChecklistStepEvent.objects.filter(
            pk=OuterRef("checklist_step_id"), checklist_item__in=ChecklistItem.objects.visible_to(user)
        )
        return self.filter(Exists(entries) | Exists(items), user=user)

    def unread(self):
        return self.filter(read_at=None)

    def not_emailed(self):
        return self.filter(emailed_at=None)

    def for_display(self):
        return self.select_related(
            "event__user",
            "event__entry__measure__agency",
            "event__entry__unit",
            "event__entry__round",
            "checklist_step__user",
            "checklist_step__checklist_item__agency",
            "checklist_step__checklist_item__item",
            "checklist_step__checklist_item__unit",
        ).order_by("-created", "-pk")

    def mark_read(self):
        return self.unread().update(read_at=timezone.now())


class Notification(models.Model):
    """One person told of one review step, of a progress report (`event`) or of an OIT checklist
    item (`checklist_step`); never two for the same step."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="notifications")
    event = models.ForeignKey(ReviewEvent, models.CASCADE, null=True, blank=True, related_name="notifications")
    checklist_step = models.ForeignKey(
        ChecklistStepEvent, models.CASCADE, null=True, blank=True, related_name="notifications"
    )
    created = models.DateTimeField(_("when"), default=timezone.now)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    # Set when the e-mail (its own or a digest) went out, and while it is being sent, so two
    # senders never both send it; cleared again when the mail server refused it.
    emailed_at = models.DateTimeField(_("e-mailed"), null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created", "-pk"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [
            models.UniqueConstraint(fields=["user", "event"], name="one_notification_per_user_event"),
            models.UniqueConstraint(fields=["user", "checklist_step"], name="one_notification_per_user_step"),
            models.CheckConstraint(
                condition=Q(event__isnull=True, checklist_step__isnull=False)
                | Q(event__isnull=False, checklist_step__isnull=True),
                name="notification_of_one_step",
            ),
        ]
        indexes = [
            # The bell's count of a user's unread ones, on every page, and the list, newest first.
            models.Index(fields=["user", "read_at"], name="notification_user_unread"),
            models.Index(fields=["user", "-created"], name="notification_user_newest"),
        ]

    def __str__(self):
        return f"{self.user} – {self.step}"

    @property
    def step(self):
        """The review step told of: a ReviewEvent or a ChecklistStepEvent (both have `user`, `comment`)."""
        return self.event or self.checklist_step

    @property
    def is_submit(self):
        return self.event.action == Action.SUBMIT if self.event else self.checklist_step.step == Step.SUBMIT

    @property
    def agency(self):
        return self.event.entry.measure.agency if self.event else self.checklist_step.checklist_item.agency

    def path(self):
        """Where the notification leads: the progress report, or the checklist item."""
        if self.event:
            return reverse("entry", args=[self.event.entry_id])
        row = self.checklist_step.checklist_item
        return reverse("checklist_item", args=[row.agency.code, row.fiscal_year, row.item.code])

    def summary(self):
        """One sentence saying who did what, in the active language (the page's or the e-mail's)."""
        if self.checklist_step:
            return self.checklist_summary()
        event, entry = self.event, self.event.entry
        params = {
            "actor": actor_name(event),
            "unit": entry.unit,
            "measure": entry.measure.name,
            "round": f"{RoundKind(entry.round.kind).short_label} {entry.round.fiscal_year}",
        }
        sentences = {
            Action.SUBMIT: gettext("%(actor)s submitted the progress report of %(unit)s on “%(measure)s” (%(round)s)."),
            Action.RETURN: gettext(
                "%(actor)s returned the progress report of %(unit)s on “%(measure)s” (%(round)s) for changes."
            ),
            Action.APPROVE: gettext("%(actor)s approved the progress report of %(unit)s on “%(measure)s” (%(round)s)."),
            Action.REOPEN: gettext("%(actor)s reopened the progress report of %(unit)s on “%(measure)s” (%(round)s)."),
        }
        if event.action not in sentences:  # no one is notified of other steps; said plainly all the same
            return f"{params['actor']}: {event.get_action_display()}"
        return sentences[event.action] % params

    def checklist_summary(self):
        step, row = self.checklist_step, self.checklist_step.checklist_item
        params = {"actor": actor_name(step), "item": row.item.code, "year": row.fiscal_year, "unit": row.unit or "–"}
        sentences = {
            Step.SUBMIT: gettext("%(actor)s sent the OIT evidence of %(item)s (%(year)s) of %(unit)s for review."),
            Step.RETURN: gettext("%(actor)s returned the OIT evidence of %(item)s (%(year)s) of %(unit)s for changes."),
            Step.APPROVE: gettext("%(actor)s approved the OIT evidence of %(item)s (%(year)s) of %(unit)s."),
            Step.REOPEN: gettext("%(actor)s reopened the OIT evidence of %(item)s (%(year)s) of %(unit)s."),
            Step.LINKS: gettext("Links of the OIT evidence of %(item)s (%(year)s) of %(unit)s broke or moved."),
        }
        return sentences[step.step] % params


def actor_name(step):
    return (step.user.get_full_name() or step.user.get_username()) if step.user else gettext("Someone")
