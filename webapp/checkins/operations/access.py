"""Who may staff a session, and who may act on a check-in once a promoter has taken it."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from webapp.checkins.models import CheckIn
from webapp.db import db_session, utcnow
from webapp.exceptions import DomainError
from webapp.sessions.models import Session
from webapp.sessions.queries import promotes, run_by
from webapp.staff.models import User
from webapp.timeutil import local


def can_staff(user: User | None, session: Session | int, assigned: set[tuple[int, int]] | None = None) -> bool:
    """Admins may staff every session; a promoter only the sessions they are assigned to.

    `session` may be given by its id, so a caller holding only a check-in loads nothing more;
    `assigned` (the (user id, session id) pairs a chat batch read, checkins/operations/chat_lines.py) answers
    for many lines at once without a query each.
    """
    if user is None or not user.active:
        return False
    if user.role == "admin":
        return True
    session_id = session if isinstance(session, int) else session.id
    if assigned is not None:
        return (user.id, session_id) in assigned
    return promotes(user.id, session_id)


def require_staff(user: User, session: Session | int, assigned: set[tuple[int, int]] | None = None) -> None:
    if not can_staff(user, session, assigned):
        raise DomainError("forbidden", "You are not assigned to this session.", 403)


def require_taker(checkin: CheckIn, user: User) -> None:
    """Only the promoter who took the resident (or an admin) goes on with them."""
    if checkin.status != "in_consultation":
        raise DomainError("not_in_consultation", "This check-in is not in consultation.", 409)
    if checkin.taken_by_id != user.id and user.role != "admin":
        raise DomainError("not_your_checkin", "Another promoter is with this resident.", 403)


def followed_sessions(user: User, now: dt.datetime | None = None) -> list[Session]:
    """Sessions a staff connection follows: today's (Asia/Tokyo) scheduled ones they may staff."""
    today = local(now or utcnow()).date()
    return list(db_session.scalars(
        select(Session).where(Session.status == "scheduled", Session.date == today, run_by(user))
        .order_by(Session.starts_at)))
