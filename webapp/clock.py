"""The service's clock: the one place code reads the current moment.

`CLOCK_SHIFT_SECONDS` moves this clock by a fixed number of seconds; time still runs at its normal pace.
The test suite sets it so that every run sees the same hour of the day in Ikoma (late morning), whatever
the hour it really runs at: sessions never span two dates, so a run near midnight would otherwise find
no session open "now". It is for tests and rehearsals only; a deployment leaves it unset.
"""
from __future__ import annotations

import datetime as dt
import os

from webapp.timeutil import TOKYO

SHIFT_VARIABLE = "CLOCK_SHIFT_SECONDS"


def _shift_from_environment() -> dt.timedelta:
    raw = os.environ.get(SHIFT_VARIABLE, "").strip()
    try:
        return dt.timedelta(seconds=float(raw or 0))
    except ValueError:
        raise SystemExit(f"{SHIFT_VARIABLE} must be a number of seconds, not {raw!r}") from None


#: Read once: every process the tests start inherits the same value, so they all agree on "now".
SHIFT = _shift_from_environment()


def utcnow() -> dt.datetime:
    """The current time, aware, in UTC."""
    return dt.datetime.now(dt.timezone.utc) + SHIFT


def now_tokyo() -> dt.datetime:
    """The current time on a clock in Ikoma."""
    return utcnow().astimezone(TOKYO)


def today_tokyo() -> dt.date:
    """Today's date in Ikoma."""
    return now_tokyo().date()

