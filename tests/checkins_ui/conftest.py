"""Fixtures of the check-in page tests."""
from __future__ import annotations

import datetime as dt

import pytest

from webapp.clock import now_tokyo


@pytest.fixture
def open_session(make_user, make_session):
    """A session running right now, staffed by sato and tanaka."""
    make_user("sato")
    make_user("tanaka")
    now = now_tokyo()
    start = max(now - dt.timedelta(hours=1), now.replace(hour=0, minute=0, second=0, microsecond=0))
    end = min(now + dt.timedelta(hours=2), now.replace(hour=23, minute=59, second=0, microsecond=0))
    return make_session(day=now.date(), start=start.strftime("%H:%M"), end=end.strftime("%H:%M"), fmt="online",
                        promoters=["sato", "tanaka"], join_url="https://example.org/room")
