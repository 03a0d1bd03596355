"""Real relays for the tests: one on a loopback thread, or separate `flask relay` processes.

Clients are real websocket clients (websockets.sync.client); nothing is mocked.
"""
from __future__ import annotations

import asyncio
import datetime as dt
import json
import math
import os
import threading
import time
import uuid
from pathlib import Path

import pytest
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import connect

from harness.processes import Process, free_port, http_answers
from realtime.tokens import issue_resident_token, issue_staff_token
from tests.conftest import SECRET
from tests.queue_view import fold
from webapp.clock import now_tokyo
from webapp.db import db_session
from webapp.timeutil import TOKYO


class Peer:
    """A websocket client that remembers every frame it received."""

    def __init__(self, url: str, **kwargs):
        self.ws = connect(url, open_timeout=30, legacy=True, **kwargs)
        self.seen: list[dict] = []
        self._unread: list[dict] = []
        #: Each session's queue as a console shows it (deltas applied; `queue_delta` frames read as `queue`).
        self.queues: dict[int, dict] = {}
        self.deltas: list[dict] = []

    def send(self, **frame) -> None:
        self.ws.send(json.dumps(frame, ensure_ascii=False))

    def _pull(self, timeout: float) -> dict | None:
        try:
            frame = json.loads(self.ws.recv(timeout=timeout))
        except TimeoutError:
            return None
        if frame.get("type") == "queue_delta":
            self.deltas.append(frame)
            frame = fold(frame, self.queues)
        elif frame.get("type") == "queue" and "session_id" in frame:
            fold(frame, self.queues)
        self.seen.append(frame)
        self._unread.append(frame)
        return frame

    def next(self, type_: str, timeout: float = 30, where=None, **match) -> dict:
        """The next unread frame of this type (with these field values, passing `where`); others stay unread."""
        deadline = time.monotonic() + timeout
        while True:
            for frame in self._unread:
                if (frame.get("type") == type_ and all(frame.get(k) == v for k, v in match.items())
                        and (where is None or where(frame))):
                    self._unread.remove(frame)
                    return frame
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"no {type_} {match} frame; unread: {self._unread}")
            self._pull(left)

    def shows_queue(self, session_id: int, where, timeout: float = 30) -> dict:
        """The session's queue as this console shows it now or once it satisfies `where` (frames read meanwhile
        stay unread for `next`). A change undone before the relay looked (a check-in gone at once) sends nothing."""
        deadline = time.monotonic() + timeout
        while True:
            shown = self.queues.get(session_id)
            if shown is not None and where(shown):
                return shown
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"session {session_id}'s queue never satisfied the condition; shown: {shown}")
            self._pull(left)

    def drain(self, wait: float = 0.5) -> list[dict]:
        """Every unread frame, including what arrives in the next `wait` seconds."""
        deadline = time.monotonic() + wait
        while (left := deadline - time.monotonic()) > 0:
            self._pull(left)
        frames, self._unread = self._unread, []
        return frames

    def close(self) -> None:
        self.ws.close()


def closed_by_server(peer: Peer, timeout: float = 30) -> tuple[int, str]:
    """Read until the relay closes `peer`'s connection (AssertionError after `timeout`); its code and reason."""
    deadline = time.monotonic() + timeout
    while (left := deadline - time.monotonic()) > 0:
        try:
            peer.ws.recv(timeout=left)
        except TimeoutError:
            break
        except ConnectionClosed:
            return peer.ws.close_code, peer.ws.close_reason
    raise AssertionError(f"the connection was still open after {timeout:.0f} s")


def refused_handshake(url: str, **kwargs) -> int:
    """The HTTP status with which the relay refuses to open a connection to `url`."""
    with pytest.raises(InvalidStatus) as refusal:
        connect(url, open_timeout=30, **kwargs).close()
    return refusal.value.response.status_code


class ThreadRelay:
    """realtime.server.run on a free loopback port in a thread of this process (shares the test database)."""

    def __init__(self, config: dict):
        self.config = config
        self.port = None
        self._ready = threading.Event()
        self._thread = threading.Thread(target=lambda: asyncio.run(self._main()), daemon=True)

    async def _main(self):
        from realtime.server import run

        self.loop = asyncio.get_running_loop()
        self.stop = self.loop.create_future()
        try:
            await run(self.config, "127.0.0.1", 0, self.stop, bind_database=False, on_ready=self._on_ready)
        finally:
            self._ready.set()

    def _on_ready(self, port: int) -> None:
        self.port = port
        self._ready.set()

    def start(self) -> ThreadRelay:
        self._thread.start()
        assert self._ready.wait(15) and self.port, "the relay did not start"
        return self

    def url(self, token: str) -> str:
        return f"ws://127.0.0.1:{self.port}/ws?token={token}"

    def shutdown(self) -> None:
        # End the calling test's own transaction first: on SQLite it may hold the write lock, and the
        # relay's last writes (residents seen, connections let go) would wait for it until the busy timeout.
        db_session.remove()
        if self._thread.is_alive():
            self.loop.call_soon_threadsafe(lambda: self.stop.done() or self.stop.set_result(None))
            self._thread.join(15)


