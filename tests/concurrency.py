"""Requests fired at the same moment from threads, each with its own database connection."""

import threading

from django.db import connection
from django.test import Client


def at_once(*calls):
    """Run each callable in its own thread, all released together; return their results in order.
    An exception in a thread is returned as its result, so the test sees every outcome."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait(timeout=30)
            results[index] = call()
        except Exception as exc:  # noqa: BLE001 - the test asserts on it
            results[index] = exc
        finally:
            # PostgreSQL cannot drop the test database while a thread's connection is open.
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def client_for(user):
    """A test client signed in as `user`; each thread needs its own."""
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client
