"""Presence: which residents have an open relay connection now, on any relay (CONTRACT §6).

Each relay process keeps one row per resident connected to it (`checkin_presence`) and vouches
for its rows every RELAY_PRESENCE_HEARTBEAT_S. A resident is connected while some row for them
was vouched for within PRESENCE_TTL_S: a relay that dies stops vouching, so its residents turn
"not connected" by themselves, and the next heartbeat of any relay deletes the stale rows. When a
resident's last connection closes, `last_seen_at` says since when they are away (離席中).
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy import and_, delete, exists, or_, select, update

from webapp.checkins.models import CheckIn, CheckinPresence
from webapp.checkins.operations.configuration import settings
from webapp.db import db_session, utcnow


def _cutoff(now: dt.datetime | None) -> dt.datetime:
    return (now or utcnow()) - dt.timedelta(seconds=settings.presence_ttl_s)


def connected_clause(now: dt.datetime | None = None):
    """SQL for "this check-in's resident is connected now" (correlated with CheckIn)."""
    return exists().where(CheckinPresence.checkin_id == CheckIn.id, CheckinPresence.seen_at >= _cutoff(now))


def connected_ids(session_id: int, now: dt.datetime | None = None) -> set[int]:
    """The check-ins of a session whose resident is connected now."""
    return set(db_session.scalars(
        select(CheckinPresence.checkin_id).join(CheckIn, CheckIn.id == CheckinPresence.checkin_id)
        .where(CheckIn.session_id == session_id, CheckinPresence.seen_at >= _cutoff(now)).distinct()))


def still_there_clause(now: dt.datetime | None = None):
    """SQL for "counts for others' estimated wait" (correlated with CheckIn): connected now, or seen
    within PRESENCE_TTL_S (just checked in and not connected yet, or a page without JavaScript just loaded)."""
    return or_(connected_clause(now), CheckIn.last_seen_at >= _cutoff(now))


def still_there_ids(session_id: int, now: dt.datetime | None = None) -> set[int]:
    """The waiting check-ins of a session whose resident is still there (`still_there_clause`)."""
    return set(db_session.scalars(select(CheckIn.id).where(
        CheckIn.session_id == session_id, CheckIn.status == "waiting", still_there_clause(now))))


def _upsert(relay_id: str, checkin_ids: Iterable[int], now: dt.datetime) -> None:
    rows = [{"checkin_id": i, "relay_id": relay_id, "seen_at": now} for i in checkin_ids]
    if not rows:
        return
    if db_session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    statement = insert(CheckinPresence).values(rows)
    db_session.execute(statement.on_conflict_do_update(
        index_elements=["checkin_id", "relay_id"], set_={"seen_at": statement.excluded.seen_at}))


def _touch(checkin_ids: list[int], now: dt.datetime) -> None:
    from webapp.checkins.operations.records import OPEN_STATUSES

    db_session.execute(
        update(CheckIn).where(CheckIn.id.in_(checkin_ids), CheckIn.status.in_(OPEN_STATUSES))
        .values(last_seen_at=now).execution_options(synchronize_session=False))


def arrived(relay_id: str, checkin_ids: Iterable[int], now: dt.datetime | None = None) -> list[int]:
    """These residents connected to this relay: connected now, and seen (no time-out). Their sessions."""
    now, ids = now or utcnow(), list(checkin_ids)
    if not ids:
        return []
    _upsert(relay_id, ids, now)
    _touch(ids, now)
    db_session.commit()
    return _sessions_of(ids)


def departed(relay_id: str, checkin_ids: Iterable[int], now: dt.datetime | None = None) -> list[int]:
    """The last connection of these residents to this relay closed: away since now. Their sessions."""
    now, ids = now or utcnow(), list(checkin_ids)
    if not ids:
        return []
    db_session.execute(delete(CheckinPresence).where(CheckinPresence.relay_id == relay_id,
                                                     CheckinPresence.checkin_id.in_(ids)))
    _touch(ids, now)
    db_session.commit()
    return _sessions_of(ids)


def vouch(relay_id: str, local_ids: Iterable[int], now: dt.datetime | None = None) -> list[int]:
    """A relay's heartbeat: its rows are exactly its residents connected now, renewed; rows no relay
    renewed in time (a relay died) are deleted. The sessions whose presence changed."""
    now, local = now or utcnow(), set(local_ids)
    mine = set(db_session.scalars(select(CheckinPresence.checkin_id).where(CheckinPresence.relay_id == relay_id)))
    changed = (local - mine) | (mine - local)
    if mine & local:
        db_session.execute(update(CheckinPresence).where(CheckinPresence.relay_id == relay_id)
                           .values(seen_at=now).execution_options(synchronize_session=False))
    _upsert(relay_id, local - mine, now)
    if mine - local:
        db_session.execute(delete(CheckinPresence).where(CheckinPresence.relay_id == relay_id,
                                                         CheckinPresence.checkin_id.in_(mine - local)))
    changed |= _expire(now)
    db_session.commit()
    return _sessions_of(changed)


def presence_expired(now: dt.datetime | None = None) -> bool:
    """Whether some relay left rows nobody vouched for in time (it died): a heartbeat clears them."""
    return db_session.scalar(select(exists().where(CheckinPresence.seen_at < _cutoff(now)))) or False


def _expire(now: dt.datetime) -> set[int]:
    """Delete rows nobody vouched for in time; their residents were last seen when last vouched for."""
    cutoff = _cutoff(now)
    stale = db_session.execute(select(CheckinPresence.checkin_id, CheckinPresence.seen_at)
                               .where(CheckinPresence.seen_at < cutoff)).all()
    if not stale:
        return set()
    for checkin_id, seen_at in stale:
        db_session.execute(
            update(CheckIn).where(CheckIn.id == checkin_id,
                                  and_(CheckIn.last_seen_at.is_not(None), CheckIn.last_seen_at < seen_at))
            .values(last_seen_at=seen_at).execution_options(synchronize_session=False))
    db_session.execute(delete(CheckinPresence).where(CheckinPresence.seen_at < cutoff))
    return {checkin_id for checkin_id, _ in stale}


def _sessions_of(checkin_ids: Iterable[int]) -> list[int]:
    ids = list(checkin_ids)
    if not ids:
        return []
    return sorted(set(db_session.scalars(select(CheckIn.session_id).where(CheckIn.id.in_(ids)))))
