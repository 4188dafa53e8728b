"""Notifications of the review steps: a unit submits → the agency's reviewers are told; the
integrity office returns, approves or reopens → the unit's members are told. In the app (the
bell, the list) always; by e-mail as each person chose (`accounts.Preferences.email_notifications`).
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy as _

from measures.models import Action, ProgressEntry, ReviewEvent, RoundKind


class NotificationQuerySet(models.QuerySet):
    def for_user(self, user):
        """The user's own notifications whose entry they may still see: someone who lost access
        to the agency or left the unit is not sent back to it."""
        return self.filter(user=user, event__entry__in=ProgressEntry.objects.visible_to(user))

    def unread(self):
        return self.filter(read_at=None)

    def not_emailed(self):
        return self.filter(emailed_at=None)

    def for_display(self):
        return self.select_related(
            "event__user", "event__entry__measure__agency", "event__entry__unit", "event__entry__round"
        ).order_by("-created", "-pk")

    def mark_read(self):
        return self.unread().update(read_at=timezone.now())


class Notification(models.Model):
    """One person told of one review step; never two for the same step."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="notifications")
    event = models.ForeignKey(ReviewEvent, models.CASCADE, related_name="notifications")
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
        constraints = [models.UniqueConstraint(fields=["user", "event"], name="one_notification_per_user_event")]
        indexes = [
            # The bell's count of a user's unread ones, on every page, and the list, newest first.
            models.Index(fields=["user", "read_at"], name="notification_user_unread"),
            models.Index(fields=["user", "-created"], name="notification_user_newest"),
        ]

    def __str__(self):
        return f"{self.user} – {self.event}"

    @property
    def entry(self):
        return self.event.entry

    def summary(self):
        """One sentence saying who did what, in the active language (the page's or the e-mail's)."""
        event, entry = self.event, self.event.entry
        params = {
            "actor": (event.user.get_full_name() or event.user.get_username()) if event.user else gettext("Someone"),
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
