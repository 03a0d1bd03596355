"""Reservations as residents expect them, on a phone and an office PC, in Japanese and English."""
from __future__ import annotations

import re

import pytest

from tests.browser.axe import AxeAudit
from tests.browser.conftest import DESKTOP, PHONE, SCREENSHOTS
from tests.browser.steps import reserve

pytestmark = pytest.mark.browser

SCREENS = [pytest.param(PHONE, "ja", id="phone-ja"), pytest.param(PHONE, "en", id="phone-en"),
           pytest.param(DESKTOP, "ja", id="pc-ja"), pytest.param(DESKTOP, "en", id="pc-en")]

#: Where focus is, and whether the eye sees it: the page must open at the message (WCAG 3.3.1).
FOCUS = """() => {
  const el = document.activeElement, box = el.getBoundingClientRect();
  return {id: el.id, text: el.innerText, visible: box.top >= 0 && box.bottom <= window.innerHeight};
}"""

def focus_on(page, element_id: str) -> dict:
    """Where the focus is once the page has moved it to `element_id` (autofocus runs at the page's
    first rendering, which may come just after the load event); FOCUS's answer either way."""
    try:
        page.wait_for_function(f"() => document.activeElement && document.activeElement.id === {element_id!r}",
                               timeout=5000)
    except Exception:  # noqa: BLE001  (the assertion on what FOCUS found says what went wrong)
        pass
    return page.evaluate(FOCUS)


#: The code on one line, inside its box and the page (no sideways scrolling).
ONE_LINE = """(el) => {
  const range = document.createRange();
  range.selectNodeContents(el);
  const lines = new Set([...range.getClientRects()].map((r) => Math.round(r.top)));
  return {oneLine: lines.size === 1, fits: el.scrollWidth <= el.clientWidth,
          page: document.documentElement.scrollWidth <= window.innerWidth};
}"""


def full_width(code: str) -> str:
    """What a Japanese keyboard in full-width mode types."""
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in code)


def shot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"reservations-{name}.png"), full_page=False)


@pytest.mark.parametrize(("viewport", "lang"), SCREENS)
def test_a_code_shown_on_one_line_is_found_again_when_typed_full_width(browsing, server, viewport, lang):
    audit = AxeAudit(lang)
    session = server.future_session(days=43)
    page = browsing.page(viewport, lang)
    code = reserve(page, session["id"])
    layout = page.locator("#reservation-code").evaluate(ONE_LINE)
    assert layout == {"oneLine": True, "fits": True, "page": True}, layout
    shot(page, f"code-{viewport['width']}-{lang}")
    audit.check(page, "reservation shown")

    page.goto("/reservations")
    page.locator("#code").fill(full_width(code.lower()).replace("－", " "))
    page.locator("form button[type=submit]").click()
    page.wait_for_url(re.compile(rf"/reservations/{code}$"))
    assert page.locator("#reservation-code").inner_text().strip() == code
    audit.assert_clean()


@pytest.mark.parametrize(("viewport", "lang"), SCREENS)
def test_a_slot_that_filled_meanwhile_opens_the_page_at_the_message(browsing, server, viewport, lang):
    audit = AxeAudit(lang)
    session = server.future_session(days=44, capacity=1)
    last = session["slots"][-1]
    page = browsing.page(viewport, lang)
    page.goto(f"/sessions/{session['id']}")
    card = page.locator("li.slot-open").last
    card.locator("summary").click()
    status, _ = server.api("POST", f"/slots/{last['id']}/reservations", {})
    assert status == 201  # someone else takes the last seat while this resident reads
    with page.expect_navigation(wait_until="load"):  # the answer page, not the one already loaded
        card.locator("button[type=submit]").click()
    focus = focus_on(page, f"errors-s{last['id']}")
    assert focus["id"] == f"errors-s{last['id']}" and focus["visible"], focus
    assert ("満席" if lang == "ja" else "filled up") in focus["text"]
    shot(page, f"slot-full-{viewport['width']}-{lang}")
    audit.check(page, "slot filled meanwhile")
    audit.assert_clean()


