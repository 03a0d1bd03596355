"""Reading sessions: their state, which are open now, which a promoter runs, the upcoming ones, the next one,
a date range.

The one home of a session's state (開催予定, 開催中, 終了, 中止), of "the session is open for check-in"
and of "the sessions this promoter runs": pages, the API, the relay, the feeds and the figures all ask these.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import ColumnElement, Select, select, true
from sqlalchemy.orm import selectinload

from webapp.clock import today_tokyo
from webapp.db import db_session, utcnow
from webapp.sessions.models import Session, session_promoters
from webapp.staff.models import User

#: A session's states, as time and admins make them: 開催予定, 開催中, 終了, 中止.
STATES = ("upcoming", "open", "ended", "cancelled")


def state(session, now: dt.datetime | None = None) -> str:
    """"upcoming", "open", "ended" or "cancelled": what the session is at `now`.

    Anything with `status`, `starts_at` and `ends_at` (a Session, a row of the figures) is judged
    alike, so the admin list, the session pages, the API and the figures never disagree.
    """
    now = now or utcnow()
    if session.status == "cancelled":
        return "cancelled"
    if now < session.starts_at:
        return "upcoming"
    return "open" if now < session.ends_at else "ended"


def reception_ended(session: Session) -> bool:
    """True once staff ended reception early: no more check-ins or walk-ins, those waiting are still seen."""
    return session.reception_ended_at is not None


def is_open(session: Session, now: dt.datetime | None = None) -> bool:
    """True while residents can check in: running (開催中) and reception not ended early.

    Pages, the API and the relay ask this.
    """
    return state(session, now) == "open" and not reception_ended(session)


def actions(session: Session, now: dt.datetime | None = None) -> frozenset[str]:
    """What staff may do with a session in its state: "edit_times" (date, hours, format, slots),
    "cancel", "restore", "end_reception". Notes and promoters may always be edited.

    An ended session's date and hours are its record; a past session is neither cancelled nor
    brought back; a running one is not cancelled (reception can end early instead).
    """
    now_state = state(session, now)
    allowed = {"upcoming": {"edit_times", "cancel"}, "open": {"edit_times", "end_reception"},
               "ended": set(), "cancelled": {"edit_times", "restore"}}[now_state]
    if now_state == "open" and reception_ended(session):
        allowed.discard("end_reception")
    if now_state == "cancelled" and session.ends_at <= (now or utcnow()):
        allowed.clear()
    return frozenset(allowed)


def promoter_session_ids(user_id: int) -> Select:
    """The ids of the sessions this person is assigned to as a promoter (for an admin too: only their own)."""
    return select(session_promoters.c.session_id).where(session_promoters.c.user_id == user_id)


def promotes(user_id: int, session_id: int) -> bool:
    """Whether this person is assigned to this session as a promoter."""
    query = promoter_session_ids(user_id).where(session_promoters.c.session_id == session_id).limit(1)
    return db_session.scalar(query) is not None


def run_by(user: User) -> ColumnElement[bool]:
    """A condition on Session: the sessions `user` runs (an admin every one, a promoter those assigned)."""
    return true() if user.role == "admin" else Session.id.in_(promoter_session_ids(user.id))


def upcoming(now: dt.datetime | None = None, limit: int = 12) -> list[Session]:
    """Sessions not yet over (cancelled ones too, so residents learn of it), soonest first."""
    now = now or utcnow()
    return list(db_session.scalars(
        select(Session).where(Session.ends_at > now).order_by(Session.starts_at).limit(limit)
    ))


def next_after(session: Session | None = None, now: dt.datetime | None = None) -> Session | None:
    """The session to point a resident to next: one open now first, else the soonest upcoming one.

    Never a cancelled one, never `session` itself (the one they were at). Every place that names
    "the next session" asks this: the done page, the waiting room's end, the closed frame's
    `next_session`, the check-in page outside hours, the help page, the session list and the
    reservation page of a cancelled session.
    """
    now = now or utcnow()
    query = select(Session).where(Session.status == "scheduled", Session.ends_at > now)
    if session is not None:
        query = query.where(Session.id != session.id)
    # Among sessions not yet over, those open now started before any upcoming one: they come first.
    return db_session.scalar(query.order_by(Session.starts_at, Session.id).limit(1))


def between(first: dt.date | None, last: dt.date | None) -> list[Session]:
    """Sessions whose date is within [first, last], ordered by start, with their promoters and slots.

    Both are loaded up front (two more queries in all) because every caller shows them:
    lazily, a year's list cost two queries per session.
    """
    query = select(Session).options(selectinload(Session.promoters), selectinload(Session.slots)).order_by(
        Session.starts_at)
    if first:
        query = query.where(Session.date >= first)
    if last:
        query = query.where(Session.date <= last)
    return list(db_session.scalars(query))


def today_in_tokyo() -> dt.date:
    return today_tokyo()
