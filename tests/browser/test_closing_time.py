"""Closing time on phones: the console warns and extends; at the end the waiting resident is sent somewhere kind."""
from __future__ import annotations

import datetime as dt
import re

import pytest

from tests.browser.conftest import PASSWORDS, PHONE, SCREENSHOTS, TOKYO
from tests.browser.steps import Frames, bring_the_end, check_in
from webapp.clock import now_tokyo

pytestmark = pytest.mark.browser


def short_session(server, minutes_left: int) -> dict:
    """A session of today, begun a while ago and ending in `minutes_left` minutes, run by sato."""
    now = now_tokyo().replace(second=0, microsecond=0)
    starts = max(now - dt.timedelta(minutes=30), dt.datetime.combine(now.date(), dt.time(0, 0), tzinfo=TOKYO))
    ends = now + dt.timedelta(minutes=minutes_left)
    status, session = server.api("POST", "/sessions", login="admin", body={
        "date": now.date().isoformat(), "starts_at": starts.isoformat(), "ends_at": ends.isoformat(),
        "format": "in_person", "location": "生駒市役所", "slot_minutes": 5, "capacity": 1, "promoters": ["sato"]})
    assert status == 201, session
    return session


def phone_console(browsing, session_id: int):
    page = browsing.page(PHONE)
    page.goto("/staff/login")
    page.locator("input[name=login]").fill("sato")
    page.locator("input[name=password]").fill(PASSWORDS["sato"])
    page.locator("form.narrow-form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/staff/$"))
    frames = Frames(page)
    page.goto(f"/staff/sessions/{session_id}/console")
    frames.wait_for("queue", session_id=session_id)
    return page, frames


def shot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"closing-{name}.png"), full_page=True)


def test_the_console_warns_the_promoter_extends_and_at_the_end_the_waiting_resident_gets_contacts(
        browsing, server):
    # Outside the closing window until both are connected: the notice goes out once, to whoever is there.
    session = short_session(server, minutes_left=12)
    sid = session["id"]
    console, console_frames = phone_console(browsing, sid)
    resident = browsing.page(PHONE)
    resident_frames = check_in(resident, sid, nickname="みなと")
    nearer = dt.datetime.fromisoformat(session["ends_at"]) - dt.timedelta(minutes=4)
    status, session = server.api("PATCH", f"/sessions/{sid}", login="admin", body={"ends_at": nearer.isoformat()})
    assert status == 200, session
    console_frames.wait_for("session", session_id=sid, ends_at=session["ends_at"])  # the console heard the move

    console_frames.wait_for("closing", session_id=sid)
    console.locator("#closing-warning").filter(has_text="終了まで10分を切りました").wait_for()
    resident.locator("#closing-notice").filter(has_text="本日の相談会は").wait_for()
    shot(console, "1-console-warning")
    shot(resident, "2-resident-notice")

    extend = console.get_by_role("button", name="15分延長する")
    extend.focus()
    console.keyboard.press("Enter")
    later = (dt.datetime.fromisoformat(session["ends_at"]) + dt.timedelta(minutes=15)).isoformat()
    moved = console_frames.wait_for("session", session_id=sid, ends_at=later)
    assert dt.datetime.fromisoformat(moved["ends_at"]) == (
        dt.datetime.fromisoformat(session["ends_at"]) + dt.timedelta(minutes=15))
    console.locator("#closing-status").filter(has_text="延長しました").wait_for()
    resident.locator("#closing-notice").filter(has_text="に変わりました").wait_for()
    assert server.api("GET", f"/sessions/{sid}")[1]["ends_at"] == moved["ends_at"]
    shot(console, "3-console-extended")

    # The clock reaches the (new) end: the admin brings it to a few seconds from now.
    text = bring_the_end(server, sid, resident, resident_frames)
    assert "お話しできずにごめんなさい" in text and "ありがとうございました。" not in text
    assert "よりそいホットライン" in text and "いこまる相談窓口の一覧" in text and "次の相談会" in text
    assert resident.locator("#ended-thanks").is_hidden()
    shot(resident, "4-resident-ended")

    console.locator("#closing-left").filter(has_text="終了時刻になりました").wait_for()
    console.locator("#closing-warning").filter(has_text="未対応").wait_for()
    assert console.get_by_role("button", name="15分延長する").is_hidden()
    row = console.locator("#queue-body tr", has_text="みなと")
    row.filter(has_text="未対応").wait_for(timeout=60_000)
    shot(console, "5-console-not-seen")
    row.get_by_role("button", name=re.compile("来場として記録する")).click()
    row.wait_for(state="detached")
    assert server.api("GET", f"/sessions/{sid}/counts")[1]["visits"] == 1

    resident.get_by_role("link", name="終わる", exact=True).click()
    resident.wait_for_url(re.compile(r"/checkins/done"))
    assert "お話しできずにごめんなさい" in resident.locator("main").inner_text()
