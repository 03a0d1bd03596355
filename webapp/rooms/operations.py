"""The room's writes and counts: a visitor asks to talk, a practice visit begins, who is in the room now.

What counts as a visit or a consultation stays in webapp/checkins/operations/counting.py; a
practice visit is never a visit (CONTRACT §9, issue 17) and is counted in its own table.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select, update

from webapp.checkins.models import CheckIn
from webapp.checkins.operations.presence import connected_ids
from webapp.checkins.operations.records import load_checkin, load_session
from webapp.db import db_session, utcnow
from webapp.exceptions import DomainError
from webapp.rooms.models import RoomPractice
from webapp.sessions.models import Session
from webapp.sessions.queries import is_open


def room_session(session_id) -> Session:
    """The metaverse session with this id; not_found (404) for an unknown one or another format."""
    session = load_session(session_id)
    if session.format != "metaverse":
        raise DomainError("not_found", "This session has no room: it is not held in the metaverse.", 404)
    return session


def ask(checkin_id: int) -> tuple[CheckIn, bool]:
    """A visitor of the room asks to talk: status `waiting`, in line from now. (check-in, whether it changed).

    Asking again while waiting or in consultation changes nothing; a closed check-in cannot ask.
    """
    now = utcnow()
    changed = db_session.execute(
        update(CheckIn).where(CheckIn.id == checkin_id, CheckIn.status == "visiting")
        .values(status="waiting", asked_at=now, last_seen_at=now).execution_options(synchronize_session=False)
    ).rowcount == 1
    db_session.commit()
    checkin = load_checkin(checkin_id)
    if not changed and checkin.status not in ("waiting", "in_consultation"):
        raise DomainError("checkin_closed", "This check-in has ended; check in again to talk.", 409)
    return checkin, changed


def begin_practice(session_id, now: dt.datetime | None = None) -> RoomPractice:
    """A 見学 (practice) visit to the session's room: only outside its hours, and never a visit."""
    now = now or utcnow()
    session = room_session(session_id)
    if session.status != "scheduled":
        raise DomainError("session_cancelled", "This session was cancelled.", 409)
    if is_open(session, now):
        raise DomainError("session_open", "The session is open now: check in to enter the room.", 409)
    practice = RoomPractice(session_id=session.id, created_at=now)
    db_session.add(practice)
    db_session.commit()
    return practice


def practice_exists(practice_id: int, session_id: int) -> bool:
    """A practice token names a practice visit that was begun (the relay's handshake asks)."""
    practice = db_session.get(RoomPractice, practice_id)
    return practice is not None and practice.session_id == session_id


def occupants(session_id: int, now: dt.datetime | None = None) -> int:
    """How many residents are in the session's room now: open check-ins connected to a relay."""
    connected = connected_ids(session_id, now)
    if not connected:
        return 0
    return db_session.scalar(select(func.count(CheckIn.id)).where(
        CheckIn.id.in_(connected), CheckIn.status.in_(("visiting", "waiting", "in_consultation")))) or 0
