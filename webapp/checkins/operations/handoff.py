"""Hand-off: a promoter takes a waiting resident, or passes a taken one to a colleague."""
from __future__ import annotations

from sqlalchemy import update

from webapp import signals
from webapp.checkins.models import CheckIn, CheckinPromoter
from webapp.checkins.operations.access import can_staff, require_staff, require_taker
from webapp.checkins.operations.records import load_checkin
from webapp.db import db_session, utcnow
from webapp.exceptions import DomainError
from webapp.staff.models import User

HANDOFF_MODES = ("text", "online", "metaverse", "in_person")


def take(checkin_id: int, user: User, mode: str | None = None) -> CheckIn:
    """Take a waiting resident; exactly one of several simultaneous takers wins."""
    checkin = load_checkin(checkin_id)
    session = checkin.session
    require_staff(user, session)
    mode = mode or session.format
    if mode not in ("text", session.format):
        raise DomainError("invalid_mode", f'mode must be "text" or "{session.format}".', 400)
    now = utcnow()
    won = db_session.execute(
        update(CheckIn).where(CheckIn.id == checkin.id, CheckIn.status == "waiting")
        .values(status="in_consultation", taken_by_id=user.id, taken_at=now, handoff_mode=mode)
        .execution_options(synchronize_session=False)
    ).rowcount == 1
    if won:
        _credit(checkin.id, user.id, now)
    db_session.commit()
    checkin = load_checkin(checkin.id)
    if not won:
        raise _not_open_error(checkin)
    signals.checkin_taken.send(checkin, actor=user)
    return checkin


def _not_open_error(checkin: CheckIn) -> DomainError:
    if checkin.status == "in_consultation":
        return DomainError("already_taken", "Another promoter has already taken this resident.", 409)
    return DomainError("checkin_closed", "This check-in is no longer waiting.", 409)


def _credit(checkin_id: int, user_id: int, now) -> None:
    """Note that this promoter had the resident (the session record credits everyone who did)."""
    if db_session.get(CheckinPromoter, (checkin_id, user_id)) is None:
        db_session.add(CheckinPromoter(checkin_id=checkin_id, user_id=user_id, since=now))


def transfer(checkin_id: int, user: User, to_login: str) -> CheckIn:
    """Hand a taken resident to another promoter of the same session; both are credited."""
    from webapp.staff.operations import by_login

    checkin = load_checkin(checkin_id)
    require_staff(user, checkin.session)
    require_taker(checkin, user)
    target = by_login(to_login) if isinstance(to_login, str) else None
    if target is None or not can_staff(target, checkin.session):
        raise DomainError("invalid_transfer", "That staff member cannot take residents of this session.", 400)
    if target.id == checkin.taken_by_id:
        raise DomainError("invalid_transfer", "This resident is already with that staff member.", 400)
    moved = db_session.execute(
        update(CheckIn).where(CheckIn.id == checkin.id, CheckIn.status == "in_consultation",
                              CheckIn.taken_by_id == checkin.taken_by_id)
        .values(taken_by_id=target.id).execution_options(synchronize_session=False)
    ).rowcount == 1
    if moved:
        _credit(checkin.id, target.id, utcnow())
    db_session.commit()
    if not moved:
        raise DomainError("checkin_changed", "This check-in changed meanwhile; please look again.", 409)
    checkin = load_checkin(checkin.id)
    signals.checkin_transferred.send(checkin, actor=user, to=target)
    return checkin
