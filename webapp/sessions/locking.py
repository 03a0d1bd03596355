"""The session row's lock: edits of a session and reservations in it take turns (issue 14, finding 1)."""
from __future__ import annotations

from sqlalchemy import bindparam, select
from sqlalchemy.orm import contains_eager

from webapp.db import db_session
from webapp.sessions.models import Session, Slot


def lock(session: Session) -> None:
    """Hold the session's row until commit, for an edit.

    PostgreSQL: SELECT ... FOR UPDATE, which waits for reservations in flight (`slot_for_reservation`).
    SQLite: a writing transaction begins IMMEDIATE (webapp/db.py), which already holds every other
    writer off. What was loaded before the lock is read again under it.
    """
    db_session.refresh(session, with_for_update=True)
    db_session.refresh(session, ["slots", "promoters"])  # loaded now, so the caller may use them after commit
    for slot in session.slots:
        db_session.refresh(slot)


def slot_for_reservation(slot_id: int) -> Slot | None:
    """The slot and its session, with the session's share of the lock (FOR SHARE) held until commit:
    reservations run side by side, never beside an edit.

    One statement: the session is read as the lock is granted (PostgreSQL returns the locked row's
    newest version), so an edit that committed while we waited is what the caller checks.
    SQLite: the writing transaction is IMMEDIATE already, as for `lock`.
    """
    return db_session.scalars(_SLOT_SHARED, {"slot_id": slot_id}).first()


#: Built once: every reservation runs it (constructing it was a visible share of the profile).
_SLOT_SHARED = (select(Slot).join(Slot.session).options(contains_eager(Slot.session))
                .where(Slot.id == bindparam("slot_id")).with_for_update(read=True, of=Session))


def hold_for_checkin(session_id: int) -> None:
    """Check-ins of one session take turns (FOR UPDATE) while each takes the next 受付番号.

    SQLite: the writing transaction is IMMEDIATE already, so check-ins never run side by side there.
    """
    db_session.execute(select(Session.id).where(Session.id == session_id).with_for_update())