class RelayProcess:
    """`flask --app wsgi relay` as a separate process, on the test database (started through harness.processes)."""

    def __init__(self, database_url: str, port: int | None = None, redis_url: str | None = None,
                 prefix: str | None = None, extra_env: dict | None = None, log_path: Path | None = None):
        self.port = port or free_port()
        env = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": SECRET,
               "RELAY_PUBLIC_URL": f"ws://127.0.0.1:{self.port}/ws", **(extra_env or {})}
        env.pop("REDIS_URL", None)
        if redis_url:
            env["REDIS_URL"] = redis_url
            env["RELAY_CHANNEL_PREFIX"] = prefix or f"test:{uuid.uuid4().hex[:8]}:"
        self.log_path = log_path
        self.process = Process(["python", "-m", "flask", "--app", "wsgi", "relay", "--host", "127.0.0.1",
                                "--port", str(self.port)], env=env, log=log_path, stderr_pipe=log_path is None)

    @property
    def env(self) -> dict:
        return self.process.env

    @property
    def proc(self):
        return self.process.proc

    def start(self, wait: bool = True) -> RelayProcess:
        self.process.start()
        if wait:
            self.wait_healthy()
        return self

    def wait_healthy(self, timeout: float = 60) -> None:
        self.process.wait_ready(lambda: http_answers(self.port, "/healthz"), timeout, what="the relay")

    def log(self) -> str:
        return self.process.log()

    def url(self, token: str) -> str:
        return f"ws://127.0.0.1:{self.port}/ws?token={token}"

    def kill(self) -> None:
        """SIGKILL: no goodbye, no clean-up, like a crashed machine."""
        self.process.kill()

    def terminate(self) -> int:
        return self.process.stop()


@pytest.fixture
def relay_config(app):
    config = dict(app.config)
    config["RELAY_MAINTENANCE_S"] = 1
    config["REDIS_URL"] = None
    return config


@pytest.fixture
def relay(relay_config):
    """A real relay in a thread of this process."""
    running = ThreadRelay(relay_config).start()
    yield running
    running.shutdown()


@pytest.fixture
def relay_processes(database_url, tmp_path):
    """Start relay processes: relay_processes(redis_url=None); all are stopped afterwards."""
    started = []

    def start(**kwargs):
        kwargs.setdefault("log_path", tmp_path / f"relay-{len(started)}.log")
        process = RelayProcess(database_url, **kwargs).start()
        started.append(process)
        return process

    yield start
    for process in started:
        process.terminate()


@pytest.fixture
def peers():
    """Open websocket clients; all are closed afterwards."""
    opened = []

    def open_peer(url, **kwargs):
        peer = Peer(url, **kwargs)
        opened.append(peer)
        return peer

    yield open_peer
    for peer in opened:
        try:
            peer.close()
        except Exception:  # noqa: BLE001  (already closed by the server)
            pass


def open_today(make_session, fmt="in_person", promoters=("sato", "tanaka"), join_url=""):
    """A session of today that is running now."""
    now = now_tokyo().replace(second=0, microsecond=0)
    day = now.date()
    start = max(now - dt.timedelta(hours=1), dt.datetime.combine(day, dt.time(0, 0), tzinfo=TOKYO))
    end = min(now + dt.timedelta(hours=3), dt.datetime.combine(day, dt.time(23, 59), tzinfo=TOKYO))
    # Late in the Tokyo evening the day cuts the session at 23:59: shorter slots, cut back from the end, so
    # its last slot still lies ahead (tests reserve it) until 23:49.
    # (Only then: in the first hour after midnight the grid cut back from the end would start the day before.)
    slot = 30 if end == now + dt.timedelta(hours=3) else 10
    start = end - dt.timedelta(minutes=slot) * math.ceil((end - start) / dt.timedelta(minutes=slot))
    midnight = dt.datetime.combine(day, dt.time(0, 0), tzinfo=TOKYO)
    if start < midnight:  # just after midnight: begin at 00:00 and cut the end back to whole slots instead
        start, end = midnight, midnight + dt.timedelta(minutes=slot) * ((end - midnight) // dt.timedelta(minutes=slot))
    return make_session(day=day, start=start.strftime("%H:%M"), end=end.strftime("%H:%M"), fmt=fmt,
                        promoters=list(promoters), join_url=join_url, slot_minutes=slot)


class World:
    """A running session with two promoters (sato, tanaka), an admin, and helpers to check residents in."""

    def __init__(self, app, make_user, make_session, fmt="in_person"):
        from webapp.staff.models import User

        self.app = app
        self.users = {login: make_user(login, role=role) for login, role in
                      (("sato", "promoter"), ("tanaka", "promoter"), ("kimura", "promoter"), ("boss", "admin"))}
        self.session = open_today(make_session, fmt=fmt, join_url="https://example.org/room")
        self.session_id = self.session.id
        self.user_ids = {login: u.id for login, u in self.users.items()}
        self._User = User
        db_session.remove()

    def staff_token(self, login: str) -> str:
        user = db_session.get(self._User, self.user_ids[login])
        try:
            return issue_staff_token(SECRET, user)
        finally:
            db_session.remove()

    def check_in(self, avatar="cat", nickname=None, session_id=None) -> tuple[int, str]:
        """A resident checks in through the operation; returns (checkin_id, token)."""
        from webapp.checkins import operations

        try:
            checkin = operations.check_in(session_id or self.session_id, avatar, nickname)
            return checkin.id, issue_resident_token(SECRET, checkin)
        finally:
            db_session.remove()

    def counts(self) -> dict:
        from webapp.checkins import operations

        try:
            return operations.counts(self.session_id)
        finally:
            db_session.remove()

    def checkin(self, checkin_id: int):
        from webapp.checkins import operations

        try:
            return operations.get(checkin_id)
        finally:
            db_session.remove()


@pytest.fixture
def world(app, make_user, make_session):
    return World(app, make_user, make_session)
