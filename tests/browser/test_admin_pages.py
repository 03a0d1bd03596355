"""The admin and staff pages as people expect them (issue 15), on a phone (375 px) and an office PC (1366 px),
in Japanese and English: session states and their actions, a format's own place, ending reception early, the
figures, secrets shown once, the staff feed's console link, the places to turn to, and a header that fits.

Every step saves a screenshot (under the test's tmp dir, and SCREENSHOT_DIR when set) and is checked by axe-core.
"""
from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import urllib.request
from pathlib import Path

import pytest

from tests.browser.axe import AxeAudit
from tests.browser.conftest import PHONE, TOKYO
from tests.browser.steps import check_in
from webapp.clock import now_tokyo

pytestmark = pytest.mark.browser

OFFICE = {"width": 1366, "height": 768}
PHONE_HEIGHT = 812


@pytest.fixture
def shots(tmp_path):
    """shot(page, name): what the screen shows and the whole page, in the test's tmp dir (and SCREENSHOT_DIR)."""
    folder = tmp_path / "screenshots"
    folder.mkdir()
    extra = Path(os.environ["SCREENSHOT_DIR"]) if os.environ.get("SCREENSHOT_DIR") else None

    def shot(page, name: str) -> Path:
        screen, whole = folder / f"admin-{name}.png", folder / f"admin-{name}-full.png"
        page.screenshot(path=str(screen))
        page.screenshot(path=str(whole), full_page=True)
        if extra is not None:
            extra.mkdir(parents=True, exist_ok=True)
            for path in (screen, whole):
                shutil.copy(path, extra / path.name)
        return screen

    return shot


def staff(browsing, login: str, viewport: dict = OFFICE, lang: str = "ja"):
    return browsing.staff_page(login, lang, viewport)


def session_via_api(server, *, days: int = 0, minutes_ago: int | None = None, minutes_left: int = 60,
                    fmt: str = "online", location: str | None = None) -> dict:
    """A session run by sato: `days` ahead (or back) at 13:30-16:30, or running now (`minutes_ago`)."""
    if minutes_ago is not None:
        now = now_tokyo().replace(second=0, microsecond=0)
        midnight = dt.datetime.combine(now.date(), dt.time(0, 0), tzinfo=TOKYO)
        starts = max(now - dt.timedelta(minutes=minutes_ago), midnight)
        ends = min(now + dt.timedelta(minutes=minutes_left), midnight + dt.timedelta(days=1))
        day = now.date()
    else:
        day = now_tokyo().date() + dt.timedelta(days=days)
        starts = dt.datetime.combine(day, dt.time(13, 30), tzinfo=TOKYO)
        ends = dt.datetime.combine(day, dt.time(16, 30), tzinfo=TOKYO)
    body = {"date": day.isoformat(), "starts_at": starts.isoformat(), "ends_at": ends.isoformat(), "format": fmt,
            "slot_minutes": 10 if minutes_ago is not None else 30, "capacity": 2, "promoters": ["sato"]}
    if location is not None:
        body["location"] = location
    status, session = server.api("POST", "/sessions", body, login="admin")
    assert status == 201, session
    return session


def fiscal_year(day: dt.date) -> int:
    return day.year if day.month >= 4 else day.year - 1


def row_of(page, day: str):
    return page.locator("table.admin-sessions tbody tr").filter(has=page.locator("td", has_text=day))


def no_sideways_scroll(page) -> int:
    """How many CSS pixels the document is wider than the window (0: nothing scrolls sideways)."""
    return page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")


# --- 1. states and actions -------------------------------------------------------------------------

