"""The closed frame's next_session at the end of a session: another session open now counts first."""
from __future__ import annotations

import datetime as dt

from tests.realtime.conftest import open_today
from webapp.clock import now_tokyo
from webapp.db import db_session, utcnow
from webapp.sessions.models import Session
from webapp.sessions.operations import cancel_session
from webapp.timeutil import iso


def _end_soon(session_id: int) -> None:
    session = db_session.get(Session, session_id)
    session.ends_at = (utcnow() + dt.timedelta(seconds=2)).replace(microsecond=0)
    db_session.commit()
    db_session.remove()


def test_a_resident_whose_session_ends_is_pointed_to_the_one_still_open(world, relay, peers, make_session):
    make_session(day=now_tokyo().date() + dt.timedelta(days=20), promoters=["sato"])
    still_open = open_today(make_session, fmt="online", promoters=("tanaka",))
    expected = {"id": still_open.id, "starts_at": iso(still_open.starts_at), "format": "online"}
    db_session.remove()
    _, token = world.check_in(avatar="cat")
    resident = peers(relay.url(token))
    resident.next("welcome")

    _end_soon(world.session_id)
    closed = resident.next("closed")
    assert closed["reason"] == "session_ended" and closed["next_session"] == expected


def test_a_cancelled_session_is_never_the_next_one(world, relay, peers, make_session):
    today = now_tokyo().date()
    cancel_session(make_session(day=today + dt.timedelta(days=5), promoters=["sato"]))
    later = make_session(day=today + dt.timedelta(days=40), promoters=["sato"])
    expected = {"id": later.id, "starts_at": iso(later.starts_at), "format": later.format}
    db_session.remove()
    _, token = world.check_in(avatar="dog")
    resident = peers(relay.url(token))
    resident.next("welcome")

    _end_soon(world.session_id)
    assert resident.next("closed")["next_session"] == expected
