"""The session row's lock: edits of a session and reservations in it take turns (issue 14, finding 1)."""
from __future__ import annotations

from sqlalchemy import select

from webapp.db import db_session
from webapp.sessions.models import Session


def lock(session: Session) -> None:
    """Hold the session's row until commit, for an edit.

    PostgreSQL: SELECT ... FOR UPDATE, which waits for reservations in flight
    (webapp/reservations/seat.py `target` holds the session's share of the lock, FOR SHARE).
    SQLite: a writing transaction begins IMMEDIATE (webapp/db.py), which already holds every other
    writer off. What was loaded before the lock is read again under it.
    """
    db_session.refresh(session, with_for_update=True)
    db_session.refresh(session, ["slots", "promoters"])  # loaded now, so the caller may use them after commit
    for slot in session.slots:
        db_session.refresh(slot)


def hold_for_checkin(session_id: int) -> None:
    """Check-ins of one session take turns (FOR UPDATE) while each takes the next 受付番号.

    SQLite: the writing transaction is IMMEDIATE already, so check-ins never run side by side there.
    """
    db_session.execute(select(Session.id).where(Session.id == session_id).with_for_update())
