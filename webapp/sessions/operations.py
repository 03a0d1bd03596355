"""Every write to sessions and slots goes through here: the API, the admin pages and the CLI."""
from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping

import jpholiday
from sqlalchemy import delete, func, select

from webapp import limits, signals
from webapp.checkins.models import CheckIn
from webapp.checkins.operations.access import require_staff
from webapp.db import db_session, utcnow
from webapp.exceptions import DomainError
from webapp.reservations.models import Reservation
from webapp.sessions.locking import lock
from webapp.sessions.models import FORMATS, Session, Slot
from webapp.staff.models import User
from webapp.timeutil import at_tokyo, fiscal_year_bounds, local, nth_weekday

MAX_SLOT_MINUTES = limits.SLOT_MINUTES_MAX
MAX_CAPACITY = limits.CAPACITY_MAX


@dataclasses.dataclass
class SessionSpec:
    """A session as asked for, already parsed into Python values."""

    date: dt.date
    starts_at: dt.datetime
    ends_at: dt.datetime
    format: str
    location: str = ""
    join_url: str = ""
    slot_minutes: int = 30
    capacity: int = 2
    promoters: list[str] = dataclasses.field(default_factory=list)


def holiday_name(day: dt.date) -> str:
    """The national holiday on `day`, or ''."""
    return jpholiday.is_holiday_name(day) or ""


def _check_times(day: dt.date, starts_at: dt.datetime, ends_at: dt.datetime) -> None:
    if ends_at <= starts_at:
        raise DomainError("invalid_times", "ends_at must be after starts_at.", 400)
    if local(starts_at).date() != day or local(ends_at - dt.timedelta(seconds=1)).date() != day:
        raise DomainError("invalid_times", "starts_at and ends_at must fall on the session's date (Asia/Tokyo).", 400)


def _check_format(fmt: str) -> None:
    if fmt not in FORMATS:
        raise DomainError("invalid_format", f"format must be one of {', '.join(FORMATS)}.", 400)


def _promoters(logins: list[str]) -> list[User]:
    """The active staff accounts named by `logins`, or a 400 naming the unknown ones."""
    wanted = list(dict.fromkeys(logins))
    users = db_session.scalars(select(User).where(User.login.in_(wanted), User.active.is_(True))).all()
    found = {u.login: u for u in users}
    missing = [login for login in wanted if login not in found]
    if missing:
        raise DomainError("unknown_promoter", f"No active staff account: {', '.join(missing)}.", 400)
    return [found[login] for login in wanted]


def cut_slots(starts_at: dt.datetime, ends_at: dt.datetime, minutes: int, capacity: int) -> list[Slot]:
    """Slots of `minutes` from start to end; a shorter remainder at the end is left as walk-in time."""
    if not limits.SLOT_MINUTES_MIN <= minutes <= MAX_SLOT_MINUTES:
        raise DomainError("invalid_slot_minutes",
                          f"slot_minutes must be between {limits.SLOT_MINUTES_MIN} and {MAX_SLOT_MINUTES}.", 400)
    if not limits.CAPACITY_MIN <= capacity <= MAX_CAPACITY:
        raise DomainError("invalid_capacity",
                          f"capacity must be between {limits.CAPACITY_MIN} and {MAX_CAPACITY}.", 400)
    step = dt.timedelta(minutes=minutes)
    slots, at = [], starts_at
    while at + step <= ends_at:
        slots.append(Slot(starts_at=at, ends_at=at + step, capacity=capacity))
        at += step
    if not slots:
        raise DomainError("invalid_slot_minutes", "slot_minutes is longer than the session.", 400)
    return slots


def create_session(spec: SessionSpec) -> Session:
    """Create a session with its slots; a national holiday is flagged, never moved."""
    _check_format(spec.format)
    _check_times(spec.date, spec.starts_at, spec.ends_at)
    session = Session(
        date=spec.date, starts_at=spec.starts_at, ends_at=spec.ends_at, format=spec.format,
        location=spec.location.strip(), join_url=spec.join_url.strip(),
        holiday_name=holiday_name(spec.date), promoters=_promoters(spec.promoters),
        slots=cut_slots(spec.starts_at, spec.ends_at, spec.slot_minutes, spec.capacity),
    )
    session.holiday = bool(session.holiday_name)
    db_session.add(session)
    db_session.commit()
    signals.session_changed.send(session)
    signals.session_created.send(session, actor=None)
    return session


def active_reservations(session: Session) -> int:
    """How many seats of `session` are held."""
    return db_session.scalar(
        select(func.count(Reservation.id)).join(Slot)
        .where(Slot.session_id == session.id, Reservation.status == "active")
    ) or 0


