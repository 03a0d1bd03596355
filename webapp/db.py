"""Database plumbing shared by the web app, the relay and the CLI (no Flask here)."""
from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import functools
from collections.abc import Iterator

from sqlalchemy import DateTime, MetaData, create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, scoped_session, sessionmaker
from sqlalchemy.types import TypeDecorator

from webapp.clock import utcnow  # noqa: F401  (the one clock; modules have long read it from here)

# Stable constraint names keep Alembic migrations identical on SQLite and PostgreSQL.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base of every model."""

    metadata = MetaData(naming_convention=NAMING)


class UTCDateTime(TypeDecorator):
    """Aware datetimes in, stored as naive UTC, aware UTC out (SQLite keeps no offset)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(dt.timezone.utc).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=dt.timezone.utc)




#: The session every operation uses; thread-local so relay worker threads get their own.
db_session = scoped_session(sessionmaker(expire_on_commit=False))


def is_sqlite(url: str | None) -> bool:
    """True for the embedded database: one writer at a time (see `_serialize_sqlite_writes`)."""
    return str(url or "").startswith("sqlite")


def make_engine(url: str) -> Engine:
    """Create the engine for `url`, tuned so concurrent writers wait instead of failing."""
    if is_sqlite(url):
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})
        _serialize_sqlite_writes(engine)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)


#: True while the work at hand only reads (see `reading`).
_reading: contextvars.ContextVar[bool] = contextvars.ContextVar("db_reading", default=False)


@contextlib.contextmanager
def reading() -> Iterator[None]:
    """A transaction that begins inside this block only reads.

    On SQLite it starts with a plain (deferred) BEGIN: in WAL mode a reader sees a snapshot and
    neither waits for nor holds up a writer. Everything else begins IMMEDIATE (below). Writing in
    such a transaction is a mistake: under contention it fails with "database is locked" instead
    of waiting its turn. On PostgreSQL this changes nothing.
    """
    token = _reading.set(True)
    try:
        yield
    finally:
        _reading.reset(token)


def read_only(fn):
    """Decorator: `fn` (a view, say) only reads; see `reading`."""

    @functools.wraps(fn)
    def inner(*args, **kwargs):
        with reading():
            return fn(*args, **kwargs)

    return inner


def _serialize_sqlite_writes(engine: Engine) -> None:
    """Start every SQLite transaction that may write with BEGIN IMMEDIATE.

    pysqlite's deferred transactions fail at once with "database is locked" when a
    read lock must be upgraded; taking the write lock up front lets the busy
    timeout queue writers instead (see SQLAlchemy's "Serializable isolation" recipe).
    Work that only reads says so (`reading`) and begins deferred, so reads never queue
    behind writes.

    synchronous=NORMAL is SQLite's recommended setting for WAL: a commit survives the
    process crashing (even SIGKILL); only an operating-system crash or power cut may lose
    the last commits, never corrupt the file. FULL would fsync every commit, which made
    each chat line cost a disk flush (bench/relay.py). PostgreSQL is the production
    database for anyone who needs more.

    secure_delete=ON overwrites deleted and blanked content with zeros, so a purged text does
    not linger in free space of the file (see `checkpoint`).
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA secure_delete=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        conn.exec_driver_sql("BEGIN" if _reading.get() else "BEGIN IMMEDIATE")


def checkpoint(engine: Engine) -> None:
    """On SQLite, copy the write-ahead log into the database file and empty it (TRUNCATE).

    Until then the log keeps the pages as they were before the last writes: after a purge,
    the texts it blanked. PostgreSQL: nothing to do here.
    """
    if engine.dialect.name != "sqlite":
        return
    raw = engine.raw_connection()  # autocommit (isolation_level None): a checkpoint runs outside a transaction
    try:
        raw.driver_connection.execute("PRAGMA wal_checkpoint(TRUNCATE)").close()
    finally:
        raw.close()


def bind(url: str) -> Engine:
    """Point `db_session` at the database at `url` and return its engine."""
    engine = make_engine(url)
    db_session.remove()
    db_session.configure(bind=engine)
    return engine
