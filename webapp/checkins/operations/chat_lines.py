"""Chat lines stored together: one transaction of plain SQL statements for the lines that arrived at once.

The relay gathers the lines that arrive while the previous batch is being written (group commit,
realtime/group_commit.py), so a commit, and on SQLite a turn of the write lock, is paid per batch.
Each line is still checked on its own (an open check-in, who may write) and a refused line takes
nothing else down with it. The check-ins and writers of a batch are read once, with fixed
statements on the driver's cursor (chat_sql.py), so a line costs one row of the batch's INSERT,
not two ORM loads, and a batch pays the database, not SQLAlchemy's execution path.
"""
from __future__ import annotations

import dataclasses
import datetime as dt

from webapp.checkins.operations import chat_sql
from webapp.checkins.operations.access import require_staff
from webapp.checkins.operations.configuration import settings
from webapp.checkins.operations.crisis import contains_crisis_word
from webapp.checkins.operations.records import OPEN_STATUSES, _clean, _is_id
from webapp.db import utcnow
from webapp.exceptions import DomainError
from webapp.staff.operations import NO_LONGER_ACTIVE, relay_token_current


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
    with chat_sql.transaction() as (sql, cursor):
        routes = _routes(sql, cursor, {line.checkin_id for line in lines if _is_id(line.checkin_id)})
        writers = _writers(sql, cursor, {line.staff_id for line in lines if _is_id(line.staff_id)})
        assigned = _assigned(sql, cursor, {w.id for w in writers.values() if w.role != "admin"},
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
            rows.append((route.id, "resident" if line.staff_id is None else "staff", line.staff_id, text, now))
            results.append(line)
        if not rows:
            return results
        if urgent:
            cursor.execute(sql.mark_urgent, (sql.ids(urgent),))
        ids = sql.insert(cursor, [(*row[:4], sql.created_at(now)) for row in rows])
    stored = iter(zip(ids, rows, strict=True))
    return [result if isinstance(result, DomainError) else _stored(*next(stored), routes, writers)
            for result in results]


def _routes(sql, cursor, checkin_ids: set[int]) -> dict[int, Route]:
    if not checkin_ids:
        return {}
    cursor.execute(sql.routes, (sql.ids(checkin_ids),))
    return {row[0]: Route(row[0], row[1], row[2], row[3], bool(row[4])) for row in cursor.fetchall()}


def _writers(sql, cursor, user_ids: set[int]) -> dict[int, chat_sql.WriterRow]:
    if not user_ids:
        return {}
    cursor.execute(sql.writers, (sql.ids(user_ids),))
    return {row[0]: chat_sql.WriterRow(row[0], bool(row[1]), row[2], row[3], row[4]) for row in cursor.fetchall()}


def _assigned(sql, cursor, user_ids: set[int], session_ids: set[int]) -> set[tuple[int, int]]:
    """The (user id, session id) pairs among these that are promoter assignments (access.can_staff reads them)."""
    if not user_ids or not session_ids:
        return set()
    cursor.execute(sql.assignments, (sql.ids(user_ids), sql.ids(session_ids)))
    return {(user_id, session_id) for user_id, session_id in cursor.fetchall()}


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


def _stored(message_id: int, row: tuple, routes: dict, writers: dict) -> StoredLine:
    checkin_id, sender, staff_user_id, text, created_at = row
    writer = writers.get(staff_user_id)
    return StoredLine(id=message_id, checkin=dataclasses.replace(routes[checkin_id]), sender=sender, text=text,
                      created_at=created_at, staff_user_id=staff_user_id,
                      staff_user=Writer(writer.display_name) if writer is not None else None)
