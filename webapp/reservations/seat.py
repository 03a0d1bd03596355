"""Taking a seat: the rules a reservation must meet, and the plain statements that take one.

Every reservation runs these, so they are SQLAlchemy Core statements built once, run on the
session's connection, and the new reservation comes back as plain values (`Reserved`): loading the
slot and its session as ORM objects, flushing the new row through the unit of work and putting it
back into the ORM session cost more than the statements themselves (bench/http.py, docs/performance.md).
The rules are each written once, in `RULES`: the slot's row answers every one of them as a column,
and the first that does not hold is the refusal the resident sees.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.engine import Connection, Row
from sqlalchemy.orm.util import identity_key

from webapp.db import db_session
from webapp.exceptions import DomainError
from webapp.reservations.models import Reservation
from webapp.sessions.models import Session, Slot

_SESSIONS, _SLOTS, _RESERVATIONS = Session.__table__, Slot.__table__, Reservation.__table__


@dataclass(frozen=True)
class Rule:
    """One condition a seat needs, as SQL over the slot and its session, and the refusal when it fails."""

    name: str
    holds: object  # a boolean SQL expression
    code: str
    message: str
    status: int = 409

    def refusal(self) -> DomainError:
        return DomainError(self.code, self.message, self.status)


#: In the order a resident should hear them (a cancelled session before a past time).
RULES = (
    Rule("scheduled", _SESSIONS.c.status == "scheduled", "session_cancelled", "This session has been cancelled."),
    Rule("reception_open", _SESSIONS.c.reception_ended_at.is_(None), "reception_ended",
         "Reception for this session has ended today."),
    Rule("not_started", _SLOTS.c.starts_at > bindparam("now"), "slot_past",
         "This time has already started; please just come along or pick a later time."),
)

#: The slot, its session, and whether each rule holds, with the session's share of the lock:
#: reservations run side by side, never beside an edit of the session (webapp/sessions/locking.py
#: `lock` takes FOR UPDATE). PostgreSQL returns the locked row's newest version, so an edit that
#: committed while we waited is what the rules see. SQLite: the writing transaction is IMMEDIATE
#: already (webapp/db.py), which holds every other writer off.
_TARGET = (
    select(_SLOTS.c.id, _SLOTS.c.starts_at, _SLOTS.c.ends_at, _SLOTS.c.session_id,
           _SESSIONS.c.date, _SESSIONS.c.format, _SESSIONS.c.status, _SESSIONS.c.location,
           _SESSIONS.c.ends_at.label("session_ends_at"), *(rule.holds.label(rule.name) for rule in RULES))
    .select_from(_SLOTS.join(_SESSIONS, _SESSIONS.c.id == _SLOTS.c.session_id))
    .where(_SLOTS.c.id == bindparam("slot_id"))
    .with_for_update(read=True, of=_SESSIONS)
)

#: A seat taken only while one is free: one conditional UPDATE, never read-then-write.
_TAKE = (update(_SLOTS).where(_SLOTS.c.id == bindparam("slot_id"), _SLOTS.c.reserved < _SLOTS.c.capacity)
         .values(reserved=_SLOTS.c.reserved + 1))

_INSERT = _RESERVATIONS.insert().returning(_RESERVATIONS.c.id)

_EXISTS = select(_SLOTS.c.id).where(_SLOTS.c.id == bindparam("slot_id"))


def target(conn: Connection, slot_id: int, now: dt.datetime, in_session: int | None = None) -> Row:
    """The slot's row under the session's share lock; the first refusal among `RULES`, or 404
    (also when `in_session` is given and the slot belongs to another session)."""
    return _checked(conn.execute(_TARGET, {"slot_id": slot_id, "now": now}).first(), in_session)


def _checked(row: Row | None, in_session: int | None = None) -> Row:
    if row is None or in_session not in (None, row.session_id):
        raise DomainError("not_found", "No such slot in this session." if in_session else "No such slot.", 404)
    for rule in RULES:
        if not getattr(row, rule.name):
            raise rule.refusal()
    return row


def take(conn: Connection, slot_id: int) -> bool:
    """Take one seat in the slot; False when it is full (or gone)."""
    return conn.execute(_TAKE, {"slot_id": slot_id}).rowcount == 1


def why_not_taken(conn: Connection, slot_id: int) -> DomainError:
    """After `take` said no, in a new transaction: the slot was cut by an edit (404) or is full (409)."""
    if conn.execute(_EXISTS, {"slot_id": slot_id}).first() is None:
        return DomainError("not_found", "This time is no longer offered. Please choose another time.", 404)
    return DomainError("slot_full", "This time is fully booked. Please choose another time.", 409)


def connection() -> Connection:
    """The session's connection for `reserve_row`. PostgreSQL: in autocommit, since its one statement
    is a transaction by itself and BEGIN and COMMIT around it would be two more round trips."""
    if db_session.get_bind().dialect.name == "postgresql":
        return db_session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
    return db_session.connection()


def reserve_row(conn: Connection, now: dt.datetime, **values) -> Taken:
    """Take a seat in `values["slot_id"]` and insert the reservation (`values`): the slot's row of
    `target` with `reservation_id`, None when the slot was full or cut away meanwhile.

    A refusal of `RULES` (or 404) is raised with nothing written. PostgreSQL runs the three steps as
    one statement (`_ONE_STATEMENT`), committed as it runs (see `connection`): one round trip instead
    of five. SQLite runs them one by one inside its IMMEDIATE transaction, where nothing else can write
    in between, and the caller commits.
    """
    if conn.dialect.name == "postgresql":
        row = _checked(conn.execute(_ONE_STATEMENT, {"now": now, **values}).first())
        return Taken(row, row.reservation_id, committed=row.reservation_id is not None)
    row = target(conn, values["slot_id"], now)
    new_id = conn.execute(_INSERT, values).scalar_one() if take(conn, row.id) else None
    return Taken(row, new_id, committed=False)


class Taken:
    """A `target` row with the new reservation's id beside it, and whether it is committed already."""

    def __init__(self, row: Row, reservation_id: int | None, committed: bool):
        self._row, self.reservation_id, self.committed = row, reservation_id, committed

    def __getattr__(self, name: str):
        return getattr(self._row, name)


