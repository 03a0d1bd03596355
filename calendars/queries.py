"""What goes into each feed, and one cheap aggregate per feed that says whether it changed."""
from __future__ import annotations

import dataclasses
import datetime as dt

from sqlalchemy import and_, case, func, or_, select

from calendars.feeds import SessionCounts
from webapp.checkins.models import CheckIn
from webapp.checkins.operations.counting import is_visit
from webapp.db import db_session
from webapp.reservations.models import Reservation
from webapp.sessions.models import Session, Slot
from webapp.sessions.queries import promoter_session_ids


@dataclasses.dataclass(frozen=True)
class FeedState:
    """A fingerprint of everything a feed shows; equal states give equal bytes."""

    #: Counts and newest timestamps of what the feed shows.
    values: tuple
    #: The newest change seen, for Last-Modified (None for an empty feed).
    last_modified: dt.datetime | None


def _visible(cancelled_since: dt.datetime):
    """Scheduled sessions, and cancelled ones for a while so subscribers see the cancellation."""
    return or_(Session.status == "scheduled",
               and_(Session.status == "cancelled", Session.cancelled_at >= cancelled_since))


def _assigned_ids(user_id: int, cancelled_since: dt.datetime):
    return select(Session.id).where(Session.id.in_(promoter_session_ids(user_id)), _visible(cancelled_since))


def public_sessions(cancelled_since: dt.datetime) -> list[Session]:
    """Every session in the public feed, by start."""
    return list(db_session.scalars(select(Session).where(_visible(cancelled_since)).order_by(Session.starts_at)))


def staff_sessions(user_id: int, cancelled_since: dt.datetime) -> list[Session]:
    """The sessions a staff member is assigned to (an admin too: only their own), by start."""
    ids = _assigned_ids(user_id, cancelled_since)
    return list(db_session.scalars(select(Session).where(Session.id.in_(ids)).order_by(Session.starts_at)))


def staff_counts(user_id: int, cancelled_since: dt.datetime) -> dict[int, SessionCounts]:
    """Active reservations and visits per assigned session, in two grouped queries.

    Visits are counted as the figures count them (counting.py `is_visit`: removed check-ins are not).
    """
    ids = _assigned_ids(user_id, cancelled_since)
    reservations = dict(db_session.execute(
        select(Slot.session_id, func.count(Reservation.id)).join(Reservation, Reservation.slot_id == Slot.id)
        .where(Slot.session_id.in_(ids), Reservation.status == "active").group_by(Slot.session_id)
    ).all())
    checkins = dict(db_session.execute(
        select(CheckIn.session_id, func.count(CheckIn.id)).where(CheckIn.session_id.in_(ids), is_visit())
        .group_by(CheckIn.session_id)
    ).all())
    return {sid: SessionCounts(reservations.get(sid, 0), checkins.get(sid, 0))
            for sid in reservations.keys() | checkins.keys()}


def public_state(cancelled_since: dt.datetime) -> FeedState:
    """One round trip: how many sessions are shown and when the newest of them changed.

    Sessions are never deleted and every change sets `updated_at`, so a session
    leaving the feed lowers the count and any other change raises the maximum.
    """
    count, newest, any_change = db_session.execute(select(
        select(func.count(Session.id)).where(_visible(cancelled_since)).scalar_subquery(),
        select(func.max(Session.updated_at)).where(_visible(cancelled_since)).scalar_subquery(),
        _newest_session_change(),
    )).one()
    return FeedState((count, newest), _latest(any_change))


def _newest_session_change():
    """The last change to any session, as Last-Modified.

    Taken over all sessions, not just the feed's: a session that leaves a feed
    (a promoter taken off it) then still moves Last-Modified forward, so a
    client that only sends If-Modified-Since is not told "nothing changed".
    """
    return select(func.max(Session.updated_at)).scalar_subquery()


def _latest(*moments) -> dt.datetime | None:
    return max((m for m in moments if m is not None), default=None)


def staff_state(user_id: int, cancelled_since: dt.datetime) -> FeedState:
    """One round trip for the staff feed: its sessions plus the reservations and check-ins it counts.

    Reservation rows are only added or cancelled (each sets a timestamp); check-ins are added, and
    removed ones stop being visits, so counts of visits plus newest timestamps catch every change.
    """
    ids = _assigned_ids(user_id, cancelled_since)
    in_feed = Session.id.in_(ids)
    reservation_rows = select(Reservation.id).join(Slot, Reservation.slot_id == Slot.id).where(Slot.session_id.in_(ids))
    of_feed = Reservation.id.in_(reservation_rows)
    row = db_session.execute(select(
        select(func.count(Session.id)).where(in_feed).scalar_subquery(),
        select(func.max(Session.updated_at)).where(in_feed).scalar_subquery(),
        select(func.count(Reservation.id)).where(of_feed).scalar_subquery(),
        select(func.sum(case((Reservation.status == "active", 1), else_=0))).where(of_feed).scalar_subquery(),
        select(func.max(Reservation.created_at)).where(of_feed).scalar_subquery(),
        select(func.max(Reservation.cancelled_at)).where(of_feed).scalar_subquery(),
        select(func.count(CheckIn.id)).where(CheckIn.session_id.in_(ids), is_visit()).scalar_subquery(),
        select(func.max(CheckIn.created_at)).where(CheckIn.session_id.in_(ids)).scalar_subquery(),
        _newest_session_change(),
    )).one()
    return FeedState(tuple(row[:8]), _latest(row[4], row[5], row[7], row[8]))

