"""Requests per second of the app under gunicorn on loopback, next to a bare Flask app in the same run.

Server: gunicorn as a subprocess on 127.0.0.1 (ports 9200-9299) with one fixed configuration for
the app and its baseline: `--workers 2 --worker-class sync`, the worker class docs/deploy.md runs,
one worker per core (see bench/_http_server.py). The app is wsgi.py's (webapp.create_app) on a
scratch database, migrated and filled with a fiscal year of sessions through the real operations.
Rate limiting is off (RATELIMIT_ENABLED=false): one loopback client hammering the reservation and
check-in doors is exactly what the limiter exists to throttle, so with it on we would measure 429s.

Baseline (bench/_bare_flask.py, same gunicorn set-up): `GET /json`, a small JSON document; and
`POST /insert`, one row inserted with bare SQLAlchemy Core and committed on the same database.

Client (bench/_http_load.py): asyncio over raw sockets, CONCURRENCY connections; only the expected
status counts, anything else stops the run. A figure and its baselines take turns (WARMUP s each
not counted, then ROUNDS turns of SLICE s each), so background load on this shared 2-core machine
hits both sides of a ratio alike. All servers of a group are up at once; idle ones cost nothing.
1. reads, measured before the write loads add sessions: GET /api/v1/sessions (this fiscal year's
   12 sessions, 72 slots) and a conditional GET /calendars/public.ics answered 304; target at least
   half the bare JSON rate;
2. reservations (POST /api/v1/slots/{id}/reservations, each one committed, seats spread over
   enough slots that every one is a 201) on SQLite and PostgreSQL; target a quarter of the bare JSON
   rate, and against the bare insert+commit on the same database: target 0.6x of it (issue 18);
3. resident check-ins (POST /api/v1/sessions/{id}/checkins) into a session open now, each
   committed, against the bare insert+commit on the same database; no target.

`BENCH_HTTP_PROFILE=1 python -m bench.http` profiles the app's workers instead (cProfile, see
bench/_http_wsgi.py) and prints what each load spends its time on (SHARES; BENCH_HTTP_PROFILE=full
adds pstats' top 40). Profiled rates are printed, never recorded; run it as `bench.http`, not through
`python -m bench`, which would write an empty bench/results.json. `BENCH_HTTP_ONLY=PostgreSQL` (or
`SQLite`) measures only the reservation figures, on that database alone, for a shorter run while
working on them (printed like any run of `bench.http`; commit only a full `make bench`).
"""
from __future__ import annotations

import contextlib
import datetime as dt
import http.client
import json
import logging
import os
import pstats
import tempfile
from collections.abc import Iterator
from pathlib import Path

from bench import _bare_flask
from bench._databases import each_database, migrated_app
from bench._http_load import Load, LoadError, interleaved, request
from bench._http_server import GUNICORN, gunicorn
from bench._results import record
from webapp.clock import now_tokyo

CONCURRENCY = 8
WARMUP = 1.0
ROUNDS, SLICE = 3, 1.5
#: Seats for the reservation loads: 2 days of 5-minute slots with 50 seats (the most allowed) each.
SEAT_DAYS, SEAT_CAPACITY = 2, 50
PROFILE = bool(os.environ.get("BENCH_HTTP_PROFILE"))
#: A database name ("PostgreSQL", "SQLite"): only its reservation figures (see the docstring).
ONLY = os.environ.get("BENCH_HTTP_ONLY", "")


# --- the data --------------------------------------------------------------------------------

def _fill(app) -> None:
    """This fiscal year's sessions through the real operations, with a reservation in the first upcoming six."""
    from webapp.db import utcnow
    from webapp.reservations.operations import reserve
    from webapp.sessions.operations import generate_fiscal_year, plan_defaults
    from webapp.sessions.queries import today_in_tokyo
    from webapp.staff.operations import create_user
    from webapp.timeutil import fiscal_year_of

    create_user("sato", "promoter", "主任推進員 さとう", "bench-password-1")
    create_user("tanaka", "promoter", "主任推進員 たなか", "bench-password-2")
    created, _ = generate_fiscal_year(fiscal_year_of(today_in_tokyo()), plan_defaults(app.config, ["sato", "tanaka"]))
    for session in [s for s in created if s.starts_at > utcnow()][:6]:
        reserve(session.slots[0].id, nickname="bench")


def _session(day: dt.date, start: dt.datetime, end: dt.datetime, **spec):
    from webapp.sessions.operations import SessionSpec, create_session

    return create_session(SessionSpec(date=day, starts_at=start, ends_at=end, format="online",
                                      promoters=["sato", "tanaka"], **spec))


