"""Fixtures for the adversarial pass: a staffed running session, clients per role, database snapshots.

The realtime fixtures (real relays in a thread or as processes, real websocket peers) come from
tests/realtime/conftest.py, so both suites exercise the relay the same way.
"""
from __future__ import annotations

import datetime as dt
import re
import uuid

import pytest
from sqlalchemy import select

from harness.processes import free_port
from tests.conftest import SECRET
from tests.realtime import conftest as realtime
from tests.realtime.conftest import Peer, RelayProcess, ThreadRelay, World
from webapp.clock import today_tokyo
from webapp.db import Base, db_session

#: The realtime folder's fixtures, for this folder's tests too (both suites drive the relay the same way).
peers, relay, relay_config, relay_processes, world = (realtime.peers, realtime.relay, realtime.relay_config,
                                                      realtime.relay_processes, realtime.world)

#: Columns that change merely because someone is connected or looked at a page.
VOLATILE = {("checkins", "last_seen_at")}
#: Tables that change merely because a relay is alive or a resident is connected (presence, heartbeats).
VOLATILE_TABLES = {"relay_heartbeats", "checkin_presence"}

__all__ = ["SECRET", "Peer", "RelayProcess", "ThreadRelay", "World", "free_port",
           "snapshot", "csrf_token", "Roles"]


def snapshot() -> dict[str, list[tuple]]:
    """Every row of every table (volatile columns left out): equal snapshots mean nothing was written."""
    db_session.remove()
    state = {}
    for table in Base.metadata.sorted_tables:
        if table.name in VOLATILE_TABLES:
            continue
        columns = [c for c in table.columns if (table.name, c.name) not in VOLATILE]
        rows = db_session.execute(select(*columns).order_by(*table.primary_key.columns)).all()
        state[table.name] = [tuple(row) for row in rows]
    db_session.remove()
    return state


def changed_tables(before: dict, after: dict) -> list[str]:
    return [name for name in before if before[name] != after[name]]


def csrf_token(client, page: str = "/reservations") -> str:
    """A valid CSRF token for this client's session, read from a page with a form."""
    html = client.get(page).get_data(as_text=True)
    found = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    assert found, f"no CSRF token on {page}"
    return found.group(1)


class Roles:
    """One HTTP client per role around a running session S (staffed by sato and tanaka) and a future one F.

    Roles: anonymous, resident (holds a check-in to S in its cookie), promoter (sato, assigned to S
    and F), other_promoter (kimura, assigned to neither), admin (boss).
    """

    NAMES = ("anonymous", "resident", "promoter", "other_promoter", "admin")
    LOGINS = {"promoter": "sato", "other_promoter": "kimura", "admin": "boss"}

    def __init__(self, app, world: World, make_session):
        from webapp.staff.models import User
        from webapp.staff.operations import issue_api_token, rotate_feed_token

        self.app = app
        self.world = world
        self.S = world.session_id
        future = make_session(day=today_tokyo() + dt.timedelta(days=40), promoters=["sato"], capacity=50)
        self.F, self.F_slot = future.id, future.slots[0].id
        self.bearer, self.feed_token = {}, None
        for role, login in self.LOGINS.items():
            user = db_session.get(User, world.user_ids[login])
            self.bearer[role] = issue_api_token(user)
            if login == "sato":
                self.feed_token = rotate_feed_token(user)
        db_session.remove()

    def client(self, role: str):
        """A fresh client acting as `role` (logged in through the form, or checked in through the page)."""
        client = self.app.test_client()
        if role in self.LOGINS:
            response = client.post("/staff/login", data={
                "login": self.LOGINS[role], "password": "correct-horse-battery", "csrf_token": csrf_token(client)})
            assert response.status_code == 302, f"{role} could not log in"
        elif role == "resident":
            response = client.post(f"/sessions/{self.S}/checkin", data={
                "avatar": "cat", "nickname": "", "reservation_code": "", "csrf_token": csrf_token(client)})
            assert response.status_code == 302 and "/checkins/wait" in response.headers["Location"]
        return client

    def held_checkin_id(self, client) -> int | None:
        with client.session_transaction() as cookie:
            held = cookie.get("checkin")
        return held["id"] if held else None


@pytest.fixture
def roles(app, world, make_session):
    return Roles(app, world, make_session)


@pytest.fixture
def unique():
    return lambda prefix="x": f"{prefix}{uuid.uuid4().hex[:6]}"
