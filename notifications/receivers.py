"""Each review step, of a progress report or an OIT checklist item, notifies its people as it is
recorded: in the step's own transaction, so the notifications commit (or roll back) with it, and
the e-mails are queued once it has committed. Nothing here may fail the step: a problem is logged
and the step goes through."""

import logging
from functools import partial

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from accounts.models import EmailNotifications
from assessments import access
from measures.models import Action, ReviewEvent, Unit, unit_memberships
from notifications.models import Notification
from notifications.tasks import send_notification_mail
from oit.models import ChecklistStepEvent, Step

log = logging.getLogger(__name__)

# Other steps (a unit withdrawing its report, say) notify no one.
NOTIFIED = {Action.SUBMIT, Action.RETURN, Action.APPROVE, Action.REOPEN}


def recipients(*, submitted, agency_id, unit_id, actor_id):
    """The people told of a step, not the person who took it: the agency's reviewers when a unit
    submits; the unit's members (those still in its agency) when the office answers."""
    if submitted:
        people = access.reviewers_of(agency_id)
    elif unit_id is None:
        return []  # an item nobody was assigned: nobody to tell
    else:
        members = unit_memberships().filter(unit=unit_id, user__is_active=True).values("user")
        people = get_user_model().objects.filter(pk__in=members)
    return people.exclude(pk=actor_id).values_list("pk", "email", "preferences__email_notifications")


def notify(step, people, **about):
    """Notify `people` of the step (one notification each) and return the ids to e-mail at once."""
    to_mail = []
    notifications = []
    for user_id, email, preference in people:
        notifications.append(Notification(user_id=user_id, created=step.created, **about))
        # No preferences saved yet: the default, an e-mail for each event.
        to_mail.append(bool(email) and preference in (None, EmailNotifications.IMMEDIATELY))
    Notification.objects.bulk_create(notifications)
    return [notification.pk for notification, mail in zip(notifications, to_mail, strict=True) if mail]


def entry_step_notified(event):
    agency_id = Unit.objects.values_list("agency_id", flat=True).get(pk=event.entry.unit_id)
    people = recipients(
        submitted=event.action == Action.SUBMIT,
        agency_id=agency_id,
        unit_id=event.entry.unit_id,
        actor_id=event.user_id,
    )
    return notify(event, people, event=event)


def checklist_step_notified(step):
    row = step.checklist_item
    # Links to check go to the item's unit, and to the office when nobody was assigned.
    to_office = step.step == Step.SUBMIT or (step.step == Step.LINKS and row.unit_id is None)
    people = recipients(submitted=to_office, agency_id=row.agency_id, unit_id=row.unit_id, actor_id=step.user_id)
    return notify(step, people, checklist_step=step)


def queue_mail(notification_ids):
    try:
        send_notification_mail.enqueue(notification_ids)
    except Exception:
        # The step has committed; only the e-mails are lost (the bell still shows them).
        log.exception("Could not queue the e-mails of notifications %s", notification_ids)


def notify_safely(notified, step):
    try:
        with transaction.atomic():  # a savepoint: a failure here leaves the step's transaction usable
            to_mail = notified(step)
    except Exception:
        log.exception("Could not notify anyone of review step %s", step.pk)
        return
    if to_mail:
        transaction.on_commit(partial(queue_mail, to_mail))


@receiver(post_save, sender=ReviewEvent, dispatch_uid="notifications.review_step")
def review_step_recorded(sender, instance, created, raw=False, **kwargs):
    if created and not raw and instance.action in NOTIFIED:
        notify_safely(entry_step_notified, instance)


@receiver(post_save, sender=ChecklistStepEvent, dispatch_uid="notifications.checklist_step")
def checklist_step_recorded(sender, instance, created, raw=False, **kwargs):
    if created and not raw:
        notify_safely(checklist_step_notified, instance)
