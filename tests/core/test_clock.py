"""The test clock: every run sees late morning in Ikoma, in this process and in every process it starts."""
from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys

from harness import clock as test_clock
from webapp import clock
from webapp.timeutil import TOKYO


def test_a_run_just_before_midnight_sees_late_morning_of_the_same_date():
    real = dt.datetime(2027, 3, 31, 23, 52, 10, tzinfo=TOKYO)  # the last minutes of a fiscal year
    shifted = (real + dt.timedelta(seconds=test_clock.shift_to(real_now=real))).astimezone(TOKYO)
    assert (shifted.date(), shifted.time()) == (real.date(), dt.time(test_clock.HOUR, 0))


def test_a_run_just_after_midnight_keeps_its_date_too():
    real = dt.datetime(2026, 12, 2, 0, 3, tzinfo=TOKYO)
    shifted = (real + dt.timedelta(seconds=test_clock.shift_to(real_now=real))).astimezone(TOKYO)
    assert (shifted.date(), shifted.time()) == (real.date(), dt.time(test_clock.HOUR, 0))


def test_the_suite_runs_on_the_shifted_clock_and_the_processes_it_starts_agree():
    assert test_clock.VARIABLE == clock.SHIFT_VARIABLE
    assert os.environ[clock.SHIFT_VARIABLE] == str(round(clock.SHIFT.total_seconds()))
    child = subprocess.run([sys.executable, "-c", "from webapp.clock import utcnow; print(utcnow().isoformat())"],
                           capture_output=True, text=True, check=True)
    # Shifts are whole hours apart from the real clock at most 13 h; a child on the real clock would be off
    # by the shift itself, so "the same moment give or take a minute" tells the two apart.
    seen = dt.datetime.fromisoformat(child.stdout.strip())
    assert abs(seen - clock.utcnow()) < dt.timedelta(minutes=1) or clock.SHIFT == dt.timedelta(0)


def test_a_bad_shift_is_refused_with_one_line():
    child = subprocess.run([sys.executable, "-c", "import webapp.clock"], capture_output=True, text=True,
                           env={**os.environ, clock.SHIFT_VARIABLE: "soon"})
    assert child.returncode != 0
    assert child.stderr.strip().splitlines() == ["CLOCK_SHIFT_SECONDS must be a number of seconds, not 'soon'"]
