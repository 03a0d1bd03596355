"""Scratch databases for benchmarks: a SQLite file in a temporary folder, and a PostgreSQL
database created on the server for one run and dropped afterwards."""
from __future__ import annotations

import contextlib
import logging
import os
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

#: The server scratch databases are made on; the same default as the test suite's CI.
DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def postgres_server() -> str:
    return os.environ.get("BENCH_DATABASE_URL") or os.environ.get("TEST_DATABASE_URL") or DEFAULT_POSTGRES


@contextlib.contextmanager
def scratch_sqlite() -> Iterator[str]:
    """The URL of a new SQLite file, removed afterwards."""
    with tempfile.TemporaryDirectory() as folder:
        yield f"sqlite:///{Path(folder) / 'bench.sqlite3'}"


@contextlib.contextmanager
def scratch_postgres() -> Iterator[str | None]:
    """The URL of a new PostgreSQL database (dropped afterwards), or None with a printed reason
    when the server cannot be reached: a benchmark then reports SQLite's figures only."""
    base = postgres_server()
    scratch = f"ikomaru_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{scratch}"'))
    except Exception as err:  # noqa: BLE001  (no server: say so and carry on)
        print(f"PostgreSQL: skipped, {make_url(base).render_as_string()} is not reachable ({err.__class__.__name__})")
        admin.dispose()
        yield None
        return
    try:
        yield make_url(base).set(database=scratch).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)'))
        admin.dispose()


def each_database() -> Iterator[tuple[str, str]]:
    """("SQLite", url), then ("PostgreSQL", url) when the server is reachable: each a scratch
    database, removed once the caller moves on to the next."""
    with scratch_sqlite() as url:
        yield "SQLite", url
    with scratch_postgres() as url:
        if url:
            yield "PostgreSQL", url


def migrated_app(url: str, **config):
    """The web app on `url`, migrated to the newest schema, with rate limits off (one client
    on loopback is not an attacker) and Alembic's INFO lines quiet."""
    from flask_migrate import upgrade

    from webapp import create_app

    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench-only", "RATELIMIT_ENABLED": False, **config})
    # migrations/env.py reloads alembic.ini's logging config (INFO) on every upgrade, so a level set
    # on the logger beforehand is undone; switch INFO off around the upgrade instead.
    logging.disable(logging.INFO)
    try:
        with app.app_context():
            upgrade()
    finally:
        logging.disable(logging.NOTSET)
    return app
