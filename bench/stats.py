"""How long a fiscal year's figures take with 100,000 check-ins, next to a bare count in the same run.

A migrated database (SQLite in a temporary file, then PostgreSQL in a scratch database on the
server bench/_databases.py names, dropped afterwards) gets fiscal year
2024 with 100,000 check-ins and fiscal year 2023 with 20,000, by bulk inserts. Then:
- baseline: one bare SQLAlchemy query counting the year's check-ins;
- summary: `queries.fiscal_year_stats(2024)`, everything the stats page and API show
  (both years: per format and month, medians, topics, results, referrals).
The goal is a summary under one second on both databases.
"""
from __future__ import annotations

import datetime as dt
import logging
import random
import statistics
import time

from sqlalchemy import func, insert, select, text

from bench._databases import each_database, migrated_app
from bench._results import record
from webapp.checkins.models import CheckIn, Outcome, Term, outcome_topics
from webapp.db import db_session
from webapp.sessions.models import Session
from webapp.staff.models import User
from webapp.timeutil import at_tokyo, fiscal_year_bounds, third_tuesday

YEARS = {2024: 100_000, 2023: 20_000}
ROUNDS = 5
CHUNK = 5_000
GOAL_MS = 1000


def _timed(run, rounds: int = ROUNDS) -> float:
    """Median milliseconds of `run()` over `rounds` runs, after one warm-up."""
    run()
    samples = []
    for _ in range(rounds):
        started = time.perf_counter()
        run()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def _sessions(conn, year: int) -> list[tuple[int, dt.datetime]]:
    """The year's twelve third-Tuesday sessions in the city's format plan; (id, start) of each."""
    plan = {4: "in_person", 5: "online", 6: "in_person", 7: "online", 8: "in_person", 9: "online",
            10: "in_person", 11: "metaverse", 12: "metaverse", 1: "metaverse", 2: "metaverse", 3: "metaverse"}
    made = []
    for month, fmt in plan.items():
        day = third_tuesday(year if month >= 4 else year + 1, month)
        start = at_tokyo(day, dt.time(13, 30))
        session_id = conn.execute(insert(Session).values(
            date=day, starts_at=start, ends_at=start + dt.timedelta(hours=3), format=fmt, location="bench",
        ).returning(Session.id)).scalar_one()
        made.append((session_id, start))
    return made


def _rows(rng: random.Random, count: int, sessions, first_id: int, promoter: int, terms: dict):
    """Check-ins with a realistic spread of statuses, their outcomes and topics."""
    checkins, outcomes, topics = [], [], []
    for n in range(count):
        checkin_id = first_id + n
        session_id, start = sessions[n % len(sessions)]
        created = start + dt.timedelta(seconds=rng.randrange(3 * 3600))
        roll = rng.random()
        status = "closed" if roll < 0.80 else "left" if roll < 0.95 else "removed" if roll < 0.98 else "waiting"
        taken = created + dt.timedelta(seconds=rng.randrange(30, 3600)) if status == "closed" else None
        ended = (taken or created) + dt.timedelta(seconds=rng.randrange(60, 2400)) if status != "waiting" else None
        checkins.append({"id": checkin_id, "session_id": session_id, "avatar": "cat", "nickname": "",
                         "source": "resident", "status": status, "urgent": False, "token_version": 0,
                         "created_at": created, "taken_at": taken, "taken_by_id": promoter if taken else None,
                         "handoff_mode": "text" if taken else None, "ended_at": ended})
        if status != "closed":
            continue
        consulted = rng.random() < 0.4
        kind = "consultation" if consulted else "visit_only"
        outcomes.append({"id": checkin_id, "checkin_id": checkin_id, "kind": kind,
                         "result_id": rng.choice(terms["result"]) if consulted else None,
                         "referred_to_id": rng.choice(terms["agency"]) if consulted and rng.random() < 0.5 else None,
                         "recorded_by_id": promoter, "recorded_at": ended})
        if consulted:
            for term_id in rng.sample(terms["topic"], rng.choice((1, 1, 2))):
                topics.append({"outcome_id": checkin_id, "term_id": term_id})
    return checkins, outcomes, topics


def _bulk(conn, table, rows: list[dict]) -> None:
    for i in range(0, len(rows), CHUNK):
        conn.execute(insert(table), rows[i:i + CHUNK])


def _fill(engine) -> None:
    """Bulk-insert both fiscal years in one transaction."""
    rng = random.Random(2024)
    with engine.begin() as conn:
        promoter = conn.execute(insert(User).values(login="bench", display_name="bench", role="promoter",
                                                    password_hash="x").returning(User.id)).scalar_one()
        terms = {kind: list(conn.scalars(select(Term.id).where(Term.kind == kind)))
                 for kind in ("topic", "result", "agency")}
        next_id = 1
        for year, count in YEARS.items():
            checkins, outcomes, topics = _rows(rng, count, _sessions(conn, year), next_id, promoter, terms)
            _bulk(conn, CheckIn.__table__, checkins)
            _bulk(conn, Outcome.__table__, outcomes)
            _bulk(conn, outcome_topics, topics)
            next_id += count
        if engine.dialect.name == "postgresql":
            conn.execute(text("ANALYZE"))


def _baseline() -> int:
    first, last = fiscal_year_bounds(2024)
    return db_session.scalar(
        select(func.count(CheckIn.id)).join(Session, CheckIn.session_id == Session.id)
        .where(Session.date.between(first, last), CheckIn.status != "removed"))


def _measure(url: str, name: str) -> None:
    from webapp.stats.queries import fiscal_year_stats

    app = migrated_app(url)
    with app.app_context():
        started = time.perf_counter()
        _fill(app.extensions["engine"])
        fill_s = time.perf_counter() - started
        figures = fiscal_year_stats(2024)
        visits = figures["totals"]["visits"]
        assert visits == _baseline(), "the summary and the bare count disagree"
        baseline_ms = _timed(_baseline)
        summary_ms = _timed(lambda: fiscal_year_stats(2024))
        db_session.remove()
    app.extensions["engine"].dispose()
    print(f"{name}: {sum(YEARS.values()):,} check-ins loaded in {fill_s:.1f} s; FY2024 has {visits:,} visits")
    record("stats", f"FY summary of 100,000 check-ins, {name}", summary_ms, "ms", baseline=baseline_ms,
           baseline_name="bare COUNT of the year", max_value=GOAL_MS)


def main() -> None:
    logging.getLogger().setLevel(logging.WARNING)
    for name, url in each_database():
        _measure(url, name)


if __name__ == "__main__":
    main()
