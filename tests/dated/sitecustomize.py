"""`make test-dates` puts this folder on PYTHONPATH, so every Python process of a dated run (pytest,
and the workers and checkers that tests start) sees the clock moved to TEST_NOW (an ISO moment in
UTC) as of TEST_NOW_SINCE (the real Unix time the run began), ticking from there: a process started
later is as far past TEST_NOW as the real clock is past TEST_NOW_SINCE, so all agree on the time.
time-machine moves what Python reads as the time and date, not the monotonic clock, so sleeps and
lock timeouts keep working (under libfaketime time.sleep failed)."""

import datetime
import os
import time

if os.environ.get("TEST_NOW"):
    import time_machine

    since = float(os.environ.get("TEST_NOW_SINCE") or time.time())
    moment = datetime.datetime.fromisoformat(os.environ["TEST_NOW"]).replace(tzinfo=datetime.UTC)
    time_machine.travel(moment + datetime.timedelta(seconds=time.time() - since), tick=True).start()
    # time-machine starts the clock ticking at its first reading, not at start(): read it now, or a
    # process that first looks at the time seconds later (pytest does) lags behind its workers.
    time.time()
