"""Loaded by pytest before tests/conftest.py: the run's clock shift goes into the environment before
anything imports the service's clock (harness/clock.py says why)."""
from harness.clock import set_for_this_run

set_for_this_run()
