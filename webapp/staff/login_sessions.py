"""Server-side staff sessions: the login cookie carries only a random id, the database decides if it still counts.

A session ends when its holder logs out, when "sign out everywhere", a password change or a
deactivation ends all of an account's sessions (webapp.staff.operations), after an idle time
without requests, or at an absolute limit after sign-in, whichever comes first. Only the SHA-256
of the id is stored, so a copy of the database opens no session. No Flask here: webapp.staff.auth
is the thin adapter that hands these to flask-login.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import secrets

from sqlalchemy import delete, or_, select, update

from webapp.db import db_session, utcnow
from webapp.staff.models import StaffSession, User

#: A request refreshes `last_seen_at` only when the stored one is older than this: not a write per request.
TOUCH_EVERY = dt.timedelta(minutes=1)
#: Longest a cookie value we look up may be (ours are 43 characters).
KEY_MAX = 100


@dataclasses.dataclass(frozen=True)
class Limits:
    """How long a staff session lasts: `idle` without a request, `absolute` after sign-in."""

    idle: dt.timedelta
    absolute: dt.timedelta

    @classmethod
    def from_config(cls, config) -> Limits:
        return cls(idle=dt.timedelta(minutes=float(config["STAFF_IDLE_TIMEOUT_MINUTES"])),
                   absolute=dt.timedelta(hours=float(config["STAFF_SESSION_MAX_HOURS"])))


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def begin(user: User) -> str:
    """Start a session for `user` (after every sign-in step passed); returns the id for the cookie."""
    key = secrets.token_urlsafe(32)
    now = utcnow()
    db_session.add(StaffSession(id=_hash(key), user_id=user.id, created_at=now, last_seen_at=now))
    db_session.commit()
    return key


def _live(limits: Limits, now: dt.datetime):
    """The SQL condition of a session that still counts at `now`."""
    return (StaffSession.ended_at.is_(None), StaffSession.created_at > now - limits.absolute,
            StaffSession.last_seen_at > now - limits.idle)


def resume(key: str | None, limits: Limits) -> User | None:
    """The active account whose live session has this id, or None; notes the request (at most once a minute)."""
    if not key or not isinstance(key, str) or len(key) > KEY_MAX:
        return None
    now = utcnow()
    row = db_session.scalar(select(StaffSession).where(StaffSession.id == _hash(key), *_live(limits, now)))
    if row is None or not row.user.active:
        return None
    if now - row.last_seen_at >= TOUCH_EVERY:
        # End the reading transaction first: a page that only reads (webapp.db.reading) began it deferred on
        # SQLite, where turning it into a write could fail at once instead of waiting its turn.
        db_session.commit()
        # Guarded by the old value, so two requests at once make one write and an ended session stays ended.
        db_session.execute(update(StaffSession).where(
            StaffSession.id == row.id, StaffSession.ended_at.is_(None), StaffSession.last_seen_at < now - TOUCH_EVERY,
        ).values(last_seen_at=now).execution_options(synchronize_session=False))
        db_session.commit()
    return row.user


def end(key: str | None) -> None:
    """End the session with this id (logging out); the same cookie sent again is not signed in."""
    if key and isinstance(key, str) and len(key) <= KEY_MAX:
        db_session.execute(update(StaffSession).where(StaffSession.id == _hash(key), StaffSession.ended_at.is_(None))
                           .values(ended_at=utcnow()).execution_options(synchronize_session=False))
        db_session.commit()


def end_all(user: User, commit: bool = True) -> None:
    """End every session of `user`, this one included (`commit=False`: part of the caller's transaction)."""
    db_session.execute(update(StaffSession).where(StaffSession.user_id == user.id, StaffSession.ended_at.is_(None))
                       .values(ended_at=utcnow()).execution_options(synchronize_session=False))
    if commit:
        db_session.commit()


def open_count(user: User, limits: Limits) -> int:
    """How many sessions of `user` still count (shown on the account pages)."""
    return len(db_session.scalars(
        select(StaffSession.id).where(StaffSession.user_id == user.id, *_live(limits, utcnow()))).all())


def prune(limits: Limits) -> int:
    """Delete sessions that can no longer count (ended, or past the absolute limit); returns how many."""
    cutoff = utcnow() - limits.absolute
    result = db_session.execute(delete(StaffSession).where(
        or_(StaffSession.ended_at.is_not(None), StaffSession.created_at <= cutoff)))
    db_session.commit()
    return result.rowcount or 0
