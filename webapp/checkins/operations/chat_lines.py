"""Chat lines stored together: one transaction of plain SQL statements for the lines that arrived at once.

The relay gathers the lines that arrive while the previous batch is being written (group commit,
realtime/group_commit.py), so a commit, and on SQLite a turn of the write lock, is paid per batch.
Each line is still checked on its own (an open check-in, who may write) and a refused line takes
nothing else down with it. The check-ins and writers of a batch are read once, with plain
statements, so a line costs one row of the batch's INSERT, not two ORM loads.
"""
from __future__ import annotations

import dataclasses
import datetime as dt

from sqlalchemy import bindparam, insert, select, update

from webapp.checkins.models import CheckIn, Message
from webapp.checkins.operations.access import require_staff
from webapp.checkins.operations.configuration import settings
from webapp.checkins.operations.crisis import contains_crisis_word
from webapp.checkins.operations.records import OPEN_STATUSES, _clean, _is_id
from webapp.db import db_session, utcnow
from webapp.exceptions import DomainError
from webapp.sessions.queries import assignments
from webapp.staff.models import User
from webapp.staff.operations import NO_LONGER_ACTIVE, relay_token_current

# Built once: per batch only the ids change (expanding parameters), so no statement is built or keyed again.
_ROUTES = select(CheckIn.id, CheckIn.session_id, CheckIn.status, CheckIn.taken_by_id, CheckIn.urgent).where(
    CheckIn.id.in_(bindparam("ids", expanding=True)))
_WRITERS = select(User.id, User.active, User.role, User.auth_version, User.display_name).where(
    User.id.in_(bindparam("ids", expanding=True)))
_INSERT = insert(Message.__table__).returning(Message.id, sort_by_parameter_order=True)
#: SQLite: SQLAlchemy keeps the parameters' order only by inserting row by row; one INSERT of every row
#: instead, whose ids, each larger than any before it in the table, sorted are the rows' order.
_INSERT_SQLITE = insert(Message.__table__).returning(Message.id)


@dataclasses.dataclass(frozen=True)
class Line:
    """A line to store: from the resident of `checkin_id`, or from staff member `staff_id`."""

    checkin_id: int
    text: str
    staff_id: int | None = None
    #: A staff relay connection's token version: the account must still be active and not signed out since.
    auth_version: int | None = None


@dataclasses.dataclass
class Route:
    """What decides who gets a line: the check-in as it was when the line was stored."""

    id: int
    session_id: int
    status: str
    taken_by_id: int | None
    urgent: bool


@dataclasses.dataclass(frozen=True)
class Writer:
    """The staff member who wrote a line, as frames name them."""

    display_name: str


@dataclasses.dataclass(frozen=True)
class StoredLine:
    """A stored line, shaped as frames and events read a Message (sender, text, created_at, staff_user)."""

    id: int
    checkin: Route
    sender: str
    text: str
    created_at: dt.datetime
    staff_user_id: int | None
    staff_user: Writer | None


def store_lines(lines: list[Line]) -> list[StoredLine | DomainError]:
    """Store every line that may be stored, in one transaction; for each line its stored copy or why not.

    A resident's crisis word marks the check-in urgent (first in line), in the same transaction.
    """
    connection = db_session.connection()  # plain statements on the session's transaction: no ORM layer
    routes = _routes(connection, {line.checkin_id for line in lines if _is_id(line.checkin_id)})
    writers = _writers(connection, {line.staff_id for line in lines if line.staff_id is not None})
    assigned = assignments({w.id for w in writers.values() if w.role != "admin"},
                           {r.session_id for r in routes.values()})
    now, results, rows, urgent = utcnow(), [], [], set()
    for line in lines:
        try:
            text, route = _checked(line, routes, writers, assigned)
        except DomainError as err:
            results.append(err)
            continue
        if line.staff_id is None and not route.urgent and contains_crisis_word(text):
            route.urgent = True
            urgent.add(route.id)
        rows.append({"checkin_id": route.id, "sender": "resident" if line.staff_id is None else "staff",
                     "staff_user_id": line.staff_id, "text": text, "created_at": now})
        results.append(line)
    if not rows:
        return results
    if urgent:
        connection.execute(update(CheckIn.__table__).where(CheckIn.id.in_(urgent)).values(urgent=True))
    ids = _insert(connection, rows)
    db_session.commit()
    stored = iter(zip(ids, rows, strict=True))
    return [result if isinstance(result, DomainError) else _stored(*next(stored), routes, writers)
            for result in results]


def _insert(connection, rows: list[dict]) -> list[int]:
    """The new messages' ids, in the order of `rows`, from one statement."""
    if connection.dialect.name == "sqlite":
        return sorted(connection.execute(_INSERT_SQLITE, rows).scalars().all())
    return connection.execute(_INSERT, rows).scalars().all()


def _routes(connection, checkin_ids: set[int]) -> dict[int, Route]:
    if not checkin_ids:
        return {}
    return {row.id: Route(*row) for row in connection.execute(_ROUTES, {"ids": list(checkin_ids)})}


def _writers(connection, user_ids: set[int]) -> dict[int, object]:
    if not user_ids:
        return {}
    return {row.id: row for row in connection.execute(_WRITERS, {"ids": list(user_ids)})}


def _checked(line: Line, routes: dict, writers: dict, assigned: set) -> tuple[str, Route]:
    """The line's clean text and its check-in, or the DomainError a single post would raise."""
    writer = writers.get(line.staff_id) if line.staff_id is not None else None
    if line.auth_version is not None and not relay_token_current(writer, line.auth_version):
        raise DomainError("forbidden", NO_LONGER_ACTIVE, 403)
    text = _clean(line.text, settings.message_max_chars, "text")
    route = routes.get(line.checkin_id)
    if route is None:
        raise DomainError("not_found", "No such check-in.", 404)
    if route.status not in OPEN_STATUSES:
        raise DomainError("checkin_closed", "This conversation has ended.", 409)
    if line.staff_id is not None:
        require_staff(writer, route.session_id, assigned)
        if route.status == "in_consultation" and route.taken_by_id != line.staff_id:
            raise DomainError("not_your_checkin", "Another promoter is with this resident.", 403)
    return text, route


def _stored(message_id: int, row: dict, routes: dict, writers: dict) -> StoredLine:
    route = routes[row["checkin_id"]]
    writer = writers.get(row["staff_user_id"])
    return StoredLine(id=message_id, checkin=dataclasses.replace(route), sender=row["sender"], text=row["text"],
                      created_at=row["created_at"], staff_user_id=row["staff_user_id"],
                      staff_user=Writer(writer.display_name) if writer is not None else None)
