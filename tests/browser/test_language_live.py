"""Live updates on English pages mark Japanese data with lang="ja" (WCAG 2.1 SC 3.1.2 Language of Parts).

Nicknames, promoters' names, places and messages reach the staff console and the waiting room in relay
frames and are put in by JS; on an English page every text holding Japanese must sit in an element whose
language is Japanese, and Japanese pages stay free of lang attributes.
"""
from __future__ import annotations

import datetime as dt

import pytest

from tests.browser.conftest import PHONE
from tests.browser.steps import Frames, check_in
from webapp.clock import now_tokyo

pytestmark = pytest.mark.browser

#: Text nodes holding Japanese script whose nearest element with a language is not Japanese.
UNMARKED = r"""() => {
  const japanese = /[\u3000-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]/;
  const leaks = [];
  const walker = document.createTreeWalker(document.documentElement, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const text = walker.currentNode;
    const parent = text.parentElement;
    if (!parent || parent.closest("script, style") || !japanese.test(text.data)) continue;
    const marked = parent.closest("[lang]");
    if (!marked || !marked.lang.toLowerCase().startsWith("ja")) {
      leaks.push(`${parent.tagName.toLowerCase()}.${parent.className}: ${text.data.trim()}`);
    }
  }
  return leaks;
}"""
#: Elements below <body> that carry lang="ja" (a Japanese page needs none).
MARKED = "() => [...document.body.querySelectorAll('[lang^=ja]')].map((e) => e.outerHTML)"


def in_person_session_now(server) -> dict:
    """An in-person session running now, so the hand-off names its (Japanese) place."""
    now = now_tokyo().replace(second=0, microsecond=0)
    start = max(now - dt.timedelta(minutes=30), now.replace(hour=0, minute=0))
    end = min(now + dt.timedelta(hours=2), now.replace(hour=23, minute=59))
    status, session = server.api("POST", "/sessions", login="admin", body={
        "date": now.date().isoformat(), "starts_at": start.isoformat(), "ends_at": end.isoformat(),
        "format": "in_person", "location": "生駒市役所 4階 401会議室", "slot_minutes": 30, "capacity": 2,
        "promoters": ["sato", "tanaka"]})
    assert status == 201, session
    return session


def console(browsing, login: str, session_id: int, lang: str):
    page = browsing.staff_page(login, lang)
    frames = Frames(page)
    page.goto(f"/staff/sessions/{session_id}/console")
    frames.wait_for("queue", session_id=session_id)
    return page


def test_live_japanese_data_on_english_pages_is_marked_and_japanese_pages_stay_unmarked(browsing, server):
    session = in_person_session_now(server)
    sid = session["id"]
    try:
        sato = console(browsing, "sato", sid, "en")
        tanaka = console(browsing, "tanaka", sid, "en")
        admin = console(browsing, "admin", sid, "ja")

        resident = browsing.page(PHONE, "en")
        check_in(resident, sid, nickname="はなこ")
        resident.locator("#message-text").fill("相談したいことがあります。")
        resident.locator("#message-text").press("Enter")
        resident.locator("#conversation .bubble-resident").wait_for()
        other = browsing.page(PHONE, "ja")
        check_in(other, sid, avatar_index=1, nickname="みどり")
        # The live region holds the latest sentence only: let みどり's arrival be said before the take's.
        sato.locator("#queue-body tr", has_text="みどり").wait_for()

        row = sato.locator("#queue-body tr", has_text="はなこ")
        row.locator(".row-take-button").click()
        panel = sato.locator("#panels .chat-panel", has_text="はなこ")
        panel.locator(".bubble-resident").wait_for()
        sato.locator("#console-live span[lang=ja]", has_text="はなこ").wait_for()
        panel.locator(".panel-text").fill("担当のさとうです。よろしくお願いします。")
        panel.locator(".panel-text").press("Enter")
        resident.locator("#conversation .bubble-staff").wait_for()
        resident.locator("#handoff").wait_for(state="visible")
        sato.locator("#announce-text").fill("会場の入口は北側です。")
        sato.locator("#announce-form button[type=submit]").click()
        for page in (resident, other, sato):
            page.locator("li", has_text="会場の入口は北側です。").first.wait_for()
        tanaka.locator("#queue-body tr .row-status", has_text="主任推進員 さとう").wait_for()
        admin.locator("#queue-body tr .row-status", has_text="主任推進員 さとう").wait_for()

        for name, page in (("resident", resident), ("sato's console", sato), ("tanaka's console", tanaka)):
            assert page.evaluate(UNMARKED) == [], f"{name}: Japanese outside lang=\"ja\""
        # What was checked is really there, marked on the element that holds it.
        assert resident.locator("#conversation .bubble-staff .bubble-who[lang=ja]").inner_text() == "主任推進員 さとう"
        assert resident.locator("#conversation .bubble-staff .bubble-text[lang=ja]").count() == 1
        assert resident.locator("#handoff-body span[lang=ja]", has_text="主任推進員 さとう").count() == 1
        assert resident.locator("#handoff-body span[lang=ja]", has_text="生駒市役所 4階 401会議室").count() == 1
        assert resident.locator("#announcer span[lang=ja]", has_text="生駒市役所").count() == 1
        assert resident.locator("#announcements span[lang=ja]", has_text="北側").count() == 1
        assert panel.locator(".panel-title span[lang=ja]").inner_text() == "はなこ"
        assert panel.locator(".bubble-resident .bubble-text[lang=ja]").count() == 1
        assert sato.locator("#queue-body tr", has_text="みどり").locator(".row-nickname[lang=ja]").count() == 1
        assert row.locator(".row-name span[lang=ja]").count() >= 1
        status = tanaka.locator("#queue-body tr", has_text="はなこ").locator(".row-status")
        assert status.inner_html() == 'In consultation (<span lang="ja">主任推進員 さとう</span>)'
        # The check itself sees an unmarked Japanese text (a check that cannot fail proves nothing).
        tanaka.evaluate("() => document.querySelector('main').append('未対応')")
        assert [leak.split(": ", 1)[1] for leak in tanaka.evaluate(UNMARKED)] == ["未対応"]
        # Japanese pages: the same live data, no lang attributes.
        assert admin.evaluate(MARKED) == []
        assert other.evaluate(MARKED) == []
    finally:
        server.api("PATCH", f"/sessions/{sid}", login="admin", body={"status": "cancelled"})
