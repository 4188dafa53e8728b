"""Writing when others write: locks that serialise a check and its write, and what to tell the
user when the database could not take a write just now."""

import sqlite3
import time

from django.db import InterfaceError, OperationalError, connection
from django.utils.translation import gettext_lazy as _

BUSY_MESSAGE = _(
    "The database is busy with another change (a large import, for example) and could not save "
    "yours in time. Nothing was saved; what you typed is still in the form: save again in a moment."
)


def is_transient(exc):
    """Whether a database error is one that trying again later may not meet: a lock wait that ran
    out, a deadlock or serialisation failure, a lost connection."""
    if isinstance(exc, InterfaceError):
        return True
    if not isinstance(exc, OperationalError):
        return False
    if isinstance(exc.__cause__, sqlite3.Error):
        # SQLite raises the same class for its own faults ("no such table"); those stay errors.
        return "locked" in str(exc) or "busy" in str(exc)
    return True


def lock_table(model):
    """Keep other writers off `model`'s table until the transaction ends, so that what this one
    checks stays true until it has written. Readers go on. SQLite needs nothing: its IMMEDIATE
    transactions already hold the whole database's write lock."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {connection.ops.quote_name(model._meta.db_table)} IN SHARE ROW EXCLUSIVE MODE")


def let_others_write():
    """Between two batches of a long write. A save waiting for SQLite's write lock tries again
    only every 100 ms (SQLite's busy handler); a writer that commits and at once begins its next
    batch would take the lock back first every time, and the save would wait for the whole
    import after all. Pausing that long gives every waiting save its turn. PostgreSQL queues
    lock waiters in order: nothing to do."""
    if connection.vendor == "sqlite":
        time.sleep(0.1)