_RELEASE = _RESERVATIONS.delete().where(_RESERVATIONS.c.id == bindparam("reservation_id"))
#: A seat given back (a cancellation, a move, a refused reservation); never below zero.
_GIVE_BACK = (update(_SLOTS).where(_SLOTS.c.id == bindparam("slot_id"), _SLOTS.c.reserved > 0)
              .values(reserved=_SLOTS.c.reserved - 1))


def give_back(conn: Connection, slot_id: int) -> None:
    """One seat of the slot free again, in the caller's transaction."""
    conn.execute(_GIVE_BACK, {"slot_id": slot_id})


def release(taken: Taken) -> None:
    """Undo a seat that must not stand (a cap refused it): the caller's transaction rolled back, and
    where `reserve_row` committed it by itself (PostgreSQL), the row deleted and the seat given back
    in a transaction of their own."""
    db_session.rollback()
    if not taken.committed:
        return
    conn = db_session.connection()
    conn.execute(_RELEASE, {"reservation_id": taken.reservation_id})
    give_back(conn, taken.id)
    db_session.commit()


def _one_statement():
    """target, then the seat only if every rule holds and one is free, then the row only if a seat was
    taken, in data-modifying CTEs: they share one snapshot, and the seat's UPDATE re-checks a slot that
    another reservation changed meanwhile (READ COMMITTED), so a seat is never given twice."""
    found = _TARGET.cte("target")
    seat = (update(_SLOTS)
            .where(_SLOTS.c.id == found.c.id, _SLOTS.c.reserved < _SLOTS.c.capacity,
                   *(found.c[rule.name] for rule in RULES))
            .values(reserved=_SLOTS.c.reserved + 1).returning(_SLOTS.c.id).cte("seat"))
    columns = ("code", "nickname", "topic", "status", "created_at", "cancelled_by_staff")
    new = (insert(_RESERVATIONS)
           .from_select(["slot_id", *columns],
                        select(seat.c.id, *(bindparam(c, type_=_RESERVATIONS.c[c].type) for c in columns)))
           .returning(_RESERVATIONS.c.id).cte("new"))
    return select(found, select(new.c.id).scalar_subquery().label("reservation_id"))


_ONE_STATEMENT = _one_statement()


@dataclass(frozen=True)
class HeldSession:
    """The session of a new reservation, as read with its seat."""

    id: int
    date: dt.date
    format: str
    status: str
    location: str
    ends_at: dt.datetime


@dataclass(frozen=True)
class HeldSlot:
    """The slot of a new reservation, as read with its seat."""

    id: int
    session_id: int
    starts_at: dt.datetime
    ends_at: dt.datetime
    session: HeldSession


@dataclass(frozen=True)
class Reserved:
    """A reservation just made, with its slot and session, as plain values (the attributes of a
    Reservation that the page and the API show). It is built from what the seat's statements read and
    wrote, with no ORM object and no SQL; whoever changes it later finds it by its code (`find`)."""

    id: int
    code: str
    slot_id: int
    nickname: str
    topic: str
    status: str
    created_at: dt.datetime
    cancelled_by_staff: bool
    slot: HeldSlot
    cancelled_at: dt.datetime | None = None


def reserved(taken: Taken, **values) -> Reserved:
    """The new reservation of `taken` (a `reserve_row` result) with the `values` it was stored with.

    A slot the ORM session holds already has its seat count expired, so it is read again when asked for
    (the session does not expire on commit)."""
    known = db_session.identity_map.get(identity_key(Slot, taken.id))
    if known is not None:
        db_session.expire(known, ["reserved"])
    session = HeldSession(id=taken.session_id, date=taken.date, format=taken.format, status=taken.status,
                          location=taken.location, ends_at=taken.session_ends_at)
    slot = HeldSlot(id=taken.id, session_id=taken.session_id, starts_at=taken.starts_at, ends_at=taken.ends_at,
                    session=session)
    return Reserved(id=taken.reservation_id, slot=slot, **values)
