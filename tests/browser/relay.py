"""A promoter on the relay without a browser, for tests that need staff to act while they look at a resident.

Sync websockets only: inside Playwright's sync API an asyncio loop is already running.
"""
from __future__ import annotations

import json
import time

from websockets.sync.client import connect

from tests.queue_view import fold


class StaffRelay:
    """A staff connection with a token from GET /api/v1/realtime/token; remembers what it received."""

    def __init__(self, server, login: str):
        status, body = server.api("GET", "/realtime/token", login=login)
        assert status == 200, body
        self.ws = connect(f"{body['ws_url']}?token={body['token']}", open_timeout=10, legacy=True)
        self.frames: list[dict] = []
        self.queues: dict[int, dict] = {}

    def send(self, **frame) -> None:
        self.ws.send(json.dumps(frame, ensure_ascii=False))

    def wait_for(self, type_: str, timeout: float = 10, **match) -> dict:
        """The first frame (already received or arriving) of this type whose fields match."""
        deadline = time.monotonic() + timeout
        seen = 0
        while True:
            for frame in self.frames[seen:]:
                if frame.get("type") == type_ and all(frame.get(k) == v for k, v in match.items()):
                    return frame
            seen = len(self.frames)
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"no {type_} {match} from the relay; got {[f.get('type') for f in self.frames]}")
            try:
                frame = json.loads(self.ws.recv(timeout=left))
                # A delta is read as the queue it leaves on a console (tests/queue_view.py).
                self.frames.append(fold(frame, self.queues) or frame)
            except TimeoutError:
                continue

    def waiting_entry(self, session_id: int, timeout: float = 10, **match) -> dict:
        """A queue entry of the session matching the given fields (e.g. nickname=...)."""
        deadline = time.monotonic() + timeout
        while True:
            frame = self.wait_for("queue", timeout=max(deadline - time.monotonic(), 0.1), session_id=session_id)
            for entry in frame["entries"]:
                if all(entry.get(k) == v for k, v in match.items()):
                    return entry
            self.frames.remove(frame)  # look at the next queue frame

    def close(self) -> None:
        self.ws.close()
