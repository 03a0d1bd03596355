"""Checking in: a resident joins the line, or staff record a visitor they saw."""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from webapp import limits, signals
from webapp.checkins.models import CheckIn, CheckinPromoter
from webapp.checkins.operations.access import require_staff
from webapp.checkins.operations.outcomes import new_outcome, resolve_outcome
from webapp.checkins.operations.records import _clean, load_session
from webapp.db import db_session, utcnow
from webapp.exceptions import DomainError
from webapp.sessions.locking import hold_for_checkin
from webapp.sessions.models import Session
from webapp.sessions.queries import is_open, reception_ended
from webapp.staff.models import User
from webapp.timeutil import local


def check_in(session_id: int, avatar: str, nickname: str | None = None, reservation_code: str | None = None, *,
             staff: User | None = None, now: dt.datetime | None = None, outcome: Mapping | None = None,
             intent: str | None = None) -> CheckIn:
    """Check a resident in (they start waiting), or record a visitor seen by staff.

    With `intent` "visit" (metaverse sessions, CONTRACT §9) the resident enters the room without
    joining the line: status `visiting`, a visit; `webapp.rooms.operations.ask` puts them in line.

    A resident may check in only while the session runs. A staff member (`staff`) may record a
    visitor on the session's day: it counts as a visit, starts `in_consultation` taken by them,
    and is closed at once when `outcome` ({kind, topics, result, referred_to}) is given.
    """
    now = now or utcnow()
    session = load_session(session_id)
    if not isinstance(avatar, str) or avatar not in _avatar_ids():
        raise DomainError("invalid_avatar", "Please choose one of the avatars.", 400)
    nickname = _clean(nickname, limits.NICKNAME_MAX, "nickname", required=False)
    if intent is not None and (intent != "visit" or staff is not None or session.format != "metaverse"):
        raise DomainError("invalid_intent", 'intent "visit" is for residents entering a metaverse session\'s room.',
                          400)
    if staff is None:
        if not is_open(session, now):
            raise DomainError("session_not_open", "This session is not open for check-in now.", 409)
    else:
        require_staff(staff, session)
        if session.status != "scheduled" or local(now).date() != session.date:
            raise DomainError("session_not_open", "Visitors can be recorded only on the session's day.", 409)
        if reception_ended(session):
            raise DomainError("session_not_open", "Reception for this session has ended.", 409)
    reservation_id = _reservation_for(session, reservation_code)
    resolved = resolve_outcome(outcome) if staff is not None and outcome is not None else None
    for attempt in range(_NUMBER_ATTEMPTS):
        checkin = CheckIn(session_id=session.id, avatar=avatar, nickname=nickname, created_at=now, last_seen_at=now,
                          reservation_id=reservation_id)
        if intent is not None:
            checkin.status, checkin.intent = "visiting", intent
        if staff is not None:
            checkin.source, checkin.status = "staff", "in_consultation"
            checkin.taken_by_id, checkin.taken_at, checkin.handoff_mode = staff.id, now, session.format
            checkin.handlers = [CheckinPromoter(user_id=staff.id, since=now)]
            if resolved is not None:
                checkin.status, checkin.ended_at = "closed", now
                checkin.outcome = new_outcome(resolved, staff, now)
        hold_for_checkin(session.id)
        checkin.number = _next_number(session.id)
        db_session.add(checkin)
        try:
            db_session.commit()
            break
        except IntegrityError:  # the same code checked in at the same moment (a unique index on reservation_id)
            db_session.rollback()
            if reservation_id is not None and _checked_in(reservation_id):
                raise _ALREADY from None
            if attempt == _NUMBER_ATTEMPTS - 1:  # the number was taken meanwhile: take the next one
                raise
    signals.checkin_created.send(checkin)
    return checkin


#: Tries at a free 受付番号 (the session lock makes one enough; the unique index is the last word).
_NUMBER_ATTEMPTS = 5


def _next_number(session_id: int) -> int:
    """The next 受付番号 of the session: 1, 2, 3... in order of arrival (the caller holds the session lock)."""
    return (db_session.scalar(select(func.max(CheckIn.number)).where(CheckIn.session_id == session_id)) or 0) + 1


#: One code, one visit (CONTRACT §6): a second check-in with it is refused, never counted again.
_ALREADY = DomainError("already_checked_in", "This reservation code has already been used to check in. "
                       "To join the line again, check in without the code.", 409)


def _checked_in(reservation_id: int) -> bool:
    return db_session.scalar(select(CheckIn.id).where(CheckIn.reservation_id == reservation_id).limit(1)) is not None


def _avatar_ids() -> tuple[str, ...]:
    from webapp.checkins.avatars import avatar_ids

    return tuple(avatar_ids())


def _reservation_for(session: Session, code) -> int | None:
    """The id of the active reservation for this session the code names; no code, None."""
    from webapp.reservations.operations import find

    if code is None or (isinstance(code, str) and not code.strip()):
        return None
    reservation = find(code) if isinstance(code, str) else None
    if reservation is None or reservation.status != "active" or reservation.slot.session_id != session.id:
        raise DomainError("invalid_reservation",
                          "That reservation code is not an active reservation for this session.", 400)
    if _checked_in(reservation.id):
        raise _ALREADY
    return reservation.id