def _recut(session: Session, starts_at: dt.datetime, ends_at: dt.datetime, minutes: int, capacity: int) -> None:
    """Replace the slots; only while no seat is held (the database refuses to delete a held slot too).

    Cancelled reservations on the old slots go with them (they hold no seat), unless a check-in
    came with one: then the slots stay, as with a held seat.
    """
    new_slots = cut_slots(starts_at, ends_at, minutes, capacity)
    if _still_used([slot.id for slot in session.slots]):
        raise DomainError("slot_reserved", "Slots with reservations cannot be cut again; cancel them first.", 409,
                          field="slot_minutes")
    session.slots = new_slots


def _still_used(slot_ids: list[int]) -> set[int]:
    """Forget the cancelled reservations of these slots that no check-in came with; the slots still used."""
    if not slot_ids:
        return set()
    db_session.execute(delete(Reservation).where(
        Reservation.slot_id.in_(slot_ids), Reservation.status != "active",
        Reservation.id.not_in(select(CheckIn.reservation_id).where(CheckIn.reservation_id.is_not(None)))))
    return set(db_session.scalars(select(Reservation.slot_id).where(Reservation.slot_id.in_(slot_ids))))


def _move(session: Session, starts_at: dt.datetime, ends_at: dt.datetime, day: dt.date | None = None) -> None:
    """Move a session in time (to another `day` too); held slots shift with it and must still fit.

    A longer or shorter session keeps its slots at their clock times: free ones outside the new
    hours go, a held one outside them refuses the change (`slot_reserved`).
    """
    day = day or session.date
    if (day, starts_at, ends_at) == (session.date, session.starts_at, session.ends_at):
        return  # the edit form always sends the times: unchanged, the slots stay as they are
    _check_times(day, starts_at, ends_at)
    delta = starts_at - session.starts_at
    if ends_at - session.ends_at != delta:  # longer or shorter: slots keep their clock times (on the new day)
        delta = dt.timedelta(days=(day - session.date).days)
    if active_reservations(session) == 0 and session.slots:
        _recut(session, starts_at, ends_at, *slot_shape(session))
    else:
        outside = [s for s in session.slots if s.starts_at + delta < starts_at or s.ends_at + delta > ends_at]
        if any(s.reserved for s in outside):
            raise DomainError("slot_reserved",
                              "Reserved slots would no longer fit; move them by the same amount or cancel.", 409,
                              field="start")
        used = _still_used([s.id for s in outside])  # free slots cut away by a shorter session go
        session.slots = [s for s in session.slots if s not in outside or s.id in used]
        for slot in session.slots:
            slot.starts_at += delta
            slot.ends_at += delta
    session.starts_at, session.ends_at = starts_at, ends_at
    if day != session.date:
        session.date, session.holiday_name = day, holiday_name(day)
        session.holiday = bool(session.holiday_name)


