"""What a screen reader user hears: the right language, and live regions that speak when the line moves
and when a promoter takes them. A live region is only heard if it was already on the page (rendered, in the
accessibility tree) before its text changed; one that appears together with its text stays silent."""
from __future__ import annotations

import re

import pytest

from tests.browser.conftest import PHONE
from tests.browser.relay import StaffRelay
from tests.browser.steps import check_in

pytestmark = pytest.mark.browser

LIVE = "[aria-live]:not([aria-live=off]), [role=status], [role=alert], [role=log]"

MARK_LIVE_REGIONS = """(selector) => {
  for (const el of document.querySelectorAll(selector)) {
    if (el.checkVisibility({visibilityProperty: true})) el.dataset.liveBefore = '1';
  }
}"""

# The text of every live region that was rendered before (and still is), as a screen reader would get it.
SPOKEN = """() => [...document.querySelectorAll('[data-live-before]')]
  .filter((el) => el.checkVisibility({visibilityProperty: true}))
  .map((el) => el.innerText)"""


def spoken(page) -> str:
    return "\n".join(page.evaluate(SPOKEN))


def wait_until_spoken(page, pattern: str, timeout_ms: int = 30_000) -> None:
    """Wait until a pre-existing live region says something matching `pattern`."""
    step = 100
    for _ in range(timeout_ms // step):
        if re.search(pattern, spoken(page)):
            return
        page.wait_for_timeout(step)
    pytest.fail(f"no live region that was on the page before said /{pattern}/; they say: {spoken(page)!r}",
                pytrace=False)


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_the_document_language_is_the_one_chosen_and_the_other_language_link_says_its_own(browsing, lang):
    page = browsing.page(PHONE, lang)
    for path in ("/", "/help", "/reservations", "/staff/login", "/checkins/wait"):
        page.goto(path)
        assert page.evaluate("document.documentElement.lang") == lang, path
        other = page.locator(".lang-switch a")
        assert other.get_attribute("lang") == ("en" if lang == "ja" else "ja"), path
        assert other.get_attribute("hreflang") == other.get_attribute("lang"), path


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_a_waiting_resident_hears_their_place_move_up_announcements_and_the_hand_off(browsing, server, lang):
    sid = server.open_session()["id"]
    ahead, me = browsing.page(PHONE, lang), browsing.page(PHONE, lang)
    check_in(ahead, sid, nickname=f"ahead-{lang}")
    check_in(me, sid, nickname=f"me-{lang}")
    me.evaluate(MARK_LIVE_REGIONS, LIVE)
    position = me.locator("#queue-position").inner_text()
    assert re.search(r"\d", position), position
    number = int(re.search(r"\d+", position).group())

    ahead.locator("#leave-start").click()
    ahead.locator("#leave-confirm button[type=submit]").click()
    ahead.wait_for_url(re.compile(r"/checkins/done"))
    moved = "次があなたの番です" if lang == "ja" and number == 2 else \
        "You are next" if number == 2 else rf"\b{number - 1}\b|{number - 1} 番目"
    wait_until_spoken(me, moved)
    assert me.locator("#queue-status").get_attribute("aria-atomic") == "true"

    staff = StaffRelay(server, "tanaka")
    try:
        staff.send(type="announce", session_id=sid, text=f"まもなく順番です ({lang})")
        wait_until_spoken(me, re.escape(f"まもなく順番です ({lang})"))
        entry = staff.waiting_entry(sid, nickname=f"me-{lang}")
        staff.send(type="take", checkin_id=entry["checkin_id"], mode="text")
        me.locator("#handoff").wait_for(state="visible")
        # The promoter's name is said, not only drawn.
        wait_until_spoken(me, "主任推進員 たなか")
        staff.send(type="message", checkin_id=entry["checkin_id"], text="たなかです。")
        wait_until_spoken(me, "たなかです。")
    finally:
        staff.close()


def test_a_resident_reading_in_english_meets_no_untranslated_japanese_in_headings_menus_labels_or_buttons(
        browsing, server):
    """Words a screen reader would read with the wrong voice: the interface itself must be English."""
    session, future = server.open_session(), server.future_session(days=47)
    page = browsing.page(PHONE, "en")
    untranslated = []

    def look():
        texts = page.evaluate("""() => [...document.querySelectorAll(
            'h1, h2, h3, nav a, button, label, legend, summary, th, caption, .flash, .field-error')]
          .filter((el) => el.checkVisibility() && !el.closest('[lang]:not(html)'))
          .map((el) => el.innerText.trim())""")
        untranslated.extend(f"{page.url}: {text!r}" for text in texts if re.search(r"[\u3040-\u30ff]", text))

    for path in ("/", f"/sessions/{future['id']}", "/help", "/reservations", "/stats/public", "/missing",
                 f"/sessions/{session['id']}/checkin"):
        page.goto(path)
        look()
    check_in(page, session["id"])
    look()
    page.goto("/checkins/done")
    look()
    assert not untranslated, "\n".join(untranslated)
