"""The chat batch's statements in each database's own SQL, run on the driver's cursor.

A chat line is the relay's hottest write (bench/relay.py): at 1,000 round trips a second the batch's
five statements through SQLAlchemy's execution path (compiling expanding IN lists, result
processing, the ORM session's begin and commit) cost about three times what the database itself
does for them (docs/performance.md, eighth round). The statements here are fixed strings, one set
per dialect, so a batch pays the driver and the database only. The table and column names are the
models' (webapp/checkins/models.py, webapp/staff/models.py, webapp/sessions/models.py): the tests
run these statements on SQLite and PostgreSQL both (tests/checkins/test_chat_lines.py).

Lists of ids are one parameter each: a JSON array read by `json_each` on SQLite, an array for
`= ANY` on PostgreSQL, so a statement's text does not change with the number of ids.
"""
from __future__ import annotations

import contextlib
import functools
import json
from collections.abc import Iterator
from typing import NamedTuple

from sqlalchemy.exc import DBAPIError

from webapp.checkins.models import Message
from webapp.db import db_session


class WriterRow(NamedTuple):
    """What the writing rules read of a staff member (access.can_staff, staff.operations.relay_token_current)."""

    id: int
    active: bool
    role: str
    auth_version: int
    display_name: str


class Dialect:
    """One database's statements; `ids(values)` is how a list of ids is passed."""

    begin: str | None
    routes: str
    writers: str
    assignments: str
    mark_urgent: str

    def __init__(self, created_at_bind):
        #: The created_at column's own conversion (UTCDateTime, then the driver's format).
        self.created_at = created_at_bind or (lambda value: value)

    def ids(self, values) -> object:
        raise NotImplementedError

    def insert(self, cursor, rows: list[tuple]) -> list[int]:
        """Insert `rows` (checkin_id, sender, staff_user_id, text, created_at); their new ids, in order."""
        raise NotImplementedError


class SQLite(Dialect):
    begin = "BEGIN IMMEDIATE"  # the write lock up front, as webapp.db does for every writing transaction
    _in = "IN (SELECT value FROM json_each(?))"
    routes = f"SELECT id, session_id, status, taken_by_id, urgent FROM checkins WHERE id {_in}"
    writers = f"SELECT id, active, role, auth_version, display_name FROM users WHERE id {_in}"
    assignments = f"SELECT user_id, session_id FROM session_promoters WHERE user_id {_in} AND session_id {_in}"
    mark_urgent = f"UPDATE checkins SET urgent = 1 WHERE id {_in}"

    def ids(self, values) -> str:
        return json.dumps(list(values))

    def insert(self, cursor, rows: list[tuple]) -> list[int]:
        # Each new rowid is larger than any before it in the table: sorted, the ids are the rows' order.
        cursor.execute(_sqlite_insert(len(rows)), [value for row in rows for value in row])
        return sorted(row[0] for row in cursor.fetchall())


class PostgreSQL(Dialect):
    begin = None  # psycopg begins a transaction with the first statement
    routes = "SELECT id, session_id, status, taken_by_id, urgent FROM checkins WHERE id = ANY(%s)"
    writers = "SELECT id, active, role, auth_version, display_name FROM users WHERE id = ANY(%s)"
    assignments = "SELECT user_id, session_id FROM session_promoters WHERE user_id = ANY(%s) AND session_id = ANY(%s)"
    mark_urgent = "UPDATE checkins SET urgent = true WHERE id = ANY(%s)"

    def ids(self, values) -> list:
        return list(values)

    def insert(self, cursor, rows: list[tuple]) -> list[int]:
        # Rows go in in the order of their counter (ORDER BY n), so the sequence hands out ascending ids
        # in that order: sorted, the ids are the rows' order (what SQLAlchemy's own ordered insert relies on).
        cursor.execute(_postgres_insert(len(rows)), [value for n, row in enumerate(rows) for value in (*row, n)])
        return sorted(row[0] for row in cursor.fetchall())


_COLUMNS = "checkin_id, sender, staff_user_id, text, created_at"


@functools.lru_cache(maxsize=256)
def _sqlite_insert(count: int) -> str:
    values = ", ".join(["(?, ?, ?, ?, ?)"] * count)
    return f"INSERT INTO messages ({_COLUMNS}) VALUES {values} RETURNING id"


@functools.lru_cache(maxsize=256)
def _postgres_insert(count: int) -> str:
    values = ", ".join(["(%s::integer, %s::varchar, %s::integer, %s::text, %s::timestamp, %s::integer)"] * count)
    return (f"INSERT INTO messages ({_COLUMNS}) SELECT c, s, u, t, at FROM (VALUES {values}) "
            f"AS v(c, s, u, t, at, n) ORDER BY n RETURNING id")


_DIALECTS: dict[str, Dialect] = {}


def dialect_for(engine) -> Dialect:
    """The statements for `engine`'s database, built once per kind of database (every engine of a kind
    converts created_at alike, and no engine is kept alive here)."""
    name = engine.dialect.name
    if name not in _DIALECTS:
        bind = Message.__table__.c.created_at.type.bind_processor(engine.dialect)
        if name == "sqlite":
            _DIALECTS[name] = SQLite(bind)
        elif name == "postgresql":
            _DIALECTS[name] = PostgreSQL(bind)
        else:
            raise RuntimeError(f"chat lines: no statements for {name}")
    return _DIALECTS[name]


@contextlib.contextmanager
def transaction() -> Iterator[tuple[Dialect, object]]:
    """(statements, cursor) in a transaction that commits when the block ends without an error.

    Where the caller's session is already in a transaction (a web form: the view has read the
    check-in, and on SQLite holds the write lock), the batch joins it and commits it, as the ORM
    code did. Otherwise (the relay: each unit of work starts with no transaction) it takes a pool
    connection of its own and none of the session's begin and commit. A driver error comes out as
    SQLAlchemy's (webapp.exceptions.database_unreachable reads it), and a connection it found broken
    is not handed out again.
    """
    # The relay's unit of work has no session yet: asking the session for its bind would make one.
    session = db_session() if db_session.registry.has() else None
    engine = session.get_bind() if session is not None else (
        db_session.session_factory.kw.get("bind") or db_session.get_bind())
    dialect = dialect_for(engine)
    if session is not None and session.in_transaction():
        raw = session.connection().connection
        with _driver_errors(engine, raw):
            cursor = raw.driver_connection.cursor()
            try:
                yield dialect, cursor
            finally:
                cursor.close()
        session.commit()
        return
    raw = None
    with _driver_errors(engine, lambda: raw):
        raw = engine.raw_connection()
        cursor = raw.driver_connection.cursor()
        try:
            if dialect.begin:
                cursor.execute(dialect.begin)
            try:
                yield dialect, cursor
            except BaseException:
                raw.rollback()
                raise
            raw.commit()
        finally:
            cursor.close()
            raw.close()


@contextlib.contextmanager
def _driver_errors(engine, raw) -> Iterator[None]:
    """The driver's errors as SQLAlchemy's DBAPIError, without the statement or its parameters (residents'
    lines: never in a log); a connection the error shows broken is invalidated (the pool makes a new one)."""
    dbapi = engine.dialect.loaded_dbapi
    try:
        yield
    except dbapi.Error as err:
        fairy = raw() if callable(raw) else raw
        broken = fairy is not None and engine.dialect.is_disconnect(err, fairy.driver_connection, None)
        if broken:
            fairy.invalidate(err)
        raise DBAPIError.instance(None, None, err, dbapi.Error, connection_invalidated=broken,
                                  dialect=engine.dialect) from err