def _seat_slots() -> list[int]:
    """Slot ids of whole days of 5-minute slots far ahead, SEAT_CAPACITY seats each, for the reservation load."""
    from webapp.timeutil import TOKYO

    ids = []
    for n in range(SEAT_DAYS):
        day = now_tokyo().date() + dt.timedelta(days=400 + n)
        start = dt.datetime.combine(day, dt.time(0, 0), tzinfo=TOKYO)
        session = _session(day, start, start + dt.timedelta(hours=23, minutes=55), slot_minutes=5,
                           capacity=SEAT_CAPACITY, location="bench")
        ids += [s.id for s in session.slots]
    return ids


def _open_session() -> int:
    """A session running now in Asia/Tokyo (as tests/checkins_ui make one), for resident check-ins."""

    now = now_tokyo().replace(second=0, microsecond=0)
    start = max(now - dt.timedelta(hours=1), now.replace(hour=0, minute=0))
    end = min(now + dt.timedelta(hours=2), now.replace(hour=23, minute=59))
    return _session(now.date(), start, end, join_url="https://example.org/room").id


# --- the loads -------------------------------------------------------------------------------

def _fixed(port: int, method: str, path: str, body: bytes = b"", headers: dict | None = None,
           expect=(200,)) -> Load:
    req = request(method, path, port, body, headers)
    return Load(port, lambda: req, expect)


def _reservations(port: int, slot_ids: list[int]) -> Load:
    """Each request takes the next free seat, slot after slot, so every one is a 201 and no slot is hammered."""
    seats = (sid for _ in range(SEAT_CAPACITY) for sid in slot_ids)
    body = json.dumps({"nickname": "bench"}).encode()

    def next_request() -> bytes:
        try:
            return request("POST", f"/api/v1/slots/{next(seats)}/reservations", port, body)
        except StopIteration:
            raise LoadError(f"out of seats: raise SEAT_DAYS above {SEAT_DAYS}") from None

    return Load(port, next_request, (201,))


def _etag(port: int, path: str) -> str:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("GET", path, headers={"Host": f"127.0.0.1:{port}"})
    answer = conn.getresponse()
    answer.read()
    conn.close()
    assert answer.status == 200, answer.status
    return answer.headers["ETag"]


@contextlib.contextmanager
def _app_server(url: str, label: str) -> Iterator[int]:
    """The real app under gunicorn, one per load so each profile is one load's;
    with BENCH_HTTP_PROFILE profiled, and the profile printed when it stops."""
    env = {"DATABASE_URL": url, "SECRET_KEY": "bench-only", "RATELIMIT_ENABLED": "false"}
    with tempfile.TemporaryDirectory() as folder:
        if PROFILE:
            env["BENCH_HTTP_PROFILE"] = folder
        with gunicorn("bench._http_wsgi:app", env, ready_path="/api/v1/avatars") as port:
            yield port
        if PROFILE:
            _print_profile(label, sorted(Path(folder).glob("*.prof")))


#: Where a request's time goes, as (label, file ending, function) whose cumulative time is shown
#: per request; the lines overlap (a query's time is inside the view's), they are not a sum.
SHARES = (
    ("whole request (Flask wsgi_app)", "flask/app.py", "wsgi_app"),
    ("  view function", "flask/app.py", "dispatch_request"),
    ("  every SQL statement (driver execute)", "sqlalchemy/engine/default.py", "do_execute"),
    ("  BEGIN IMMEDIATE (SQLite: waiting for the write lock)", "webapp/db.py", "_on_begin"),
    ("  pool pre-ping (PostgreSQL: SELECT 1 per checkout)", "sqlalchemy/engine/default.py", "_do_ping_w_event"),
    ("  ORM commit", "sqlalchemy/orm/scoping.py", "commit"),
    ("  ORM lazy loads", "sqlalchemy/orm/strategies.py", "_emit_lazyload"),
    ("  sessions.between (list query + eager loads)", "webapp/sessions/queries.py", "between"),
    ("  serialize.session", "webapp/api/serialize.py", "session"),
    ("  serialize.reservation", "webapp/api/serialize.py", "reservation"),
    ("  jsonify (JSON encoding)", "flask/json/provider.py", "response"),
    ("  calendars public_state (fingerprint query)", "calendars/queries.py", "public_state"),
    ("  reservations.reserve", "webapp/reservations/operations.py", "reserve"),
    ("  checkins.check_in", "webapp/checkins/operations/checkin.py", "check_in"),
    ("  checkins.position", "webapp/checkins/operations/queue.py", "position"),
    ("  checkins.promoter_count", "webapp/checkins/operations/queue.py", "promoter_count"),
    ("  resident relay token", "realtime/tokens.py", "issue_resident_token"),
    ("  before_request hooks (Flask-Login, CSRF, limiter, ...)", "flask/app.py", "preprocess_request"),
    ("  after_request hooks (security headers, ...)", "flask/app.py", "process_response"),
    ("  translations (Babel locale)", "flask_babel/__init__.py", "get_locale"),
    ("  teardown_request (the API's rollback)", "flask/app.py", "do_teardown_request"),
    ("  teardown_appcontext (db_session.remove)", "flask/app.py", "do_teardown_appcontext"),
)


