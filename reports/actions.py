"""Writes that touch several rows at once, all or nothing (STYLE §6)."""

import logging

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils import timezone

from assessments import access
from assessments.models import Agency
from reports.models import BUILDING, Bundle, BundleStatus
from reports.tasks import build_bundle

log = logging.getLogger(__name__)

STALLED = "The worker stopped while building it (no sign of it since {heartbeat}); given up when asked again."


def do_request_bundle(*, user: User, organisation: Agency, fiscal_year: int) -> Bundle | None:
    """Queue a bundle of the organisation's year for the user, replacing their earlier one of the
    same organisation and year; None when that bundle is already being built."""
    try:
        with transaction.atomic():
            return _queue_bundle(user, organisation, fiscal_year)
    except IntegrityError:
        # A simultaneous request queued it between our check and our insert (PostgreSQL reads
        # without waiting); the database's constraint let only one of the two through.
        return None


def _queue_bundle(user: User, organisation: Agency, fiscal_year: int) -> Bundle | None:
    mine = Bundle.objects.filter(requested_by=user, organisation=organisation, fiscal_year=fiscal_year)
    now = timezone.now()
    # A bundle whose worker died is given up first, so that worker, should it resume, finds it no
    # longer running and leaves the new one alone; then it is replaced like any finished bundle.
    for stalled in mine.stalled(now):
        log.warning(
            "Year-end bundle %s lost its worker (last stamped %s); asked again", stalled.pk, stalled.heartbeat_at
        )
        Bundle.objects.filter(pk=stalled.pk, status=BundleStatus.RUNNING).update(
            status=BundleStatus.FAILED,
            failure=STALLED.format(heartbeat=stalled.heartbeat_at.isoformat()),
            finished_at=now,
        )
    if mine.building().exists():
        return None
    # Only finished bundles are replaced: on PostgreSQL a simultaneous request may have queued one
    # since the check above, and deleting it would leave its task building a bundle nobody sees.
    for old in mine.exclude(status__in=BUILDING):
        old.delete()  # its file goes once this transaction commits
    bundle = Bundle.objects.create(organisation=organisation, fiscal_year=fiscal_year, requested_by=user)
    bundle.agencies.set(access.bundle_agencies(organisation, user))
    bundle.task_id = str(build_bundle.enqueue(bundle.pk).id)
    bundle.save(update_fields=["task_id"])
    return bundle
