"""What the import commands say around a write made in batches."""

from django.core.management.base import CommandError
from django.db import DatabaseError

from assessments.importing import RERUN_NOTE, STOPPED_NOTE


def save_in_batches(save, items, *, batch, what, stdout):
    """`save(items, progress=...)`, announcing a write of more than one batch and, when it stops
    halfway, saying how far it got and that running the command again completes it. `items` may
    be a count, for a file read again as it is saved."""
    count = items if isinstance(items, int) else len(items)
    if count > batch:
        stdout.write(RERUN_NOTE % {"count": count, "what": what})
    written = 0

    def progress(count):
        nonlocal written
        written = count

    try:
        return save(items, progress=progress)
    except (DatabaseError, KeyboardInterrupt) as exc:
        raise CommandError(STOPPED_NOTE % {"written": written, "count": count, "what": what, "error": exc}) from exc