@pytest.mark.parametrize(("viewport", "lang"), [SCREENS[0], SCREENS[1]])
def test_a_wrong_code_at_check_in_opens_the_page_at_the_message(browsing, server, viewport, lang):
    audit = AxeAudit(lang)
    session = server.open_session()
    page = browsing.page(viewport, lang)
    page.goto(f"/sessions/{session['id']}/checkin")
    label = page.locator("label[for=reservation_code]").inner_text()
    assert ("予約番号" if lang == "ja" else "Reservation number") in label
    page.locator("#reservation_code").fill("ＺＺＺＺＺ－ＺＺＺＺＺ－ＺＺＺＺＺ")
    with page.expect_navigation(wait_until="load"):
        page.locator("form.checkin-form button[type=submit]").click()
    focus = focus_on(page, "error-summary")
    assert focus["id"] == "error-summary" and focus["visible"], focus
    assert ("予約番号が見つかりません" if lang == "ja" else "reservation number") in focus["text"]
    shot(page, f"checkin-wrong-code-{viewport['width']}-{lang}")
    audit.check(page, "check-in: wrong code")
    audit.assert_clean()


@pytest.mark.parametrize(("viewport", "lang"), [SCREENS[0], SCREENS[1]])
def test_a_reservation_for_a_cancelled_session_looks_cancelled(browsing, server, viewport, lang):
    session = server.future_session(days=45)
    page = browsing.page(viewport, lang)
    code = reserve(page, session["id"])
    status, _ = server.api("PATCH", f"/sessions/{session['id']}", {"status": "cancelled"}, login="admin")
    assert status == 200
    page.goto(f"/reservations/{code}")
    text = page.locator("main").inner_text()
    promises = (("予約中", "カレンダーに追加", "予約を取り消す") if lang == "ja"
                else ("Reserved", "Add to calendar", "Cancel the reservation"))
    assert not [p for p in promises if re.search(rf"{p}(?! time)", text)], text
    assert ("中止" if lang == "ja" else "cancelled") in page.locator("h1").inner_text()
    shot(page, f"cancelled-session-{viewport['width']}-{lang}")


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_staff_cancel_a_reservation_that_the_resident_then_sees_as_cancelled_by_staff(browsing, server, lang):
    audit = AxeAudit(lang)
    session = server.future_session(days=46)
    resident = browsing.page(PHONE, lang)
    code = reserve(resident, session["id"])
    staff = browsing.staff_page("sato", lang)
    staff.goto(f"/staff/sessions/{session['id']}/reservations")
    assert code not in staff.content() and "…" + code[-4:] in staff.locator("main").inner_text()
    shot(staff, f"staff-list-{lang}")
    audit.check(staff, "staff reservations")
    with staff.expect_navigation(wait_until="load"):
        staff.locator("main a.button-secondary").first.click()
    audit.check(staff, "staff cancel confirmation")
    staff.locator("main form button[type=submit]").click()
    staff.wait_for_url(re.compile(rf"/staff/sessions/{session['id']}/reservations$"))
    resident.goto(f"/reservations/{code}")
    heading = resident.locator("h1").inner_text()
    assert heading == ("この予約は職員が取り消しました" if lang == "ja" else "The staff cancelled this reservation")
    shot(resident, f"cancelled-by-staff-375-{lang}")
    audit.check(resident, "cancelled by staff")
    audit.assert_clean()


def test_a_resident_on_a_phone_moves_the_reservation_and_keeps_the_code(browsing, server):
    audit = AxeAudit("ja")
    session = server.future_session(days=47)
    page = browsing.page(PHONE, "ja")
    code = reserve(page, session["id"])
    page.locator("#slot").select_option(str(session["slots"][2]["id"]))
    page.locator("form[action$='/move'] button").click()
    page.wait_for_url(re.compile(rf"/reservations/{code}$"))
    assert "予約の時間を変更しました" in page.locator(".flashes").inner_text()
    assert "14:30〜15:00" in page.locator("main").inner_text()
    shot(page, "moved-375-ja")
    audit.check(page, "moved")
    audit.assert_clean()
