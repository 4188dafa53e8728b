"""The stamp of the stored figures: a token that changes whenever the figures pages read for many
agencies change (results' summaries, ranks and years before; plan and report counts). A page kept
in the shared cache is kept with the stamp it was made under and used only while the stamp is the
same, so every instance and worker drops it at once when the figures change.

The stamp is set when the change is made and again once it is committed: with the database cache
the first write commits or rolls back with the change itself; with Redis, which takes no part in
the transaction, the second stops a page made from the figures before the commit from being kept
under the new stamp.
"""

import logging
import uuid

from django.core.cache import cache, caches
from django.core.cache.backends.db import DatabaseCache
from django.db import DatabaseError, transaction

log = logging.getLogger(__name__)

STAMP_KEY = "figures-stamp"


def figures_changed() -> None:
    """Mark the stored figures as changed: every page kept from them is made again."""
    new_stamp()
    if not in_the_database(caches["default"]):
        transaction.on_commit(new_stamp)


def in_the_database(backend) -> bool:
    """Whether the cache writes in the database's own transaction: then the stamp set with the
    change commits with it, and setting it again after the commit (a commit of its own for each
    batch of an import) changes nothing."""
    return isinstance(backend, DatabaseCache)


def kept(key: str, make, timeout: int):
    """make(), kept in the shared cache under `key` and the stamp it was made under, for at most
    `timeout` seconds: made again once the figures change. One cache read when it is kept."""
    found = cache.get_many([STAMP_KEY, key])
    stamp = found.get(STAMP_KEY, "")
    made_under, value = found.get(key, (None, None))
    if made_under != stamp:
        value = make()
        cache.set(key, (stamp, value), timeout)
    return value


def new_stamp() -> None:
    try:
        cache.set(STAMP_KEY, uuid.uuid4().hex, None)
    except DatabaseError:
        # The cache's table comes with a migration (reports 0005) that may run after one that
        # recounts the figures; there is nothing kept to drop yet. The database cache writes in a
        # savepoint of its own, so the change being saved goes on.
        log.warning("The figures stamp was not set: the cache table is missing.", exc_info=True)
