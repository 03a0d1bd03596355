"""Soak: 2,000 live websocket connections to a real relay process for a minute with churn.

1,980 residents in 20 running sessions write numbered lines and wait for each echo; 20 promoters
(one per session) announce numbered notices every 2 seconds and read every line of their session;
about 20 residents a second close and come back with the same token. Then churn ends, everyone is
connected again and each promoter makes a last marker announcement. Nothing may be lost,
duplicated or reordered: checked on every client and, for the lines, in the database. Only what a
user would notice is asserted, never a rate: the figures (rates, drops, ramp time) are printed
here and measured by `make bench` (bench/soak.py). The clients run in their own asyncio process
(harness/soak.py, harness/soakload.py). Run alone: `make soak`.
"""
from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict

import pytest
from sqlalchemy import insert, select

from harness.processes import wait_until
from harness.soak import LOAD, RESIDENTS, SESSIONS, run_load
from realtime.tokens import issue_resident_token, issue_staff_token
from tests.conftest import SECRET
from tests.realtime.conftest import RelayProcess
from webapp.checkins.models import CheckIn, Message
from webapp.clock import now_tokyo
from webapp.db import db_session, utcnow

pytestmark = pytest.mark.soak


def _far_from_midnight() -> bool:
    """Sessions of today must run for the whole soak: not in the last minutes of the day."""
    now = now_tokyo()
    return not (now.hour == 23 and now.minute >= 45) and now.time() >= dt.time(0, 0, 30)


def _running_sessions(make_user, make_session) -> list[tuple[int, object]]:
    """Sessions running now and for the next hour or more (just before midnight, wait for the new day)."""
    wait_until(_far_from_midnight, timeout=20 * 60, what="the new day in Ikoma", every=1)
    now = now_tokyo().replace(second=0, microsecond=0)
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
    return {"url": relay_url, "residents": residents, "staff": staff, **LOAD}


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
        result = run_load(_plan(f"ws://127.0.0.1:{relay.port}/ws", sessions), tmp_path)
        assert relay.proc.poll() is None, "the relay died under load"
    finally:
        relay.terminate()
    counts, problems = result["counts"], result["problems"]
    print(f"\nsoak (figures, not asserted): {json.dumps(counts, sort_keys=True)} peak_open={result['peak_open']}")

    assert problems == {}, json.dumps(problems, ensure_ascii=False)[:4000]
    assert counts["open_when_steady"] == RESIDENTS + SESSIONS, "not every client got connected"
    # The run did what it says (lines, churn, announcements), so an empty problem list means something.
    assert counts["messages_acked"] > 0 and counts["reconnects"] > 0 and counts["announcement_deliveries"] > 0

    stored = _stored_lines()
    wrong = [cid for cid, sent in result["sent"].items()
             if stored.get(int(cid), []) != [f"seq {cid} {n}" for n in range(sent)]]
    assert wrong == [], f"{len(wrong)} check-ins whose stored lines are not exactly the acknowledged ones"
    log = relay.log()
    assert "Traceback" not in log and " ERROR " not in log, log[-3000:]
