"""How a check-in ends without an outcome: the resident leaves or erases it, staff remove it, or it times out."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy import func, or_, select, true, update

from webapp import signals
from webapp.checkins.models import CheckIn, Message
from webapp.checkins.operations.access import require_staff
from webapp.checkins.operations.configuration import settings
from webapp.checkins.operations.records import LEAVABLE_STATUSES, OPEN_STATUSES, load_checkin
from webapp.db import db_session, utcnow
from webapp.exceptions import DomainError
from webapp.sessions.models import Session
from webapp.staff.models import User


def leave(checkin_id: int) -> CheckIn:
    """The resident stops waiting: status `left`, the time waited kept (created_at..ended_at).

    Someone already in consultation stays so: the promoter records what came of it.
    """
    checkin = load_checkin(checkin_id)
    db_session.execute(
        update(CheckIn).where(CheckIn.id == checkin.id, CheckIn.status.in_(LEAVABLE_STATUSES))
        .values(status="left", ended_at=utcnow()).execution_options(synchronize_session=False)
    )
    db_session.commit()
    checkin = load_checkin(checkin.id)
    signals.resident_left.send(checkin)
    return checkin


def erase_own(checkin_id: int) -> CheckIn:
    """The resident ends their check-in and erases what was written in it, in one transaction.

    Every message text of the conversation and the nickname are blanked; times, counts and any
    outcome stay. A waiting check-in becomes `left` (one in consultation stays so, for the
    promoter's outcome). The token version rises, so no token issued before opens it again.
    """
    checkin = load_checkin(checkin_id)
    db_session.execute(update(Message).where(Message.checkin_id == checkin.id, Message.text.is_not(None))
                       .values(text=None).execution_options(synchronize_session=False))
    db_session.execute(
        update(CheckIn).where(CheckIn.id == checkin.id, CheckIn.status.in_(LEAVABLE_STATUSES))
        .values(status="left", ended_at=utcnow()).execution_options(synchronize_session=False))
    db_session.execute(
        update(CheckIn).where(CheckIn.id == checkin.id)
        .values(nickname="", token_version=CheckIn.token_version + 1).execution_options(synchronize_session=False))
    db_session.commit()
    checkin = load_checkin(checkin.id)
    signals.resident_erased.send(checkin)
    return checkin


def remove(checkin_id: int, user: User) -> CheckIn:
    """Take an abusive check-in out: status `removed`, its tokens void at once, not a visit.

    Once a promoter has taken the resident, only they (or an admin) may remove them (CONTRACT §6).
    """
    checkin = load_checkin(checkin_id)
    require_staff(user, checkin.session)
    if checkin.status == "closed":
        raise DomainError("checkin_closed", "A closed check-in cannot be removed.", 409)
    untaken = true() if user.role == "admin" else or_(CheckIn.taken_by_id.is_(None), CheckIn.taken_by_id == user.id)
    done = db_session.execute(
        update(CheckIn).where(CheckIn.id == checkin.id, CheckIn.status != "closed", untaken)
        .values(status="removed", token_version=CheckIn.token_version + 1,
                ended_at=func.coalesce(CheckIn.ended_at, utcnow()))
        .execution_options(synchronize_session=False)
    ).rowcount
    db_session.commit()
    checkin = load_checkin(checkin.id)
    if not done:  # taken by another promoter (before or meanwhile), or closed meanwhile
        if checkin.status == "closed":
            raise DomainError("checkin_closed", "A closed check-in cannot be removed.", 409)
        raise DomainError("forbidden", "Another promoter is with this resident; only they or an admin may remove it.",
                          403)
    signals.checkin_removed.send(checkin, actor=user)
    return checkin


def touch(checkin_ids: Iterable[int], now: dt.datetime | None = None) -> None:
    """Note that these residents are connected now (the relay calls this), so they do not time out."""
    ids = list(checkin_ids)
    if not ids:
        return
    db_session.execute(
        update(CheckIn).where(CheckIn.id.in_(ids), CheckIn.status.in_(OPEN_STATUSES))
        .values(last_seen_at=now or utcnow()).execution_options(synchronize_session=False)
    )
    db_session.commit()


def expire_stale(now: dt.datetime | None = None) -> list[CheckIn]:
    """Let go whoever is still waiting but gone for CHECKIN_TIMEOUT_MINUTES, or whose session ended.

    Both become `left` with an `end_reason` ("timeout", "session_ended"): still visits. Those the
    session's end caught are 未対応 for staff until a promoter closes them. An urgent check-in is
    never let go by the clock: it stays with the staff. ended_at is when they were last seen
    (capped at the session's end), so the time they waited stays true.
    """
    now = now or utcnow()
    cutoff = now - dt.timedelta(minutes=settings.checkin_timeout_minutes)
    seen = func.coalesce(CheckIn.last_seen_at, CheckIn.created_at)
    stale = db_session.execute(
        select(CheckIn.id, seen, CheckIn.created_at, Session.ends_at).join(Session, CheckIn.session_id == Session.id)
        .where(CheckIn.status.in_(LEAVABLE_STATUSES), CheckIn.urgent.is_(False),
               or_(Session.ends_at <= now, seen < cutoff))
    ).all()
    expired = []
    for checkin_id, last_seen, created_at, ends_at in stale:
        ended_at = max(created_at, min(last_seen, ends_at, now))
        reason = "session_ended" if ends_at <= now else "timeout"
        done = db_session.execute(
            update(CheckIn).where(CheckIn.id == checkin_id, CheckIn.status.in_(LEAVABLE_STATUSES),
                                  CheckIn.urgent.is_(False))
            .values(status="left", ended_at=ended_at, end_reason=reason).execution_options(synchronize_session=False)
        ).rowcount
        if done:
            expired.append(checkin_id)
    db_session.commit()
    return [load_checkin(checkin_id) for checkin_id in expired]