def slot_shape(session: Session) -> tuple[int, int]:
    """(slot minutes, seats per slot) of a session, as it was cut."""
    first = session.slots[0]
    return int((first.ends_at - first.starts_at).total_seconds() // 60), first.capacity


def _reslot(session: Session, minutes: int, capacity: int) -> None:
    """Change slot length or seats; once seats are held, only the seat count may change, never below what is held."""
    if (minutes, capacity) == slot_shape(session):
        return
    if active_reservations(session) == 0:
        _recut(session, session.starts_at, session.ends_at, minutes, capacity)
        return
    if minutes != slot_shape(session)[0]:
        raise DomainError("slot_reserved", "Slots with reservations cannot change length; cancel them first.", 409,
                          field="slot_minutes")
    if not 1 <= capacity <= MAX_CAPACITY or capacity < max(s.reserved for s in session.slots):
        raise DomainError("invalid_capacity", "capacity must cover the seats already reserved.", 409)
    for slot in session.slots:
        slot.capacity = capacity


def update_session(session: Session, changes: Mapping) -> Session:
    """Apply admin changes under the session's lock; SEQUENCE rises when anything an attendee relies on changes."""
    lock(session)
    before = (session.starts_at, session.ends_at, session.format, session.location, session.join_url, session.status)
    if "format" in changes:
        _check_format(changes["format"])
        session.format = changes["format"]
    if "starts_at" in changes or "ends_at" in changes or "date" in changes:
        _move(session, changes.get("starts_at", session.starts_at), changes.get("ends_at", session.ends_at),
              changes.get("date"))
    if "slot_minutes" in changes or "capacity" in changes:
        minutes, capacity = slot_shape(session)
        _reslot(session, changes.get("slot_minutes", minutes), changes.get("capacity", capacity))
    for field in ("location", "join_url", "note"):
        if field in changes:
            setattr(session, field, (changes[field] or "").strip())
    reassigned: set[User] = set()
    if "promoters" in changes:
        before_promoters = set(session.promoters)
        session.promoters = _promoters(list(changes["promoters"]))
        reassigned = before_promoters ^ set(session.promoters)
    if "status" in changes:
        _set_status(session, changes["status"])
    after = (session.starts_at, session.ends_at, session.format, session.location, session.join_url, session.status)
    if after != before:
        session.sequence += 1
    session.updated_at = utcnow()
    db_session.commit()
    signals.session_changed.send(session)
    for user in sorted(reassigned, key=lambda u: u.id):  # removed ones stop following it, added ones start
        signals.staff_assignments_changed.send(user)
    signals.session_updated.send(session, actor=None, status_before=before[-1])
    return session


def extend_session(session: Session, user: User, minutes: int) -> Session:
    """Move a running session's end later by `minutes`; its slots are not recut (walk-in time grows).

    Allowed to whoever may staff the session (webapp.checkins.operations.access).
    """
    require_staff(user, session)
    if not limits.EXTEND_MINUTES_MIN <= minutes <= limits.EXTEND_MINUTES_MAX:
        raise DomainError("invalid_minutes", f"minutes must be between {limits.EXTEND_MINUTES_MIN} and "
                                             f"{limits.EXTEND_MINUTES_MAX}.", 400)
    if session.status != "scheduled" or session.ends_at <= utcnow():
        raise DomainError("session_not_open", "Only a session still running can be extended.", 409)
    ends_at = session.ends_at + dt.timedelta(minutes=minutes)
    _check_times(session.date, session.starts_at, ends_at)
    session.ends_at, session.sequence, session.updated_at = ends_at, session.sequence + 1, utcnow()
    db_session.commit()
    signals.session_changed.send(session)
    signals.session_extended.send(session, actor=user, minutes=minutes)
    return session


def _set_status(session: Session, status: str) -> None:
    if status == session.status:
        return
    if status == "cancelled":
        session.status, session.cancelled_at = "cancelled", utcnow()
    elif status == "scheduled":
        session.status, session.cancelled_at = "scheduled", None
    else:
        raise DomainError("invalid_status", 'status must be "cancelled" or "scheduled".', 400)


def cancel_session(session: Session, note: str = "") -> Session:
    """Cancel a session; it stays listed (and in feeds) as cancelled, reservations stay readable."""
    return update_session(session, {"status": "cancelled", "note": note} if note else {"status": "cancelled"})


@dataclasses.dataclass
class PlanDefaults:
    """What a generated session looks like, from config."""

    format_plan: Mapping[int, str]
    start: dt.time
    end: dt.time
    slot_minutes: int
    capacity: int
    locations: Mapping[str, str]
    promoters: list[str] = dataclasses.field(default_factory=list)
    #: The profile's rule: the `week`-th `weekday` of each month (Ikoma: the third Tuesday).
    week: int = 3
    weekday: str = "tue"


def generate_fiscal_year(year: int, defaults: PlanDefaults) -> tuple[list[Session], list[dt.date]]:
    """Create the sessions of fiscal year `year` (April..March), one a month on the profile's day.

    Dates that already have a session are left as they are, so running it twice is safe.
    Returns the sessions created and the dates skipped.
    """
    if not limits.YEAR_MIN <= year <= limits.YEAR_MAX:
        raise DomainError("invalid_fiscal_year",
                          f"fiscal year must be between {limits.YEAR_MIN} and {limits.YEAR_MAX}.", 400)
    first, last = fiscal_year_bounds(year)
    taken = set(db_session.scalars(select(Session.date).where(Session.date.between(first, last))))
    created, skipped = [], []
    for month in (4, 5, 6, 7, 8, 9, 10, 11, 12, 1, 2, 3):
        day = nth_weekday(year if month >= 4 else year + 1, month, defaults.week, defaults.weekday)
        if day in taken:
            skipped.append(day)
            continue
        fmt = defaults.format_plan[month]
        created.append(create_session(SessionSpec(
            date=day, starts_at=at_tokyo(day, defaults.start), ends_at=at_tokyo(day, defaults.end), format=fmt,
            location=defaults.locations.get(fmt, ""), slot_minutes=defaults.slot_minutes,
            capacity=defaults.capacity, promoters=defaults.promoters,
        )))
    return created, skipped


def plan_defaults(config: Mapping, promoters: list[str] | None = None) -> PlanDefaults:
    """PlanDefaults from the app config."""
    return PlanDefaults(
        format_plan=config["FORMAT_PLAN"], start=dt.time.fromisoformat(config["SESSION_START"]),
        end=dt.time.fromisoformat(config["SESSION_END"]), slot_minutes=config["SLOT_MINUTES"],
        capacity=config["SLOT_CAPACITY"], locations=config["DEFAULT_LOCATIONS"], promoters=promoters or [],
        week=config["SCHEDULE_WEEK"], weekday=config["SCHEDULE_WEEKDAY"],
    )
