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


@task
def build_bundle(bundle_id):
    """Build a year-end bundle, counting each file written so the page can show the progress."""
    bundle = Bundle.objects.select_related("organisation", "requested_by").get(pk=bundle_id)
    bundles = Bundle.objects.filter(pk=bundle_id)
    try:
        with tempfile.TemporaryFile() as out:
            write_bundle(
                bundle,
                out,
                on_start=lambda total: bundles.update(status=BundleStatus.RUNNING, total=total, done=0),
                on_file=lambda: bundles.update(done=F("done") + 1),
            )
            out.seek(0)
            bundle.file.save(bundle.filename, File(out), save=False)
    except Exception:
        log.exception("Year-end bundle %s failed", bundle_id)
        bundles.update(status=BundleStatus.FAILED, finished_at=timezone.now())
        raise
    bundles.update(status=BundleStatus.DONE, file=bundle.file.name, finished_at=timezone.now())
