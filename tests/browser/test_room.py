"""The built-in metaverse room (CONTRACT §9, issue 17) in a real Chromium: entering with an avatar,
walking by keyboard, tap and the places list, stamps, asking, the booth and its private chat, practice."""
from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from tests.browser.axe import AxeAudit
from tests.browser.conftest import DESKTOP, PHONE
from tests.browser.keyboard import tab_to
from tests.browser.steps import Frames
from webapp.clock import now_tokyo

pytestmark = pytest.mark.browser
SCREENS = Path(__file__).resolve().parents[2] / "screens"


def shot(page, name: str) -> None:
    """A screenshot to look at (screens/ is git-ignored)."""
    SCREENS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENS / f"{name}.png"), full_page=True)


def enter_room(page, session_id: int, avatar_index: int = 0, nickname: str = "") -> Frames:
    """Pick an avatar on the room's entry form and step in; returns once the map is drawn."""
    frames = Frames(page)
    page.goto(f"/rooms/{session_id}")
    page.locator(".avatar-option label").nth(avatar_index).click()
    if nickname:
        page.locator("#nickname").fill(nickname)
    page.locator("form.room-entry button[type=submit]").click()
    page.wait_for_url(re.compile(rf"/rooms/{session_id}$"))
    page.locator(".room-svg").wait_for()
    return frames


def practice_session(server) -> dict:
    """A metaverse session some weeks ahead: its room is open for practice only."""
    day = now_tokyo().date() + dt.timedelta(days=50)
    status, session = server.api("POST", "/sessions", login="admin", body={
        "date": day.isoformat(), "starts_at": f"{day}T13:30:00+09:00", "ends_at": f"{day}T16:30:00+09:00",
        "format": "metaverse", "slot_minutes": 30, "capacity": 2, "promoters": ["sato"]})
    assert status == 201, session
    return session


def live_text(page) -> str:
    return page.locator("#room-live").inner_text()


def place_people(page, zone: str) -> str:
    return page.locator(f".room-place[data-zone={zone}] .room-place-people").inner_text()


def wait_live(page, *words: str) -> None:
    page.wait_for_function("(words) => { const t = document.getElementById('room-live').textContent;"
                           " return words.every((w) => t.includes(w)); }", arg=list(words))


def room_funnel(page) -> list[int]:
    """The staff figures' metaverse totals of this fiscal year: entered, asked, consultations, practice."""
    page.goto("/staff/stats")
    cells = page.locator("section:has(#h-room) tfoot td")
    return [int(cells.nth(i).inner_text()) for i in range(4)] if cells.count() else [0, 0, 0, 0]


def test_practice_outside_hours_is_a_room_of_ones_own_with_a_tour(browsing, server):
    session = practice_session(server)
    page = browsing.page(PHONE)
    frames = Frames(page)
    page.goto(f"/rooms/{session['id']}")
    page.locator(".room-svg").wait_for()
    assert "見学" in page.locator("h1").inner_text()
    # A practice room of one from the relay (counted apart, never as a visit).
    assert len(frames.wait_for("room")["occupants"]) == 1
    assert page.locator("#tour-text").inner_text().startswith("矢印キー")
    # Nobody else: one person on the map, yourself, at the entrance.
    page.locator(".room-person.is-you").wait_for()
    assert page.locator(".room-person").count() == 1
    assert "入口" in live_text(page)
    shot(page, "practice-phone")
    # Walking by keys into the lounge is announced; the phone never scrolls sideways.
    page.locator("#room-map").focus()
    for _ in range(8):
        page.keyboard.press("ArrowRight")
    page.wait_for_function("() => document.getElementById('room-live').textContent.includes('ラウンジ')")
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    # Walking into a booth is asking to talk; in practice the page says it does not put you in line.
    page.locator(".room-place[data-zone=booth-2] button").tap()
    page.locator("#ask-status", has_text="練習なので").wait_for()
    # The tour goes through its steps and ends on the map.
    for _ in range(4):
        page.locator("#tour-next").click()
    assert page.locator("#tour-next").inner_text() == "練習を終える"
    page.locator("#tour-next").click()
    assert page.locator("#tour").is_hidden()


def test_the_places_list_walks_you_there_and_says_so(browsing, server):
    session = practice_session(server)
    page = browsing.page(DESKTOP)
    page.emulate_media(reduced_motion="reduce")
    page.goto(f"/rooms/{session['id']}")
    page.locator(".room-person.is-you").wait_for()
    lounge = page.locator(".room-place[data-zone=lounge]")
    lounge.get_by_role("button").click()
    # Reduced motion: one jump, no walk, so the new place is said at once.
    page.wait_for_function("() => document.getElementById('room-live').textContent.includes('ラウンジ')")
    assert "あなた" in lounge.locator(".room-place-people").inner_text()
    page.get_by_role("button", name="ありがとう").click()
    wait_live(page, "ありがとう")
    page.locator(".room-bubble", has_text="ありがとう").wait_for()


