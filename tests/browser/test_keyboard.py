"""Keyboard only: a resident who cannot use a mouse or a touch screen reserves, cancels, checks in and leaves.

Tab moves, Enter follows links and presses buttons, and Space picks a radio button (the one key a
keyboard uses for that). Typing goes into the focused field. At every stop the focus must be visible.
"""
from __future__ import annotations

import re

import pytest

from tests.browser.conftest import DESKTOP, PHONE
from tests.browser.keyboard import assert_focus_visible, focus_matches, tab_to
from tests.browser.steps import CODE, Frames

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["office-pc", "phone-with-keyboard"])
def test_a_reservation_can_be_made_and_cancelled_with_the_keyboard_alone(browsing, server, viewport):
    session = server.future_session(days=43)
    page = browsing.page(viewport)
    page.goto("/")

    # The skip link is the first stop and takes the keyboard past the menus.
    page.keyboard.press("Tab")
    assert focus_matches(page, "a.skip-link")
    assert_focus_visible(page)
    page.keyboard.press("Enter")
    assert focus_matches(page, "main")

    tab_to(page, f"a[href='/sessions/{session['id']}']:not(h3 a)")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(rf"/sessions/{session['id']}$"))

    tab_to(page, "li.slot-open summary")
    page.keyboard.press("Enter")
    tab_to(page, "li.slot-open input[name$=nickname]")
    page.keyboard.type("そら")
    tab_to(page, "li.slot-open textarea[name$=topic]")
    page.keyboard.type("家族のこと")
    tab_to(page, "li.slot-open button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/reservations/[A-Z2-9-]+$"))
    code = page.locator("#reservation-code").inner_text().strip()
    assert CODE.match(code)

    tab_to(page, "a[href$='.ics']")
    with page.expect_download() as download:
        page.keyboard.press("Enter")
    assert "BEGIN:VEVENT" in open(download.value.path(), encoding="utf-8").read()

    tab_to(page, f"a[href='/reservations/{code}/cancel']")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/cancel$"))
    tab_to(page, "main form button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(rf"/reservations/{code}$"))
    assert page.locator("h1").inner_text() == "この予約は取り消し済みです"


def test_checking_in_writing_and_leaving_work_with_the_keyboard_alone(browsing, server):
    sid = server.open_session()["id"]
    page = browsing.page(DESKTOP)
    relay = Frames(page)
    page.goto("/")

    tab_to(page, f".panel-now a[href='/sessions/{sid}/checkin']")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(rf"/sessions/{sid}/checkin$"))

    tab_to(page, "input[name=avatar]")
    page.keyboard.press("ArrowRight")  # the next picture, chosen as focus moves (radio group behaviour)
    page.keyboard.press("Space")
    chosen = page.evaluate("document.activeElement.value")
    assert page.locator(f"input[name=avatar][value='{chosen}']").is_checked()
    assert_focus_visible(page)
    tab_to(page, "#nickname")
    page.keyboard.type("キーボード")
    tab_to(page, "form.checkin-form button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/checkins/wait"))
    relay.wait_for("welcome")

    tab_to(page, "#message-text")
    page.keyboard.type("キーボードだけで書いています")
    page.keyboard.press("Enter")
    page.locator("#conversation .bubble-resident", has_text="キーボードだけで書いています").wait_for()
    assert focus_matches(page, "#message-text")

    tab_to(page, "#leave-start")
    page.keyboard.press("Enter")
    # The confirmation takes the focus, so the next Enter answers it.
    assert focus_matches(page, "#leave-confirm button[type=submit]")
    assert_focus_visible(page)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/checkins/done"))
    assert page.locator("h1").inner_text() == "ありがとうございました"


def test_checking_in_needs_only_tab_and_enter(browsing, server):
    sid = server.open_session()["id"]
    page = browsing.page(DESKTOP)
    relay = Frames(page)
    page.goto(f"/sessions/{sid}/checkin")
    assert page.locator("input[name=avatar]:checked").count() == 1  # a picture is chosen already
    tab_to(page, "form.checkin-form button[type=submit]")
    assert_focus_visible(page)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/checkins/wait"))
    relay.wait_for("welcome")
