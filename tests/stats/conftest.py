"""Helpers for the stats tests: visits recorded through the real check-in operations."""
from __future__ import annotations

import datetime as dt

import pytest

from webapp.checkins import operations
from webapp.timeutil import TOKYO

VISIT_ONLY = {"kind": "visit_only", "topics": [], "result": None, "referred_to": None}


def during(session, minutes: int = 15) -> dt.datetime:
    """A moment inside the session, on its day in Ikoma."""
    return session.starts_at + dt.timedelta(minutes=minutes)


@pytest.fixture
def visit(app):
    """Record a visitor seen by staff on the session's day; visit_only unless told otherwise."""

    def record(session, staff, outcome=VISIT_ONLY, avatar="cat", nickname="", minutes=15):
        return operations.check_in(session.id, avatar, nickname, staff=staff, now=during(session, minutes),
                                   outcome=outcome)

    return record


@pytest.fixture
def consultation(app):
    """A walk-in seen by staff, then closed as a consultation by the promoter who took it."""

    def record(session, staff, topics=("family",), result="referred", referred_to="kurashi_shigoto",
               avatar="dog", nickname=""):
        checkin = operations.check_in(session.id, avatar, nickname, staff=staff, now=during(session))
        operations.close(checkin.id, staff, "consultation", list(topics), result, referred_to)
        return checkin

    return record


@pytest.fixture
def login_as(make_user, auth):
    """Log a new staff member of `role` in through the real login form."""

    def login(role="promoter", login=None):
        login = login or f"{role}1"
        user = make_user(login, role=role)
        auth.login(login)
        return user

    return login


def tokyo(year, month, day, hour=0, minute=0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=TOKYO)
