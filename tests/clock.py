"""Tests whose figures depend on the day they run stop the clock on a fixed day (time-machine),
so they give the same result on any machine and any date; `make test-dates` checks that nothing
else does."""

import datetime
from zoneinfo import ZoneInfo

import pytest

BANGKOK = ZoneInfo("Asia/Bangkok")


def pinned(year, month, day, hour=10, minute=0):
    """A marker (for a test, or a module's `pytestmark`) that stops the clock at this time in
    Bangkok for the whole test, fixtures included: timezone.now(), timezone.localdate(),
    date.today() and auto_now fields all see it. The clock does not tick, so the day cannot
    change during the test."""
    return pytest.mark.time_machine(datetime.datetime(year, month, day, hour, minute, tzinfo=BANGKOK), tick=False)