def test_tapping_the_map_walks_there(browsing, server):
    session = practice_session(server)
    page = browsing.page(PHONE)
    page.goto(f"/rooms/{session['id']}")
    svg = page.locator(".room-svg")
    page.locator(".room-person.is-you").wait_for()
    box = svg.bounding_box()
    # The middle of the lounge in the default map (960 × 600, lounge at 220..600 × 160..440).
    svg.tap(position={"x": box["width"] * 410 / 960, "y": box["height"] * 300 / 600})
    page.wait_for_function("() => document.getElementById('room-live').textContent.includes('ラウンジ')")


def test_a_metaverse_session_runs_its_room_as_a_visit(browsing, server):
    session = server.open_session()
    page = browsing.page(PHONE)
    page.goto(f"/sessions/{session['id']}")
    page.locator("a.button-room").click()
    page.wait_for_url(re.compile(rf"/rooms/{session['id']}$"))
    page.locator(".avatar-option label").nth(3).click()
    page.locator("#nickname").fill("くまお")
    page.locator("form.room-entry button[type=submit]").click()
    page.locator(".room-svg").wait_for()
    assert page.get_by_role("button", name="相談する").is_visible()
    # Entering counted as a visit, not in line.
    status, room = server.api("GET", f"/sessions/{session['id']}/room")
    assert status == 200 and room["map"]["zones"]


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_room_pages_have_no_serious_accessibility_violations(browsing, server, lang):
    audit = AxeAudit(lang)
    open_session = server.open_session()
    page = browsing.page(PHONE, lang)
    page.goto(f"/rooms/{open_session['id']}")
    audit.check(page, "entry form")
    enter_room(page, open_session["id"], nickname="ひまわり")
    wait_live(page, {"ja": "あなたは入口にいます", "en": "You are in the Entrance"}[lang])
    audit.check(page, "in the room")
    shot(page, f"resident-room-{lang}")
    page.goto(f"/rooms/{practice_session(server)['id']}")
    page.locator(".room-svg").wait_for()
    audit.check(page, "practice with the tour")
    staff = browsing.staff_page("sato", lang)
    staff.goto(f"/rooms/{open_session['id']}")
    staff.locator(".room-svg").wait_for()
    audit.check(staff, "staff in the room")
    shot(staff, f"staff-room-{lang}")
    audit.assert_clean()


def test_the_room_is_usable_by_keyboard_alone(browsing, server):
    session = practice_session(server)
    page = browsing.page(DESKTOP)
    page.goto(f"/rooms/{session['id']}")
    page.locator(".room-person.is-you").wait_for()
    tab_to(page, "#room-map")
    page.keyboard.press("s")
    page.keyboard.press("d")
    tab_to(page, ".room-place[data-zone=board] button")
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.getElementById('room-live').textContent.includes('お知らせ板')")


