"""The hour the test suite runs at: the service's clock shifted to late morning in Ikoma.

Sessions never span two dates, and many tests open a session "now" and keep it open for minutes; a run
begun near midnight in Ikoma would find no time left in the day. The suite therefore shifts the service's
clock (webapp.clock, through CLOCK_SHIFT_SECONDS) so that every run sees the same hour of the same date.
This module imports nothing of the service: the shift must be in the environment before the service's
clock is first imported, and every process the tests start (xdist workers, servers, relays) inherits it.
"""
from __future__ import annotations

import datetime as dt
import os
from zoneinfo import ZoneInfo

VARIABLE = "CLOCK_SHIFT_SECONDS"  # webapp.clock.SHIFT_VARIABLE; the service's test checks they agree
#: Late morning: a session opened "now" has hours on either side of it within the same date.
HOUR = 11


def shift_to(hour: int = HOUR, real_now: dt.datetime | None = None) -> int:
    """Seconds to add to the real clock so that it reads `hour`:00 today in Ikoma (same date)."""
    tokyo = ZoneInfo("Asia/Tokyo")
    real = (real_now or dt.datetime.now(dt.timezone.utc)).astimezone(tokyo)
    return round((dt.datetime.combine(real.date(), dt.time(hour, 0), tzinfo=tokyo) - real).total_seconds())


def set_for_this_run() -> int:
    """Put the shift in the environment once per run (a value already there, even 0, is kept)."""
    os.environ.setdefault(VARIABLE, str(shift_to()))
    return int(float(os.environ[VARIABLE]))


def browser_script(shift_s: int) -> str:
    """A page script that moves the browser's Date by the same shift, so pages agree with the server."""
    return """(() => {
  const shift = %d * 1000;
  if (!shift) return;
  const Real = Date;
  function Shifted(...args) {
    if (!new.target) return new Real(Real.now() + shift).toString();
    return args.length ? new Real(...args) : new Real(Real.now() + shift);
  }
  Shifted.prototype = Real.prototype;
  Shifted.now = () => Real.now() + shift;
  Shifted.parse = Real.parse;
  Shifted.UTC = Real.UTC;
  globalThis.Date = Shifted;
})();""" % shift_s
