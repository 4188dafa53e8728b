"""`make test-dates` puts this folder on PYTHONPATH, so every Python process of a dated run (pytest,
and the workers and checkers that tests start) begins with the clock moved to TEST_NOW (an ISO moment
in UTC) and ticking from there. time-machine moves what Python reads as the time and date, not the
monotonic clock, so sleeps and lock timeouts keep working (libfaketime broke time.sleep)."""

import datetime
import os

if os.environ.get("TEST_NOW"):
    import time_machine

    moment = datetime.datetime.fromisoformat(os.environ["TEST_NOW"]).replace(tzinfo=datetime.UTC)
    time_machine.travel(moment, tick=True).start()
