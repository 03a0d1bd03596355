"""Fixtures: an app on a freshly migrated database (SQLite, or PostgreSQL with TEST_BACKEND=postgres)."""
from __future__ import annotations

import datetime as dt
import os
import shutil
import uuid

import pytest
from flask import g
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from harness.processes import Process, free_port, redis_answers
from webapp import create_app
from webapp.clock import now_tokyo
from webapp.db import db_session
from webapp.staff import passwords
from webapp.timeutil import TOKYO

BACKEND = os.environ.get("TEST_BACKEND", "sqlite")

# Hashing at production cost (scrypt N=2**15, about 0.1 s each) was half of the suite's CPU time, spent
# creating staff accounts and logging in. Tests hash at a low cost; a stored hash names its own cost, so
# the same code verifies it, in this process and in the servers the tests start.
passwords.SCRYPT_N = 2**10
SECRET = "test-secret-key-not-for-production"


def pytest_collection_modifyitems(config, items):
    """Tests of SQLite's own behaviour (marked sqlite_only) are deselected on PostgreSQL, not skipped:
    they do not apply there, so they are not counted at all."""
    if BACKEND == "sqlite":
        return
    kept = [item for item in items if item.get_closest_marker("sqlite_only") is None]
    if len(kept) != len(items):
        config.hook.pytest_deselected(items=[item for item in items if item not in kept])
        items[:] = kept


def _migrate(url: str) -> None:
    """Run the real Alembic migrations, as `flask db upgrade` does."""
    from flask_migrate import upgrade

    app = create_app({"DATABASE_URL": url, "SECRET_KEY": SECRET})
    with app.app_context():
        upgrade()
    app.extensions["engine"].dispose()


#: Tables the migrations fill (the outcome vocabulary, the crisis phrases and contacts): put back
#: after each PostgreSQL test empties the database.
SEEDED_TABLES = ("terms", "crisis_phrases", "crisis_contacts")


@pytest.fixture(scope="session")
def database_template(tmp_path_factory):
    """A migrated database made once per run and process: a file to copy (SQLite) or a database to empty
    (PostgreSQL). Under pytest-xdist every worker has its own session, so its own template and tmp_path."""
    if BACKEND == "postgres":
        base = os.environ.get("TEST_DATABASE_URL")
        if not base:
            pytest.fail("TEST_BACKEND=postgres needs TEST_DATABASE_URL (e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test)")
        # One database per process: each pytest-xdist worker ("gw0", "gw1") makes its own template.
        worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
        name = f"ikomaru_test_{worker}_{uuid.uuid4().hex[:8]}"
        admin = create_engine(base, isolation_level="AUTOCOMMIT")
        try:
            with admin.connect() as conn:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
                conn.execute(text(f'ALTER DATABASE "{name}" SET synchronous_commit = off'))
        except Exception as err:  # noqa: BLE001  (a missing server must fail the run, not skip it)
            pytest.fail(f"PostgreSQL at {base} is not reachable: {err}")
        url = make_url(base).set(database=name).render_as_string(hide_password=False)
        _migrate(url)
        engine = create_engine(url)
        with engine.connect() as conn:
            seeds = {table: [dict(r._mapping) for r in conn.execute(text(f"SELECT * FROM {table} ORDER BY id"))]
                     for table in SEEDED_TABLES}
            tables = [r[0] for r in conn.execute(text(
                "SELECT tablename FROM pg_tables WHERE schemaname='public' AND tablename <> 'alembic_version'"))]
        yield {"url": url, "seeds": seeds, "engine": engine,
               "empty": "; ".join(f'DELETE FROM "{t}"' for t in tables)}
        engine.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
    else:
        path = tmp_path_factory.mktemp("template") / "template.sqlite3"
        _migrate(f"sqlite:///{path}")
        yield {"path": path}


def _empty_postgres(template: dict) -> None:
    """Empty every table and put the seeded rows back, in one transaction.

    DELETE with the foreign keys' triggers off (session_replication_role) is several times faster than
    TRUNCATE on tables this small (TRUNCATE makes new files for each table); ids start again at 1."""
    with template["engine"].begin() as conn:
        conn.execute(text("SET LOCAL session_replication_role = replica"))
        conn.execute(text(template["empty"]))
        conn.execute(text("SELECT setval(c.oid, 1, false) FROM pg_class c JOIN pg_namespace n "
                          "ON n.oid = c.relnamespace WHERE c.relkind = 'S' AND n.nspname = 'public'"))
        for table, rows in template["seeds"].items():
            if rows:
                cols = list(rows[0])
                conn.execute(text(f"INSERT INTO {table} ({', '.join(cols)}) "
                                  f"VALUES ({', '.join(':' + c for c in cols)})"), rows)
                conn.execute(text(f"SELECT setval('{table}_id_seq', (SELECT max(id) FROM {table}))"))


