"""Presence in the console: a resident who closes the tab shows as 離席中, with two ways to end them."""
from __future__ import annotations

import re

import pytest

from tests.browser.conftest import PHONE, SCREENSHOTS
from tests.browser.steps import Frames, check_in

pytestmark = pytest.mark.browser


def test_a_resident_who_closes_the_tab_shows_as_away_in_the_console(browsing, server):
    session = server.open_session()
    sid = session["id"]
    console = browsing.staff_page("sato")
    console_frames = Frames(console)
    console.goto(f"/staff/sessions/{sid}/console")
    console_frames.wait_for("queue", session_id=sid)

    resident = browsing.page(PHONE)
    welcome = check_in(resident, sid, avatar_index=3, nickname="るり").wait_for("welcome")
    number = welcome["number"]
    resident.locator("#checkin-number").filter(has_text=f"受付番号 {number}").wait_for()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    resident.screenshot(path=str(SCREENSHOTS / "presence-resident-number.png"), full_page=True)
    numbered = console.locator(".row-number", has_text=re.compile(f"^{number}$"))
    row = console.locator("#queue-body tr").filter(has=numbered)
    row.locator(".row-presence").filter(has_text="接続中").wait_for(timeout=30_000)

    resident.context.close()  # the tab (and its connection) goes
    row.locator(".row-presence").filter(has_text=re.compile(r"離席中（\d{1,2}:\d{2} から）")).wait_for(timeout=30_000)
    # Two distinct ways to end someone gone: a visit (counted) or a removal (not counted).
    end_visit = row.get_by_role("button", name=re.compile("来場のみで終了"))
    remove = row.get_by_role("button", name=re.compile("退出させる（来場に数えない）"))
    assert end_visit.is_visible() and remove.is_visible()
    console.screenshot(path=str(SCREENSHOTS / "presence-away.png"), full_page=True)

    end_visit.click()
    console_frames.wait_for("closed", checkin_id=welcome["checkin_id"])
    row.wait_for(state="detached")
