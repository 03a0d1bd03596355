"""The soak's load as figures: 2,000 websocket clients with churn against one `flask relay` process.

The same load as the soak test (harness/soakload.py: 20 running sessions of 99 residents and one
promoter, lines every 20 s per resident, a notice every 2 s per promoter, 20 reconnections a
second, for 60 s) on a scratch SQLite database. The test asserts only that nothing was lost,
duplicated or reordered; how fast it went depends on the machine, so it is measured here:
the time to open every connection, the rates reached, and what the relay dropped under load.
There is no baseline: these figures are informational, except the problem count (must be 0).
BENCH_SOAK_RESIDENTS and BENCH_SOAK_SECONDS make a smaller, shorter run for a quick look.
"""
from __future__ import annotations

import datetime as dt
import os
import tempfile
from pathlib import Path
from types import SimpleNamespace

from sqlalchemy import insert

from bench._databases import migrated_app, scratch_sqlite
from bench._results import record
from harness.processes import Process, free_port, http_answers
from harness.soak import ACK_TIMEOUT_S, LOAD, RESIDENTS, SESSIONS, raise_fd_limit, run_load
from realtime.tokens import issue_resident_token, issue_staff_token
from webapp.checkins.models import CheckIn
from webapp.clock import now_tokyo
from webapp.db import utcnow
from webapp.sessions.models import Session, session_promoters
from webapp.staff.models import User
from webapp.timeutil import at_tokyo

SECRET = "bench-only"
COUNT = int(os.environ.get("BENCH_SOAK_RESIDENTS", RESIDENTS))
PLAN = {**LOAD, "duration_s": int(os.environ.get("BENCH_SOAK_SECONDS", LOAD["duration_s"]))}


def _fill(engine) -> tuple[list[dict], list[dict]]:
    """Sessions of today with one promoter each and their waiting check-ins; (residents, staff) of the plan."""
    today = now_tokyo().date()
    now = utcnow()
    staff, sessions = [], []
    with engine.begin() as conn:
        for n in range(SESSIONS):
            session_id = conn.execute(insert(Session).values(
                date=today, starts_at=at_tokyo(today, dt.time(0, 0)), ends_at=at_tokyo(today, dt.time(23, 59)),
                format="online", location="soak").returning(Session.id)).scalar_one()
            user_id = conn.execute(insert(User).values(
                login=f"soak{n:02d}", display_name=f"推進員{n}", role="promoter", password_hash="x",
            ).returning(User.id)).scalar_one()
            conn.execute(insert(session_promoters).values(session_id=session_id, user_id=user_id))
            sessions.append(session_id)
            staff.append({"session_id": session_id,
                          "token": issue_staff_token(SECRET, SimpleNamespace(id=user_id))})
        conn.execute(insert(CheckIn), [
            {"session_id": sessions[i % SESSIONS], "avatar": "cat", "nickname": "", "source": "resident",
             "status": "waiting", "urgent": False, "token_version": 0, "created_at": now, "last_seen_at": now}
            for i in range(COUNT)])
        rows = conn.execute(CheckIn.__table__.select().with_only_columns(CheckIn.id, CheckIn.session_id)
                            .order_by(CheckIn.id)).all()
    residents = [{"checkin_id": c, "session_id": s,
                  "token": issue_resident_token(SECRET, SimpleNamespace(id=c, token_version=0))} for c, s in rows]
    return residents, staff


def main() -> None:
    raise_fd_limit(COUNT + SESSIONS + 512)
    with scratch_sqlite() as url, tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        app = migrated_app(url)
        residents, staff = _fill(app.extensions["engine"])
        app.extensions["engine"].dispose()
        port = free_port()
        env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "RATELIMIT_ENABLED")}
        env.update(DATABASE_URL=url, SECRET_KEY=SECRET, RELAY_PUBLIC_URL=f"ws://127.0.0.1:{port}/ws",
                   RELAY_DB_THREADS="8", PYTHONUNBUFFERED="1")
        relay = Process(["python", "-m", "flask", "--app", "wsgi", "relay", "--host", "127.0.0.1",
                         "--port", str(port)], env=env, log=folder / "relay.log").start()
        try:
            relay.wait_ready(lambda: http_answers(port, "/healthz"), what="the relay")
            result = run_load({"url": f"ws://127.0.0.1:{port}/ws", "residents": residents, "staff": staff,
                               **PLAN}, folder)
            survived = relay.alive()
        finally:
            relay.stop()

    counts, seconds = result["counts"], PLAN["duration_s"]
    clients = COUNT + SESSIONS
    print(f"  soak: {sum(len(v) for v in result['problems'].values())} problem(s) "
          f"{sorted(result['problems'])}; relay {'kept running' if survived else 'DIED'}", flush=True)
    record("soak", f"time to open {clients:,} connections", counts.get("ramp_s", 0), "s",
           note=f"at most {LOAD['connect_concurrency']} handshakes at a time; informational")
    record("soak", "lines acknowledged", counts.get("messages_acked", 0) / seconds, "lines/s", better="higher",
           note=f"planned about {COUNT / LOAD['message_every_s']:.0f}/s over {seconds} s; informational")
    record("soak", "announcement deliveries", counts.get("announcement_deliveries", 0) / seconds, "frames/s",
           better="higher", note=f"planned about {clients // SESSIONS - 1} residents x "
                                 f"{SESSIONS / LOAD['announce_every_s']:.0f} notices/s; informational")
    record("soak", "reconnections (churn)", counts.get("reconnects", 0) / seconds, "reconnects/s", better="higher",
           note=f"planned {LOAD['churn_per_s']}/s; informational")
    record("soak", "connections the relay dropped", counts.get("unexpected_drops", 0), "drops",
           note=f"{counts.get('resumes', 0)} resumes, {counts.get('ack_timeouts', 0)} acknowledgements "
                f"over {ACK_TIMEOUT_S} s, {counts.get('failed_connect_attempts', 0)} refused handshakes; informational")
    record("soak", "losses, duplicates and reorderings", sum(len(v) for v in result["problems"].values()),
           "problems", max_value=0, note="what the soak test asserts")
