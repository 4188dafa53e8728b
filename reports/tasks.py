"""Background tasks, run by `manage.py db_worker` (django-tasks-db)."""

import logging
import tempfile

from django.core.files import File
from django.db.models import F
from django.tasks import task
from django.utils import timezone

from reports.bundles import write_bundle
from reports.models import Bundle, BundleStatus

log = logging.getLogger(__name__)


class BundleLost(Exception):
    """The bundle is no longer this worker's: given up after it stalled, or replaced by a newer one."""


@task
def build_bundle(bundle_id):
    """Build a year-end bundle, counting and stamping each file written so the page can show the
    progress and tell a live worker from a dead one.

    A worker takes the bundle by moving it from queued to running, and every later write is
    conditional on it still running: a second worker given the same bundle does nothing, and a
    worker that stalled and resumed after the user asked again stops without touching the newer
    bundle, removing the file it wrote.
    """
    bundle = Bundle.objects.select_related("organisation", "requested_by").filter(pk=bundle_id).first()
    queued = Bundle.objects.filter(pk=bundle_id, status=BundleStatus.QUEUED)
    if bundle is None or not queued.update(status=BundleStatus.RUNNING, heartbeat_at=timezone.now()):
        log.info("Year-end bundle %s is no longer waiting (built, being built or replaced); skipped", bundle_id)
        return
    mine = Bundle.objects.filter(pk=bundle_id, status=BundleStatus.RUNNING)

    def stamp(**progress):
        if not mine.update(heartbeat_at=timezone.now(), **progress):
            raise BundleLost

    try:
        with tempfile.TemporaryFile() as out:
            write_bundle(
                bundle,
                out,
                on_start=lambda total: stamp(total=total, done=0),
                on_file=lambda: stamp(done=F("done") + 1),
            )
            out.seek(0)
            bundle.file.save(bundle.filename, File(out), save=False)
        now = timezone.now()
        if not mine.update(status=BundleStatus.DONE, file=bundle.file.name, finished_at=now, heartbeat_at=now):
            bundle.file.delete(save=False)
            raise BundleLost
    except BundleLost:
        log.warning("Year-end bundle %s was given up or replaced while this worker built it; dropped", bundle_id)
    except BaseException as exc:
        # BaseException too: a worker stopped twice (Ctrl+C, SIGTERM) exits through SystemExit,
        # and the user should learn it now rather than after the stall time.
        log.exception("Year-end bundle %s failed", bundle_id)
        if bundle.file:  # written, but the bundle could not be marked done
            bundle.file.delete(save=False)
        mine.update(status=BundleStatus.FAILED, failure=f"{type(exc).__name__}: {exc}", finished_at=timezone.now())
        raise