@pytest.mark.parametrize("lang", ["ja", "en"])
def test_the_admin_list_shows_each_state_with_only_the_actions_that_make_sense(browsing, server, shots, lang):
    past = session_via_api(server, days=-3)
    soon = session_via_api(server, days=9)
    today = server.open_session()
    audit = AxeAudit(lang)
    labels = {"ja": {"upcoming": "開催予定", "open": "開催中", "ended": "終了", "cancel": "中止",
                     "end_reception": "受付を早めに終了する"},
              "en": {"upcoming": "Upcoming", "open": "Open now", "ended": "Ended", "cancel": "Cancel session",
                     "end_reception": "End check-in early"}}[lang]
    for viewport, size in ((OFFICE, "1366"), (PHONE, "375")):
        page = staff(browsing, "admin", viewport, lang)
        for session in (past, soon, today):
            day = dt.date.fromisoformat(session["date"])
            page.goto(f"/admin/sessions?year={fiscal_year(day)}")
            row = row_of(page, session["date"]).first
            text = row.inner_text()
            if session is past:
                assert labels["ended"] in text
                assert row.get_by_role("link", name=re.compile(labels["cancel"])).count() == 0
            elif session is soon:
                assert labels["upcoming"] in text and "Upcoming sessions" not in text
                assert row.get_by_role("link", name=re.compile(labels["cancel"])).count() == 1
                assert lang == "ja" or "Cancelled" not in text
            else:
                assert labels["open"] in text
                assert row.get_by_role("link", name=re.compile(labels["end_reception"])).count() == 1
                assert row.get_by_role("link", name=re.compile(labels["cancel"])).count() == 0
            audit.check(page, f"admin list at {size}")
        row_of(page, soon["date"]).first.scroll_into_view_if_needed()
        shots(page, f"1-list-{lang}-{size}")
        page.goto(f"/admin/sessions/{past['id']}/edit")
        assert page.locator("input[name=date]").count() == 0  # an ended session's date is its record
        audit.check(page, f"ended session's edit page at {size}")
        shots(page, f"1-ended-edit-{lang}-{size}")
    audit.assert_clean()


# --- 3. a format's own place -----------------------------------------------------------------------

def test_choosing_metaverse_in_the_edit_form_proposes_the_metaverse_place(browsing, server, shots):
    session = session_via_api(server, days=12, fmt="online")
    assert session["location"] == "オンライン（ビデオ通話）"
    page = staff(browsing, "admin")
    page.goto(f"/admin/sessions/{session['id']}/edit")
    place = page.get_by_label("場所", exact=True)
    page.get_by_label("メタバース", exact=True).check()
    assert place.input_value().startswith("メタバース空間")
    shots(page, "3-format-metaverse-1366")
    page.get_by_role("button", name="変更を保存する").click()
    page.wait_for_url(re.compile(r"/admin/sessions\?year="))
    status, saved = server.api("GET", f"/sessions/{session['id']}")
    assert saved["format"] == "metaverse" and saved["location"].startswith("メタバース空間")
    audit = AxeAudit("ja")
    page.goto(f"/admin/sessions/{session['id']}/edit")
    audit.check(page, "edit form")
    audit.assert_clean()


# --- 4. ending reception early ---------------------------------------------------------------------

@pytest.mark.parametrize("lang", ["ja", "en"])
def test_a_promoter_ends_reception_early_on_a_phone_and_the_one_waiting_stays(browsing, server, shots, lang):
    session = session_via_api(server, minutes_ago=20, minutes_left=90)
    sid = session["id"]
    waiting = browsing.page(PHONE, lang)
    check_in(waiting, sid, nickname="みなと")
    audit = AxeAudit(lang)
    promoter = staff(browsing, "sato", PHONE, lang)
    link = promoter.locator(f"a[href='/staff/sessions/{sid}/reception']")
    assert re.search("受付を早めに終了する" if lang == "ja" else "End check-in early", link.inner_text())
    link.click()
    promoter.wait_for_url(re.compile(rf"/staff/sessions/{sid}/reception$"))
    assert ("（1人）" if lang == "ja" else "(1)") in promoter.locator("main").inner_text()
    audit.check(promoter, "confirm ending reception")
    shots(promoter, f"4-confirm-{lang}-375")
    promoter.get_by_role("button", name="受付を終了する" if lang == "ja" else "End check-in", exact=True).click()
    promoter.locator(".flash").first.wait_for()
    audit.check(promoter, "reception ended")
    shots(promoter, f"4-ended-{lang}-375")

    status, body = server.api("POST", f"/sessions/{sid}/checkins", {"avatar": "dog"})
    assert status == 409 and body["error"]["code"] == "session_not_open"
    late = browsing.page(PHONE, lang)
    late.goto(f"/sessions/{sid}")
    assert late.get_by_role("link", name="今すぐ参加する" if lang == "ja" else "Join now").count() == 0
    audit.check(late, "the session page after reception ended")
    shots(late, f"4-public-{lang}-375")
    assert waiting.locator("#queue-panel").is_visible()  # still in line, still to be seen
    status, counts = server.api("GET", f"/sessions/{sid}/counts")
    assert counts["waiting"] >= 1
    assert no_sideways_scroll(promoter) <= 0
    audit.assert_clean()


