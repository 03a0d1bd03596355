"""What a resident does on the pages, in a few reusable steps (clicks and typing only, no shortcuts)."""
from __future__ import annotations

import datetime as dt
import json
import re
import time

from webapp.clock import now_tokyo

CODE = re.compile(r"^[A-Z2-9]{5}(-[A-Z2-9]{5})+$")


def reserve(page, session_id: int, nickname: str = "", topic: str = "") -> str:
    """Reserve the first open slot of a session on its page; returns the code shown."""
    page.goto(f"/sessions/{session_id}")
    slot = page.locator("li.slot-open").first
    slot.locator("summary").click()
    if nickname:
        slot.locator("input[name$=nickname]").fill(nickname)
    if topic:
        slot.locator("textarea[name$=topic]").fill(topic)
    slot.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(r"/reservations/[A-Z2-9-]+$"))
    code = page.locator("#reservation-code").inner_text().strip()
    assert CODE.match(code), code
    return code


class Frames:
    """Every relay frame a page receives over its websockets (the page's own connection, observed)."""

    def __init__(self, page):
        self.page = page
        self.received: list[dict] = []
        page.on("websocket", self._watch)

    def _watch(self, ws) -> None:
        def keep(payload):
            try:
                self.received.append(json.loads(payload))
            except (TypeError, ValueError):
                pass
        ws.on("framereceived", keep)

    def wait_for(self, type_: str, timeout: float = 30, **match) -> dict:
        deadline = time.monotonic() + timeout
        while True:
            for frame in self.received:
                if frame.get("type") == type_ and all(frame.get(k) == v for k, v in match.items()):
                    return frame
            if time.monotonic() > deadline:
                got = [f.get("type") for f in self.received]
                raise AssertionError(f"the page got no {type_} {match} frame; got {got}")
            self.page.wait_for_timeout(50)


def check_in(page, session_id: int, avatar_index: int = 0, nickname: str = "", code: str = "") -> Frames:
    """Pick an avatar and step into the waiting room; returns once the relay has welcomed the page."""
    frames = Frames(page)
    page.goto(f"/sessions/{session_id}/checkin")
    page.locator(".avatar-option label").nth(avatar_index).click()
    if nickname:
        page.locator("#nickname").fill(nickname)
    if code:
        page.locator("#reservation_code").fill(code)
    page.locator("form.checkin-form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/checkins/wait"))
    frames.wait_for("welcome")
    return frames


def bring_the_end(server, session_id: int, page, frames: Frames) -> str:
    """The admin moves the session's end to a few seconds from now; returns what the waiting resident on
    `page` reads once the relay has ended their wait (`closed`, reason session_ended)."""
    soon = now_tokyo().replace(microsecond=0) + dt.timedelta(seconds=3)
    status, _ = server.api("PATCH", f"/sessions/{session_id}", login="admin", body={"ends_at": soon.isoformat()})
    assert status == 200
    frames.wait_for("closed", timeout=90, reason="session_ended")
    ended = page.locator("#ended")
    ended.wait_for(state="visible")
    return ended.inner_text()

