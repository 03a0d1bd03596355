"""What the city counts, defined once: the live counts and the fiscal-year figures both use these.

- A *visit* is a check-in of any status and either source (resident or staff-recorded), except
  `removed` ones, which staff took out as abuse.
- A *consultation* is a check-in closed with an outcome of kind `consultation`.
- *Not seen* (未対応): still waiting when the session ended (status `left`, end_reason
  `session_ended`) and not yet closed by a promoter; a visit like any other, shown to staff.
- The *wait* runs from joining the line (checking in, or for a visitor of the metaverse room
  asking to talk: asked_at) until a promoter took the resident (taken_at), or, for those who left
  before being taken, until they left (ended_at). A room visitor who never asked never waited.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import Float, and_, case, func, or_
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import ColumnElement, FunctionElement

from webapp.checkins.models import CheckIn, Outcome


def is_visit() -> ColumnElement[bool]:
    """A condition on CheckIn: it counts as a visit."""
    return CheckIn.status != "removed"


def not_seen() -> ColumnElement[bool]:
    """A condition on CheckIn: the session ended while they waited, and no promoter has closed them yet."""
    return and_(CheckIn.status == "left", CheckIn.end_reason == "session_ended", was_in_line())


def was_not_seen(checkin: CheckIn) -> bool:
    """`not_seen` for one loaded check-in."""
    return checkin.status == "left" and checkin.end_reason == "session_ended" and joined_line_at(checkin) is not None


def was_in_line() -> ColumnElement[bool]:
    """A condition on CheckIn: it joined the line (a room visitor only by asking)."""
    return or_(CheckIn.intent.is_(None), CheckIn.asked_at.is_not(None))


def in_line_since() -> ColumnElement:
    """When the check-in joined the line (the order of the line); for a visitor who never asked, when they came."""
    return func.coalesce(CheckIn.asked_at, CheckIn.created_at)


def joined_line_at(checkin: CheckIn) -> dt.datetime | None:
    """When this check-in joined the line; None for a room visitor who has not asked."""
    if checkin.intent == "visit":
        return checkin.asked_at
    return checkin.created_at


def is_consultation() -> ColumnElement[bool]:
    """A condition on CheckIn joined to its Outcome: it counts as a consultation."""
    return and_(CheckIn.status == "closed", Outcome.kind == "consultation")


def was_consultation(checkin: CheckIn) -> bool:
    """`is_consultation` for one loaded check-in (residents are thanked for talking only then)."""
    return checkin.status == "closed" and checkin.outcome is not None and checkin.outcome.kind == "consultation"


def waited_until(checkin: CheckIn, now: dt.datetime | None = None) -> dt.datetime | None:
    """When this person stopped waiting; `now` (or None) while they still wait or were removed."""
    if checkin.taken_at is not None:
        return checkin.taken_at
    return checkin.ended_at if checkin.status == "left" else now


def waited_s(checkin: CheckIn, now: dt.datetime | None = None) -> int | None:
    """Whole seconds waited (up to `now` for those still waiting), None when not measurable."""
    until, since = waited_until(checkin, now), joined_line_at(checkin)
    return None if until is None or since is None else max(int((until - since).total_seconds()), 0)


def waited_seconds() -> ColumnElement[float]:
    """`waited_s` in SQL, for the check-ins whose wait has ended (NULL for the others)."""
    until = case((~was_in_line(), None), (CheckIn.taken_at.is_not(None), CheckIn.taken_at),
                 (CheckIn.status == "left", CheckIn.ended_at))
    return seconds_between(until, in_line_since())


class seconds_between(FunctionElement):
    """Seconds from the second timestamp to the first, as a float, on each database."""

    type = Float()
    name = "seconds_between"
    inherit_cache = True


@compiles(seconds_between)
def _seconds_between_default(element, compiler, **kw):
    later, earlier = (compiler.process(c, **kw) for c in element.clauses)
    return f"EXTRACT(EPOCH FROM ({later} - {earlier}))"


@compiles(seconds_between, "sqlite")
def _seconds_between_sqlite(element, compiler, **kw):
    later, earlier = (compiler.process(c, **kw) for c in element.clauses)
    return f"((julianday({later}) - julianday({earlier})) * 86400.0)"