# --- 2. the figures ---------------------------------------------------------------------------------

def test_the_figures_page_shows_todays_session_as_open_and_none_to_come_as_held(browsing, server, shots):
    today = server.open_session()
    page = staff(browsing, "admin")
    page.goto(f"/staff/stats?fiscal_year={fiscal_year(dt.date.fromisoformat(today['date']))}")
    rows = page.locator("#h-sessions ~ .table-scroll tbody tr")
    rows.first.wait_for()
    now = now_tokyo().date()
    for i in range(rows.count()):
        text = rows.nth(i).inner_text()
        state = rows.nth(i).locator(".badge").inner_text()
        assert state in ("開催予定", "開催中", "終了", "中止"), text
    assert "開催中" in rows.filter(has_text=f"{now.month}月{now.day}日").first.inner_text()
    page.locator("#h-sessions").scroll_into_view_if_needed()
    shots(page, "2-figures-1366")
    audit = AxeAudit("ja")
    audit.check(page, "figures")
    audit.assert_clean()


# --- 5. secrets shown once --------------------------------------------------------------------------

def test_a_new_feed_url_and_api_token_are_shown_once_and_a_reload_rotates_nothing(browsing, server, shots):
    page = staff(browsing, "tanaka", PHONE)
    page.goto("/calendars/settings")
    page.get_by_role("button", name=re.compile("購読URLを(再)?発行する")).click()
    page.wait_for_url(re.compile(r"/calendars/settings$"))
    url = page.locator("#personal-web").inner_text().strip()
    shots(page, "5-feed-shown-375")
    page.reload()
    assert page.locator("#personal-web").count() == 0
    shots(page, "5-feed-reloaded-375")
    with urllib.request.urlopen(url.replace("http://localhost", server.base_url), timeout=15) as response:
        assert response.status == 200  # the URL copied before the reload still works
    audit = AxeAudit("ja")
    audit.check(page, "feed settings after reload")

    admin = staff(browsing, "admin")
    admin.goto("/admin/users")
    admin.get_by_role("link", name=re.compile("tanaka")).first.click()
    admin.get_by_role("button", name="トークンを発行する", exact=True).click()
    token = admin.locator("#new-token").inner_text().strip()
    shots(admin, "5-token-shown-1366")
    admin.reload()
    assert admin.locator("#new-token").count() == 0
    request = urllib.request.Request(f"{server.base_url}/api/v1/realtime/token",
                                     headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request, timeout=15) as response:
        assert response.status == 200
    audit.check(admin, "account page after reload")
    audit.assert_clean()


# --- 6. the staff feed links the console ------------------------------------------------------------

def test_the_staff_feed_event_opens_that_sessions_console(browsing, server, shots):
    session = session_via_api(server, minutes_ago=10, minutes_left=60)
    page = staff(browsing, "sato")
    page.goto("/calendars/settings")
    page.get_by_role("button", name=re.compile("購読URLを(再)?発行する")).click()
    url = page.locator("#personal-web").inner_text().strip().replace("http://localhost", server.base_url)
    with urllib.request.urlopen(url, timeout=15) as response:
        feed = response.read().decode().replace("\r\n ", "")
    console = re.search(rf"URL:(\S+/staff/sessions/{session['id']}/console)", feed)
    assert console, feed[:2000]
    page.goto(console.group(1).replace("http://localhost", server.base_url))
    page.locator("#console").wait_for()
    shots(page, "6-console-from-feed-1366")