@pytest.fixture
def database_url(database_template, tmp_path):
    """A URL to a migrated, empty database of its own for this test."""
    if BACKEND == "postgres":
        _empty_postgres(database_template)
        return database_template["url"]
    path = tmp_path / "db.sqlite3"
    shutil.copy(database_template["path"], path)
    return f"sqlite:///{path}"


@pytest.fixture
def app(database_url):
    """The app on this test's own database."""
    # Admins sign in with the password alone here; tests of the second factor turn ADMIN_2FA_REQUIRED on.
    app = create_app({"TESTING": True, "DATABASE_URL": database_url, "SECRET_KEY": SECRET,
                      "WTF_CSRF_ENABLED": True, "RATELIMIT_ENABLED": False, "ADMIN_2FA_REQUIRED": False})
    # Production pushes a fresh app context (so a fresh `g`) for every request; this test keeps one
    # open for the factories, so start each request with an empty `g` to keep requests apart.
    app.before_request_funcs.setdefault(None, []).insert(0, lambda: g.__dict__.clear())
    ctx = app.app_context()
    ctx.push()
    yield app
    ctx.pop()
    db_session.remove()
    app.extensions["engine"].dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def make_user(app):
    """Create a staff account: make_user("sato", role="promoter")."""
    from webapp.staff.operations import create_user

    def make(login="sato", role="promoter", display_name=None, password="correct-horse-battery"):
        return create_user(login, role, display_name or f"主任推進員 {login}", password)

    return make


@pytest.fixture
def staff_token(make_user):
    """An API token for a new account of the given role: staff_token("admin")."""
    from webapp.staff.operations import issue_api_token

    def make(role="admin", login=None):
        user = make_user(login or f"{role}-{uuid.uuid4().hex[:6]}", role=role)
        return issue_api_token(user)

    return make


@pytest.fixture
def make_session(app):
    """Create a session through the real operation; defaults to 13:30-16:30 thirty days ahead."""
    from webapp.sessions.operations import SessionSpec, create_session

    def make(day=None, start="13:30", end="16:30", fmt="in_person", slot_minutes=30, capacity=2,
             promoters=(), location="生駒市役所", join_url=""):
        day = day or (now_tokyo().date() + dt.timedelta(days=30))
        starts = dt.datetime.combine(day, dt.time.fromisoformat(start), tzinfo=TOKYO)
        ends = dt.datetime.combine(day, dt.time.fromisoformat(end), tzinfo=TOKYO)
        return create_session(SessionSpec(date=day, starts_at=starts, ends_at=ends, format=fmt, location=location,
                                          join_url=join_url, slot_minutes=slot_minutes, capacity=capacity,
                                          promoters=list(promoters)))

    return make


class Auth:
    """Log a staff member in and out through the real login form."""

    def __init__(self, client):
        self.client = client

    def csrf(self, path="/staff/login") -> str:
        import re
        page = self.client.get(path).get_data(as_text=True)
        found = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page) or re.search(
            r'value="([^"]+)"[^>]*name="csrf_token"', page)
        assert found, f"no CSRF token on {path}"
        return found.group(1)

    def login(self, login="sato", password="correct-horse-battery"):
        return self.client.post("/staff/login", data={"login": login, "password": password,
                                                      "csrf_token": self.csrf()}, follow_redirects=True)

    def logout(self):
        return self.client.post("/staff/logout", data={"csrf_token": self.csrf("/staff/")}, follow_redirects=True)


@pytest.fixture
def auth(client):
    return Auth(client)


@pytest.fixture
def own_redis(tmp_path):
    """A redis-server of this test's own on a free port, so it can be killed without harming anyone: start(), kill()."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.fail("redis-server is not installed (apt-get install redis-server)")
    port = free_port()
    procs: list[Process] = []

    def start():
        process = Process([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
                          log=tmp_path / "redis.log", cwd=tmp_path).start()
        procs.append(process)
        process.wait_ready(lambda: redis_answers(port), what="redis-server")

    def kill():
        procs[-1].kill()

    start()
    yield {"url": f"redis://127.0.0.1:{port}/0", "start": start, "kill": kill}
    for process in procs:
        process.stop()


def redis_url_for_tests() -> str | None:
    """TEST_REDIS_URL (CI sets it), else this machine's Redis when it answers."""
    url = os.environ.get("TEST_REDIS_URL")
    if url:
        return url
    return "redis://127.0.0.1:6379/0" if redis_answers(6379) else None


@pytest.fixture
def redis_url():
    """The shared Redis, for tests of several relays or of Redis-kept limits; missing, they fail (never skip)."""
    url = redis_url_for_tests()
    if url is None:
        pytest.fail("no Redis: start one on 127.0.0.1:6379 or set TEST_REDIS_URL (.ci/run does)")
    return url
