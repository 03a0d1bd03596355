"""Soak: 2,000 live websocket connections to a real relay process for 60 seconds with churn.

1,980 residents in 20 running sessions write numbered lines and wait for each echo; 20 promoters
(one per session) announce numbered notices every 2 seconds and read every line of their session;
about 20 residents a second close and come back with the same token. Nothing may be lost,
duplicated or reordered: checked on every client and, for the lines, in the database.
The clients run in their own asyncio process (tests/soak/load.py). Run alone:
`.venv/bin/pytest -m soak -s tests/soak` (it prints the numbers).
"""
from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

import pytest
from sqlalchemy import insert, select

from realtime.tokens import issue_resident_token, issue_staff_token
from tests.conftest import SECRET
from tests.realtime.conftest import RelayProcess
from webapp.checkins.models import CheckIn, Message
from webapp.db import db_session, utcnow
from webapp.timeutil import TOKYO

pytestmark = pytest.mark.soak

SESSIONS = 20
RESIDENTS = 1980           # + 20 staff connections = 2,000
DURATION_S = 60
MESSAGE_EVERY_S = 20       # each resident: about 100 lines a second in all
ANNOUNCE_EVERY_S = 2       # each promoter: 10 notices a second in all, each to 99 residents
CHURN_PER_S = 20           # resident reconnections a second
LOAD = Path(__file__).with_name("load.py")


def _running_sessions(make_user, make_session) -> list[tuple[int, object]]:
    """Sessions running now and for the next few minutes (just before midnight, wait for the new day)."""
    now = dt.datetime.now(TOKYO)
    if now.hour == 23 and now.minute >= 53:
        time.sleep((now.replace(hour=0, minute=0, second=30) + dt.timedelta(days=1) - now).total_seconds())
    now = dt.datetime.now(TOKYO).replace(second=0, microsecond=0)
    start = max(now - dt.timedelta(hours=1), now.replace(hour=0, minute=0))
    end = min(now + dt.timedelta(hours=2), now.replace(hour=23, minute=59))
    made = []
    for n in range(SESSIONS):
        promoter = make_user(f"soak{n:02d}")
        session = make_session(day=now.date(), start=start.strftime("%H:%M"), end=end.strftime("%H:%M"),
                               fmt="online", promoters=[promoter.login])
        made.append((session.id, promoter))
    return made


def _plan(relay_url: str, sessions) -> dict:
    now = utcnow()
    rows = [{"session_id": session_id, "avatar": "cat", "nickname": "", "source": "resident", "status": "waiting",
             "urgent": False, "token_version": 0, "created_at": now, "last_seen_at": now}
            for n in range(RESIDENTS) for session_id in [sessions[n % SESSIONS][0]]]
    db_session.execute(insert(CheckIn), rows)
    db_session.commit()
    residents = [{"checkin_id": c.id, "session_id": c.session_id, "token": issue_resident_token(SECRET, c)}
                 for c in db_session.scalars(select(CheckIn).order_by(CheckIn.id))]
    staff = [{"session_id": session_id, "token": issue_staff_token(SECRET, user)} for session_id, user in sessions]
    db_session.remove()
    return {"url": relay_url, "residents": residents, "staff": staff, "duration_s": DURATION_S,
            "message_every_s": MESSAGE_EVERY_S, "announce_every_s": ANNOUNCE_EVERY_S, "churn_per_s": CHURN_PER_S,
            "connect_concurrency": 64, "seed": 7}


def _stored_lines() -> dict[int, list[str]]:
    lines = defaultdict(list)
    for checkin_id, text in db_session.execute(select(Message.checkin_id, Message.text).order_by(Message.id)):
        lines[checkin_id].append(text)
    db_session.remove()
    return lines


def test_two_thousand_clients_with_churn_for_a_minute_lose_duplicate_and_reorder_nothing(
        app, database_url, make_user, make_session, tmp_path):
    sessions = _running_sessions(make_user, make_session)
    relay = RelayProcess(database_url, log_path=tmp_path / "relay.log",
                         extra_env={"RELAY_DB_THREADS": "8", "PYTHONUNBUFFERED": "1"}).start()
    try:
        plan = _plan(f"ws://127.0.0.1:{relay.port}/ws", sessions)
        (tmp_path / "plan.json").write_text(json.dumps(plan))
        command = [sys.executable, str(LOAD), str(tmp_path / "plan.json"), str(tmp_path / "result.json")]
        clients = subprocess.run(command, capture_output=True, text=True, timeout=DURATION_S + 420)
        assert clients.returncode == 0, clients.stderr[-3000:]
        result = json.loads((tmp_path / "result.json").read_text())
        assert relay.proc.poll() is None, "the relay died under load"
    finally:
        relay.terminate()
    counts, problems = result["counts"], result["problems"]
    print(f"\nsoak: {json.dumps(counts, sort_keys=True)} peak_open={result['peak_open']}")

    assert counts["open_when_steady"] == RESIDENTS + SESSIONS, "not every client got connected"
    assert result["peak_open"] == RESIDENTS + SESSIONS
    assert problems == {}, json.dumps(problems, ensure_ascii=False)[:4000]
    assert counts["open_at_end"] == RESIDENTS + SESSIONS
    assert counts["messages_acked"] >= RESIDENTS * (DURATION_S // MESSAGE_EVERY_S) * 0.9
    assert counts["reconnects"] >= CHURN_PER_S * DURATION_S * 0.5
    assert counts["announcements_made"] >= SESSIONS * (DURATION_S // ANNOUNCE_EVERY_S) * 0.9
    assert counts["announcement_deliveries"] >= counts["announcements_made"] * (RESIDENTS // SESSIONS) * 0.9

    stored = _stored_lines()
    wrong = [cid for cid, sent in result["sent"].items()
             if stored.get(int(cid), []) != [f"seq {cid} {n}" for n in range(sent)]]
    assert wrong == [], f"{len(wrong)} check-ins whose stored lines are not exactly the acknowledged ones"
    log = relay.log()
    assert "Traceback" not in log and " ERROR " not in log, log[-3000:]