def test_two_residents_and_a_promoter_meet_greet_and_talk_in_a_booth(browsing, server):
    session = server.open_session()
    sid = session["id"]
    promoter = browsing.staff_page("sato")
    before = room_funnel(promoter)
    # Resident one on a phone (375 px, touch); resident two at a desk with the keyboard only.
    phone = browsing.page(PHONE)
    enter_room(phone, sid, avatar_index=3, nickname="はなこ")
    keys = browsing.page(DESKTOP)
    keys.goto(f"/rooms/{sid}")
    tab_to(keys, "input[name=avatar]")
    for _ in range(4):  # cat, dog, rabbit, bear, bird: arrow keys choose as they move (a radio group)
        keys.keyboard.press("ArrowRight")
    assert keys.locator("input[value=bird]").is_checked()
    tab_to(keys, "#nickname")
    keys.keyboard.type("たろう")
    tab_to(keys, "form.room-entry button[type=submit]")
    keys.keyboard.press("Enter")
    keys.locator(".room-person.is-you").wait_for()
    phone.locator(".room-person.is-you").wait_for()
    # Each sees the other come in.
    phone.locator(".room-person:not(.is-you)").wait_for()
    keys.locator(".room-person:not(.is-you)").wait_for()

    # The keyboard resident walks into the lounge; the phone hears it and sees it in the places list.
    tab_to(keys, "#room-map")
    for _ in range(8):
        keys.keyboard.press("ArrowRight")
    wait_live(phone, "たろうさん", "ラウンジ")
    assert "たろうさん" in place_people(phone, "lounge")
    assert phone.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")

    # A stamp from the phone: a bubble and a sentence on the other screen.
    phone.get_by_role("button", name="こんにちは").tap()
    wait_live(keys, "はなこさん", "こんにちは")
    keys.locator(".room-bubble", has_text="こんにちは").wait_for()

    # The promoter comes in from the console ("ルームへ") and greets the room.
    promoter.goto(f"/staff/sessions/{sid}/console")
    console = promoter
    room = promoter.context.new_page()
    room.goto(console.locator("#room-link").get_attribute("href"))
    room.locator(".room-person.is-you").wait_for()
    phone.locator(".room-person.is-staff .room-person-badge", has_text="主任推進員").wait_for()
    room.get_by_label("ルームのみんなにあいさつする").fill("こんにちは、さとうです")
    room.get_by_role("button", name="あいさつする").click()
    phone.locator("#announcements", has_text="こんにちは、さとうです").wait_for()
    keys.locator(".room-bubble", has_text="こんにちは、さとうです").wait_for()
    # The promoter walks up to the keyboard resident, then stops their stamps.
    taro = room.locator(".room-person-row", has_text="たろう")
    taro.get_by_role("button", name="そばへ行く").click()
    wait_live(phone, "さとう", "ラウンジ")
    taro.get_by_role("button", name="スタンプを止める").click()
    keys.locator("#stamps-status", has_text="スタンプは使えません").wait_for()
    assert keys.get_by_role("button", name="ありがとう").is_disabled()
    room.locator(".room-person-row", has_text="たろう").get_by_role("button", name="スタンプを戻す").click()
    keys.wait_for_function("() => !document.querySelector('.room-stamp').disabled")
    shot(phone, "room-phone-greeted")
    shot(keys, "room-keyboard-greeted")

    # The phone resident asks; the promoter takes them on the console; both land in the booth.
    phone.get_by_role("button", name="相談する").tap()
    phone.locator("#queue-panel").wait_for(state="visible")
    row = console.locator("#queue-body tr", has_text="はなこ")
    row.wait_for()
    row.get_by_role("button", name="対応する").click()
    phone.locator("#handoff").wait_for(state="visible")
    assert "主任推進員 さとう" in phone.locator("#handoff").inner_text()
    phone.wait_for_function("() => document.querySelector('.room-place.is-here')?.dataset.zone.startsWith('booth')")
    booth = phone.locator(".room-place.is-here").get_attribute("data-zone")
    phone.wait_for_function(f"() => document.querySelector('.room-place[data-zone={booth}] .room-place-people')"
                            ".textContent.includes('2')")

    # The other resident sees that booth in use and cannot walk into it.
    keys.locator(f".room-place[data-zone={booth}] .room-place-name", has_text="使用中").wait_for()
    keys.locator(f".room-place[data-zone={booth}] button").click()
    wait_live(keys, "使用中")
    assert "たろう" not in place_people(phone, booth)

    # The private chat works in the booth: only the promoter reads it, and answers.
    phone.get_by_label("推進員へのメッセージ").fill("少し話を聞いてほしいです")
    phone.get_by_role("button", name="送る", exact=True).tap()
    panel = console.locator("#panels .chat-panel", has_text="はなこ")
    panel.locator(".bubble-resident", has_text="少し話を聞いてほしいです").wait_for()
    panel.get_by_label("この人へのメッセージ").fill("さとうです。ゆっくりで大丈夫ですよ。")
    panel.get_by_role("button", name="送る", exact=True).click()
    phone.locator("#conversation .bubble-staff", has_text="ゆっくりで大丈夫").wait_for()
    assert keys.locator("#conversation", has_text="少し話を聞いて").count() == 0
    shot(phone, "room-phone-booth")
    shot(room, "room-promoter")
    audit = AxeAudit("ja")
    audit.check(phone, "in the booth, the chat open")
    audit.check(keys, "kept out of the booth")
    audit.check(room, "promoter in the booth")
    audit.assert_clean()

    # Recorded as a consultation: the figures' funnel moves on (two entered, one asked, one consultation).
    panel.get_by_label("相談", exact=True).check()
    panel.locator("input[name^=topics-]").first.check()
    panel.locator("input[name^=result-]").nth(1).check()
    panel.get_by_role("button", name="記録して終える", exact=True).click()
    panel.wait_for(state="detached")
    entered, asked, consultations, _practice = room_funnel(console)
    assert (entered - before[0], asked - before[1], consultations - before[2]) == (2, 1, 1)

    # The promoter removes the other resident from the room (confirmed): their page ends (and, as on the
    # console, a removed check-in is not counted as a visit).
    taro = room.locator(".room-person-row", has_text="たろう")
    taro.get_by_role("button", name="退出させる").click()
    taro.locator(".room-remove-confirm").get_by_role("button", name="退出させる").click()
    keys.wait_for_url(re.compile(r"/checkins/done"))
    room.locator(".room-person-row", has_text="たろう").wait_for(state="detached")
    assert room_funnel(console)[0] - before[0] == 1
