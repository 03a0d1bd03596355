"""Presence: which residents have an open relay connection now, on any relay (CONTRACT §6).

Each relay process keeps one row per resident connected to it (`checkin_presence`) and beats every
RELAY_PRESENCE_HEARTBEAT_S (`relay_heartbeats`, one row per relay: one small write, however many
residents it holds). A resident is connected while some relay holding them beat within
PRESENCE_TTL_S: a relay that dies stops beating, so its residents turn "not connected" by
themselves, and the next heartbeat of any relay deletes what it left. When a resident's last
connection closes, `last_seen_at` says since when they are away (離席中).
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy import delete, exists, func, or_, select, update

from webapp.checkins.models import CheckIn, CheckinPresence, RelayHeartbeat
from webapp.checkins.operations.configuration import settings
from webapp.db import db_session, utcnow


def _cutoff(now: dt.datetime | None) -> dt.datetime:
    return (now or utcnow()) - dt.timedelta(seconds=settings.presence_ttl_s)


def connected_clause(now: dt.datetime | None = None):
    """SQL for "this check-in's resident is connected now" (correlated with CheckIn)."""
    return exists().where(CheckinPresence.checkin_id == CheckIn.id, CheckinPresence.relay_id == RelayHeartbeat.relay_id,
                          RelayHeartbeat.seen_at >= _cutoff(now))


def connected_ids(session_id: int, now: dt.datetime | None = None) -> set[int]:
    """The check-ins of a session whose resident is connected now."""
    return set(db_session.scalars(
        select(CheckinPresence.checkin_id).join(CheckIn, CheckIn.id == CheckinPresence.checkin_id)
        .join(RelayHeartbeat, RelayHeartbeat.relay_id == CheckinPresence.relay_id)
        .where(CheckIn.session_id == session_id, RelayHeartbeat.seen_at >= _cutoff(now)).distinct()))


def still_there_clause(now: dt.datetime | None = None):
    """SQL for "counts for others' estimated wait" (correlated with CheckIn): connected now, or seen
    within PRESENCE_TTL_S (just checked in and not connected yet, a page reload, a page without
    JavaScript just loaded)."""
    return or_(connected_clause(now), CheckIn.last_seen_at >= _cutoff(now))


def still_there_ids(session_id: int, now: dt.datetime | None = None) -> set[int]:
    """The waiting check-ins of a session whose resident is still there (`still_there_clause`)."""
    return set(db_session.scalars(select(CheckIn.id).where(
        CheckIn.session_id == session_id, CheckIn.status == "waiting", still_there_clause(now))))


def _insert():
    if db_session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert


def _beat(relay_id: str, now: dt.datetime) -> None:
    statement = _insert()(RelayHeartbeat).values(relay_id=relay_id, seen_at=now)
    db_session.execute(statement.on_conflict_do_update(index_elements=["relay_id"],
                                                       set_={"seen_at": statement.excluded.seen_at}))


def _touch(checkin_ids: list[int], now: dt.datetime) -> None:
    from webapp.checkins.operations.records import OPEN_STATUSES

    db_session.execute(
        update(CheckIn).where(CheckIn.id.in_(checkin_ids), CheckIn.status.in_(OPEN_STATUSES))
        .values(last_seen_at=now).execution_options(synchronize_session=False))


def arrived(relay_id: str, checkin_ids: Iterable[int], now: dt.datetime | None = None) -> list[int]:
    """These residents connected to this relay: connected now, and seen (no time-out). Their sessions."""
    now, ids = now or utcnow(), sorted(set(checkin_ids))
    if not ids:
        return []
    _beat(relay_id, now)
    db_session.execute(_insert()(CheckinPresence).values([{"checkin_id": i, "relay_id": relay_id} for i in ids])
                       .on_conflict_do_nothing(index_elements=["checkin_id", "relay_id"]))
    _touch(ids, now)
    db_session.commit()
    return _sessions_of(ids)


def departed(relay_id: str, checkin_ids: Iterable[int], now: dt.datetime | None = None) -> list[int]:
    """The last connection of these residents to this relay closed: away since now. Their sessions."""
    now, ids = now or utcnow(), sorted(set(checkin_ids))
    if not ids:
        return []
    db_session.execute(delete(CheckinPresence).where(CheckinPresence.relay_id == relay_id,
                                                     CheckinPresence.checkin_id.in_(ids)))
    _touch(ids, now)
    db_session.commit()
    return _sessions_of(ids)


def heartbeat(relay_id: str, local_ids: Iterable[int] | None, now: dt.datetime | None = None) -> list[int]:
    """This relay is alive and holds `local_ids`: its rows are put right when they differ (an arrival
    written after the departure, or rows cleared while it was too slow to beat). `local_ids` None: the
    relay is writing arrivals now, its rows cannot match yet, so they are put right at a later beat.
    Relays that stopped beating are cleared away, their residents last seen at their last beat. The
    sessions whose presence changed."""
    now = now or utcnow()
    _beat(relay_id, now)
    changed = _put_right(relay_id, set(local_ids)) if local_ids is not None else set()
    for dead, last_beat in db_session.execute(select(RelayHeartbeat.relay_id, RelayHeartbeat.seen_at)
                                              .where(RelayHeartbeat.seen_at < _cutoff(now))).all():
        # Only if it is still stale now: a relay beating meanwhile keeps its residents.
        if not db_session.execute(delete(RelayHeartbeat).where(RelayHeartbeat.relay_id == dead,
                                                               RelayHeartbeat.seen_at < _cutoff(now))).rowcount:
            continue
        held = list(db_session.scalars(select(CheckinPresence.checkin_id).where(CheckinPresence.relay_id == dead)))
        if held:
            db_session.execute(update(CheckIn).where(CheckIn.id.in_(held), CheckIn.last_seen_at < last_beat)
                               .values(last_seen_at=last_beat).execution_options(synchronize_session=False))
            db_session.execute(delete(CheckinPresence).where(CheckinPresence.relay_id == dead))
            changed.update(held)
    db_session.commit()
    return _sessions_of(changed)


def _put_right(relay_id: str, local: set[int]) -> set[int]:
    """Make this relay's rows its residents connected now. One count when they already are: the slips
    it catches (a row too many, rows gone) change the count."""
    held = db_session.scalar(select(func.count()).select_from(CheckinPresence)
                             .where(CheckinPresence.relay_id == relay_id)) or 0
    if held == len(local):
        return set()
    mine = set(db_session.scalars(select(CheckinPresence.checkin_id).where(CheckinPresence.relay_id == relay_id)))
    if local - mine:
        db_session.execute(_insert()(CheckinPresence).values(
            [{"checkin_id": i, "relay_id": relay_id} for i in sorted(local - mine)])
            .on_conflict_do_nothing(index_elements=["checkin_id", "relay_id"]))
    if mine - local:
        db_session.execute(delete(CheckinPresence).where(CheckinPresence.relay_id == relay_id,
                                                         CheckinPresence.checkin_id.in_(mine - local)))
    return (local - mine) | (mine - local)


def _sessions_of(checkin_ids: Iterable[int]) -> list[int]:
    ids = list(checkin_ids)
    if not ids:
        return []
    return sorted(set(db_session.scalars(select(CheckIn.session_id).where(CheckIn.id.in_(ids)))))
