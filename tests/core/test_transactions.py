"""Reads never queue behind a writer on SQLite; writers still take turns and lose nothing."""
from __future__ import annotations

import contextlib
import threading

import pytest
from sqlalchemy import func, select, text

from webapp.db import db_session, read_only, reading
from webapp.sessions.models import Session

#: About SQLite's write lock; PostgreSQL readers never wait anyway (deselected there, tests/conftest.py).
sqlite_only = pytest.mark.sqlite_only


def _count_in_thread(wrap) -> tuple[threading.Thread, list]:
    seen = []

    def work():
        try:
            with wrap():
                seen.append(db_session.scalar(select(func.count(Session.id))))
        finally:
            db_session.remove()

    thread = threading.Thread(target=work, daemon=True)
    thread.start()
    return thread, seen


@contextlib.contextmanager
def _writer_holding_the_lock(app, sql: str):
    """Another connection that has begun (IMMEDIATE: holding the write lock) with `sql`, rolled back after."""
    writer = app.extensions["engine"].connect()
    writer.execute(text(sql))
    try:
        yield
    finally:
        writer.rollback()
        writer.close()


@sqlite_only
def test_a_read_goes_on_while_a_writer_holds_the_lock(app, make_session):
    make_session()
    with _writer_holding_the_lock(app, "UPDATE sessions SET note = 'being edited'"):
        reader, seen = _count_in_thread(reading)
        reader.join(5)
        assert not reader.is_alive(), "the read waited for the writer"
        assert seen == [1]


@sqlite_only
def test_work_that_may_write_waits_for_the_writer_instead_of_failing(app, make_session):
    make_session()
    with _writer_holding_the_lock(app, "SELECT 1"):
        other, seen = _count_in_thread(contextlib.nullcontext)
        other.join(0.5)
        assert other.is_alive() and seen == []  # queued behind the writer (busy timeout), not refused
    other.join(5)
    assert seen == [1]


def test_read_only_marks_a_function_as_reading():
    from webapp.db import _reading

    assert read_only(lambda: _reading.get())() is True
    assert _reading.get() is False
