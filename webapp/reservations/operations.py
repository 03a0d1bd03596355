"""Anonymous reservations: a seat is taken by one atomic conditional UPDATE, never read-then-write."""
from __future__ import annotations

import datetime as dt
import secrets
import unicodedata
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from webapp import signals
from webapp.db import db_session, utcnow
from webapp.exceptions import DomainError
from webapp.limits import NICKNAME_MAX, TOPIC_MAX
from webapp.reservations import seat
from webapp.reservations.models import Reservation
from webapp.reservations.privacy import contact_in
from webapp.sessions.models import Session

#: No 0/O/1/I/L, so a code can be read aloud or copied from paper without mistakes.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_GROUPS, CODE_GROUP_LEN = 3, 5  # 15 symbols of 31: about 74 random bits


def new_code() -> str:
    """A fresh code such as 'KX7P3-MQ9HT-4WZ2R'."""
    groups = ("".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_GROUP_LEN)) for _ in range(CODE_GROUPS))
    return "-".join(groups)


#: Marks people type between groups: hyphens and dashes of every width, the long-vowel mark a
#: Japanese keyboard gives for "-", the minus sign, and any space (full-width spaces too).
_SEPARATORS = frozenset("\u2212\u30fc\uff70\u2043")


def normalize_code(raw: str | None) -> str | None:
    """The code as stored ('4AH7X-4V9X2-YQWXD') from what was typed, or None if it cannot be one.

    Full or half width, any case, with or without hyphens and spaces: NFKC folds full-width
    letters and digits to ASCII, then every dash and space is dropped before the groups are rebuilt.
    """
    if not isinstance(raw, str):
        return None
    folded = unicodedata.normalize("NFKC", raw).upper()
    compact = "".join(c for c in folded if not _is_separator(c))
    if len(compact) != CODE_GROUPS * CODE_GROUP_LEN or any(c not in CODE_ALPHABET for c in compact):
        return None
    return "-".join(compact[i:i + CODE_GROUP_LEN] for i in range(0, len(compact), CODE_GROUP_LEN))


def _is_separator(char: str) -> bool:
    return char.isspace() or char in _SEPARATORS or unicodedata.category(char) == "Pd"


def clean_text(value: str | None, limit: int, field: str) -> str:
    """Trim free text and refuse what is too long, so nothing is cut silently."""
    text = (value or "").strip()
    if len(text) > limit:
        raise DomainError("too_long", f"{field} must be at most {limit} characters.", 400)
    return text


def refuse_contacts(**fields: str) -> None:
    """A phone number or an e-mail address is never stored: 400 `contact_in_<field>`, so the resident can edit."""
    for field, value in fields.items():
        if contact_in(value):
            raise DomainError(f"contact_in_{field}", f"Please leave phone numbers and e-mail addresses out of the "
                              f"{field}: the service stays anonymous.", 400)


def reserve(slot_id: int, nickname: str | None = None, topic: str | None = None,
            caps: Callable[[Session], AbstractContextManager] | None = None) -> seat.Reserved:
    """Hold a seat in a slot and return the reservation with its code (plain values: `seat.Reserved`).

    One transaction: the slot and its session under the session's share lock with every rule
    answered, the conditional UPDATE of the seat and the INSERT (webapp/reservations/seat.py
    `reserve_row`), then the commit. `caps` (webapp/reservations/cap.py `counted`, say) counts the
    reservation against the caps of its session around the commit: a refusal undoes the seat.
    The reservation returned is built from what the transaction read and wrote, not loaded again;
    to change it afterwards, `find` it by its code.
    """
    nickname = clean_text(nickname, NICKNAME_MAX, "nickname")
    topic = clean_text(topic, TOPIC_MAX, "topic")
    refuse_contacts(nickname=nickname, topic=topic)
    for _ in range(CODE_ATTEMPTS - 1):
        try:
            return _reserve_once(slot_id, nickname, topic, caps)
        except IntegrityError:  # a code collision: astronomically rare, but never lose the seat
            db_session.rollback()
    return _reserve_once(slot_id, nickname, topic, caps)  # a third failure is no collision: let it show


#: Tries with a fresh code each: two collisions in a row among 31^15 codes would mean a fault, not bad luck.
CODE_ATTEMPTS = 3


