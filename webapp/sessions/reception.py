"""Ending reception early, and the reserved slots that stand in the way of cutting a session short.

Ending reception stops new check-ins and walk-ins (webapp/sessions/queries.py `is_open` and the
walk-in rule in checkins/operations/checkin.py both ask `reception_ended`); those already waiting
stay in line and are seen, and the session still ends at `ends_at`.
"""
from __future__ import annotations

import dataclasses
import datetime as dt

from sqlalchemy import func, select

from webapp import signals
from webapp.checkins.operations.access import require_staff
from webapp.db import db_session, utcnow
from webapp.exceptions import DomainError
from webapp.reservations.models import Reservation
from webapp.sessions import queries
from webapp.sessions.locking import lock
from webapp.sessions.models import Session, Slot
from webapp.staff.models import User


@dataclasses.dataclass(frozen=True)
class HeldSlot:
    """A slot that holds active reservations: staff are told which, and how many."""

    starts_at: dt.datetime
    ends_at: dt.datetime
    reservations: int


def held_slots(session: Session, after: dt.datetime | None = None) -> list[HeldSlot]:
    """The session's slots holding active reservations (those ending after `after`, when given), by time."""
    query = (select(Slot.starts_at, Slot.ends_at, func.count(Reservation.id))
             .join(Reservation, Reservation.slot_id == Slot.id)
             .where(Slot.session_id == session.id, Reservation.status == "active")
             .group_by(Slot.id, Slot.starts_at, Slot.ends_at).order_by(Slot.starts_at))
    if after is not None:
        query = query.where(Slot.ends_at > after)
    return [HeldSlot(*row) for row in db_session.execute(query)]


def end_reception(session: Session, user: User, now: dt.datetime | None = None) -> Session:
    """Stop new check-ins and walk-ins for a running session; a promoter of it or an admin may.

    Residents already waiting stay in line; reservations of later slots stay, and their holders
    read on their reservation page that reception has ended (staff may cancel them with a reason).
    """
    require_staff(user, session)
    now = now or utcnow()
    lock(session)
    if "end_reception" not in queries.actions(session, now):
        db_session.rollback()
        raise DomainError("session_not_open", "Only a running session whose reception is open can end it.", 409)
    session.reception_ended_at, session.updated_at = now, now
    db_session.commit()
    signals.session_changed.send(session)
    signals.session_updated.send(session, actor=user, status_before=session.status)  # the audit log keeps it
    return session
