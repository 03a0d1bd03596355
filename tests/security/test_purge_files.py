"""Issue 14, finding 10: after `purge`, a purged text is in none of SQLite's files (db, -wal, -shm)."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import update
from sqlalchemy.engine import make_url

from webapp.checkins import operations
from webapp.checkins.models import CheckIn, Message
from webapp.clock import now_tokyo
from webapp.db import db_session

SECRET_TEXT = "zq7-purged-confidence-4471"


def _files(app) -> list[Path]:
    database = Path(make_url(app.config["DATABASE_URL"]).database)
    return [path for path in (database, Path(f"{database}-wal"), Path(f"{database}-shm")) if path.exists()]


@pytest.mark.sqlite_only
def test_a_purged_text_is_in_no_database_file(app, runner, make_session):
    day = now_tokyo().date() - dt.timedelta(days=60)
    session = make_session(day=day, capacity=5)
    at = session.starts_at + dt.timedelta(minutes=10)
    checkin = operations.check_in(session.id, "cat", SECRET_TEXT[:30], now=at)
    for n in range(20):  # several pages' worth, written and checkpointed as a busy session would
        operations.post_message(checkin.id, f"{SECRET_TEXT} line {n}")
    db_session.execute(update(Message).where(Message.checkin_id == checkin.id).values(created_at=at))
    db_session.execute(update(CheckIn).where(CheckIn.id == checkin.id).values(created_at=at))
    db_session.commit()
    assert any(SECRET_TEXT.encode() in path.read_bytes() for path in _files(app))

    result = runner.invoke(args=["purge"])
    assert result.exit_code == 0, result.output
    assert "purged 20 message texts" in result.output
    found = [path.name for path in _files(app) if SECRET_TEXT[:20].encode() in path.read_bytes()]
    assert found == []