def _print_profile(label: str, files: list[Path]) -> None:
    if not files:
        print(f"profile {label}: no profile written")
        return
    stats = pstats.Stats(*map(str, files)).stats
    calls = sum(n for (file, _, name), (_, n, *_rest) in stats.items()
                if name == "wsgi_app" and file.endswith("flask/app.py")) or 1
    whole = None
    print(f"\n---- profile: {label}, {calls} requests over {len(files)} worker(s); ms per request (cProfile) ----")
    for text, ending, function in SHARES:
        cumulative = sum(entry[3] for (file, _, name), entry in stats.items()
                         if name == function and file.endswith(ending))
        whole = whole or cumulative or 1
        if cumulative:
            print(f"{text:58} {cumulative / calls * 1000:7.2f} ms {cumulative / whole:6.0%}")
    if os.environ.get("BENCH_HTTP_PROFILE") == "full":
        pstats.Stats(*map(str, files)).sort_stats("cumulative").print_stats(40)


def _rates(loads: dict[str, Load]) -> dict[str, float]:
    rates = interleaved(loads, rounds=ROUNDS, seconds=SLICE, warmup=WARMUP, concurrency=CONCURRENCY)
    if PROFILE:
        print("; ".join(f"{name}: {value:,.0f} req/s" for name, value in rates.items()), "(profiled, not recorded)")
    return rates


def _record(name: str, value: float, **kwargs) -> None:
    if not PROFILE:
        record("http", name, value, "req/s", better="higher", **kwargs)


# --- one database ----------------------------------------------------------------------------

def _reads(url: str, db: str, bare: int) -> None:
    with contextlib.ExitStack() as stack:
        listing = stack.enter_context(_app_server(url, f"GET /api/v1/sessions, {db}"))
        feed = stack.enter_context(_app_server(url, f"GET /calendars/public.ics (304), {db}"))
        etag = _etag(feed, "/calendars/public.ics")
        rates = _rates({
            "json": _fixed(bare, "GET", "/json"),
            "list": _fixed(listing, "GET", "/api/v1/sessions"),
            "304": _fixed(feed, "GET", "/calendars/public.ics", headers={"If-None-Match": etag}, expect=(304,)),
        })
    base = {"baseline": rates["json"], "baseline_name": "bare Flask JSON", "min_ratio": 0.5}
    _record(f"GET /api/v1/sessions (a fiscal year), {db}", rates["list"], **base)
    _record(f"GET /calendars/public.ics If-None-Match (304), {db}", rates["304"], **base)


def _writes(url: str, db: str, bare: int, slot_ids: list[int], open_id: int) -> None:
    with contextlib.ExitStack() as stack:
        reserving = stack.enter_context(_app_server(url, f"POST reservation, {db}"))
        loads = {
            "json": _fixed(bare, "GET", "/json"),
            "insert": _fixed(bare, "POST", "/insert", b'{"payload": "bench"}', expect=(201,)),
            "reserve": _reservations(reserving, slot_ids),
        }
        if not ONLY:
            checking_in = stack.enter_context(_app_server(url, f"POST resident check-in, {db}"))
            loads["checkin"] = _fixed(checking_in, "POST", f"/api/v1/sessions/{open_id}/checkins",
                                      b'{"avatar": "cat"}', expect=(201,))
        rates = _rates(loads)
    insert = {"baseline": rates["insert"], "baseline_name": f"bare Flask insert+commit, {db}"}
    _record(f"POST reservation, {db}", rates["reserve"], baseline=rates["json"], baseline_name="bare Flask JSON",
            min_ratio=0.25)
    _record(f"POST reservation vs insert+commit, {db}", rates["reserve"], **insert, min_ratio=0.6)
    if "checkin" in rates:
        _record(f"POST resident check-in, {db}", rates["checkin"], **insert)


def _measure(url: str, db: str) -> None:
    """Every load on one database."""
    from webapp.db import db_session

    app = migrated_app(url)
    with app.app_context():
        _fill(app)
        db_session.remove()
    _bare_flask.create_table(url)
    with gunicorn("bench._bare_flask:app", {"BENCH_BARE_DATABASE_URL": url}, ready_path="/json") as bare:
        if not ONLY:
            _reads(url, db, bare)  # before the sessions below, so the list is one fiscal year
        with app.app_context():
            slot_ids, open_id = _seat_slots(), _open_session()
            db_session.remove()
        app.extensions["engine"].dispose()
        _writes(url, db, bare, slot_ids, open_id)


def main() -> None:
    logging.getLogger().setLevel(logging.WARNING)
    print(f"gunicorn {' '.join(GUNICORN)}; {CONCURRENCY} connections; each figure and its baselines take turns: "
          f"{WARMUP:g} s warm-up, then {ROUNDS} turns of {SLICE:g} s")
    for name, url in each_database():
        if not ONLY or name == ONLY:
            _measure(url, name)


if __name__ == "__main__":
    main()