# --- 7. places to turn to ---------------------------------------------------------------------------

@pytest.mark.parametrize("lang", ["ja", "en"])
def test_the_help_and_done_pages_list_every_place_from_one_list(browsing, server, shots, lang):
    audit = AxeAudit(lang)
    page = browsing.page(PHONE, lang)
    page.goto("/help")
    listed = page.locator("ul.directory-list li")
    said = re.search(r"（(\d+) か所）" if lang == "ja" else r"\((\d+) listed\)", page.locator("main").inner_text())
    assert said and int(said.group(1)) == listed.count() > 6
    crisis = page.locator("section.crisis ul.contact-list li").all_inner_texts()
    if lang == "en":
        assert "windows" not in page.locator("main").inner_text()
    audit.check(page, "help")
    shots(page, f"7-help-{lang}-375")
    page.goto("/checkins/done")
    done = page.locator(".where-to-turn ul.contact-list li").all_inner_texts()
    assert [c.split("\n")[0] for c in crisis] == [d.split("\n")[0] for d in done[:len(crisis)]]
    assert len(done) == len(crisis) + 1  # and the directory
    audit.check(page, "done")
    shots(page, f"7-done-{lang}-375")
    audit.assert_clean()


# --- 8. the header and the console on a phone --------------------------------------------------------

@pytest.mark.parametrize("lang", ["ja", "en"])
def test_the_header_fits_a_phone_and_the_console_never_scrolls_sideways(browsing, server, shots, lang):
    today = server.open_session()
    audit = AxeAudit(lang)
    page = staff(browsing, "admin", PHONE, lang)
    header = page.locator("header.site-header").bounding_box()
    assert header["height"] <= PHONE_HEIGHT / 4, header
    shots(page, f"8-header-{lang}-375")
    page.locator("details.staff-menu summary").click()
    manage = "相談会の管理" if lang == "ja" else "Manage sessions"
    page.locator("details.staff-menu").get_by_role("link", name=manage).wait_for()
    shots(page, f"8-menu-open-{lang}-375")
    audit.check(page, "menu open")

    status, _ = server.api("POST", f"/sessions/{today['id']}/checkins", {"avatar": "cat", "nickname": "みなと"})
    assert status == 201  # a row in the queue, as on the day
    page.goto(f"/staff/sessions/{today['id']}/console")
    page.locator("#console").wait_for()
    page.locator("#connection-status").filter(has_text=re.compile("^(接続中|Connected)$")).wait_for(
        state="attached", timeout=30_000)
    shots(page, f"8-console-queue-{lang}-375")
    page.locator("#queue-body .row-open").first.click()  # a resident's panel open, as on the day
    page.locator("#panels .chat-panel").first.wait_for()
    assert no_sideways_scroll(page) <= 0
    logout = page.locator("details.staff-menu .nav-logout button")
    page.locator("details.staff-menu summary").click()
    style = logout.evaluate("b => { const s = getComputedStyle(b); return [s.backgroundColor, s.fontWeight] }")
    assert style[0] in ("rgba(0, 0, 0, 0)", "transparent") and style[1] == "400", style
    shots(page, f"8-console-{lang}-375")
    audit.check(page, "console at 375")

    office = staff(browsing, "admin", OFFICE, lang)
    office.goto(f"/staff/sessions/{today['id']}/console")
    office.locator("#console").wait_for()
    button = office.locator(".staff-links-wide .nav-logout button")
    style = button.evaluate("b => { const s = getComputedStyle(b); return [s.backgroundColor, s.fontWeight] }")
    assert style[0] in ("rgba(0, 0, 0, 0)", "transparent") and style[1] == "400", style
    shots(office, f"8-console-{lang}-1366")
    audit.check(office, "console at 1366")
    audit.assert_clean()
