"""The live line: its order, each resident's place, the estimated wait and the session's counts.

Estimated wait: (residents still there ahead + 1) x AVERAGE_CONSULTATION_MINUTES / (promoters
assigned, at least 1). "Still there": connected now, or seen moments ago (presence.py
`still_there_clause`); someone away keeps their place in line but adds nothing to anyone's wait.
"""
from __future__ import annotations

from types import SimpleNamespace

from sqlalchemy import and_, case, func, or_, select

from webapp.checkins.models import CheckIn, Outcome
from webapp.checkins.operations.configuration import settings
from webapp.checkins.operations.counting import in_line_since, is_consultation, is_visit, not_seen
from webapp.checkins.operations.presence import still_there_clause, still_there_ids
from webapp.checkins.operations.records import LINE_STATUSES
from webapp.db import db_session
from webapp.sessions.models import session_promoters
from webapp.staff.models import User


def queue(session_id: int) -> list[CheckIn]:
    """What staff see: waiting, in consultation, and 未対応 (still waiting when the session ended, until
    a promoter closes them); urgent first, then in order of arrival."""
    return list(db_session.scalars(select(CheckIn).where(*_in_queue(session_id)).order_by(*_line_order())))


def queue_rows(session_id: int) -> list[SimpleNamespace]:
    """`queue` as plain rows with the check-in's columns and `taken_by` (login, display_name) or None:
    the relay recomputes 1,000-entry queues on every burst of changes, and ORM objects were most of it."""
    rows = db_session.connection().execute(
        select(CheckIn.__table__, User.login.label("taker_login"), User.display_name.label("taker_name"))
        .outerjoin(User, User.id == CheckIn.taken_by_id).where(*_in_queue(session_id)).order_by(*_line_order()))
    return [SimpleNamespace(**row._mapping, taken_by=None if row.taker_login is None else
                            SimpleNamespace(login=row.taker_login, display_name=row.taker_name)) for row in rows]


def _in_queue(session_id: int):
    return CheckIn.session_id == session_id, or_(CheckIn.status.in_(LINE_STATUSES), not_seen())



def waiting_line(session_id: int) -> list[int]:
    """Ids of the waiting check-ins in queue order (position = index + 1)."""
    return list(db_session.scalars(
        select(CheckIn.id).where(CheckIn.session_id == session_id, CheckIn.status == "waiting").order_by(*_line_order())
    ))


def waiting_line_places(session_id: int) -> dict[int, tuple[int, int]]:
    """checkin_id -> (place in line, place counting only those still there ahead), for every waiting one."""
    present = still_there_ids(session_id)
    places, ahead_present = {}, 0
    for index, checkin_id in enumerate(waiting_line(session_id)):
        places[checkin_id] = (index + 1, ahead_present + 1)
        ahead_present += checkin_id in present
    return places


def _line_order():
    return (CheckIn.urgent.desc(), in_line_since(), CheckIn.id)


def waiting_count(session_id: int) -> int:
    """How many wait in the session now."""
    return db_session.scalar(select(func.count(CheckIn.id)).where(
        CheckIn.session_id == session_id, CheckIn.status == "waiting")) or 0


def _ahead(checkin: CheckIn):
    """Waiting check-ins of the same session before this one (the same order as `_line_order`)."""
    since = checkin.asked_at or checkin.created_at
    earlier = or_(in_line_since() < since, and_(in_line_since() == since, CheckIn.id < checkin.id))
    before = and_(CheckIn.urgent.is_(True), earlier) if checkin.urgent else or_(CheckIn.urgent.is_(True), earlier)
    return and_(CheckIn.session_id == checkin.session_id, CheckIn.status == "waiting", CheckIn.id != checkin.id,
                before)


def position(checkin: CheckIn) -> int | None:
    """1-based place among the waiting, None when not waiting."""
    if checkin.status != "waiting":
        return None
    return (db_session.scalar(select(func.count(CheckIn.id)).where(_ahead(checkin))) or 0) + 1


def present_place(checkin: CheckIn) -> int | None:
    """The place counting only those ahead who are still there (presence.py), None when not waiting."""
    if checkin.status != "waiting":
        return None
    return (db_session.scalar(select(func.count(CheckIn.id)).where(_ahead(checkin), still_there_clause())) or 0) + 1


def promoter_count(session_id: int) -> int:
    """How many promoters are assigned (at least 1, so an estimate always exists)."""
    count = db_session.scalar(
        select(func.count()).select_from(session_promoters).where(session_promoters.c.session_id == session_id))
    return max(count or 0, 1)


def estimate_s(place: int | None, promoters: int) -> int | None:
    """Seconds to wait at `place`: place x average consultation / promoters."""
    if place is None:
        return None
    return int(place * settings.average_consultation_minutes * 60 // max(promoters, 1))


def estimated_wait_s(checkin: CheckIn) -> int | None:
    """The documented estimate for this check-in (those still there ahead of it), None when not waiting."""
    return estimate_s(present_place(checkin), promoter_count(checkin.session_id))


def counts(session_id: int) -> dict:
    """{visits, consultations, waiting, in_consultation} of one session, counted as in `counting`."""
    # One statement, so the four numbers come from one snapshot: on PostgreSQL (READ COMMITTED) a
    # close committed between two reads gave "consultations 1, in consultation 1" for a moment.
    visits, consultations, waiting, in_consultation = db_session.execute(
        select(func.sum(case((is_visit(), 1), else_=0)),
               func.sum(case((is_consultation(), 1), else_=0)),
               func.sum(case((CheckIn.status == "waiting", 1), else_=0)),
               func.sum(case((CheckIn.status == "in_consultation", 1), else_=0)))
        .select_from(CheckIn).outerjoin(Outcome, Outcome.checkin_id == CheckIn.id)  # at most one each
        .where(CheckIn.session_id == session_id)).one()
    return {"visits": int(visits or 0), "consultations": int(consultations or 0),
            "waiting": int(waiting or 0), "in_consultation": int(in_consultation or 0)}