def _reserve_once(slot_id: int, nickname: str, topic: str, caps) -> seat.Reserved:
    db_session.rollback()  # start clean: the seat is taken in a new transaction, under the session's lock
    values = {"code": new_code(), "slot_id": slot_id, "nickname": nickname, "topic": topic, "status": "active",
              "created_at": utcnow(), "cancelled_by_staff": False}
    try:
        taken = seat.reserve_row(seat.connection(), utcnow(), **values)
        if taken.reservation_id is None:
            db_session.rollback()
            raise seat.why_not_taken(db_session.connection(), slot_id)
        try:
            with caps(_CapsView(taken.session_id, taken.session_ends_at)) if caps is not None else nullcontext():
                db_session.commit()  # SQLite's three statements (PostgreSQL's one has committed itself)
        except DomainError:
            seat.release(taken)
            raise
    except DomainError:
        db_session.rollback()
        raise
    reservation = seat.reserved(taken, **values)
    signals.reservation_changed.send(reservation)
    return reservation


@dataclass(frozen=True)
class _CapsView:
    """What the caps read of a session (its id and end), with no ORM object made."""

    id: int
    ends_at: dt.datetime


def find(raw_code: str) -> Reservation | None:
    """The reservation with this code, or None."""
    code = normalize_code(raw_code)
    if code is None:
        return None
    return db_session.scalar(select(Reservation).where(Reservation.code == code))


def cancellable(reservation: Reservation) -> bool:
    """Active and its time not yet over (cancelling afterwards would change nothing)."""
    return reservation.status == "active" and reservation.slot.ends_at > utcnow()


def cancel(reservation: Reservation, *, by_staff: bool = False) -> Reservation:
    """Cancel and give the seat back; cancelling twice is harmless, once the time is over it is refused.

    `by_staff`: a promoter or admin cancelled it (the staff reservations page checks who may).
    """
    if reservation.status == "active" and not cancellable(reservation):
        raise DomainError("slot_ended", "This reservation's time is over; there is nothing left to cancel.", 409)
    done = db_session.execute(
        update(Reservation)
        .where(Reservation.id == reservation.id, Reservation.status == "active")
        .values(status="cancelled", cancelled_at=utcnow(), cancelled_by_staff=by_staff)
    )
    if done.rowcount == 1:
        seat.give_back(db_session.connection(), reservation.slot_id)
    db_session.commit()
    db_session.refresh(reservation)
    signals.reservation_changed.send(reservation)
    return reservation


def session_of(reservation: Reservation) -> Session:
    return reservation.slot.session


def move(reservation: Reservation, slot_id: int) -> Reservation:
    """Move an active reservation to another slot of its session in one transaction; the code stays.

    The new seat is taken by the same conditional UPDATE as `reserve`, and the old one given back in
    the same commit, so a failed move leaves the reservation where it was.
    """
    if not cancellable(reservation):
        raise DomainError("not_movable", "Only an active reservation whose time is not over can be moved.", 409)
    reservation_id, old_slot_id, session_id = reservation.id, reservation.slot_id, reservation.slot.session_id
    if slot_id == old_slot_id:
        return reservation
    db_session.rollback()  # as in `reserve`: the seat is taken in a new transaction, under the session's lock
    conn = db_session.connection()
    try:  # a slot of this session locks this session: no edit recuts it meanwhile
        seat.target(conn, slot_id, utcnow(), in_session=session_id)
    except DomainError:
        db_session.rollback()
        raise
    if not seat.take(conn, slot_id):
        db_session.rollback()
        raise seat.why_not_taken(db_session.connection(), slot_id)
    moved = db_session.execute(
        update(Reservation).where(Reservation.id == reservation_id, Reservation.status == "active",
                                  Reservation.slot_id == old_slot_id).values(slot_id=slot_id))
    if moved.rowcount != 1:
        db_session.rollback()
        raise DomainError("not_movable", "This reservation has just been cancelled or moved.", 409)
    seat.give_back(conn, old_slot_id)
    db_session.commit()
    reservation = db_session.get(Reservation, reservation_id)
    db_session.refresh(reservation)
    signals.reservation_changed.send(reservation)
    return reservation
